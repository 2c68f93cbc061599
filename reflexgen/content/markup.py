"""Markdown to HTML: trusted article bodies, untrusted comment bodies, summaries."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import filterfalse

import nh3
import pygments
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import find_lexer_class_by_name
from pygments.util import ClassNotFound

from reflexgen import urls
from reflexgen.content.typography import typography_plugin

MORE_MARKER = re.compile(r"^\s*<!--\s*more\s*-->\s*$", re.I)
WORD = re.compile(r"\w+(?:(?:['’]|-\u2060?)\w+)*")  # « peut-⁠il » (typography.WJ) is one
SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.I)
SPANS = HtmlFormatter(nowrap=True)  # token spans only: markdown-it writes <pre><code>

# What a rendered comment may contain; everything else is stripped by nh3.
COMMENT_TAGS = {"p", "br", "a", "em", "strong", "s", "del", "code", "pre", "blockquote",
                "ul", "ol", "li", "hr"}
COMMENT_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
# What `raw_html = "sanitize"` keeps of an article: nh3's defaults, what Markdown itself
# produces (code highlighting spans, footnotes, task lists) and media.
ARTICLE_CLEANER = nh3.Cleaner(
    tags=nh3.ALLOWED_TAGS | {"figure", "figcaption", "video", "audio", "source", "details",
                             "summary", "section", "span", "div", "input", "mark", "picture"},
    attributes={"*": {"id", "class", "title", "lang"}, "a": {"href"},
                "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes",
                        "decoding", "fetchpriority"},
                "input": {"type", "checked", "disabled"}, "video": {"src", "controls", "poster"},
                "audio": {"src", "controls"}, "source": {"src", "type", "srcset", "sizes"},
                "td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "style"},
                "ol": {"start"}},
    url_schemes={"http", "https", "mailto"}, link_rel=None)
COMMENT_CLEANER = nh3.Cleaner(tags=COMMENT_TAGS, attributes=COMMENT_ATTRIBUTES,
                              url_schemes={"http", "https", "mailto"},
                              link_rel="nofollow ugc noopener")


# Writes an image of an article's body: (src, alt, title, line in the body from 0) → its
# HTML, or None for markdown-it's plain `<img>` (see readers.BodyImages).
ImageHook = Callable[[str, str, str, int], str | None]


@dataclass(frozen=True)
class Rendered:
    """An article body: its HTML, its summary HTML and its word count."""

    html: str
    summary_html: str
    words: int
    raw_html: bool = False  # the source holds HTML of its own


def highlight(code: str, language: str, attributes: str) -> str:
    """A fenced block in a language Pygments knows, as token spans (styled by the theme's
    CSS: no JavaScript); any other block is left to markdown-it's plain rendering."""
    lexer = lexer_class(language) if language else None
    return pygments.highlight(code, lexer(), SPANS) if lexer else ""


@lru_cache(maxsize=256)
def lexer_class(language: str) -> type[Lexer] | None:
    """Pygments' lexer for a fence's language, or None: looked up once per language, as
    Pygments reads its whole table each time (and every plugin's for a language it lacks)."""
    try:
        return find_lexer_class_by_name(language)
    except ClassNotFound:
        return None


def article_parser(language: str = "en", raw_html: str = "allow") -> MarkdownIt:
    """CommonMark plus the extensions bloggers expect, highlighted code and the language's
    typography; raw HTML as the site's `raw_html` setting says (escaped, or kept)."""
    md = MarkdownIt("commonmark", {"html": raw_html != "escape", "highlight": highlight})
    md.use(typography_plugin, language)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=lambda s: urls.slug(s) or "section")
    md.add_render_rule("image", _image)
    md.core.ruler.push("aligned_cells", _aligned_cells)
    return md


ALIGNED = re.compile(r"text-align:(left|center|right)")


def _aligned_cells(state) -> None:
    """A table column's alignment as a class of its cells (`align-right`), not a style
    attribute, which a Content-Security-Policy without 'unsafe-inline' would drop."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style"):
            found = ALIGNED.fullmatch(str(token.attrs["style"]))
            if found:
                del token.attrs["style"]
                token.attrJoin("class", "align-" + found.group(1))


def _image(self, tokens: list[Token], idx: int, options, env: dict) -> str:
    """An image through the `images` hook of `env`, if the render was given one."""
    token, hook = tokens[idx], env.get("images")
    if hook is not None:
        alt = self.renderInlineAsText(token.children or [], options, env)
        found = hook(token.attrGet("src") or "", alt, token.attrGet("title") or "",
                     token.meta.get("line", 0))
        if found is not None:
            return found
    return self.image(tokens, idx, options, env)


def comment_parser(language: str = "en") -> MarkdownIt:
    """Comments are untrusted: raw HTML is escaped, no images, only http(s)/mailto links."""
    md = MarkdownIt("commonmark", {"html": False})
    md.use(typography_plugin, language)
    md.enable("strikethrough")
    md.disable("image")
    md.validateLink = lambda url: bool(SAFE_LINK.match(url.strip()))  # type: ignore[method-assign]
    return md


def render_article(md: MarkdownIt, text: str, summary: str | None = None,
                   sanitize: bool = False, images: ImageHook | None = None) -> Rendered:
    """Render a body once; the summary reuses its tokens. With `sanitize`, HTML outside
    nh3's allow-list (scripts, event handlers, `javascript:` links) is removed; `images`
    writes its images (a `<picture>` of the renditions of a photo).

    The summary is the text before `<!-- more -->`, else the first paragraph."""
    env: dict = {"images": images} if images else {}
    tokens = md.parse(text, env)
    if images:
        _mark_lines(tokens)
    html = md.renderer.render(tokens, md.options, env)
    if summary is not None:
        summary_html = render_inline(md, summary)
    else:
        summary_html = md.renderer.render(_summary_tokens(tokens), md.options, env)
    if sanitize:
        html, summary_html = ARTICLE_CLEANER.clean(html), ARTICLE_CLEANER.clean(summary_html)
    return Rendered(html, summary_html.strip(), _count_words(tokens), _has_html(tokens))


def _mark_lines(tokens: list[Token]) -> None:
    """Give each image the line of its paragraph, for the errors about it."""
    for token in tokens:
        for child in token.children or ():
            if child.type == "image" and token.map:
                child.meta["line"] = token.map[0]


def _has_html(tokens: list[Token]) -> bool:
    for token in tokens:
        if token.type == "html_block" and not MORE_MARKER.match(token.content):
            return True
        if token.type == "inline" and any(c.type == "html_inline" for c in token.children or ()):
            return True
    return False


def render_inline(md: MarkdownIt, text: str) -> str:
    return md.renderInline(text)


def render_comment(md: MarkdownIt, text: str) -> str:
    """Markdown with raw HTML escaped, then sanitized again by nh3 (defence in depth)."""
    return COMMENT_CLEANER.clean(md.render(text))


def render_bio(md: MarkdownIt, text: str) -> str:
    """Author bios may come from imports or contributors: sanitized with nh3's defaults."""
    return nh3.clean(md.render(text)).strip()


def _summary_tokens(tokens: list[Token]) -> list[Token]:
    for index, token in enumerate(tokens):
        if token.type == "html_block" and MORE_MARKER.match(token.content):
            return tokens[:index]
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            end = next(j for j in range(index, len(tokens)) if tokens[j].type == "paragraph_close")
            return tokens[index: end + 1]
    return []


def _count_words(tokens: list[Token]) -> int:
    """Words of the text and code, not of the markup."""
    parts = []
    for token in tokens:
        if token.type == "inline":
            parts += [child.content for child in token.children or ()
                      if child.type in ("text", "code_inline")]
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
    return count_words("\n".join(parts))


def count_words(text: str) -> int:
    """`len(WORD.findall(text))` at under half its cost: no word spans a space, and a run
    between spaces made only of letters and digits (most are) is one word, counted without
    the regular expression, which reads the other runs only."""
    runs = text.split()
    others = list(filterfalse(str.isalnum, runs))
    return len(runs) - len(others) + len(WORD.findall(" ".join(others)))
