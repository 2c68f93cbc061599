"""The site's logo and favicon as pages, feeds and JSON-LD show them: their URL, media type
and size in pixels, measured once per build (a new logo of another size changes every page)."""

from __future__ import annotations

from urllib.parse import quote

from reflexgen.config import SiteConfig
from reflexgen.config.identity import IMAGE_SETTINGS, IMAGE_TYPES
from reflexgen.config.toml import line_of
from reflexgen.content.images import ImageError, image_size
from reflexgen.content.model import SiteImage
from reflexgen.errors import Problem


def site_images(config: SiteConfig) -> tuple[dict[str, SiteImage | None], list[Problem]]:
    """The images of site.toml by setting ("logo", "favicon"), None where it sets none; one
    that cannot be measured is shown without a size, with a warning."""
    found: dict[str, SiteImage | None] = {}
    warnings = []
    for key in IMAGE_SETTINGS:
        url = getattr(config, key)
        if not url:
            found[key] = None
            continue
        path = config.content_dir / url.lstrip("/")
        try:
            width, height = image_size(path)
        except ImageError as exc:
            width = height = None
            toml = config.root / "site.toml"
            warnings.append(Problem(
                f"{key} {url!r} (content/{url.lstrip('/')}) cannot be measured: {exc}", toml,
                line_of(toml.read_text(encoding="utf-8-sig"), key),
                hint="use SVG, PNG, JPEG, WebP, GIF or AVIF (a favicon may be .ico); until "
                     "then pages give it no width and height"))
        found[key] = SiteImage(quote(url), IMAGE_TYPES[path.suffix.lower()], width, height)
    return found, warnings
