"""The size of an image file, for the `width` and `height` of its `<img>`: a page that states
them does not move while the image loads. Pillow reads the header of raster formats (never the
pixels); an SVG states its size on its root element."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from reflexgen.hashing import content_hash

Size = tuple[int, int]
EXIF_ORIENTATION = 0x0112
TURNED = {5, 6, 7, 8}  # orientations that turn a photo a quarter: browsers swap its sides
SVG_LENGTH = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:px)?\s*$")  # in CSS pixels


class ImageError(Exception):
    """Why the size of an image cannot be read."""


class MissingImage(ImageError):
    """The file is not there: a broken link rather than a broken image."""


def examine(path: Path, max_pixels: int, resized: bool) -> tuple[Size, str]:
    """The size of an image file and, for one the build resizes (`resized`), the digest of
    its bytes; an image of more than `max_pixels` is refused before its pixels are read."""
    if not path.is_file():
        raise MissingImage("no such file")
    (width, height), moving = describe(path)
    if width * height > max_pixels:
        raise ImageError(f"{width}×{height} is more than the {max_pixels} pixels allowed: "
                         "refused, as a decompression bomb would be")
    resized = resized and not moving  # an animation's frames are published as they are
    return (width, height), content_hash(path.read_bytes()) if resized else ""


def image_size(path: Path) -> Size:
    """(width, height) of the image as a browser shows it at its natural size."""
    return describe(path)[0]


def describe(path: Path) -> tuple[Size, bool]:
    """The image's size as a browser shows it at its natural size, and whether it is
    animated (more than one frame: a GIF, PNG or WebP), from one read of its header."""
    if path.suffix.lower() == ".svg":
        return svg_size(path), False
    # Imported here: a build that measures no new image need not load Pillow.
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # a huge image is measured, not decoded
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                turned = image.getexif().get(EXIF_ORIENTATION) in TURNED
                moving = bool(getattr(image, "is_animated", False))
    except Image.DecompressionBombError as exc:
        raise ImageError(f"refused as a decompression bomb would be ({exc})") from None
    except UnidentifiedImageError:
        raise ImageError("not an image format reflexgen reads (JPEG, PNG, GIF, WebP, AVIF, "
                         "SVG…)") from None
    except OSError as exc:
        if exc.errno is None:  # Pillow's own, about the data
            raise ImageError(f"damaged image ({exc})") from None
        raise ImageError(f"cannot read it: {exc.strerror}") from None
    except Exception as exc:  # Pillow's decoders raise many kinds of error on a damaged file
        raise ImageError(f"damaged image ({type(exc).__name__}: {exc})") from None
    return ((height, width) if turned else (width, height)), moving


def svg_size(path: Path) -> Size:
    """The size an SVG states: `width` and `height` in pixels, else its `viewBox` (whose
    proportions the browser keeps)."""
    from lxml import etree

    try:
        with open(path, "rb") as file:
            _, root = next(etree.iterparse(file, events=("start",), resolve_entities=False,
                                           no_network=True))
    except (etree.XMLSyntaxError, StopIteration) as exc:
        raise ImageError(f"not well-formed SVG ({exc})") from None
    except OSError as exc:
        raise ImageError(f"cannot read it: {exc.strerror or exc}") from None
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        box_width, box_height = (float(box[2]), float(box[3])) if len(box) == 4 else (0, 0)
    except ValueError:
        box_width = box_height = 0
    if not (width and height) and box_width > 0 and box_height > 0:
        if width:
            height = width * box_height / box_width
        elif height:
            width = height * box_width / box_height
        else:
            width, height = box_width, box_height
    if not (width and height):
        raise ImageError("the SVG states no size: give its root element width and height "
                         "in pixels, or a viewBox")
    return max(1, round(width)), max(1, round(height))


def _length(value: str | None) -> float | None:
    match = SVG_LENGTH.match(value or "")
    return float(match.group(1)) if match and float(match.group(1)) > 0 else None
