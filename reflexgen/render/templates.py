"""Render HTML jobs with the theme's Jinja2 templates; template errors name file and line."""

from __future__ import annotations

import traceback
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
)
from markupsafe import Markup

from reflexgen import __version__, urls
from reflexgen.content.model import Site
from reflexgen.errors import BuildError, Problem
from reflexgen.render.i18n import Translator
from reflexgen.render.themes import Theme
from reflexgen.render.tracking import Reads
from reflexgen.render.views import Views, colour, initials
from reflexgen.site.plan import Job
from reflexgen.site.related import Related


def make_environment(site: Site, theme: Theme, translator: Translator,
                     compiled: Path | None = None) -> Environment:
    """Autoescaping, strict undefined variables, and the theme's helpers; compiled templates
    are kept in `compiled` between builds."""
    cache = None
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
        cache = FileSystemBytecodeCache(str(compiled))
    env = Environment(loader=FileSystemLoader(theme.template_dirs), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      bytecode_cache=cache)
    base = site.config.base_url
    prefix = urlsplit(base).path.rstrip("/")  # a site may live below a path, e.g. /blog
    env.globals.update(t=translator.t, tn=translator.tn, generator_version=__version__)
    env.filters.update(
        date=translator.date, month=translator.month, number=translator.number,
        absolute=lambda url: urls.absolute(base, url),
        url=lambda url: prefix + url if url.startswith("/") else url,
        initials=initials, avatar_colour=colour,
    )
    return env


def syntax_problem(exc: TemplateSyntaxError, name: str) -> Problem:
    return Problem(f"template syntax error: {exc.message}", exc.filename or exc.name or name,
                   exc.lineno)


class Renderer:
    """Turns a `Job` into HTML text."""

    def __init__(self, site: Site, theme: Theme, translator: Translator, related: Related,
                 compiled: Path | None = None) -> None:
        self.theme = theme
        self.env = make_environment(site, theme, translator, compiled)
        self.views = Views(site, related)
        self._fragments: dict[tuple, tuple[Markup, Reads]] = {}
        self.env.globals["fragment"] = self.fragment

    def fragment(self, name: str, article: object, **values: object) -> Markup:
        """Render `name` with `a=article` once, and reuse it wherever the article is listed
        (what it read is reported again at each use).

        A fragment sees only its arguments and the theme's helpers, never the page's context."""
        key = (name, id(article), tuple(sorted(values.items())))
        recorder = self.views.recorder
        hit = self._fragments.get(key)
        if hit is None:
            with recorder.capture() as reads:
                html = Markup(self.env.get_template(name).render(a=article, **values))
            hit = self._fragments[key] = (html, reads)
        else:
            recorder.replay(hit[1])
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
