"""The intake's pages, rendered with the site's own theme (`comment.html`, extending
`base.html`): the same header, footer and stylesheet as the blog, Jinja's autoescaping, and
the site's language. The server never writes HTML by hand."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from reflexgen import urls
from reflexgen.comments.threads import ThreadInfo
from reflexgen.config import SiteConfig
from reflexgen.content.markup import comment_parser, render_comment
from reflexgen.render.i18n import Translator, load_translator
from reflexgen.render.templates import Renderer
from reflexgen.render.themes import find_theme
from reflexgen.render.views import CommentForm, comment_form
from reflexgen.site.blueprint import Blueprint

TEMPLATE, ADMIN_TEMPLATE, MAIL_TEMPLATE = "comment.html", "admin.html", "mail.html"
# What the page is about, in `job.kind`: templates and CSS can tell the intake's pages apart.
KIND, ADMIN_KIND = "comment", "admin"


@dataclass(frozen=True)
class PageJob:
    """The little of a build `Job` that base.html reads."""

    kind: str
    url: str
    number: int = 1
    pages: int = 1


@dataclass(frozen=True)
class FormData:
    """What the reader typed, given back to them on every page (never lost)."""

    thread: str = ""
    parent: str = ""
    author: str = ""
    email: str = ""
    url: str = ""
    body: str = ""
    notify: str = ""  # "1": the reader asked to be told of replies


class Pages:
    """Renders the intake's pages for one assembled site (made again after each rebuild)."""

    def __init__(self, config: SiteConfig, blueprint: Blueprint) -> None:
        theme = find_theme(config.root, config.theme)
        self.translator: Translator = load_translator(theme, config.language, config.tz)
        self.config = config
        self.renderer = Renderer(blueprint.site, theme, self.translator, blueprint.related,
                                 assets=blueprint.assets.names)
        # The pages are served from the intake's address: every link and stylesheet of the
        # theme points to the site itself (a theme file under its published name).
        self.renderer.env.filters["url"] = self.renderer.env.filters["absolute"]
        self.renderer.env.auto_reload = False  # a new build makes new `Pages`
        self._parsers: dict[str, MarkdownIt] = {}
        self._index = {a.source: i for i, a in enumerate(blueprint.site.articles)}
        self._received: dict[str, str] = {}

    def received(self, thread: ThreadInfo) -> str:
        """The neutral page that answers spam: the same for every submission to a thread,
        made once (a flood of bots costs no rendering)."""
        page = self._received.get(thread.source)
        if page is None:
            page = self._received[thread.source] = self.render(
                "received", thread, message=self.t("intake_received"))
        return page

    def comment_html(self, text: str, language: str) -> Markup:
        """A comment as the site will show it: the articles' own sanitizing path."""
        parser = self._parsers.get(language)
        if parser is None:
            parser = self._parsers[language] = comment_parser(language)
        return Markup(render_comment(parser, text))

    def t(self, key: str, **values: object) -> str:
        return self.translator.t(key, **values)

    def article_url(self, thread: ThreadInfo | None) -> str:
        """The absolute address of a thread's article (the only place a page links back
        to): derived from the site, never from the request."""
        return urls.absolute(self.config.base_url, thread.url if thread else "/")

    def render(self, mode: str, thread: ThreadInfo | None, **values: Any) -> str:
        """One page of the intake: `mode` is form, preview, thanks, received or error; `values`
        fill the rest (comment_form, message, comment_html, author, parent, kept_text)."""
        context: dict[str, Any] = {
            "article": self.article(thread.source) if thread else None,
            "article_url": self.article_url(thread), "comment_form": None, "message": "",
            "comment_html": "", "author": "", "parent": None, "kept_text": ""}
        return self._page(TEMPLATE, PageJob(KIND, thread.url if thread else "/"), mode,
                          self.article_url(thread), {**context, **values})

    def admin(self, mode: str, **values: Any) -> str:
        """A page of the moderation page (`admin.html`): login, queue or edit."""
        return self._page(ADMIN_TEMPLATE, PageJob(ADMIN_KIND, "/"), mode,
                          self.article_url(None), {"title": "", "message": "", **values})

    def mail(self, kind: str, **values: Any) -> str:
        """The HTML part of a message (`mail.html`): held, confirm, published or reply."""
        return self.renderer.env.get_template(MAIL_TEMPLATE).render(
            {**self.renderer.views.common, "kind": kind, **values})

    def article(self, source: str) -> Any:
        """An article's view (title, url, authors, comments), or None."""
        index = self._index.get(source)
        return self.renderer.views.article(index) if index is not None else None

    def _page(self, template: str, job: PageJob, mode: str, canonical: str,
              values: dict[str, Any]) -> str:
        context: dict[str, Any] = {
            **self.renderer.views.common, "job": job, "canonical": canonical,
            "articles": [], "feeds": [], "structured_data": None, "comments_feed": None,
            "series": None, "mode": mode, **values}
        return self.renderer.env.get_template(template).render(context)

    def form(self, thread: ThreadInfo, kept: FormData, **filled: Any) -> CommentForm:
        """The articles' own form, filled again, posting back to the intake (`./`: the app
        answers at its root, wherever it is mounted)."""
        values = {name: getattr(kept, name) for name in ("author", "email", "url", "body",
                                                           "notify")}
        form = comment_form(self.config.comments, thread.source, values=values, **filled)
        return replace(form, action="./")

    def parent_comment(self, thread: ThreadInfo, parent_id: str) -> Any:
        """The published comment a reply quotes, as the article page shows it, or None."""
        article = self.article(thread.source)
        if article is None or not parent_id:
            return None
        stack = list(article.comments)
        while stack:
            comment = stack.pop()
            if comment.id == parent_id:
                return comment
            stack.extend(comment.replies)
        return None

