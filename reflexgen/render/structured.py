"""schema.org data (JSON-LD) for search engines: BlogPosting, Person, Blog and WebSite.

Built from the content model and serialized here, so it is always valid JSON whatever the
text holds (a comment saying `</script>` cannot end the script element).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from reflexgen import urls
from reflexgen.content.model import Article, Author, Body, Site, flatten

CONTEXT = "https://schema.org"
TAG = re.compile(r"<[^>]+>")


def text(markup: str) -> str:
    """Plain text of rendered HTML (already sanitized), on one line."""
    return " ".join(html.unescape(TAG.sub(" ", markup)).split())


def person(site: Site, author: Author) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "Person", "name": author.name}
    if author.profile:
        found["url"] = urls.absolute(site.config.base_url, author.url)
    same_as = [u for u in (author.website, *(link for _, link in author.social)) if u]
    if same_as:
        found["sameAs"] = same_as
    return found


def blog_posting(site: Site, article: Article, body: Body) -> dict[str, Any]:
    base = site.config.base_url
    url = urls.absolute(base, article.url)
    comments = flatten(body.threads)
    data: dict[str, Any] = {
        "@context": CONTEXT, "@type": "BlogPosting", "headline": article.title,
        "url": url, "mainEntityOfPage": url,
        "datePublished": article.date.isoformat(),
        "dateModified": (article.updated or article.date).isoformat(),
        "author": [person(site, site.authors[a]) for a in article.authors],
        "description": text(article.summary_html),
        "inLanguage": article.lang or site.config.language,
        "wordCount": article.words,
        "commentCount": article.comment_count,
    }
    if article.tags:
        data["keywords"] = list(article.tags)
    if article.category:
        data["articleSection"] = article.category
    if article.image:
        data["image"] = urls.absolute(base, article.image)
    if comments:
        data["comment"] = [{
            "@type": "Comment", "@id": f"{url}#comment-{c.id}",
            "author": {"@type": "Person", "name": c.author, **({"url": c.url} if c.url else {})},
            "dateCreated": c.date.isoformat(), "text": text(c.body_html),
        } for c in comments]
    return data


def profile(site: Site, author: Author) -> dict[str, Any]:
    data = {"@context": CONTEXT, **person(site, author)}
    if author.bio_html:
        data["description"] = text(author.bio_html)
    return data


def home(site: Site) -> dict[str, Any]:
    config = site.config
    url = urls.absolute(config.base_url, "/")
    about = {"name": config.title, "url": url, "inLanguage": config.language}
    if config.description:
        about["description"] = config.description
    return {"@context": CONTEXT, "@graph": [{"@type": "WebSite", **about},
                                            {"@type": "Blog", **about}]}


def script(data: dict[str, Any]) -> str:
    """The `<script type="application/ld+json">` content: JSON that no text can break out
    of (`<`, `>` and `&` written as escapes, which JSON readers decode)."""
    dumped = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
