from pathlib import Path

import pytest
from PIL import Image

from reflexgen.content.images import ImageError, image_size


def picture(path: Path, size: tuple[int, int], orientation: int | None = None) -> Path:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    Image.new("RGB", size, "teal").save(path, exif=exif)
    return path


@pytest.mark.parametrize("name", ["a.png", "a.jpg", "a.gif", "a.webp"])
def test_raster_sizes_are_read_from_the_file(tmp_path, name):
    assert image_size(picture(tmp_path / name, (40, 21))) == (40, 21)


@pytest.mark.parametrize("orientation, size", [(1, (40, 21)), (3, (40, 21)), (6, (21, 40)),
                                                (8, (21, 40))])
def test_a_photo_turned_by_its_exif_orientation_is_measured_as_shown(tmp_path, orientation,
                                                                      size):
    assert image_size(picture(tmp_path / "a.jpg", (40, 21), orientation)) == size


@pytest.mark.parametrize("root, size", [
    ('width="1200" height="630" viewBox="0 0 600 315"', (1200, 630)),
    ('width="300px" height="150.4px"', (300, 150)),
    ('viewBox="0 0 1200 630"', (1200, 630)),
    ('viewBox="0,0,90,45" width="100%"', (90, 45)),
    ('width="300" viewBox="0 0 90 45"', (300, 150)),
    ('height="100" viewBox="0 0 90 45"', (200, 100)),
])
def test_svg_sizes_come_from_the_root_element(tmp_path, root, size):
    path = tmp_path / "a.svg"
    path.write_text(f'<?xml version="1.0"?>\n<!-- a drawing -->\n'
                    f'<svg xmlns="http://www.w3.org/2000/svg" {root}><rect/></svg>')
    assert image_size(path) == size


@pytest.mark.parametrize("name, data, reason", [
    ("a.png", b"PNG", "not an image format reflexgen reads"),
    ("a.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "damaged image"),
    ("a.svg", b"plain text", "not well-formed SVG"),
    ("a.svg", b'<svg width="50%" height="2em"/>', "the SVG states no size"),
    ("a.svg", b'<!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]><svg>&e;</svg>',
     "the SVG states no size"),
])
def test_what_cannot_be_measured_says_why(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImageError, match=reason):
        image_size(path)
