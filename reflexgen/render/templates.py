"""Render HTML jobs with the theme's Jinja2 templates; template errors name file and line."""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    pass_context,
)
from markupsafe import Markup

from reflexgen import __version__, urls
from reflexgen.content.model import Site
from reflexgen.errors import BuildError, Problem
from reflexgen.render.i18n import Translator, agreement
from reflexgen.render.themes import Theme
from reflexgen.render.tracking import Reads
from reflexgen.render.views import Views, colour, initials
from reflexgen.site.plan import Job
from reflexgen.site.related import Related

# Fragments kept by a renderer: a large site's listings reuse an article's card while they
# are rendered, without every card of the site held at once.
FRAGMENTS_KEPT = 8192
T = TypeVar("T")


@dataclass(frozen=True)
class Helper:
    """A function or filter templates can use; `make` gives it for one site."""

    name: str
    kind: str  # "function" or "filter"
    usage: str
    doc: str
    make: Callable[[Translator, Links], object]


def unchanged(url: str) -> str:
    return url


@dataclass(frozen=True)
class Links:
    """How helpers write a site path: below base_url's own path, and a theme file
    (`/theme/style.css`) under the name it is published as (`published`, see `site.assets`)."""

    base: str
    published: Callable[[str], str] = unchanged

    def link(self, url: str) -> str:
        return urls.link(self.base, self.published(url))

    def absolute(self, url: str) -> str:
        return urls.absolute(self.base, self.published(url))


def _srcset(links: Links) -> Callable[[str], str]:
    return lambda srcset: ", ".join(links.link(candidate.strip())
                                    for candidate in srcset.split(",") if candidate.strip())


HELPERS = (
    Helper("t", "function", "t('key', name=value…, gender=…)",
           "a string of the theme (i18n/<language>.toml) with its placeholders filled; for a "
           "string with variants by gender (a table of `f`, `m`, `n`), the one of `gender` "
           "(see the `gender` filter), else the neutral one", lambda tr, links: tr.t),
    Helper("tn", "function", "tn('key', count, name=value…)",
           "the plural form of a theme string that suits `count`", lambda tr, links: tr.tn),
    Helper("fragment", "function", "fragment('_card.html', article, name=value…)",
           "renders a template with `a` = article once per build and reuses it wherever the "
           "article is listed; it sees only its arguments",
           lambda tr, links: None),  # the renderer sets it: it caches per build
    Helper("generator_version", "function", "generator_version",
           "reflexgen's version (a string)", lambda tr, links: __version__),
    Helper("date", "filter", "a.date | date",
           "a date in the site's language and timezone: « 12 mars 2024 » (`date('short')` "
           "for the short form)",
           lambda tr, links: tr.date),
    Helper("month", "filter", "year | month(month_number)",
           "a month and year in the site's language: « mars 2024 »", lambda tr, links: tr.month),
    Helper("number", "filter", "count | number",
           "a number written the language's way: 12 345 in French, 12,345 in English",
           lambda tr, links: tr.number),
    Helper("absolute", "filter", "'/path/' | absolute",
           "the absolute URL of a site path (for feeds, Open Graph, canonical links); a theme "
           "file's under its published name, as `url` gives it",
           lambda tr, links: links.absolute),
    Helper("url", "filter", "'/theme/style.css' | url",
           "a site path as a link, below base_url's own path when the site has one; a file "
           "of the theme's `static/` (`/theme/…`) under the name it is published as, which "
           "carries a digest of its bytes (`/theme/style.1a2b3c4d5e.css`): always link "
           "theme files through `url` or `absolute`",
           lambda tr, links: links.link),
    Helper("srcset", "filter", "a.image_srcset | srcset",
           "a `srcset` whose site paths are links below base_url's own path, as `url` does",
           lambda tr, links: _srcset(links)),
    Helper("host", "filter", "c.source | host",
           "the host name of an address: « blog.example.org » (a mention's site)",
           lambda tr, links: host),
    Helper("initials", "filter", "name | initials",
           "up to two initials, for an avatar without a picture", lambda tr, links: initials),
    Helper("avatar_colour", "filter", "name | avatar_colour",
           "a colour number from 0 to 7, the same for the same name",
           lambda tr, links: colour),
    Helper("gender", "filter", "article.authors | gender",
           "the grammatical gender that words about these authors take (one author or a "
           "list): `f` when every one says `gender: f`, `m` when one says `m`, else `n`; give "
           "it to `t()` for the variant of a string that agrees",
           lambda tr, links: gender),
)


def host(url: str) -> str:
    """The `host` filter."""
    return (urlsplit(url).hostname or url).removeprefix("www.")


def gender(who: object) -> str:
    """The `gender` filter: the agreement of one author view, a list of them, or none."""
    people = who if isinstance(who, list | tuple) else () if who is None else (who,)
    return agreement(person.gender for person in people)


class SiteEnvironment(Environment):
    """Jinja's environment, with each template's globals in a plain dict rather than Jinja's
    ChainMap over the environment's: every template rendered (a page, a fragment) copies
    them and every `{% import %}` or `{% from %}` compares them, at C speed from a dict and
    several times slower from a ChainMap. A build sets every global before it loads a
    template (see `Renderer`), so none is missed."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def make_environment(site: Site, theme: Theme, translator: Translator,
                     compiled: Path | None = None,
                     published: Callable[[str], str] = unchanged) -> Environment:
    """Autoescaping, strict undefined variables, and the theme's helpers; compiled templates
    are kept in `compiled` between builds; `published` gives a theme file's published
    address (see `Links`)."""
    cache = None
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
        cache = FileSystemBytecodeCache(str(compiled))
    env = SiteEnvironment(loader=FileSystemLoader(theme.template_dirs), autoescape=True,
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                          bytecode_cache=cache, auto_reload=False)  # templates are fixed
    links = Links(site.config.base_url, published)
    for helper in HELPERS:
        if helper.kind == "function":
            env.globals[helper.name] = callable_quickly(helper.make(translator, links))
        else:
            env.filters[helper.name] = unfolded(helper.make(translator, links))
    return env


def callable_quickly(value: T) -> T:
    """A bound method as a partial of its function (anything else as it is): at every call in
    a template (`t(…)` is called on every page dozens of times) Jinja looks for a
    `jinja_pass_arg` attribute on it, a failed look-up that costs an exception on a bound
    method and nothing on a partial."""
    if inspect.ismethod(value):
        return partial(value.__func__, value.__self__)  # type: ignore[return-value]
    return value


def unfolded(function: Callable) -> Callable:
    """A filter that Jinja never applies while it compiles a template: it would fold
    `'/theme/style.css' | url` into the text of the compiled template (its constant folding),
    which is kept between builds (see `make_environment`), while what the helpers give
    depends on the site (base_url, the names of the theme's files, the language)."""

    @pass_context
    def call(context: object, value: object, *args: object, **kwargs: object) -> object:
        return function(value, *args, **kwargs)

    return call


def syntax_problem(exc: TemplateSyntaxError, name: str) -> Problem:
    return Problem(f"template syntax error: {exc.message}", exc.filename or exc.name or name,
                   exc.lineno)


class Renderer:
    """Turns a `Job` into HTML text."""

    def __init__(self, site: Site, theme: Theme, translator: Translator, related: Related,
                 compiled: Path | None = None,
                 assets: Mapping[str, str] | None = None) -> None:
        """`assets`: the theme's files, logical output path → published one (see
        `site.assets`)."""
        self.theme = theme
        self.views = Views(site, related, assets or {})
        self.env = make_environment(site, theme, translator, compiled, self.views.asset)
        self._fragments: dict[tuple, tuple[Markup, Reads]] = {}
        self.env.globals["fragment"] = callable_quickly(self.fragment)  # before any template

    def fragment(self, name: str, article: object, **values: object) -> Markup:
        """Render `name` with `a=article` once, and reuse it wherever the article is listed
        (what it read is reported again at each use).

        A fragment sees only its arguments and the theme's helpers, never the page's context."""
        key = (name, id(article), tuple(sorted(values.items())))
        recorder = self.views.recorder
        hit = self._fragments.pop(key, None)
        if hit is None:
            with recorder.capture() as reads:
                html = Markup(self.env.get_template(name).render(a=article, **values))
            hit = (html, reads)
            if len(self._fragments) >= FRAGMENTS_KEPT:
                del self._fragments[next(iter(self._fragments))]
        else:
            recorder.replay(hit[1])
        self._fragments[key] = hit  # most recently used last
        return hit[0]

    def render(self, job: Job) -> tuple[str, Reads]:
        """The page's HTML, and the fields of the views it read (see `tracking`)."""
        try:
            with self.views.recorder.capture() as reads:
                template = self.env.get_template(job.template)
                html = template.render(self.views.context(job))
            return html, reads
        except TemplateSyntaxError as exc:
            raise BuildError(syntax_problem(exc, job.template)) from None
        except Exception as exc:  # a template is code: any failure in it is the site's error
            path, line = self._template_frame(exc)
            raise BuildError(Problem(
                f"template error while rendering {job.url}: {type(exc).__name__}: {exc}",
                path or job.template, line,
                hint="undefined variables are errors; use `is defined` or `default()` "
                     "in the template for optional values")) from None

    def _template_frame(self, exc: BaseException) -> tuple[Path | None, int | None]:
        """The innermost traceback frame that runs inside a template file."""
        roots = tuple(str(d) for d in self.theme.template_dirs)
        found: tuple[Path | None, int | None] = (None, None)
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.startswith(roots):
                found = (Path(frame.filename), frame.lineno)
        return found
