"""The theme's files as they are published: each under a name that carries a digest of its
bytes (`theme/style.css` → `theme/style.1a2b3c4d5e.css`), so that browsers and CDNs may keep
it for a year (see `site.caching`) and an edit is fetched at once under its new name.

A stylesheet's references to other theme files (`url(fonts/x.woff2)`, `@import "more.css"`,
relative or `/theme/…`) are rewritten to their published names before the stylesheet is named
in turn: a new font gives the stylesheet that loads it a new name too. Nothing else of a file
changes. Templates keep writing the logical path (`'/theme/style.css' | url`): the `url` and
`absolute` helpers give the published one (see `render.templates`).

Pure: bytes in, names and bytes out; `build` reads the theme's files. tinycss2 is imported
only to publish a theme's files anew (the build cache keeps them published).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urljoin, urlsplit

from reflexgen import urls
from reflexgen.errors import BuildError, Problem
from reflexgen.hashing import content_hash

FOLDER = "theme/"  # where the theme's static/ is published
ACCENT = FOLDER + "accent.css"  # made from site.toml's accent_color (when set)
DIGITS = 10  # hex digits of the digest in a published name
STYLESHEET = ".css"


@dataclass(frozen=True)
class ThemeAssets:
    """The theme's published files: `names` maps each logical output path
    (`theme/style.css`) to its published one, `files` holds the bytes of each published one."""

    names: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


def published_url(names: Mapping[str, str], url: str) -> str:
    """`url` with the path of a theme file replaced by its published one."""
    if not url.startswith("/" + FOLDER):
        return url
    path, tail = split_tail(url)
    found = names.get(unquote(path[1:]))
    return url if found is None else urls.file_url(found) + tail


def logical(url: str) -> str | None:
    """The logical output path of a theme file's address (`/theme/x.css?v=2` →
    `theme/x.css`), or None for an address outside the theme's folder."""
    if not url.startswith("/" + FOLDER):
        return None
    return unquote(split_tail(url)[0][1:])


def split_tail(url: str) -> tuple[str, str]:
    """An address's path, and its query and fragment (`?…#…`) as written."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut], url[cut:]


def hashed_name(rel: str, data: bytes) -> str:
    """The name a file is published under: its digest before its last suffix
    (`fonts/a.woff2` → `fonts/a.0123456789.woff2`), or after a name without one."""
    folder, slash, name = rel.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    tag = content_hash(data)[:DIGITS]
    named = f"{stem}.{tag}.{suffix}" if dot and stem else f"{name}.{tag}"
    return folder + slash + named


def accent_stylesheet(colour: str) -> bytes:
    """The stylesheet that gives the theme site.toml's accent_color (a checked hex colour):
    a page links it instead of carrying an inline style, which a Content-Security-Policy
    without 'unsafe-inline' forbids."""
    return f":root {{\n  --site-accent: {colour};\n}}\n".encode()


def publish(files: Mapping[str, bytes]) -> ThemeAssets:
    """The published names and bytes of the theme's files (logical output path → bytes):
    other files first, then each stylesheet once the files it refers to are named."""
    names: dict[str, str] = {}
    published: dict[str, bytes] = {}
    for rel in sorted(files):
        if not rel.endswith(STYLESHEET):
            names[rel] = hashed_name(rel, files[rel])
            published[names[rel]] = files[rel]
    sheets = {rel: files[rel] for rel in files if rel.endswith(STYLESHEET)}
    uses = {rel: sorted({target for _, target in references(rel, data, files)
                         if target in sheets and target != rel})
            for rel, data in sheets.items()}
    for rel in stylesheet_order(uses):
        data = rewrite_stylesheet(sheets[rel], rel, names)
        names[rel] = hashed_name(rel, data)
        published[names[rel]] = data
    return ThemeAssets(dict(sorted(names.items())), published)


def stylesheet_order(uses: dict[str, list[str]]) -> list[str]:
    """The stylesheets, each after those it refers to; a loop of references is an error."""
    done: dict[str, bool] = {}  # True once named; False while its references are followed
    order: list[str] = []

    def visit(rel: str, chain: tuple[str, ...]) -> None:
        state = done.get(rel)
        if state:
            return
        if state is False:
            loop = " → ".join(chain[chain.index(rel):] + (rel,))
            raise BuildError(Problem(
                f"the theme's stylesheets refer to each other in a loop: {loop}",
                hint="a stylesheet's name carries a digest of what it refers to: remove one "
                     "of these references (an @import or url())"))
        done[rel] = False
        for target in uses[rel]:
            visit(target, chain + (rel,))
        done[rel] = True
        order.append(rel)

    for rel in sorted(uses):
        visit(rel, ())
    return order


# Reading a stylesheet's references ----------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """An address written in a stylesheet: its text's span in the stylesheet (`start`, `end`,
    the whole `url(…)` or the quoted string), its value, and how it is written (`quote`: the
    quote character of a string, or "" for an unquoted `url(…)`)."""

    start: int
    end: int
    value: str
    quote: str


URL_FUNCTIONS = ("url", "src")  # url("…") and src("…"): one address, written as a string
IMAGE_SETS = ("image-set", "-webkit-image-set")  # image-set("a.png" 1x, "b.png" 2x)
LINE_BREAK = re.compile(r"\r\n|[\r\n\f]")


def addresses(text: str) -> Iterator[Reference]:
    """Every address a stylesheet writes, found by tinycss2's tokenizer (so comments and
    strings that are not addresses are never taken for one): `url(…)` quoted or not,
    `src("…")`, the strings of `image-set()` and `@import "…"`."""
    import tinycss2
    from tinycss2 import ast

    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    tokens = tinycss2.parse_component_value_list(text)
    for token in walk(tokens):
        if isinstance(token, ast.URLToken):
            found = span(text, starts, token, unquoted=True)
        elif isinstance(token, ast.StringToken):
            found = span(text, starts, token, unquoted=False)
        else:
            continue
        if found is not None:
            yield Reference(found[0], found[1], token.value, found[2])


def walk(tokens: list) -> Iterator[object]:
    """The URL tokens of a list of component values, and the string tokens that are
    addresses, in the order they are written."""
    from tinycss2 import ast

    last_at = None
    for token in tokens:
        if isinstance(token, ast.URLToken) or (isinstance(token, ast.StringToken)
                                                and last_at == "import"):
            yield token
        elif isinstance(token, ast.FunctionBlock):
            name = token.lower_name
            arguments = [t for t in token.arguments
                         if not isinstance(t, ast.WhitespaceToken | ast.Comment)]
            if name in URL_FUNCTIONS and arguments and isinstance(arguments[0], ast.StringToken):
                yield arguments[0]
            elif name in IMAGE_SETS:
                yield from (t for t in arguments if isinstance(t, ast.StringToken))
            yield from walk(token.arguments)
        elif isinstance(token, ast.CurlyBracketsBlock | ast.ParenthesesBlock
                        | ast.SquareBracketsBlock):
            yield from walk(token.content)
        if isinstance(token, ast.AtKeywordToken):
            last_at = token.lower_value
        elif not isinstance(token, ast.WhitespaceToken | ast.Comment):
            last_at = None


def span(text: str, starts: list[int], token, unquoted: bool) -> tuple[int, int, str] | None:
    """Where a token is written in `text` (tinycss2 gives its line and column, counted in the
    text with its line breaks made `\\n`, which leaves columns as they are): its start, end
    and quote character; None if the text there is not what the token says (never rewrite
    what was not understood)."""
    if token.source_line > len(starts):
        return None
    start = starts[token.source_line - 1] + token.source_column - 1
    if unquoted:
        if text[start:start + 4].lower() != "url(":
            return None
        end = closing(text, start + 4, ")")
        return None if end is None else (start, end, "")
    quote_mark = text[start:start + 1]
    if quote_mark not in ("'", '"'):
        return None
    end = closing(text, start + 1, quote_mark)
    return None if end is None else (start, end, quote_mark)


def closing(text: str, at: int, mark: str) -> int | None:
    """The index just after the first `mark` from `at` that no backslash escapes."""
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if char == mark:
            return at + 1
        at += 1
    return None


def references(rel: str, data: bytes, files: Mapping[str, object]) -> Iterator[tuple[Reference,
                                                                                     str]]:
    """The references of stylesheet `rel` to files of `files` (by logical output path)."""
    text = data.decode("utf-8", "surrogateescape")
    for reference in addresses(text):
        target = resolve(rel, reference.value)
        if target is not None and target in files:
            yield reference, target


def resolve(rel: str, value: str) -> str | None:
    """The logical output path an address of stylesheet `rel` names (relative to it, or a
    site path), or None for another site's address, a `data:` one or a fragment alone."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path or not value.startswith(parts.path):
        return None
    path = urljoin("/" + rel, parts.path)
    return unquote(path[1:]) if path.startswith("/") and not path.endswith("/") else None


def rewrite_stylesheet(data: bytes, rel: str, names: Mapping[str, str]) -> bytes:
    """A stylesheet with each reference to a file of `names` pointing to its published name
    (the file name alone changes: a relative address stays relative); every other byte is
    kept."""
    text = data.decode("utf-8", "surrogateescape")
    pieces, last = [], 0
    for reference, target in references(rel, data, names):
        path = urlsplit(reference.value).path
        folder = path[:path.rfind("/") + 1]
        value = folder + quote(names[target].rsplit("/", 1)[-1]) + reference.value[len(path):]
        pieces += [text[last:reference.start], written(value, reference.quote)]
        last = reference.end
    if not pieces:
        return data
    pieces.append(text[last:])
    return "".join(pieces).encode("utf-8", "surrogateescape")


def written(value: str, quote_mark: str) -> str:
    """An address as CSS writes it: in `url(…)`, or between quotes."""
    if not quote_mark:
        from tinycss2.serializer import serialize_url

        return f"url({serialize_url(value)})"
    escaped = value.replace("\\", "\\\\").replace(quote_mark, "\\" + quote_mark)
    return quote_mark + escaped.replace("\n", "\\a ") + quote_mark
