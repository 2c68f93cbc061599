"""The theme's UI strings in the site language, with CLDR plurals and dates from Babel.

A string is text, or a table of variants: by plural form (`one`, `other`…, for `tn`) or by the
grammatical gender of the people it speaks of (`f`, `m`, `n`, for `t(…, gender=…)`)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from reflexgen.config.toml import toml_error_line
from reflexgen.content.model import GENDERS
from reflexgen.errors import BuildError, Problem
from reflexgen.render.themes import Theme

PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")  # CLDR's, and `zero`
NEUTRAL = "n"


def agreement(genders: Iterable[str | None]) -> str:
    """The gender that words about these people take: feminine when every one of them says
    `f`, masculine when one says `m`, else neutral (one who did not say, or a group with no
    man in it and not only women: the theme's `n` variant says what that is)."""
    said = set(genders)
    if said == {"f"}:
        return "f"
    return "m" if "m" in said else NEUTRAL


@dataclass(frozen=True)
class Translator:
    """`t("key", name=…)` and `tn("key", count, …)` for templates; dates in the site zone."""

    language: str
    strings: dict
    tz: ZoneInfo

    def t(self, key: str, gender: str | None = None, **values: object) -> str:
        """The string `key` with `values` filled in; of a string with variants by gender,
        the one of `gender` (the neutral one when it is None or has none of its own)."""
        text = self.strings.get(key)
        if isinstance(text, dict) and NEUTRAL in text:
            text = text.get(gender or NEUTRAL, text[NEUTRAL])
        if not isinstance(text, str):
            raise KeyError(f"no UI string {key!r} for language {self.language!r}")
        return text.format(**values) if values else text

    def tn(self, key: str, count: int, **values: object) -> str:
        forms = self.strings.get(key)
        if not isinstance(forms, dict) or "other" not in forms:
            raise KeyError(f"no plural UI string {key!r} for language {self.language!r}")
        form = "zero" if count == 0 and "zero" in forms else _plural(count, self.language)
        return forms.get(form, forms["other"]).format(count=count, **values)

    def date(self, value: datetime, format: str = "long") -> str:
        return _format_day(value.astimezone(self.tz).date(), format, self.language)

    def number(self, value: int) -> str:
        """A count written the language's way: 12 345 in French, 12,345 in English."""
        return _format_number(value, self.language)

    def month(self, year: int, month: int) -> str:
        return _format_month(year, month, self.language)


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@lru_cache(maxsize=4096)
def _plural(count: int, language: str) -> str:
    """The CLDR plural form of `count` (Babel evaluates its rule at each call)."""
    return _locale(language).plural_form(count)


@lru_cache(maxsize=4096)
def _format_number(value: int, language: str) -> str:
    return format_decimal(value, locale=_locale(language))


@lru_cache(maxsize=8192)
def _format_day(day: date, format: str, language: str) -> str:
    """Babel's `format_date` reads only the day (never the time): the same day in the same
    format, as on every page that shows it, is formatted once."""
    return format_date(day, format, locale=_locale(language))


@lru_cache(maxsize=4096)
def _format_month(year: int, month: int, language: str) -> str:
    """A month and year (« mars 2024 »), as the archives show each of theirs."""
    return format_date(datetime(year, month, 1), "LLLL yyyy", locale=_locale(language))


def load_translator(theme: Theme, language: str, tz: ZoneInfo) -> Translator:
    """The theme's strings; a site theme's file may override some keys of the default's."""
    rel = f"i18n/{language}.toml"
    strings: dict = {}
    for path in reversed([base / rel for base in theme.paths if (base / rel).is_file()]):
        strings.update(_read_strings(path))
    if not strings:
        raise BuildError(Problem(f"the theme has no strings for language {language!r}",
                                 theme.paths[0] / rel, hint=f"add {rel} to the theme"))
    return Translator(language, strings, tz)


def _read_strings(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
        strings = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(Problem(f"invalid TOML: {exc}", path, toml_error_line(exc))) from None
    for key, value in strings.items():
        if isinstance(value, dict) and not _variants(value):
            match = re.search(rf"^[ \t]*\[[ \t]*{re.escape(key)}[ \t]*\]", text, re.M)
            raise BuildError(Problem(
                f"UI string {key!r} has variants {', '.join(map(repr, value))}: a table holds "
                f"plural forms ({', '.join(PLURAL_FORMS)}; `other` required) or genders "
                f"({', '.join(GENDERS)}; `n` required), each a text",
                path, text.count("\n", 0, match.start()) + 1 if match else None,
                hint=f'[{key}]\nf = "…"\nm = "…"\nn = "…"'))
    return strings


def _variants(table: dict) -> bool:
    """Whether a table of a strings file is one of plural forms or one of genders."""
    if not all(isinstance(text, str) for text in table.values()):
        return False
    return ("other" in table and table.keys() <= set(PLURAL_FORMS)) or \
        (NEUTRAL in table and table.keys() <= GENDERS.keys())
