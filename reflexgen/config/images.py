"""The `[images]` table of site.toml: how the photos of articles are resized and encoded."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reflexgen.config.checks import did_you_mean
from reflexgen.config.toml import line_of
from reflexgen.errors import Problem

FORMATS = ("avif", "webp")  # the modern formats offered before the original's


@dataclass(frozen=True)
class ImageSettings:
    enabled: bool = True  # false: images are published as they are, only measured
    widths: tuple[int, ...] = (480, 800, 1200, 1600)  # in pixels; never wider than the file
    formats: tuple[str, ...] = FORMATS  # offered in this order, the original's format last
    quality: int = 75  # 1–100, for JPEG, WebP and AVIF
    max_pixels: int = 50_000_000  # larger images are refused (decompression bombs)
    # The `sizes` attribute of images in article bodies: how wide the default theme's text
    # column shows them.
    sizes: str = "(min-width: 48rem) 44rem, 100vw"


KEYS = tuple(f.name for f in fields(ImageSettings))
DEFAULTS = ImageSettings()


def read_images(value: object, text: str, path: Path) -> tuple[ImageSettings, list[Problem],
                                                               list[Problem]]:
    """The `[images]` table as settings, with the problems and warnings found."""
    if not isinstance(value, dict):
        return DEFAULTS, [Problem("images must be a table", path, line_of(text, "images"),
                                  hint="write [images] then widths = [480, 800] below")], []
    problems: list[Problem] = []
    warnings = [Problem(f"unknown key {key!r} in [images]", path, line_of(text, key),
                        hint=did_you_mean(key, KEYS, "keys of [images]"))
                for key in value if key not in KEYS]
    found: dict[str, Any] = {}
    for key in KEYS:
        if key in value:
            found[key], trouble = CHECKS[key](value[key])
            if trouble:
                problems.append(Problem(f"[images] {key} {trouble[0]}", path,
                                        line_of(text, key), hint=trouble[1]))
                del found[key]
    return ImageSettings(**found), problems, warnings


Checked = tuple[Any, tuple[str, str] | None]


def _flag(value: object) -> Checked:
    if isinstance(value, bool):
        return value, None
    return None, ("must be true or false", "enabled = false publishes images as they are")


def _widths(value: object) -> Checked:
    if isinstance(value, list) and value and all(
            isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8192 for w in value):
        return tuple(sorted(set(value))), None
    return None, ("must be a list of widths in pixels, from 16 to 8192",
                  "widths = [480, 800, 1200, 1600]")


def _formats(value: object) -> Checked:
    if isinstance(value, list) and all(isinstance(f, str) for f in value):
        wanted = [f.strip().lower() for f in value]
        if all(f in FORMATS for f in wanted):
            return tuple(dict.fromkeys(wanted)), None
    return None, (f"must be a list of formats among {', '.join(FORMATS)} (the original's "
                  "format is always offered last)", 'formats = ["avif", "webp"], or [] for '
                                                    "the original format only")


def _quality(value: object) -> Checked:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100:
        return value, None
    return None, ("must be a whole number from 1 to 100", "quality = 75")


def _max_pixels(value: object) -> Checked:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value, None
    return None, ("must be a whole number of pixels", "max_pixels = 50000000 (50 megapixels)")


def _sizes(value: object) -> Checked:
    if isinstance(value, str) and value.strip() and not any(c in value for c in "<>\"'&"):
        return value.strip(), None
    return None, ("must be a CSS `sizes` value", 'sizes = "(min-width: 48rem) 44rem, 100vw"')


CHECKS = {"enabled": _flag, "widths": _widths, "formats": _formats, "quality": _quality,
          "max_pixels": _max_pixels, "sizes": _sizes}
