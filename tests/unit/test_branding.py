"""The logo and favicon of site.toml, measured once per build; one that cannot be is a
warning naming its line, never an error."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from reflexgen.config import load_config
from reflexgen.content.model import SiteImage
from reflexgen.site.branding import site_images

TOML = 'title = "T"\nbase_url = "https://x.org"\n'


def configure(root: Path, settings: str):
    (root / "site.toml").write_text(TOML + settings, encoding="utf-8")
    return load_config(root)[0]


def test_measured_with_url_and_media_type(tmp_path):
    (tmp_path / "content/images").mkdir(parents=True)
    (tmp_path / "content/images/mon logo.svg").write_text('<svg viewBox="0 0 240 48"/>')
    Image.new("RGB", (32, 32)).save(tmp_path / "content/favicon.png")
    config = configure(tmp_path, 'logo = "/images/mon logo.svg"\nfavicon = "/favicon.png"\n')
    assert site_images(config) == ({
        "logo": SiteImage("/images/mon%20logo.svg", "image/svg+xml", 240, 48),
        "favicon": SiteImage("/favicon.png", "image/png", 32, 32)}, [])


def test_none_without_settings(tmp_path):
    assert site_images(configure(tmp_path, "")) == ({"logo": None, "favicon": None}, [])


def test_an_image_that_cannot_be_measured_warns_and_has_no_size(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/favicon.ico").write_text("not an icon")
    config = configure(tmp_path, '# icons\nfavicon = "/favicon.ico"\n')
    images, [warning] = site_images(config)
    assert images["favicon"] == SiteImage("/favicon.ico", "image/x-icon", None, None)
    assert (warning.path, warning.line) == (tmp_path / "site.toml", 4)
    assert warning.message.startswith("favicon '/favicon.ico' (content/favicon.ico) cannot be "
                                      "measured")
