"""schema.org data (JSON-LD) for search engines: BlogPosting, Person, Blog and WebSite,
with the Organization that publishes them.

Built from the views a page shows and serialized here, so it is always valid JSON whatever the
text holds (a title saying `</script>` cannot end the script element).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.content.model import SiteImage

CONTEXT = "https://schema.org"
TAG = re.compile(r"<[^>]+>")


def text(markup: str) -> str:
    """Plain text of rendered HTML (already sanitized), on one line."""
    return " ".join(html.unescape(TAG.sub(" ", markup)).split())


def person(config: SiteConfig, author: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "Person", "name": author.name}
    if author.profile:
        found["url"] = urls.absolute(config.base_url, author.url)
    same_as = [u for u in (author.website, *(link for _, link in author.social)) if u]
    if same_as:
        found["sameAs"] = same_as
    return found


def comments(threads: Iterable[Any]) -> list[Any]:
    """Every comment of these threads (views), replies after their parent."""
    return [c for t in threads for c in (t, *comments(t.replies))]


def publisher(config: SiteConfig, logo: SiteImage | None) -> dict[str, Any]:
    """The blog as the Organization that publishes it, with its logo if it has one."""
    found: dict[str, Any] = {"@type": "Organization", "name": config.title,
                             "url": urls.absolute(config.base_url, "/")}
    if logo is not None:
        found["logo"] = {"@type": "ImageObject", "url": urls.absolute(config.base_url, logo.url)}
        if logo.width and logo.height:
            found["logo"] |= {"width": logo.width, "height": logo.height}
    return found


def blog_posting(config: SiteConfig, article: Any, logo: SiteImage | None = None
                 ) -> dict[str, Any]:
    """BlogPosting of an article view (`views.ArticleView`), as WordPress's SEO plugins
    write it: the comments are counted, not copied (no search engine shows them from
    there, and they would double the weight of a discussed article's page)."""
    base = config.base_url
    url = urls.absolute(base, article.url)
    data: dict[str, Any] = {
        "@context": CONTEXT, "@type": "BlogPosting", "headline": article.title,
        "url": url, "mainEntityOfPage": url,
        "datePublished": article.date.isoformat(),
        "dateModified": (article.updated or article.date).isoformat(),
        "author": [person(config, a) for a in article.authors],
        "description": text(article.summary_html),
        "inLanguage": article.lang or config.language,
        "wordCount": article.words,
        "commentCount": article.comment_count,
        "publisher": publisher(config, logo),
    }
    if article.tags:
        data["keywords"] = [tag.name for tag in article.tags]
    if article.category:
        data["articleSection"] = article.category.name
    if article.image:
        data["image"] = urls.absolute(base, article.image)
    return data  # the comments' count, not their text: it is on the page, for every reader


def profile(config: SiteConfig, author: Any) -> dict[str, Any]:
    data = {"@context": CONTEXT, **person(config, author)}
    if author.bio_html:
        data["description"] = text(author.bio_html)
    return data


def home(config: SiteConfig, logo: SiteImage | None = None) -> dict[str, Any]:
    url = urls.absolute(config.base_url, "/")
    about = {"name": config.title, "url": url, "inLanguage": config.language}
    if config.description:
        about["description"] = config.description
    return {"@context": CONTEXT, "@graph": [
        {"@type": "WebSite", **about},
        {"@type": "Blog", **about, "publisher": publisher(config, logo)}]}


def script(data: dict[str, Any]) -> str:
    """The `<script type="application/ld+json">` content: JSON that no text can break out
    of (`<`, `>` and `&` written as escapes, which JSON readers decode)."""
    dumped = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
