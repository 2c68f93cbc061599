"""The theme's UI strings in the site language, with CLDR plurals and dates from Babel."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from reflexgen.config import toml_error_line
from reflexgen.errors import BuildError, Problem
from reflexgen.render.themes import Theme


@dataclass(frozen=True)
class Translator:
    """`t("key", name=…)` and `tn("key", count, …)` for templates; dates in the site zone."""

    language: str
    strings: dict
    tz: ZoneInfo

    def t(self, key: str, **values: object) -> str:
        text = self.strings.get(key)
        if not isinstance(text, str):
            raise KeyError(f"no UI string {key!r} for language {self.language!r}")
        return text.format(**values) if values else text

    def tn(self, key: str, count: int, **values: object) -> str:
        forms = self.strings.get(key)
        if not isinstance(forms, dict):
            raise KeyError(f"no plural UI string {key!r} for language {self.language!r}")
        form = "zero" if count == 0 and "zero" in forms else \
            Locale.parse(self.language).plural_form(count)
        return forms.get(form, forms["other"]).format(count=count, **values)

    def date(self, value: datetime, format: str = "long") -> str:
        return _format_day(value.astimezone(self.tz).date(), format, self.language)

    def number(self, value: int) -> str:
        """A count written the language's way: 12 345 in French, 12,345 in English."""
        return format_decimal(value, locale=self.language)

    def month(self, year: int, month: int) -> str:
        return format_date(datetime(year, month, 1), "LLLL yyyy", locale=self.language)


@lru_cache(maxsize=8192)
def _format_day(day: date, format: str, language: str) -> str:
    """Babel's `format_date` reads only the day (never the time): the same day in the same
    format, as on every page that shows it, is formatted once."""
    return format_date(day, format, locale=language)


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
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(Problem(f"invalid TOML: {exc}", path, toml_error_line(exc))) from None
