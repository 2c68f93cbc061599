"""What templates see: view objects and one context per job, built from the `Site`.

Articles, authors, tags, categories, series and pages are `Tracked` views: each read of one
of their fields is recorded (see `tracking`), and what a page read is what it depends on.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cached_property, lru_cache
from itertools import groupby
from typing import Any, TypeVar
from urllib.parse import urlencode

from markupsafe import Markup

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.config.comments import CommentSettings
from reflexgen.content.model import Article, Page, Site, SiteImage, Taxon, Thread, place
from reflexgen.content.pictures import Picture, plan
from reflexgen.hashing import digest
from reflexgen.render import structured
from reflexgen.render.share import ShareLink, share_links
from reflexgen.render.tracking import Recorder, Tracked, body_fields, derived, tracked
from reflexgen.site.assets import logical, split_tail
from reflexgen.site.plan import FeedJob, Job, JobKind, scope_feeds, search_url
from reflexgen.site.related import Related

OG_LOCALES = {"fr": "fr_FR", "en": "en_US"}  # Open Graph wants a territory
WORDS_PER_MINUTE = 230
V = TypeVar("V", bound=Tracked)
AVATAR_COLOURS = 8
ASSET = "asset"  # the identity of a theme file's view: asset:theme/style.css
FIELDS_KEPT = 2048  # views whose fields, as text, are kept while they are fingerprinted


def article_identity(source: str) -> str:
    """How an article's view is named in the dependency record."""
    return "article:" + source


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


@tracked
class AuthorView(Tracked):
    """An author: from an author file, or (`profile` false) a byline that matches none."""

    id: str  # the author file's name without .md (or the byline's slug)
    name: str  # the name to show
    bio_html: Markup  # the biography (the author file's body), as HTML
    avatar: str | None  # a picture's URL, if the author file gives one
    website: str | None  # their web site's URL
    social: tuple[tuple[str, str], ...]  # (network, URL) pairs, e.g. ('mastodon', 'https://…')
    profile: bool  # whether they have an author file, hence a page
    url: str  # their page's path (empty without a profile)
    gender: str | None  # "f", "m" or "n" as its author file says, else None; see the gender filter


@tracked
class TaxonView(Tracked):
    """A tag, a category or a series, with its articles (newest first; series oldest first)."""

    kind: str  # "tag", "category" or "series"
    name: str  # its name, as most of its articles spell it (on a tie, the newest)
    slug: str  # its name in URLs
    url: str  # its page's path
    count: int  # how many articles it has
    _views: Views

    @derived
    def articles(self) -> tuple[ArticleView, ...]:
        """Its articles."""
        taxon = self._views.taxon_record(self.kind, self.slug)
        return tuple(self._views.article(i) for i in taxon.articles)


@tracked
class PageView(Tracked):
    """A standalone page such as « À propos »."""

    title: str  # its title
    url: str  # its path
    slug: str  # its name in URLs
    body_html: Markup  # its body, as HTML
    lang: str | None  # its language, if not the site's
    date: datetime | None  # its date, if the front matter gives one
    extra: dict[str, Any]  # front matter keys of your own
    menu: str | None  # the menu that links it: "main", "footer", or None (`menu: false`)
    weight: int  # its place in that menu: lower first


@tracked
class AssetView(Tracked):
    """A file of the theme, as the `url` and `absolute` helpers read it: a page that links
    it depends on the name it is published under."""

    url: str | None  # its published path (`/theme/style.1a2b3c4d5e.css`); None: no such file


@dataclass(frozen=True)
class CommentView:
    """A reader's comment."""

    id: str  # its id, unique in the article (anchor: #comment-<id>)
    author: str  # its author's name
    url: str | None  # its author's web site
    date: datetime  # when it was written
    body_html: Markup  # its text as HTML (sanitized)
    by_author: bool  # written by one of the article's authors: shown with a badge
    replies: tuple[CommentView, ...]  # the approved replies, oldest first
    article_author: AuthorView | None = None  # the article's author who wrote it, if one did
    source: str | None = None  # a mention: the other site's page that cites the article


@dataclass(frozen=True)
class CommentForm:
    """The « Laisser un commentaire » form: where it posts and what it holds. Empty on an
    article's page; the intake server's pages fill it again (a reply, a refused comment)."""

    action: str  # the URL the form posts to: [comments] endpoint (never taken from a request)
    thread: str  # the article's source path under content/: the discussion's key
    reply_url: str  # the no-JavaScript reply page, up to `parent=`: add a comment's id
    require_email: bool  # whether the e-mail is required ([comments] require_email)
    notify: bool = False  # offers « Me prévenir des réponses » (the intake sends mail)
    parent: str = ""  # the id of the comment answered; empty for a comment on the article
    token: str = ""  # the intake's signed form token (only on the intake's pages)
    message: str = ""  # what the intake says about the whole form (why it was refused)
    # what the reader typed, by field name (author, email, url, body, notify)
    values: dict[str, str] = field(default_factory=dict)
    # what to change, by field name (author, email, url, body)
    errors: dict[str, str] = field(default_factory=dict)


def comment_form(settings: CommentSettings, thread: str, **filled: Any) -> CommentForm:
    """The form of an article's discussion, posting to the endpoint of `settings`; `filled`
    sets the other fields (parent, token, message, values, errors)."""
    endpoint = settings.endpoint
    reply = endpoint + ("" if endpoint.endswith("/") else "/") + "form?"
    return CommentForm(endpoint, thread, reply + urlencode({"thread": thread}) + "&parent=",
                       settings.require_email, settings.mail is not None, **filled)


@dataclass(frozen=True)
class SeriesView:
    """Where an article stands in its series, with the episodes before and after it."""

    name: str  # the series' name
    url: str  # the series' page
    number: int  # this article's place in the series, from 1
    total: int  # how many episodes
    previous: ArticleView | None  # the episode before, if any
    next: ArticleView | None  # the episode after, if any


@tracked
class ArticleView(Tracked):
    """What templates see of an article. The body, the comments and the JSON-LD load on first
    read: listings that never read them never load the body."""

    source: str  # its file, relative to content/
    title: str  # its title
    url: str  # its path
    date: datetime  # when it was published
    updated: datetime | None  # when it was last updated, if it says so
    authors: tuple[AuthorView, ...]  # its authors, in byline order
    tags: tuple[TaxonView, ...]  # its tags
    category: TaxonView | None  # its category, if any
    summary_html: Markup  # its summary (front matter, or the text before <!-- more -->), as HTML
    image: str | None  # its image's URL, if any
    image_width: int | None  # its image's width in pixels, read from its file under content/
    image_height: int | None  # its image's height in pixels (None for another site's image)
    image_src: str | None  # the URL its `<img>` loads: a resized copy of a photo, else `image`
    image_srcset: str  # a photo's resized copies in its own format, as `srcset` ("" if none)
    image_sources: tuple[tuple[str, str], ...]  # (media type, srcset) of AVIF and WebP copies
    social_image: str | None  # its image for Open Graph: a photo cut to 1200×630, else `image`
    social_image_width: int | None  # that image's width in pixels, when known
    social_image_height: int | None  # that image's height in pixels, when known
    words: int  # how many words its body has
    reading_minutes: int  # its reading time in minutes (230 words a minute)
    comment_count: int  # how many approved comments it has
    comments_open: bool  # whether it takes new comments
    draft: bool  # whether it is a draft (shown only with --drafts and in the preview)
    future: bool  # whether its date is still to come (shown only with --future and in the preview)
    pinned: bool  # whether it is shown first on the home page
    lang: str | None  # its language, if not the site's
    extra: dict[str, Any]  # front matter keys of your own
    _record: Article
    _views: Views

    @derived(body=True)
    def body_html(self) -> Markup:
        """Its body, as HTML."""
        return Markup(self._views.body(self._record).html)

    @derived(body=True)
    def comments(self) -> tuple[CommentView, ...]:
        """Its approved comments as threads, oldest first."""
        names = {a.name.casefold(): a for a in self.authors}
        ids = {a.id: a for a in self.authors}

        def view(thread: Thread) -> CommentView:
            c = thread.comment
            author = ids.get(c.author_id) if c.author_id else names.get(c.author.casefold())
            return CommentView(c.id, c.author, c.url, c.date, Markup(c.body_html),
                               author is not None, tuple(view(r) for r in thread.replies),
                               author, c.source)

        return tuple(view(t) for t in self._views.body(self._record).threads)

    @derived
    def structured_data(self) -> Markup:
        """schema.org BlogPosting (JSON-LD), for search engines."""
        views = self._views
        return Markup(structured.script(structured.blog_posting(views.config, self,
                                                                views.site.logo)))

    @derived
    def related(self) -> tuple[ArticleView, ...]:
        """Up to three articles that share the most tags with this one."""
        views = self._views
        return tuple(views.article(i) for i in views.related(views.index(self._record)))

    @derived
    def series(self) -> SeriesView | None:
        """Its place in its series, if it belongs to one."""
        views = self._views
        if not self._record.series:
            return None
        series = views.taxon("series", urls.slug(self._record.series))
        number, before, after = place(views.taxon_record("series", series.slug).articles,
                                      views.index(self._record))
        return SeriesView(series.name, series.url, number, series.count,
                          None if before is None else views.article(before),
                          None if after is None else views.article(after))

    @derived
    def comments_feed(self) -> str | None:
        """The URL of the feed of this discussion, once it has a comment."""
        return urls.comments_feed(self.url) if self.comment_count else None

    @derived
    def share(self) -> tuple[ShareLink, ...]:
        """Its share links (site.toml's `share`): network and address, none loaded with it."""
        config = self._views.config
        return share_links(config.share, urls.absolute(config.base_url, self.url), self.title)


BODY_FIELDS = body_fields(ArticleView)


@dataclass(frozen=True)
class Pagination:
    """Where a page stands in a listing split into pages."""

    number: int  # this page's number, from 1
    pages: int  # how many pages the listing has
    prev_url: str | None  # the previous page's path
    next_url: str | None  # the next page's path


def pagination(job: Job) -> Pagination:
    first = job.url if job.number == 1 else job.url[: job.url.rindex("page/")]
    prev_url = urls.paged(first, job.number - 1) if job.number > 1 else None
    next_url = urls.paged(first, job.number + 1) if job.number < job.pages else None
    return Pagination(job.number, job.pages, prev_url, next_url)


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    letters = [w[0] for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(letters[:2]).upper() or "?"


@lru_cache(maxsize=4096)
def colour(name: str) -> int:
    return int(hashlib.sha1(name.casefold().encode()).hexdigest(), 16) % AVATAR_COLOURS


@dataclass(frozen=True)
class MenuLink:
    """A link of a menu: a page, or a `[[menu]]` entry of site.toml."""

    title: str  # the text of the link: the page's title, or the entry's name
    url: str  # a path in the site (give it to the `url` filter), or an address elsewhere
    external: bool  # whether it leads out of the site (https://…, mailto:)


@dataclass(frozen=True)
class Subscription:
    """Something to follow in a feed reader: the whole site, a category, an author or a tag."""

    kind: str  # "site", "category", "author" or "tag"
    name: str  # what it follows: the site's title, or the category's, author's or tag's name
    title: str  # the feed's own title, as readers show it: « Le Blog · Marketing »
    url: str  # the page it follows (the home page, the tag's page…)
    rss: str | None  # its RSS feed's path
    atom: str | None  # its Atom feed's path


@dataclass(frozen=True)
class FeedLink:
    """A planned feed as a page links to it (`<link rel="alternate">`, « RSS » under a title)."""

    url: str  # its path
    format: str  # "rss" or "atom"
    type: str  # its media type: "application/rss+xml" or "application/atom+xml"
    label: str  # "RSS" or "Atom"
    title: str  # the feed's own title, as readers show it: « Le Blog · Marketing »


FEED_KINDS = {"rss": ("application/rss+xml", "RSS"), "atom": ("application/atom+xml", "Atom")}


def feed_links(feeds: Iterable[FeedJob]) -> list[FeedLink]:
    return [FeedLink(f.url, f.format, *FEED_KINDS[f.format], f.title) for f in feeds]


SUBSCRIPTION_ORDER = ("site", "category", "author", "tag")  # as the subscribe page lists them


class Views:
    """Builds each view once, on demand, and the context of any job; all of them report their
    reads to `recorder`."""

    def __init__(self, site: Site, related: Related,
                 assets: Mapping[str, str] | None = None) -> None:
        self.site = site
        self.config: SiteConfig = site.config
        self.related = related
        self.assets = assets or {}  # the theme's files: logical output path → published one
        self.recorder = Recorder()
        self._made: dict[str, Tracked] = {}
        self._index = {a.source: i for i, a in enumerate(site.articles)}
        self._taxa: dict[tuple[str, str], Taxon] = {
            (kind, t.slug): t for kind, taxa in (("tag", site.tags), ("category", site.categories),
                                                 ("series", site.series)) for t in taxa}
        self._pages = {p.source: p for p in site.pages}
        self._fingerprints: dict[tuple[str, tuple[str, ...]], str] = {}
        # What the fields of the views fingerprinted last are, as text (the most recent last):
        # a view read by pages with different fields is fingerprinted once for each set.
        self._fields: dict[str, dict[str, str]] = {}

    # Views by identity -------------------------------------------------------------------

    def resolve(self, identity: str) -> Tracked | None:
        """The view of that identity in this site, or None if it is gone."""
        view = self._made.get(identity)
        if view is None:
            kind, _, key = identity.partition(":")
            if kind == "article":
                index = self._index.get(key)
                return None if index is None else self.article(index)
            if kind == "author":
                return self.author(key) if key in self.site.authors else None
            if kind == "page":
                page = self._pages.get(key)
                return None if page is None else self.page(page)
            if kind == ASSET:
                return self._asset(key)
            return self.taxon(kind, key) if (kind, key) in self._taxa else None
        return view

    def article(self, index: int) -> ArticleView:
        a = self.site.articles[index]
        return self._view(article_identity(a.source), lambda: self._article(a))

    def _article(self, a: Article) -> ArticleView:
        picture = featured_picture(a, self.site.config)
        card = picture.card if picture else None
        social = (card.width, card.height) if card else a.image_size
        return ArticleView(
            source=a.source, title=a.title, url=a.url, date=a.date, updated=a.updated,
            authors=tuple(self.author(x) for x in a.authors),
            tags=tuple(self.taxon("tag", urls.slug(t)) for t in a.tags),
            category=self.taxon("category", urls.slug(a.category)) if a.category else None,
            summary_html=Markup(urls.rebase(a.summary_html, a.url)), image=a.image,
            image_width=a.image_size[0] if a.image_size else None,
            image_height=a.image_size[1] if a.image_size else None,
            image_src=picture.src if picture else a.image,
            image_srcset=picture.srcset if picture else "",
            image_sources=picture.sources if picture else (),
            social_image=card.url if card else a.image,
            social_image_width=social[0] if social else None,
            social_image_height=social[1] if social else None,
            words=a.words, reading_minutes=reading_minutes(a.words),
            comment_count=a.comment_count, comments_open=a.comments_open, draft=a.draft,
            future=a.future, pinned=a.pinned, lang=a.lang, extra=a.extra,
            _record=a, _views=self)

    def author(self, author_id: str) -> AuthorView:
        a = self.site.authors[author_id]
        return self._view("author:" + author_id, lambda: AuthorView(
            a.id, a.name, Markup(a.bio_html), a.avatar, a.website, a.social, a.profile, a.url,
            a.gender))

    def taxon(self, kind: str, slug: str) -> TaxonView:
        t = self._taxa[kind, slug]
        return self._view(f"{kind}:{slug}", lambda: TaxonView(
            kind, t.name, t.slug, t.url, len(t.articles), _views=self))

    def page(self, p: Page) -> PageView:
        return self._view("page:" + p.source, lambda: PageView(
            p.title, p.url, p.slug, Markup(p.body_html), p.lang, p.date, p.extra, p.menu,
            p.weight))

    def asset(self, url: str) -> str:
        """A theme file's published address for its logical one (`/theme/style.css`, see
        `site.assets`), any other address as it is; the page depends on that file's name,
        also when there is no such file yet (it may come)."""
        rel = logical(url)
        if rel is None:
            return url
        published = self._asset(rel).url
        return url if published is None else published + split_tail(url)[1]

    def _asset(self, rel: str) -> AssetView:
        found = self.assets.get(rel)
        return self._view(f"{ASSET}:{rel}",
                          lambda: AssetView(None if found is None else urls.file_url(found)))

    def _view(self, identity: str, make: Callable[[], V]) -> V:
        """The view of `identity`, made on first use and then kept for the build; it reports
        its reads to this object's recorder."""
        view = self._made.get(identity)
        if view is None:
            view = self._made[identity] = make()
            assert type(view).__dict__.get("_tracked"), "a view class is made by `tracked`"
            object.__setattr__(view, "_identity", identity)
            object.__setattr__(view, "_recorder", self.recorder)
        return view  # type: ignore[return-value]

    def taxon_record(self, kind: str, slug: str) -> Taxon:
        return self._taxa[kind, slug]

    def index(self, article: Article) -> int:
        return self._index[article.source]

    def body(self, article: Article):
        return self.site.bodies[article.source]

    # Fingerprints ------------------------------------------------------------------------

    def fingerprint(self, identity: str, names: tuple[str, ...]) -> str:
        """A digest of these fields of a view, that changes when one of them does; worked
        out once per build (views do not change during one)."""
        found = self._fingerprints.get((identity, names))
        if found is None:
            fields_ = self._view_fields(identity)
            for name in names:
                if name not in fields_:
                    fields_[name] = self._field(identity, name)
            found = self._fingerprints[identity, names] = digest(
                *(fields_[name] for name in names))[:16]
        return found

    def _view_fields(self, identity: str) -> dict[str, str]:
        """The fields of a view worked out so far, kept for the last FIELDS_KEPT views."""
        fields_ = self._fields.pop(identity, None)
        if fields_ is None:
            fields_ = {}
            if len(self._fields) >= FIELDS_KEPT:
                del self._fields[next(iter(self._fields))]
        self._fields[identity] = fields_
        return fields_

    def _field(self, identity: str, name: str) -> str:
        """What a field of a view is, as text (views it holds are named, not copied); a body
        field is named by the article's source digest."""
        view = self.resolve(identity)
        if view is None:
            return "gone"
        if name in BODY_FIELDS and isinstance(view, ArticleView):
            return "body " + view._record.digest
        reads, self.recorder.reads = self.recorder.reads, None  # checking is not reading
        try:
            return repr(getattr(view, name))
        except AttributeError:
            return "missing"
        finally:
            self.recorder.reads = reads

    def subscriptions(self, feeds: tuple[FeedJob, ...]) -> list[Subscription]:
        """The planned feeds, RSS and Atom side by side, the site's first, then by kind."""
        formats: dict[tuple[str, str | None, str, str], dict[str, str]] = {}
        for feed in feeds:
            about = (feed.scope, feed.key, feed.title, feed.page_url)
            formats.setdefault(about, {})[feed.format] = feed.url
        found = []
        for (scope, key, title, url), by_format in formats.items():
            if key is None:
                name = self.config.title
            elif scope == "author":
                name = self.author(key).name
            else:
                name = self.taxon(scope, key).name
            found.append(Subscription(scope, name, title, url, by_format.get("rss"),
                                      by_format.get("atom")))
        return sorted(found, key=lambda s: SUBSCRIPTION_ORDER.index(s.kind))

    # Contexts ----------------------------------------------------------------------------

    def comment_form(self, article: ArticleView) -> CommentForm | None:
        """The article's comment form: only where the intake would take the comment (an
        endpoint set; a published article whose comments are open, see `site.assemble`)."""
        settings = self.config.comments
        if not settings.endpoint or not article.comments_open or article.draft \
                or article.future:
            return None
        return comment_form(settings, article.source)

    @cached_property
    def common(self) -> dict[str, Any]:
        """What every page shows alike: the settings, the menus, the logo and favicon, the
        addresses of the subscribe page and the OPML file."""
        config = self.config
        menus = {place: [MenuLink(e.name, e.url, not e.url.startswith("/")) for e in entries]
                 for place, entries in self.site.menus.items()}
        return {
            "site": config, "main_menu": menus.get("main", []),
            "footer_menu": menus.get("footer", []), "site_pages": menus.get("main", []),
            "logo": self.site.logo, "favicon": self.site.favicon,
            "og_locale": OG_LOCALES.get(config.language, config.language),
            "has_categories": bool(self.site.categories), "search_url": search_url(config),
            "subscribe_url": urls.localised("subscribe", config.language),
            "opml_url": urls.localised("opml", config.language),
            "site_feeds": feed_links(scope_feeds(config, "site", None, "/", (), config.title)),
        }

    def context(self, job: Job) -> dict[str, Any]:
        """Variables for `job`'s template (see `Context`); each kind adds what it shows."""
        kind = job.kind
        ctx = Context(**self.common, job=job,
                      canonical=urls.absolute(self.config.base_url, job.url),
                      pagination=pagination(job), articles=[self.article(i) for i in job.items])
        if kind is JobKind.ARTICLE:
            article = ctx.article = self.article(job.key)  # type: ignore[arg-type]
            ctx.articles = list(article.related)
            ctx.series, ctx.comments_feed = article.series, article.comments_feed
            ctx.structured_data = article.structured_data
            ctx.comment_form = self.comment_form(article)
        elif kind is JobKind.PAGE:
            page = ctx.page = self.page(self.site.pages[job.key])  # type: ignore[index]
            ctx.body_html = page.body_html
        elif kind in (JobKind.TAG, JobKind.CATEGORY, JobKind.SERIES):
            ctx.taxon = self.taxon(kind.value, job.key)  # type: ignore[arg-type]
            ctx.feeds = feed_links(job.feeds)  # a series has none
        elif kind is JobKind.AUTHOR:
            author = ctx.author = self.author(job.key)  # type: ignore[arg-type]
            ctx.structured_data = Markup(structured.script(structured.profile(self.config,
                                                                              author)))
            ctx.feeds = feed_links(job.feeds)
        elif kind is JobKind.HOME:
            ctx.structured_data = Markup(structured.script(structured.home(
                self.config, self.site.logo)))
        elif kind is JobKind.TAGS:
            ctx.taxa = [self.taxon("tag", t.slug) for t in self.site.tags]
        elif kind is JobKind.CATEGORIES:
            ctx.taxa = [self.taxon("category", t.slug) for t in self.site.categories]
        elif kind in (JobKind.SUBSCRIBE, JobKind.OPML):
            ctx.subscriptions = self.subscriptions(job.feeds)
        elif kind is JobKind.ARCHIVES:
            ctx.years = archive(self, job.items)
            ctx.articles = []
        elif kind is JobKind.REDIRECT:
            ctx.target = job.key  # type: ignore[assignment]
            ctx.canonical = urls.absolute(self.config.base_url, job.key)  # type: ignore
        return {name: value for name, value in vars(ctx).items()
                if value is not None or name not in ONLY_ON}


ONLY = "only"  # metadata: the variable exists only on these pages


@dataclass
class Context:
    """The variables every template receives."""

    site: SiteConfig  # the settings of site.toml (title, base_url, language, description, extra…)
    main_menu: list[MenuLink]  # the header's menu: pages and [[menu]] links, in order
    footer_menu: list[MenuLink]  # the footer's menu (`menu: footer`, `where = "footer"`)
    site_pages: list[MenuLink]  # the main menu under its former name: use main_menu
    logo: SiteImage | None  # site.toml's logo, to show instead of the site's title
    favicon: SiteImage | None  # site.toml's favicon; None: the theme's own
    og_locale: str  # the site's language as Open Graph writes it (fr_FR)
    has_categories: bool  # whether any article has a category
    search_url: str | None  # the search page's path ("/recherche/"); None with search = false
    subscribe_url: str  # the path of the page that lists every feed (/abonnement/ in French)
    opml_url: str  # the path of the OPML file of those feeds, for readers that import a list
    site_feeds: list[FeedLink]  # the site's own feeds (RSS and Atom), linked from every page
    job: Job  # the page being made: kind, url, number and pages (for paginated listings)
    canonical: str  # this page's absolute URL
    pagination: Pagination  # where this page stands in its listing
    articles: list[ArticleView]  # the articles listed; on an article page, its related ones
    # the feeds of the tag, category or author a page lists (formats: [feeds]); else none
    feeds: list[FeedLink] = field(default_factory=list)
    structured_data: Markup | None = None  # JSON-LD for search engines (article, author, home)
    comments_feed: str | None = None  # URL of the discussion's feed (article with comments)
    series: SeriesView | None = None  # the article's place in its series
    # the comment form, on an article page that takes comments ([comments] endpoint set, or serve)
    comment_form: CommentForm | None = None
    # the article of an article page
    article: ArticleView | None = field(default=None, metadata={ONLY: "article pages"})
    page: PageView | None = field(default=None, metadata={ONLY: "pages"})  # the page
    body_html: Markup | None = field(default=None, metadata={ONLY: "pages"})  # the page's body
    taxon: TaxonView | None = field(  # the tag, category or series listed
        default=None, metadata={ONLY: "tag, category and series pages"})
    author: AuthorView | None = field(  # the author of an author page
        default=None, metadata={ONLY: "author pages"})
    taxa: list[TaxonView] | None = field(  # every tag, or every category
        default=None, metadata={ONLY: "the tags and categories indexes"})
    years: list[tuple[int, list[tuple[int, list[ArticleView]]]]] | None = field(
        default=None, metadata={ONLY: "archives"})  # [(year, [(month, [articles])])]
    target: str | None = field(default=None, metadata={ONLY: "redirects"})  # the new URL
    subscriptions: list[Subscription] | None = field(  # every feed offered, by what it follows
        default=None, metadata={ONLY: "the subscribe page and the OPML file"})


ONLY_ON = frozenset(f.name for f in fields(Context) if ONLY in f.metadata)


def archive(views: Views, items: tuple[int, ...]) -> list[tuple[int, list[tuple[int, list]]]]:
    """[(year, [(month, [articles])])], newest first."""
    tz = views.config.tz
    local = [(view.date.astimezone(tz), view) for view in map(views.article, items)]
    years = []
    for year, in_year in groupby(local, key=lambda d: d[0].year):
        months = [(month, [view for _, view in in_month])
                  for month, in_month in groupby(in_year, key=lambda d: d[0].month)]
        years.append((year, months))
    return years


def featured_picture(article: Article, config: SiteConfig) -> Picture | None:
    """The picture of an article's own image file (`image:`), with its Open Graph card."""
    original = next((p for p in article.pictures if p.url == article.image), None)
    return plan(original, config.images, card=True) if original else None
