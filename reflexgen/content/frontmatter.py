"""Split a source file into front matter (YAML `---` or TOML `+++`) and body."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reflexgen.config.toml import toml_error_line
from reflexgen.content import dates
from reflexgen.errors import BuildError, Problem


class TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that reads a plain value as text unless it is null, true/false (YAML 1.2's
    booleans) or a date: YAML 1.1 would turn `NO` into false, `1.10` into 1.1 and `0123`
    into 83, silently changing titles, slugs and tags."""


TextLoader.yaml_implicit_resolvers = {}
TextLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                 ["~", "n", "N", ""])
TextLoader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                 re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))
for _first, _resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
    for _tag, _pattern in _resolvers:
        if _tag == "tag:yaml.org,2002:timestamp":
            TextLoader.add_implicit_resolver(_tag, _pattern, [_first])


def _timestamp_or_text(loader: TextLoader, node: yaml.ScalarNode) -> Any:
    """A timestamp the calendar does not have (2023-02-29, month 13, 25:00) stays text, as
    written: the date fields then say what is wrong with it, with the file and the line,
    where PyYAML would stop the whole build with a bare ValueError."""
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


TextLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


@dataclass(frozen=True)
class Source:
    """A decoded file: its metadata, its body, and the line the body starts on."""

    meta: dict[str, Any]
    body: str
    body_line: int


def decode(raw: bytes, path: Path | str) -> str:
    """UTF-8 (a BOM is dropped), newlines normalised; anything else is an error."""
    if b"\x00" in raw:
        raise BuildError(Problem("file contains NUL bytes (binary or UTF-16?)", path,
                                 hint="save the file as UTF-8 text"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError(Problem("file is not valid UTF-8", path, line,
                                 hint="save the file as UTF-8 text")) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = CONTROL.search(text)
    if found:
        raise control_problem(found.group(), path, text.count("\n", 0, found.start()) + 1)
    return text


# Characters no web page or feed may hold (XML refuses them): C0 controls but tab and newline,
# and the noncharacters U+FFFE and U+FFFF.
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def control_problem(char: str, path: Path | str, line: int | None) -> BuildError:
    kind = "a control character" if ord(char) < 0x80 else "a noncharacter"
    return BuildError(Problem(f"text holds {kind} (U+{ord(char):04X})", path, line,
                              hint="delete it: such characters cannot appear in a web page"))


def check_text(value: Any, path: Path | str) -> Any:
    """`value` (parsed front matter), refused if a string in it holds a control character
    (YAML and TOML escapes such as "\\x07" can put one there)."""
    if isinstance(value, str):
        found = CONTROL.search(value)
        if found:
            raise control_problem(found.group(), path, None)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, path)
            check_text(item, path)
    elif isinstance(value, list):
        for item in value:
            check_text(item, path)
    return value


def parse_yaml(text: str, path: Path | str, first_line: int = 1) -> Any:
    """Safe YAML only; errors carry the line in the file (`first_line` = text's line 1)."""
    try:
        return check_text(yaml.load(text, Loader=TextLoader), path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        hint = ("plain YAML only: tags such as !!python/object are refused"
                if isinstance(exc, yaml.constructor.ConstructorError) else
                "quote values that contain ': ' or '#', and indent nested items consistently")
        raise BuildError(Problem(f"invalid YAML: {reason}", path, line, hint=hint)) from None


def split(text: str, path: Path | str) -> Source:
    """Separate the front matter from the body and parse it into a mapping."""
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    if fence not in ("---", "+++"):
        return Source({}, text, 1)
    lines = rest.split("\n")
    closers = ("---", "...") if fence == "---" else ("+++",)
    index = next((i for i, line in enumerate(lines) if line.rstrip() in closers), None)
    if index is None:
        raise BuildError(Problem(f"front matter opened with {fence} is never closed", path, 1,
                                 hint=f"end the front matter with a line holding only {fence}"))
    header = "\n".join(lines[:index])
    body = "\n".join(lines[index + 1:])
    body_line = index + 3
    if fence == "---":
        meta = parse_yaml(header, path, first_line=2)
    else:
        try:
            meta = check_text(tomllib.loads(header), path)
        except tomllib.TOMLDecodeError as exc:
            line = toml_error_line(exc)
            raise BuildError(Problem(f"invalid TOML front matter: {exc}", path,
                                     line + 1 if line else None,
                                     hint=toml_date_trouble(lines, line) or
                                     "check quotes and `key = value` syntax")) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BuildError(Problem("front matter must be a mapping of keys to values", path, 2,
                                 hint="write one `key: value` per line"))
    return Source(meta, body, body_line)


def toml_date_trouble(lines: list[str], line: int | None) -> str | None:
    """Why the value on front matter line `line` (TOML's count) is no date, if it is one
    the calendar does not have: TOML itself says only « Invalid date or datetime »."""
    if not line or line > len(lines):
        return None
    _, _, value = lines[line - 1].partition("=")
    return dates.calendar_trouble(value.split("#", 1)[0])
