"""What the web server needs to serve the site well, written beside the redirects: `_headers`
(Netlify, Cloudflare Pages), `reflexgen.nginx.conf` (an nginx `server` block's include) and
`reflexgen.caddy` (a Caddy site block's import).

All three say the same things, made from the site's settings alone: how long each kind of file
may be kept (`site.caching`), the security headers with a Content-Security-Policy that the
default theme satisfies (no inline script or style, nothing from elsewhere), and, for the two
servers, the 404 page, precompressed copies, the server-only files kept private and the comment
intake behind the comment endpoint when that is on the site's own host. No
Strict-Transport-Security: once sent, it binds browsers to HTTPS for its whole max-age, a
decision for whoever runs the host (add it beside the include).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from reflexgen.config import SiteConfig
from reflexgen.config.comments import origin_of, request_limit
from reflexgen.content.model import Site
from reflexgen.errors import BuildError, Problem
from reflexgen.site import caching
from reflexgen.site.caching import Kind

# Output paths `_headers` may hold as they are (no spaces, line breaks or `:`).
PATTERN_SAFE = re.compile(r"[A-Za-z0-9._~/-]+")
# An origin a CSP may name as it is (an author's portrait from another site).
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")

HEADERS_FILE, NGINX_FILE, CADDY_FILE = "_headers", "reflexgen.nginx.conf", "reflexgen.caddy"
MAX_RULES = 100  # Cloudflare Pages reads no more rules than this from `_headers`
# Features no page of the site uses, turned off for it and anything it might embed.
PERMISSIONS = ("accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "hid",
               "magnetometer", "microphone", "midi", "payment", "serial", "usb")
# What a value may hold to be written between double quotes in nginx and Caddy files.
SAFE_VALUE = re.compile(r"[\x20-\x7e]*")
UNSAFE = set('"\\$`{}')
SAFE_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")  # an endpoint path written as it is


@dataclass(frozen=True)
class Intake:
    """The comment intake, answering under `prefix` of the site's own host."""

    prefix: str  # the endpoint's path without its last slash: /commentaires
    upstream: str  # where it listens: 127.0.0.1:8100
    max_body: int  # the largest request it reads, in bytes


def render_files(site: Site, outputs: list[str]) -> dict[str, bytes]:
    """The three files, given the paths of the outputs known before rendering (pages, feeds,
    static files, the blueprint's own files)."""
    config = site.config
    headers = security_headers(site)
    for name, value in [*headers, ("Link", config.comments.webmention)]:
        unsafe = UNSAFE | (set("'<>") if name == "Link" else set())  # quoted there with '
        if not SAFE_VALUE.fullmatch(value) or unsafe & set(value):
            raise BuildError(Problem(f"the {name} header would hold {value!r}",
                                     config.root / "site.toml",
                                     hint="keep quotes, backslashes, $, <, >, { and } out "
                                          "of base_url, [comments] endpoint, [hosting.csp] "
                                          "and the authors' avatar addresses"))
    redirected = "redirects.nginx.conf" in outputs
    return {HEADERS_FILE: render_headers(headers, outputs).encode(),
            NGINX_FILE: render_nginx(config, headers, intake(config), redirected).encode(),
            CADDY_FILE: render_caddy(config, headers, intake(config)).encode()}


# The headers ------------------------------------------------------------------------------

def content_security_policy(site: Site) -> str:
    """The site's Content-Security-Policy: its own files only, plus the comment intake when it
    is elsewhere, remote author portraits, and the `[hosting.csp]` sources."""
    config = site.config
    own = origin_of(config.base_url)
    elsewhere = []  # the intake's origin, when another host answers it
    if config.comments.endpoint and origin_of(config.comments.endpoint) != own:
        elsewhere.append(origin_of(config.comments.endpoint))
    pictures = sorted({origin for a in site.authors.values()
                       if a.avatar and urlsplit(a.avatar).scheme in ("http", "https")
                       and ORIGIN.fullmatch(origin := origin_of(a.avatar))} - {own})
    directives: dict[str, list[str]] = {
        "default-src": ["'self'"],
        # Pagefind compiles its WebAssembly (search): nothing else is evaluated.
        "script-src": ["'self'", *(["'wasm-unsafe-eval'"] if config.search else [])],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *pictures],
        "connect-src": ["'self'", *elsewhere],  # comments.js sends the form to the intake
        "form-action": ["'self'", *elsewhere],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    for directive, sources in config.hosting.csp.items():
        # A directive not written above falls back on default-src: it starts from it.
        found = directives.setdefault(directive, list(directives["default-src"]))
        found += [s for s in sources if s not in found]
    return "; ".join(f"{d} {' '.join(sources)}" for d, sources in directives.items())


def security_headers(site: Site) -> list[tuple[str, str]]:
    """The headers of every answer, whatever its kind."""
    return [("Content-Security-Policy", content_security_policy(site)),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("X-Content-Type-Options", "nosniff"),
            ("Permissions-Policy", ", ".join(f"{p}=()" for p in PERMISSIONS)),
            ("Cross-Origin-Opener-Policy", "same-origin")]


def intake(config: SiteConfig) -> Intake | None:
    """The intake the servers forward to: when the comment endpoint is on the site's origin,
    under a path of its own."""
    endpoint = config.comments.endpoint
    if not endpoint or origin_of(endpoint) != origin_of(config.base_url):
        return None
    prefix = (urlsplit(endpoint).path or "/").rstrip("/")
    if not prefix or not SAFE_PATH.fullmatch(prefix):
        return None
    return Intake(prefix, config.hosting.intake, request_limit(config.max_comment_kb))


def unforwarded(config: SiteConfig) -> list[str]:
    """A remark for a comment endpoint on the site's origin that `intake` cannot forward."""
    endpoint = config.comments.endpoint
    if not endpoint or origin_of(endpoint) != origin_of(config.base_url) or intake(config):
        return []
    return [f"# The comment endpoint's path ({urlsplit(endpoint).path or '/'}) is the site's "
            "root or holds characters", "# not written here: forward it to "
            f"{config.hosting.intake} by hand, or give it a plain path (/commentaires/).", ""]


def webmention_link(config: SiteConfig) -> str:
    """The HTTP `Link` header that advertises the intake's Webmention endpoint ("" without)."""
    address = config.comments.webmention
    return f'<{address}>; rel="webmention"' if address else ""


# _headers ---------------------------------------------------------------------------------

def render_headers(headers: list[tuple[str, str]], outputs: list[str]) -> str:
    """`_headers`: the security headers for every path, then Cache-Control by folder or by
    file name. Netlify and Cloudflare Pages both join a header that two matching rules set,
    so no two rules that match one file set the same header; where no rule says, both send
    `public, max-age=0, must-revalidate`, the pages' own rule."""
    lines = ["# Headers for Netlify and Cloudflare Pages, written by reflexgen from site.toml.",
             "# Where no rule gives Cache-Control, both hosts send max-age=0, must-revalidate.",
             "# No Strict-Transport-Security: a choice for the host, not written here.",
             "/*", *(f"  {name}: {value}" for name, value in headers)]
    rules = [(f"/{folder}*", Kind.IMMUTABLE) for folder in caching.IMMUTABLE_FOLDERS]
    rules.append(("/pagefind/:file", Kind.ASSET))  # pagefind.js and its WebAssembly
    rules += [(f"/{name}", Kind.HOST) for name in caching.HOST_FILES if not name.startswith("_")]
    rules += [(pattern, Kind.FEED) for pattern in feed_patterns(outputs)]
    for pattern, kind in rules[:MAX_RULES - 1]:  # beyond, the host's default: revalidated
        lines += [pattern, f"  Cache-Control: {kind.cache_control}"]
    return "\n".join(lines) + "\n"


def feed_patterns(outputs: list[str]) -> list[str]:
    """A pattern for each feed's file name at each depth (`/:p1/:p2/feed.xml`), so that a
    thousand tags' feeds take one rule; a feed at the root keeps its own path."""
    patterns: dict[str, None] = {}
    for rel in sorted(outputs):
        if caching.kind(rel) is Kind.FEED and not caching.original(rel)[1] \
                and PATTERN_SAFE.fullmatch(rel):  # a file's name never writes a rule
            *folders, name = rel.split("/")
            patterns["/" + "/".join([f":p{i}" for i in range(1, len(folders) + 1)] + [name])] \
                = None
    return sorted(patterns, key=lambda p: (p.count("/"), p))


# nginx ------------------------------------------------------------------------------------

NGINX_TYPES = {"xsl": "text/xsl", "opml": "text/x-opml"}  # missing from nginx's mime.types
CHARSET_TYPES = ("text/css", "text/plain", "text/xml", *NGINX_TYPES.values(),
                 "application/javascript", "application/json", "application/rss+xml",
                 "application/atom+xml", "image/svg+xml")


def render_nginx(config: SiteConfig, headers: list[tuple[str, str]], proxied: Intake | None,
                 redirected: bool) -> str:
    """`reflexgen.nginx.conf`, for the site's `server` block."""
    variables = [("cache_control", "Cache-Control"), *((variable(n), n) for n, _ in headers),
                 ("link", "Link")]
    out = [
        "# nginx configuration for the site, written by reflexgen from site.toml. Include it in",
        "# the site's `server` block, after `root` (the output folder):",
        "#",
        "#     server {",
        f"#         server_name {urlsplit(config.base_url).hostname};",
        "#         root /srv/blog/output;",
        "#         include /srv/blog/output/reflexgen.nginx.conf;",
        "#     }",
        "#",
        "# nginx forgets the server's `add_header` lines in a location that has its own: every",
        "# header here is added once, at server level, its value in a variable that locations",
        "# set. Add yours beside the include (Strict-Transport-Security, if you want it: a",
        "# choice for the host, not written here), never inside a location.",
        "",
    ]
    out += unforwarded(config)
    out += ["index index.html;", "charset utf-8;",
            f"charset_types {' '.join(CHARSET_TYPES)};", "error_page 404 /404.html;"]
    if "gzip" in config.hosting.precompress:
        out += ["gzip_static on;  # the .gz copies the build writes", "gzip_vary on;"]
    if "br" in config.hosting.precompress:
        out += ["# brotli_static on;  # the .br copies: needs the brotli module "
                "(Debian: libnginx-mod-http-brotli-static)"]
    values = {"cache_control": Kind.ASSET.cache_control, "link": "",
              **{variable(n): v for n, v in headers}}
    out += ["", *(f'set $reflexgen_{v} "{values[v]}";' for v, _ in variables),
            *(f"add_header {name} $reflexgen_{v} always;" for v, name in variables), "",
            # After the `set`s: `return` ends the rewrite phase, and a 301 has its headers.
            *(["# Old URLs: include redirects.nginx.conf in the `http` block.",
               "if ($reflexgen_redirect) { return 301 $reflexgen_redirect; }", ""]
              if redirected else []),
            "location / {", "    try_files $uri $uri/ =404;", "}",
            "# The server's own files: not for readers.",
            "location ~ ^/(?:" + "|".join(re.escape(n) for n in caching.HOST_FILES)
            + r")(?:\.gz|\.br)?$ {", "    return 404;", "}"]
    for folder in caching.IMMUTABLE_FOLDERS:
        out += nginx_location(f"^~ /{folder}", Kind.IMMUTABLE)
    for suffix, mime in NGINX_TYPES.items():
        out += nginx_location(rf"~ \.{suffix}$", Kind.FEED,
                              ["types { }", f"default_type {mime};"])
    suffixes = "|".join(s.lstrip(".") for s in caching.FEED_SUFFIXES)
    out += nginx_location(rf"~ \.(?:{suffixes})$", Kind.FEED)
    link = webmention_link(config)
    out += nginx_location(r"~ \.html?$", Kind.PAGE,
                          [f"set $reflexgen_link '{link}';"] if link else [])
    if proxied is not None:
        out += nginx_intake(proxied, [v for v, _ in variables])
    return "\n".join(out) + "\n"


def variable(header: str) -> str:
    return header.lower().replace("-", "_")


def nginx_location(match: str, kind: Kind, extra: list[str] | None = None) -> list[str]:
    return [f"location {match} {{",
            *(f"    {line}" for line in extra or []),
            f'    set $reflexgen_cache_control "{kind.cache_control}";', "}"]


def nginx_intake(proxied: Intake, variables: list[str]) -> list[str]:
    """The comment intake's locations: the endpoint itself and what is under it, the path
    stripped (the intake answers at its root), its own headers left alone."""
    body = [f"    proxy_pass http://{proxied.upstream}/;",
            "    proxy_set_header Host $host;",
            "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "    proxy_set_header X-Forwarded-Proto $scheme;",
            f"    client_max_body_size {-(-proxied.max_body // 1024)}k;",
            *(f'    set $reflexgen_{v} "";' for v in variables)]
    return ["# The comment intake (`reflexgen comments serve`); set trusted_proxies = "
            '["127.0.0.1"] in [comments], so that it reads the reader\'s address.',
            f"location = {proxied.prefix} {{", *body, "}",
            f"location ^~ {proxied.prefix}/ {{", *body, "}"]  # before any regex location


# Caddy ------------------------------------------------------------------------------------

def render_caddy(config: SiteConfig, headers: list[tuple[str, str]],
                 proxied: Intake | None) -> str:
    """`reflexgen.caddy`, for the site's block."""
    immutable = " ".join(f"/{folder}*" for folder in caching.IMMUTABLE_FOLDERS)
    pages = "*.html *.htm */"
    feeds = " ".join(f"*{suffix}" for suffix in caching.FEED_SUFFIXES)
    host = " ".join(f"/{name}{z}" for name in caching.HOST_FILES for z in ("", ".gz", ".br"))
    out = [
        "# Caddy configuration for the site, written by reflexgen from site.toml. Import it in",
        "# the site's block, after `root` (the output folder); it serves the files itself:",
        "#",
        f"#     {urlsplit(config.base_url).hostname} {{",
        "#         root * /srv/blog/output",
        "#         import /srv/blog/output/reflexgen.caddy",
        "#     }",
        "#",
        "# No Strict-Transport-Security: a choice for the host, not written here.",
        "",
    ]
    out += unforwarded(config)
    if proxied is not None:
        out += ["# The comment intake (`reflexgen comments serve`); set trusted_proxies = "
                '["127.0.0.1"] in [comments], so that it reads the reader\'s address.',
                f"@reflexgen_intake path {proxied.prefix} {proxied.prefix}/*",
                "handle @reflexgen_intake {",
                f"    uri strip_prefix {proxied.prefix}",
                # Caddy 2.6 answers 502 to a body cut at max_size: a length said too
                # large is answered 413 first.
                f"    @reflexgen_too_large header_regexp Content-Length "
                f"^0*{larger_than(proxied.max_body)}$",
                "    respond @reflexgen_too_large 413",
                f"    request_body {{\n        max_size {proxied.max_body}\n    }}",
                f"    reverse_proxy {proxied.upstream}", "}"]
    # Caddy's names for the encodings, brotli (smaller) first
    encodings = " ".join(sorted(config.hosting.precompress, key=("br", "gzip").index))
    server = ["file_server {", f"    precompressed {encodings}", "}"] if encodings \
        else ["file_server"]
    link = webmention_link(config)
    out += [
        "handle {",
        *indent(caddy_headers(headers)),
        f"    @reflexgen_immutable path {immutable}",
        f"    header @reflexgen_immutable Cache-Control \"{Kind.IMMUTABLE.cache_control}\"",
        "    @reflexgen_page {", f"        path {pages}", f"        not path {immutable}", "    }",
        f"    header @reflexgen_page Cache-Control \"{Kind.PAGE.cache_control}\"",
        *([f"    header @reflexgen_page Link \"{caddy_escape(link)}\""] if link else []),
        "    @reflexgen_feed {", f"        path {feeds}", f"        not path {immutable}",
        "    }",
        f"    header @reflexgen_feed Cache-Control \"{Kind.FEED.cache_control}\"",
        "    @reflexgen_asset {", f"        not path {immutable}", f"        not path {pages}",
        f"        not path {feeds}", "    }",
        f"    header @reflexgen_asset Cache-Control \"{Kind.ASSET.cache_control}\"",
        *(f"    @reflexgen_{suffix} path *.{suffix}\n"
          f"    header @reflexgen_{suffix} Content-Type \"{mime}; charset=utf-8\""
          for suffix, mime in NGINX_TYPES.items()),
        "    # The server's own files: not for readers.",
        f"    @reflexgen_host path {host}",
        "    error @reflexgen_host 404",
        *indent(server),
        "}",
        "handle_errors {",
        "    @reflexgen_404 expression {err.status_code} == 404",
        "    handle @reflexgen_404 {",
        "        rewrite * /404.html",
        *indent(indent(caddy_headers(headers))),
        f"        header Cache-Control \"{Kind.PAGE.cache_control}\"",
        "        file_server",
        "    }",
        "}",
    ]
    return "\n".join(out) + "\n"


def larger_than(limit: int) -> str:
    """A regular expression for the whole numbers above `limit` (no leading zero)."""
    digits = str(limit)
    longer = f"[1-9][0-9]{{{len(digits)},}}"
    same = [f"{digits[:i]}[{int(d) + 1}-9][0-9]{{{len(digits) - i - 1}}}"
            for i, d in enumerate(digits) if d != "9"]
    return "(?:" + "|".join([longer, *same]) + ")"


def caddy_headers(headers: list[tuple[str, str]]) -> list[str]:
    return ["header {", *(f'    {name} "{caddy_escape(value)}"' for name, value in headers),
            "}"]


def caddy_escape(value: str) -> str:
    return value.replace('"', '\\"')


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]
