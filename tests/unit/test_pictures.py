"""The renditions a photo is published as, and the `<picture>` that offers them."""

import re

import lxml.html
import pytest

from reflexgen.config.images import ImageSettings
from reflexgen.content import pictures
from reflexgen.content.model import Original
from reflexgen.content.pictures import card_size, picture_html, plan, widths

PHOTO = Original("/images/photo.jpg", 4000, 3000, "d" * 32)


@pytest.mark.parametrize("width, made", [
    (4000, (480, 800, 1200, 1600)),  # the widths asked for; not the original's 4000
    (1000, (480, 800, 1000)),  # never enlarged: the original's own width instead
    (1600, (480, 800, 1200, 1600)),
    (300, (300,)),
])
def test_widths_are_never_wider_than_the_file(width, made):
    assert widths(width, (480, 800, 1200, 1600)) == made


@pytest.mark.parametrize("size, card", [
    ((4000, 3000), (1200, 630)), ((64, 27), (51, 27)), ((1000, 2000), (1000, 525)),
    ((3000, 600), (1142, 600)),
])
def test_the_open_graph_card_keeps_its_proportions_and_is_never_enlarged(size, card):
    assert card_size(*size) == card


def test_a_photo_is_offered_in_modern_formats_then_its_own(monkeypatch):
    monkeypatch.setattr(pictures, "avif_available", lambda: True)
    picture = plan(PHOTO, ImageSettings(), card=True)
    assert [kind for kind, _ in picture.sources] == ["image/avif", "image/webp"]
    assert picture.srcset.count("w, ") == 3 and ".1600.jpg 1600w" in picture.srcset
    assert picture.src.endswith(".800.jpg") and (picture.width, picture.height) == (4000, 3000)
    outputs = [r.output for r in picture.renditions]
    assert len(outputs) == 3 * 4 + 2 == len(set(outputs))
    assert "images/photo.jpg" in outputs  # a stripped copy at the original's own address
    assert picture.card is not None and (picture.card.width, picture.card.height) == (1200, 630)
    assert re.fullmatch(r"resized/images/photo\.[0-9a-f]{10}\.card\.jpg", picture.card.output)
    # Content-named, under /resized/ (cached for a year), but the copy at the original's own
    # address.
    made = [r.output for r in picture.renditions if r.output != "images/photo.jpg"]
    assert all(re.fullmatch(r"resized/images/photo\.[0-9a-f]{10}\.(\d+|card)\.(avif|webp|jpg)",
                            rel) for rel in made)
    assert picture.src.startswith("/resized/images/photo.")
    heights = {r.width: r.height for r in picture.renditions if r.format == "webp"}
    assert heights == {480: 360, 800: 600, 1200: 900, 1600: 1200}


def test_without_avif_the_picture_leaves_it_out(monkeypatch):
    monkeypatch.setattr(pictures, "avif_available", lambda: False)
    picture = plan(PHOTO, ImageSettings())
    assert [kind for kind, _ in picture.sources] == ["image/webp"]
    assert not any(r.format == "avif" for r in picture.renditions)


def test_names_change_with_the_bytes_and_the_quality_only():
    first = plan(PHOTO, ImageSettings())
    assert plan(PHOTO, ImageSettings()) == first
    edited = plan(Original(PHOTO.url, 4000, 3000, "e" * 32), ImageSettings())
    rougher = plan(PHOTO, ImageSettings(quality=50))
    for other in (edited, rougher):
        assert other.src != first.src and other.renditions[0].key != first.renditions[0].key


@pytest.mark.parametrize("original, settings", [
    (Original("/images/a.svg", 300, 200), ImageSettings()),
    (Original("/images/a.gif", 300, 200), ImageSettings()),
    (Original("https://cdn.example.org/a.jpg", 300, 200, "d" * 32), ImageSettings()),
    (PHOTO, ImageSettings(enabled=False)),
])
def test_what_is_not_resized_is_shown_as_it_is(original, settings):
    picture = plan(original, settings, card=True)
    assert (picture.src, picture.sources, picture.renditions, picture.card) == (
        original.url, (), (), None)


def test_the_first_image_of_a_page_is_fetched_first_the_others_lazily():
    picture = plan(PHOTO, ImageSettings())
    first = lxml.html.fragment_fromstring(picture_html(picture, "Un « chat »", "100vw", True))
    later = lxml.html.fragment_fromstring(picture_html(picture, "", "100vw"))
    assert first.tag == "picture" and [s.get("sizes") for s in first.iter("source")] == \
        ["100vw"] * len(picture.sources)
    img = next(first.iter("img"))
    assert (img.get("alt"), img.get("width"), img.get("height"), img.get("fetchpriority"),
            img.get("loading")) == ("Un « chat »", "4000", "3000", "high", None)
    img = next(later.iter("img"))
    assert (img.get("loading"), img.get("decoding"), img.get("fetchpriority")) == \
        ("lazy", "async", None)


def test_an_image_shown_as_it_is_still_has_its_size():
    html = picture_html(plan(Original("/images/a.svg", 300, 200), ImageSettings()), "", "100vw")
    assert html == ('<img src="/images/a.svg" alt="" width="300" height="200" loading="lazy" '
                    'decoding="async">')
