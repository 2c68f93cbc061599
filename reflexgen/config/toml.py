"""Where a setting stands in a TOML text (for errors that name the line), and TOML written."""

from __future__ import annotations

import json
import re
import tomllib


def toml_error_line(error: tomllib.TOMLDecodeError) -> int | None:
    """Python 3.11's TOML errors carry the line only in their message."""
    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else None


def line_of(text: str, key: str) -> int | None:
    """The line of `key = …` in a TOML text (top level), if there is one."""
    match = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def table_line(text: str, table: str, index: int, key: str | None = None) -> int | None:
    """The line of the `index`-th `[[table]]` header (from 0) of a TOML text, or of `key = …`
    inside that table."""
    headers = list(re.finditer(rf"^[ \t]*\[\[[ \t]*{re.escape(table)}[ \t]*\]\]", text, re.M))
    if index >= len(headers):
        return None
    found = _key_after(text, headers[index].end(), key)
    return found or text.count("\n", 0, headers[index].start()) + 1


def _key_after(text: str, start: int, key: str | None) -> int | None:
    """The line of `key = …` between `start` and the next table header."""
    if key is None:
        return None
    after = re.compile(r"^[ \t]*\[", re.M).search(text, start)
    found = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.M).search(
        text, start, after.start() if after else len(text))
    return text.count("\n", 0, found.start()) + 1 if found else None


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML wants escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def section_line(text: str, parts: tuple[str, ...], key: str | None = None) -> int | None:
    """The line of the `[a.b]` header named by `parts` (spaces and quotes allowed around the
    names), or of `key = …` inside that table; else the line of the last part's `= …`."""
    name = r"[ \t]*\.[ \t]*".join(rf"(?:{re.escape(p)}|\"{re.escape(p)}\"|'{re.escape(p)}')"
                                  for p in parts)
    header = re.search(rf"^[ \t]*\[[ \t]*{name}[ \t]*\][ \t]*(?:#.*)?$", text, re.M)
    if header is None:
        return line_of(text, key) if key is not None and line_of(text, key) else \
            line_of(text, parts[-1])
    return _key_after(text, header.end(), key) or text.count("\n", 0, header.start()) + 1
