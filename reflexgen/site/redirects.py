"""Old URLs that lead to new ones (front matter `aliases`, e.g. from a WordPress import).

Each alias gets a redirect page in the built site (see `plan`), except an alias with a query
string (`/?p=12`), which no static file can answer; all of them are also listed for the
servers that redirect by configuration: `_redirects` (Netlify's syntax, also read by
Cloudflare Pages for paths) and an nginx `map`.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote

from reflexgen.content.model import Site

SAFE = "/:@!&'()*+,;=-._~%"  # characters left as they are (`$` would be a variable in nginx)


class Redirect(NamedTuple):
    alias: str  # as written (decoded), with its query string if any
    target: str  # the new URL, root-relative
    source: str  # the file that asked for it, relative to content/

    @property
    def static(self) -> bool:
        """Whether a page in the output folder can answer it (no query string)."""
        return "?" not in self.alias


def collect(site: Site) -> list[Redirect]:
    """Every alias of the site's articles and pages but those equal to their own URL."""
    found = []
    for record in (*site.articles, *site.pages):
        for alias in record.aliases:
            if alias not in (record.url, record.url.rstrip("/")):
                found.append(Redirect(alias, record.url, record.source))
    return found


def encoded(alias: str) -> str:
    path, _, query = alias.partition("?")
    return quote(path, safe=SAFE) + (f"?{quote(query, safe=SAFE)}" if query else "")


def render_netlify(redirects: list[Redirect]) -> bytes:
    """`_redirects`: one `old new 301` line each; a query string becomes Netlify's parameter
    match (`/ p=12 /new/ 301`)."""
    lines = ["# Old URLs → new ones, written by reflexgen from the `aliases` of each page."]
    for r in redirects:
        path, _, query = encoded(r.alias).partition("?")
        match = f"{path}  {' '.join(query.split('&'))}" if query else path
        lines.append(f"{match}  {quote(r.target, safe=SAFE)}  301")
    return ("\n".join(lines) + "\n").encode()


def render_nginx(redirects: list[Redirect]) -> bytes:
    """An nginx `map` from the requested URI to the new URL, with how to use it."""
    lines = ["# Old URLs → new ones, written by reflexgen from the `aliases` of each page.",
             "# Include this file in nginx's `http` block, then in the site's `server` block:",
             "#     if ($reflexgen_redirect) { return 301 $reflexgen_redirect; }",
             "map $request_uri $reflexgen_redirect {"]
    for r in redirects:
        lines.append(f'    "{encoded(r.alias)}" "{quote(r.target, safe=SAFE)}";')
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()
