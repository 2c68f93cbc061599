"""The settings that make a blog look like its own: `logo`, `favicon`, `accent_color`."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from reflexgen.config.toml import line_of
from reflexgen.errors import Problem

IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif",
               ".avif": "image/avif", ".ico": "image/x-icon"}
IMAGE_SETTINGS = {"logo": (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"),
                  "favicon": (".svg", ".png", ".ico")}  # setting → the file types it takes
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def check_identity(data: dict[str, Any], text: str, path: Path
                   ) -> tuple[list[Problem], list[Problem]]:
    """Problems and warnings of `logo`, `favicon` and `accent_color`."""
    problems, warnings = [], []
    for key, suffixes in IMAGE_SETTINGS.items():
        if data.get(key, "") != "":
            trouble = check_image(data[key], key, suffixes, path.parent / "content")
            if trouble:
                problems.append(Problem(trouble[0], path, line_of(text, key), hint=trouble[1]))
    colour = data.get("accent_color", "")
    if colour != "" and not (isinstance(colour, str) and HEX_COLOUR.fullmatch(colour)):
        problems.append(Problem(f"accent_color {colour!r} is not a CSS hex colour", path,
                                line_of(text, "accent_color"),
                                hint='write # and 3 or 6 hexadecimal digits, e.g. '
                                     'accent_color = "#1f3a5f"'))
    elif colour and contrast_on_white(colour) < 4.5:
        warnings.append(Problem(
            f"accent_color {colour!r} is too light for links on a light background (contrast "
            f"{contrast_on_white(colour):.1f}:1 where readers need 4.5:1)", path,
            line_of(text, "accent_color"),
            hint="choose a darker shade: the default theme lightens it for dark mode"))
    return problems, warnings


def check_image(value: object, key: str, suffixes: tuple[str, ...], content: Path
                ) -> tuple[str, str] | None:
    """(what is wrong, the fix) for an image setting that names no image under content/."""
    example = f'write {key} = "/images/{key}{suffixes[0]}" for content/images/{key}{suffixes[0]}'
    if not isinstance(value, str):
        return f"{key} must be text: the path of an image under content/", example
    if not value.startswith("/"):
        if "://" in value:
            return (f"{key} {value!r} must be a file of the site, not an address elsewhere",
                    f"copy the image under content/images/ and {example}")
        rel = value.lstrip("./")
        return (f"{key} {value!r} must be a path starting with /",
                f'for content/{rel}, write {key} = "/{rel}"')
    rel = value[1:]
    if "\\" in rel or any(part in ("", "..") or part.startswith(".") for part in rel.split("/")):
        return f"{key} {value!r} is not the path of a file under content/", example
    if Path(rel).suffix.lower() not in suffixes:
        return (f"{key} {value!r} is not an image of a type it takes ({', '.join(suffixes)})",
                example)
    if not (content / rel).is_file():
        folder = (content / rel).parent
        names = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
        near = difflib.get_close_matches(Path(rel).name, names, n=1)
        return (f"{key} {value!r}: there is no file content/{rel}",
                f'did you mean "{value.rsplit("/", 1)[0]}/{near[0]}"?' if near else
                f"put the image at content/{rel}, or correct the path: it starts from content/ "
                f'("/images/{key}{suffixes[0]}" is content/images/{key}{suffixes[0]})')
    return None


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a `#rgb` or `#rrggbb` colour with white."""
    digits = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)
