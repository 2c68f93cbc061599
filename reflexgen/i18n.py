"""The theme's UI strings in the site language, with CLDR plurals and dates from Babel."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date

from .config import toml_error_line
from .errors import BuildError, Problem


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
        return format_date(value.astimezone(self.tz), format, locale=self.language)

    def month(self, year: int, month: int) -> str:
        return format_date(datetime(year, month, 1), "LLLL yyyy", locale=self.language)


def load_translator(theme_path: Path, language: str, tz: ZoneInfo) -> Translator:
    path = theme_path / "i18n" / f"{language}.toml"
    try:
        strings = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(Problem(f"the theme has no strings for language {language!r}", path,
                                 hint=f"add i18n/{language}.toml to the theme")) from None
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(Problem(f"invalid TOML: {exc}", path, toml_error_line(exc))) from None
    return Translator(language, strings, tz)
