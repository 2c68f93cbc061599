import io
from pathlib import Path

import pytest
from PIL import Image

from reflexgen.config.images import ImageSettings
from reflexgen.content.images import ImageError, examine, image_size
from reflexgen.content.model import Original


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


# Processing: render.imaging, and the cache in front of it (incremental.images)

def phone_photo(path: Path, size=(400, 300), orientation: int = 1) -> Path:
    """A photo as a phone takes it: EXIF with the camera, the place (GPS), an orientation,
    and an sRGB colour profile."""
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x010F] = "Fairphone"  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", size, "teal")
    image.paste((200, 30, 30), (0, 0, size[0] // 4, size[1] // 4))  # a red top-left corner
    image.save(path, exif=exif, icc_profile=icc, quality=95)
    return path


def renditions(original: Original, **settings):
    from reflexgen.content.pictures import plan

    return plan(original, ImageSettings(**settings), card=True).renditions


def made(path: Path, **settings) -> dict[str, Image.Image]:
    """Every rendition of the photo at `path`, opened, by output path."""
    from reflexgen.render.imaging import make

    (width, height), digest = examine(path, 10**8, True)
    planned = renditions(Original("/images/" + path.name, width, height, digest), **settings)
    data = make(path, planned, 10**8)
    return {r.output: Image.open(io.BytesIO(data[r.key])) for r in planned}


def test_every_rendition_is_stripped_of_exif_and_gps_but_keeps_its_colour_profile(tmp_path):
    original = phone_photo(tmp_path / "a.jpg")
    assert Image.open(original).getexif().get_ifd(0x8825)  # the test photo says where it was
    produced = made(original)
    assert {image.format for image in produced.values()} >= {"JPEG", "WEBP"}
    for name, image in produced.items():
        assert not image.getexif(), name
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info), name
        assert image.info.get("icc_profile") == Image.open(original).info["icc_profile"], name


def test_renditions_are_turned_upright_by_the_exif_orientation(tmp_path):
    original = phone_photo(tmp_path / "a.jpg", (400, 300), orientation=6)  # turned a quarter
    produced = made(original)
    full = produced["images/a.jpg"]
    assert full.size == (300, 400)
    red, teal = full.getpixel((full.width - 5, 5)), full.getpixel((5, full.height - 5))
    assert red[0] > 150 and teal[0] < 60  # the red corner went to the top right


def test_sizes_formats_and_never_enlarged(tmp_path):
    produced = made(phone_photo(tmp_path / "a.png", (1000, 500)))
    widths = sorted({image.width for name, image in produced.items() if ".card." not in name})
    assert widths == [480, 800, 1000]
    formats = {name.rsplit(".", 1)[1] for name in produced}
    assert formats >= {"png", "webp", "jpg"}  # the card is a JPEG
    card = next(image for name, image in produced.items() if ".card." in name)
    assert card.size == (952, 500)


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xd8\xff\xe0 not really a JPEG", "damaged or unsupported image"),
    (None, "damaged"),  # a JPEG cut short
])
def test_an_image_that_cannot_be_processed_says_why(tmp_path, data, reason):
    from reflexgen.render.imaging import ImagingError, make

    path = phone_photo(tmp_path / "a.jpg", (800, 600))
    data = data if data is not None else path.read_bytes()[:2000]
    path.write_bytes(data)
    planned = renditions(Original("/images/a.jpg", 800, 600, "d" * 32))
    with pytest.raises(ImagingError, match=reason):
        make(path, planned, 10**8)


def test_a_decompression_bomb_is_refused_before_its_pixels_are_read(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)  # 400 megapixels in a few kilobytes
    with pytest.raises(ImageError, match="decompression bomb"):
        examine(path, 50_000_000, True)
    from reflexgen.render.imaging import ImagingError, make

    with pytest.raises(ImagingError, match="pixels allowed|decompression bomb"):
        make(path, renditions(Original("/images/bomb.png", 20000, 20000, "d" * 32)), 10**6)


def test_a_second_pass_finds_everything_in_the_cache(tmp_path, monkeypatch):
    from reflexgen.incremental import images as phase
    from reflexgen.render import imaging

    original = phone_photo(tmp_path / "a.jpg")
    (width, height), digest = examine(original, 10**8, True)
    planned = renditions(Original("/images/a.jpg", width, height, digest))
    store = phase.ImageCache(tmp_path / "cache", b"key")
    task = phase.Task(original, planned, "a.md", 10**8)
    assert phase.make_one(store, task) == len(planned)
    assert all(store.path(r).is_file() for r in planned)
    monkeypatch.setattr(imaging, "make", lambda *a: pytest.fail("encoded again"))
    assert [r for r in planned if not store.path(r).is_file()] == []
    other = phase.ImageCache(tmp_path / "cache", b"another key")  # a cache from elsewhere
    assert not any(other.path(r).is_file() for r in planned)


def test_transparency_is_kept_in_every_rendition(tmp_path):
    """A palette PNG and a grey PNG whose transparent colour is a `tRNS` entry, as image
    editors save logos and diagrams: the see-through pixels stay see-through."""
    palette = Image.new("P", (60, 40), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.paste(1, (20, 10, 40, 30))
    palette.save(tmp_path / "palette.png", transparency=0)
    grey = Image.new("L", (60, 40), 0)
    grey.paste(200, (20, 10, 40, 30))
    grey.save(tmp_path / "grey.png", transparency=0)
    for name in ("palette.png", "grey.png"):
        for output, image in made(tmp_path / name, formats=("webp",)).items():
            if output.endswith((".png", ".webp")):
                rgba = image.convert("RGBA")
                assert rgba.getpixel((0, 0))[3] == 0, output  # still transparent
                assert rgba.getpixel((30, 20))[3] == 255, output


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path):
    ramp = Image.new("I;16", (64, 32))
    ramp.putdata([x * 1024 for _ in range(32) for x in range(64)])  # black to white
    ramp.save(tmp_path / "ramp.png")
    for output, image in made(tmp_path / "ramp.png").items():
        grey = image.convert("L")
        assert grey.getpixel((0, 0)) < 10 and 100 < grey.getpixel((32, 16)) < 160, output


def test_an_animated_image_keeps_its_frames(tmp_path):
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    for name in ("anim.webp", "anim.png"):
        frames[0].save(tmp_path / name, save_all=True, append_images=frames[1:])
        size, digest = examine(tmp_path / name, 10**8, True)
        assert size == (40, 30) and digest == ""  # no digest: not resized, published as is


def test_the_sites_pixel_limit_holds_above_pillows_own(tmp_path):
    from reflexgen.render.imaging import make

    big = tmp_path / "big.png"
    Image.new("L", (10000, 9500)).save(big)  # 95 Mpx: above Pillow's default limit
    (width, height), digest = examine(big, 2 * 10**8, True)
    planned = renditions(Original("/images/big.png", width, height, digest), widths=(480,))
    assert set(make(big, planned, 2 * 10**8)) == {r.key for r in planned}
    assert Image.MAX_IMAGE_PIXELS == 89478485  # Pillow's own limit is left as it was
