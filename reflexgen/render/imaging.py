"""Make the renditions of a photo with Pillow: turned upright by its EXIF orientation, resized
or cropped, encoded, and stripped of its metadata (EXIF, GPS, XMP, comments) but not of its
colour profile. Whatever goes wrong is an `ImagingError` saying why, never a traceback."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reflexgen.content.pictures import Rendition


class ImagingError(Exception):
    """Why an image cannot be processed."""


def make(source: Path, renditions: Sequence[Rendition], max_pixels: int) -> dict[str, bytes]:
    """The bytes of each rendition of the image file `source`, by rendition key."""
    from PIL import Image, ImageOps

    # Pillow's own limit is the site's (`max_pixels`), above and below its default.
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                if opened.width * opened.height > max_pixels:
                    raise ImagingError(f"{opened.width}×{opened.height} is more than the "
                                       f"{max_pixels} pixels allowed")
                # A CMYK file's profile describes ink, not the RGB copies made of it.
                icc = opened.info.get("icc_profile") if opened.mode != "CMYK" else None
                opened.load()
                image = ImageOps.exif_transpose(opened)
        image = eight_bits(image)
        image.info = {}  # nothing of the original's metadata follows it
        scaled = scale(image, {(r.width, r.height) for r in renditions if not r.crop})
        made: dict[str, bytes] = {}
        for rendition in renditions:
            size = (rendition.width, rendition.height)
            picture = ImageOps.fit(image, size, Image.Resampling.LANCZOS) if rendition.crop \
                else scaled[size]
            made[rendition.key] = encode(picture, rendition.format, rendition.quality, icc)
        return made
    except ImagingError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImagingError(f"refused as a decompression bomb would be ({exc})") from None
    except OSError as exc:
        if exc.errno is None:
            raise ImagingError(f"damaged or unsupported image ({exc})") from None
        raise ImagingError(f"cannot read it: {exc.strerror}") from None
    except Exception as exc:  # Pillow's decoders raise many kinds of error on a damaged file
        raise ImagingError(f"damaged image ({type(exc).__name__}: {exc})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def eight_bits(image: Any) -> Any:
    """The image in a mode every format writes (RGB, RGBA, L, LA), its transparency kept
    (a palette's or a `tRNS` colour becomes an alpha channel) and 16-bit grey scaled down
    rather than clipped."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        wide = image if image.mode == "I" else image.convert("I")
        image = wide.point(lambda value: value / 256).convert("L")
    if "transparency" in image.info or image.mode in ("PA", "RGBa", "La"):
        return image.convert("RGBA")
    return image if image.mode in ("RGB", "RGBA", "L", "LA") else image.convert("RGB")


def scale(image: Any, sizes: set[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The image at each size, the widest first, each made from the one before it: a photo
    is read at full size once, and its smaller copies cost little more."""
    from PIL import Image

    scaled, larger = {}, image
    for size in sorted(sizes, reverse=True):
        scaled[size] = larger if size == larger.size else larger.resize(
            size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        larger = scaled[size]
    return scaled


def encode(image: Any, fmt: str, quality: int, icc: bytes | None) -> bytes:
    """One image in one format, with only its colour profile as metadata."""
    if fmt == "jpeg" and image.mode in ("RGBA", "LA"):
        from PIL import Image

        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt == "jpeg":
        options.update(quality=quality, optimize=True, progressive=True)
    elif fmt == "png":
        options.update(optimize=False, compress_level=9)
    elif fmt == "webp":
        options.update(quality=quality, method=4)
    elif fmt == "avif":
        options.update(quality=quality, speed=8)  # 6, the default, takes twice as long
    out = io.BytesIO()
    image.save(out, fmt.upper(), **options)
    return out.getvalue()
