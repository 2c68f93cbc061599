"""Which files a photo is published as, and the `<picture>` that offers them. Pure: the
names and sizes follow from the original's size, its digest and the `[images]` settings, so
pages are written before (and without) any pixel being touched; `render.imaging` makes the
files, `incremental.images` caches and publishes them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape

from reflexgen import urls
from reflexgen.config.images import ImageSettings
from reflexgen.content.model import Original
from reflexgen.hashing import digest

# Bump when the encoding changes: every rendition gets a new name and is made again.
ENCODER = 1
# The formats reflexgen resizes, by file suffix; others (SVG, GIF: maybe animated) are
# published as they are.
RESIZED = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}
SUFFIXES = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}
MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
               "avif": "image/avif"}
CARD = (1200, 630)  # Open Graph's image size
# The copy published at the original's own address is the photo a reader may save or share:
# kept close to the file given.
FULL_QUALITY = 90


@dataclass(frozen=True)
class Rendition:
    """One file made from an original: `output` relative to the output folder."""

    output: str
    width: int
    height: int
    format: str  # jpeg, png, webp or avif
    quality: int
    key: str  # names what it is made from: the original's bytes and how it is encoded
    crop: bool = False  # cut to Open Graph's proportions (1200×630), from the centre

    @property
    def url(self) -> str:
        return urls.file_url(self.output)


@dataclass(frozen=True)
class Picture:
    """What a page shows of an original: `src` and its `srcset`, the `<source>`s offered
    before it (media type, srcset), and the files to make."""

    src: str
    width: int
    height: int
    srcset: str = ""
    sources: tuple[tuple[str, str], ...] = ()
    renditions: tuple[Rendition, ...] = ()
    card: Rendition | None = None


def resized(url: str) -> str | None:
    """The format of a file the build resizes (by the suffix of its path), else None."""
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return next((kind for suffix, kind in RESIZED.items() if path.endswith(suffix)), None)


@cache
def avif_available() -> bool:
    """Whether this Pillow writes AVIF; without it, AVIF is left out of every picture."""
    from PIL import features

    return bool(features.check("avif"))


def formats(settings: ImageSettings) -> tuple[str, ...]:
    """The modern formats offered, those this Pillow can write."""
    return tuple(f for f in settings.formats if f != "avif" or avif_available())


def widths(original: int, wanted: tuple[int, ...]) -> tuple[int, ...]:
    """The widths made of an image `original` pixels wide: never wider than it, and its own
    width when it is narrower than the widest wanted."""
    found = [w for w in wanted if w < original]
    if not found or original <= max(wanted):
        found.append(original)
    return tuple(found)


def card_size(width: int, height: int) -> tuple[int, int]:
    """The largest 1200×630 proportioned crop of an image, never enlarged."""
    wide = min(CARD[0], width, height * CARD[0] // CARD[1])
    return max(1, wide), max(1, round(wide * CARD[1] / CARD[0]))


def plan(original: Original, settings: ImageSettings, card: bool = False) -> Picture:
    """The picture of `original`: as it is (SVG, GIF, remote, or processing disabled), or
    its renditions; `card`: and its Open Graph image."""
    kind = resized(original.url)
    rel = urls.content_file(original.url)
    if not (settings.enabled and kind and original.digest and rel):
        return Picture(original.url, original.width, original.height)
    stem = rel.rsplit(".", 1)[0]
    tag = digest(original.digest, settings.quality, ENCODER)[:10]
    # Content-named, in a folder of their own (cached for a year, see `site.caching`).
    base = urls.RESIZED.lstrip("/") + stem
    width, height = original.width, original.height

    def rendition(w: int, fmt: str) -> Rendition:
        h = max(1, round(height * w / width))
        key = digest(original.digest, w, h, fmt, settings.quality, ENCODER)
        return Rendition(f"{base}.{tag}.{w}.{SUFFIXES[fmt]}", w, h, fmt, settings.quality, key)

    sizes = widths(width, settings.widths)
    made: list[Rendition] = []
    sources = []
    for fmt in (*(f for f in formats(settings) if f != kind), kind):
        group = [rendition(w, fmt) for w in sizes]
        made += group
        sources.append((MEDIA_TYPES[fmt], ", ".join(f"{r.url} {r.width}w" for r in group)))
    fallback = made[-len(sizes):]
    src = min(fallback, key=lambda r: (abs(r.width - 800), r.width))
    # The file at the original's own address: the same pixels, without their metadata.
    made.append(stripped(rel, kind, width, height, original.digest))
    social = None
    if card:
        w, h = card_size(width, height)
        social = Rendition(f"{base}.{tag}.card.jpg", w, h, "jpeg", settings.quality,
                           digest(original.digest, "card", w, h, settings.quality, ENCODER),
                           crop=True)
        made.append(social)
    return Picture(src.url, width, height, sources[-1][1], tuple(sources[:-1]), tuple(made),
                   social)


def stripped(rel: str, kind: str, width: int, height: int, source: str) -> Rendition:
    """The file published at an original's own address (`rel`): the same pixels, upright
    and without their metadata; `source` is the digest of the original's bytes."""
    return Rendition(rel, width, height, kind, FULL_QUALITY,
                     digest(source, "stripped", width, height, FULL_QUALITY, ENCODER))


def picture_html(picture: Picture, alt: str, sizes: str, first: bool = False,
                 title: str = "") -> str:
    """The HTML of a picture: `<source>`s and an `<img>` with its size; lazy unless it is
    the `first` image of its page, which the browser fetches first instead."""
    attributes = f' src="{escape(picture.src)}" alt="{escape(alt)}"'
    if title:
        attributes += f' title="{escape(title)}"'
    if picture.srcset:
        attributes += f' srcset="{escape(picture.srcset)}" sizes="{escape(sizes)}"'
    attributes += f' width="{picture.width}" height="{picture.height}"'
    attributes += ' fetchpriority="high"' if first else ' loading="lazy" decoding="async"'
    img = f"<img{attributes}>"
    if not picture.sources:
        return img
    offered = "".join(f'<source type="{kind}" srcset="{escape(srcset)}" sizes="{escape(sizes)}">'
                      for kind, srcset in picture.sources)
    return f"<picture>{offered}{img}</picture>"
