"""`sitemap.xml` and `robots.txt`, from the planned pages."""

from __future__ import annotations

from html import escape

from reflexgen import urls
from reflexgen.content.model import Site
from reflexgen.site.plan import Job


def render_sitemap(site: Site, jobs: list[Job]) -> bytes:
    """Every HTML page but the 404, redirects and the search page, with `lastmod` for
    articles."""
    base = site.config.base_url
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for job in jobs:
        if job.kind in ("404", "redirect", "search") or not job.output.endswith(".html"):
            continue
        lines.append(f"  <url><loc>{escape(urls.absolute(base, job.url), quote=False)}</loc>")
        if job.kind == "article":
            article = site.articles[job.key]  # type: ignore[index]
            lines.append(f"    <lastmod>{(article.updated or article.date).isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def render_robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}/sitemap.xml\n".encode()
