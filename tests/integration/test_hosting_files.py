"""The host configuration a build writes (`site.hosting`): `_headers` read as Netlify and
Cloudflare Pages read it, the Content-Security-Policy made from the settings, and what the
nginx and Caddy files hold for a site's comment endpoint. The servers themselves run them in
test_hosting_servers.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SITE_TOML, Site, article, built_demo
from reflexgen.site import caching
from reflexgen.site.caching import Kind

HOST_FILES = ("_headers", "reflexgen.nginx.conf", "reflexgen.caddy")


def parse_headers(text: str) -> list[tuple[str, dict[str, str]]]:
    """`_headers` as the hosts read it: a path on its own line, its headers indented below."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
            continue
        name, _, value = line.strip().partition(":")
        assert name not in rules[-1][1], f"{name} twice in the rule {rules[-1][0]}"
        rules[-1][1][name] = value.strip()
    return rules


def matches(pattern: str, path: str) -> bool:
    """Netlify's and Cloudflare's matching: `*` anything (one per rule), `:name` a segment."""
    assert pattern.count("*") <= 1, pattern
    regex = "".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
                    for part in re.split(r"(\*|:[A-Za-z0-9_]+)", pattern))
    return re.fullmatch(regex, path) is not None


def csp(text: str) -> dict[str, list[str]]:
    """A Content-Security-Policy's directives and their sources."""
    return {d.split()[0]: d.split()[1:] for d in text.split(";") if d.strip()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return built_demo(tmp_path_factory.mktemp("hosting"))


def test_headers_give_each_file_the_caching_of_its_kind(demo):
    rules = parse_headers((demo / "_headers").read_text())
    assert 1 < len(rules) <= 100
    assert rules[0][0] == "/*"
    security = rules[0][1]
    assert "Cache-Control" not in security
    assert set(security) == {"Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options",
                             "Permissions-Policy", "Cross-Origin-Opener-Policy"}
    for pattern, headers in rules[1:]:
        assert list(headers) == ["Cache-Control"], pattern  # nothing set twice for a file
    served = [p.relative_to(demo).as_posix() for p in demo.rglob("*")
              if p.is_file() and p.name not in ("_headers", "_redirects")]  # read, not served
    assert len(served) > 100
    kinds = set()
    for rel in served:
        found = [h["Cache-Control"] for p, h in rules[1:] if matches(p, "/" + rel)]
        assert len(found) <= 1, rel  # the hosts would join two values into one header
        kind = caching.kind(rel)
        kinds.add(kind)
        if found:
            assert found == [kind.cache_control], rel
        else:  # the hosts' own default: max-age=0, must-revalidate
            assert kind in (Kind.PAGE, Kind.ASSET), rel
    assert {Kind.IMMUTABLE, Kind.ASSET, Kind.PAGE, Kind.FEED, Kind.HOST} <= kinds
    every = [rel for rel in served if caching.kind(rel) is Kind.FEED]
    assert all(any(matches(p, "/" + rel) for p, _ in rules) for rel in every)


def test_a_thousand_tags_still_fit_in_a_hundred_rules(site: Site):
    site.write({f"content/posts/p{n}.md": article(f"Titre {n}", tags=f"[mot{n}, autre{n}]",
                                                   date=f"2024-03-{n % 28 + 1:02d}")
                for n in range(500)})
    assert site.build().code == 0
    assert len(list((site.root / "output/tags").glob("*/feed.xml"))) == 1000
    rules = parse_headers(site.read("_headers"))
    assert len(rules) <= 100
    assert any(matches(p, "/tags/mot7/feed.xml") for p, _ in rules)


def test_the_policy_follows_the_site(site: Site):
    site.write({"content/posts/a.md": article()})
    assert site.build().code == 0
    policy = csp(parse_headers(site.read("_headers"))[0][1]["Content-Security-Policy"])
    assert policy == {"default-src": ["'self'"], "script-src": ["'self'", "'wasm-unsafe-eval'"],
                      "style-src": ["'self'"], "img-src": ["'self'", "data:"],
                      "connect-src": ["'self'"], "form-action": ["'self'"],
                      "frame-ancestors": ["'self'"], "base-uri": ["'self'"],
                      "object-src": ["'none'"]}
    assert "unsafe-inline" not in site.read("_headers")


def test_an_intake_elsewhere_an_author_portrait_and_extra_sources_are_allowed(site: Site):
    site.write({
        "site.toml": SITE_TOML + 'search = false\n\n[comments]\n'
                     'endpoint = "https://commentaires.example.net:8443/c/"\n\n'
                     '[hosting.csp]\nimg-src = ["https://images.example.org"]\n'
                     'font-src = ["https://fonts.example.org"]\n',
        "content/authors/zoe.md": "---\nname: Zoé\navatar: https://cdn.example.com/zoe.jpg\n---\n",
        "content/posts/a.md": article(author="Zoé")})
    assert site.build().code == 0
    policy = csp(parse_headers(site.read("_headers"))[0][1]["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no search: nothing compiled
    assert policy["connect-src"] == ["'self'", "https://commentaires.example.net:8443"]
    assert policy["form-action"] == ["'self'", "https://commentaires.example.net:8443"]
    assert policy["img-src"] == ["'self'", "data:", "https://cdn.example.com",
                                 "https://images.example.org"]
    assert policy["font-src"] == ["'self'", "https://fonts.example.org"]
    # The intake is on another host: the servers of this one do not forward to it.
    assert "proxy_pass" not in site.read("reflexgen.nginx.conf")
    assert "reverse_proxy" not in site.read("reflexgen.caddy")


@pytest.mark.parametrize("endpoint, prefix", [("https://blog.example.org/commentaires/",
                                               "/commentaires"),
                                              ("https://blog.example.org/c", "/c")])
def test_an_intake_on_the_site_host_is_forwarded(site: Site, endpoint, prefix):
    site.write({"site.toml": SITE_TOML + f'max_comment_kb = 100\n\n[hosting]\n'
                f'intake = "127.0.0.1:9123"\n\n[comments]\nendpoint = "{endpoint}"\n',
                "content/posts/a.md": article()})
    assert site.build().code == 0
    nginx = site.read("reflexgen.nginx.conf")
    assert f"location = {prefix} {{" in nginx and f"location ^~ {prefix}/ {{" in nginx
    assert nginx.count("proxy_pass http://127.0.0.1:9123/;") == 2
    assert "client_max_body_size 164k;" in nginx  # the comment's 100 KiB and the form's 64
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx
    caddy = site.read("reflexgen.caddy")
    assert f"@reflexgen_intake path {prefix} {prefix}/*" in caddy
    assert "reverse_proxy 127.0.0.1:9123" in caddy and "max_size 167936" in caddy
    policy = csp(parse_headers(site.read("_headers"))[0][1]["Content-Security-Policy"])
    assert policy["form-action"] == ["'self'"]


def test_precompressed_copies_are_announced_to_the_servers(site: Site):
    site.write({"content/posts/a.md": article()})
    assert site.build().code == 0
    assert "gzip_static" not in site.read("reflexgen.nginx.conf")
    assert "precompressed" not in site.read("reflexgen.caddy")
    site.write({"site.toml": SITE_TOML + '\n[hosting]\nprecompress = ["gzip", "br"]\n'})
    assert site.build().code == 0
    nginx = site.read("reflexgen.nginx.conf")
    assert "\ngzip_static on;" in nginx and "\n# brotli_static on;" in nginx
    assert "precompressed br gzip" in site.read("reflexgen.caddy")


def test_the_files_follow_the_settings_in_an_incremental_build(site: Site):
    site.write({"content/posts/a.md": article()})
    assert site.build().code == 0
    site.write({"site.toml": SITE_TOML + '\n[hosting.csp]\nimg-src = ["https://i.example"]\n'})
    assert site.build().code == 0
    for name in HOST_FILES:
        assert "https://i.example" in site.read(name), name
    site.write({"site.toml": SITE_TOML})
    assert site.build().code == 0
    for name in HOST_FILES:
        assert "https://i.example" not in site.read(name), name


def test_old_urls_are_redirected_by_the_nginx_include(site: Site):
    site.write({"content/posts/a.md": article()})
    assert site.build().code == 0
    assert "reflexgen_redirect" not in site.read("reflexgen.nginx.conf")  # no map to read
    site.write({"content/posts/a.md": article(aliases='["/?p=12"]')})
    assert site.build().code == 0
    assert "if ($reflexgen_redirect) { return 301 $reflexgen_redirect; }" \
        in site.read("reflexgen.nginx.conf")


@pytest.mark.parametrize("setting, wrong", [
    ('[hosting.csp]\nimg-src = ["https://a.example $host"]', "[hosting.csp]"),
    ('[hosting.csp]\nimg-src = ["https://a.example/{x}"]', "[hosting.csp]"),
    ('[hosting.csp]\nscript-src = ["\'self\'\\"; add_header X y"]', "[hosting.csp]"),
    ('[hosting]\nintake = "127.0.0.1:8100; evil"', "[hosting] intake"),
    ('[hosting]\nintake = "127.0.0.1:99999"', "[hosting] intake"),
    ('[hosting]\nintake = 8100', "[hosting] intake"),
])
def test_hostile_settings_never_reach_a_server_file(site: Site, setting, wrong):
    site.write({"site.toml": SITE_TOML + "\n" + setting + "\n",
                "content/posts/a.md": article()})
    run = site.build()
    assert run.code == 1
    assert wrong in run.stderr and "site.toml" in run.stderr
    assert not site.exists("reflexgen.nginx.conf")


@pytest.mark.parametrize("endpoint", ["https://x.example/$uri/", "https://x.example/it's/",
                                      "https://x.example/{a}/"])
def test_an_endpoint_that_would_break_a_server_file_stops_the_build(site: Site, endpoint):
    site.write({"site.toml": SITE_TOML + f'\n[comments]\nendpoint = "{endpoint}"\n',
                "content/posts/a.md": article()})
    run = site.build()
    assert run.code == 1
    assert "site.toml" in run.stderr and endpoint in run.stderr



def test_an_endpoint_path_the_files_cannot_hold_is_left_to_the_reader(site: Site):
    site.write({"site.toml": SITE_TOML + '\n[comments]\nendpoint = "https://blog.example.org/a;b/"\n',
                "content/posts/a.md": article()})
    assert site.build().code == 0
    for name in ("reflexgen.nginx.conf", "reflexgen.caddy"):
        text = site.read(name)
        assert "proxy_pass" not in text and "reverse_proxy" not in text, name
        assert "forward it to 127.0.0.1:8100 by hand" in text


def test_an_author_portrait_address_never_adds_directives(site: Site):
    hostile = "https://img.example.net;script-src-elem * 'unsafe-inline';x/bob.png"
    site.write({"content/authors/zoe.md": f'---\nname: Zoé\navatar: "{hostile}"\n---\n',
                "content/posts/a.md": article(author="Zoé")})
    site.build()
    headers = site.read("_headers")
    assert "script-src-elem" not in headers and "unsafe-inline" not in headers
    assert "script-src-elem" not in site.read("reflexgen.nginx.conf")


def test_a_file_name_never_writes_a_rule(site: Site):
    site.write({"content/posts/a.md": article(),
                "content/files/a b.txt": "x",
                "content/files/x\n  Access-Control-Allow-Origin: *\nz.txt": "x"})
    assert site.build().code == 0
    text = site.read("_headers")
    assert "Access-Control-Allow-Origin" not in text and "a b.txt" not in text
    parse_headers(text)  # every rule still well formed


@pytest.mark.parametrize("slug", ["theme", "resized"])
def test_a_page_is_never_published_among_content_named_files(site: Site, slug):
    site.write({"content/posts/a.md": article(),
                "content/pages/p.md": f"---\ntitle: Page\nslug: {slug}\n---\nTexte.\n"})
    run = site.build()
    assert run.code == 1 and "would be published among" in run.stderr
    assert "another slug" in run.stderr
