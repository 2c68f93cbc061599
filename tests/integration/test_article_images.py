"""Articles' images get their real width and height, read from their files under content/,
and a photo is published as resized copies (see test_article_photos.py for the renditions)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from conftest import article
from reflexgen.build import BuildOptions, build, compare_trees
from reflexgen.errors import Reporter
from reflexgen.incremental.cache import Cache

A, B = "2024/03/a/index.html", "2024/03/b/index.html"


def picture(site, rel: str, size: tuple[int, int]) -> None:
    path = site.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "teal").save(path)


def images(site, rel: str) -> list[dict[str, str]]:
    """The attributes of the article images a page shows (cards and the article's own)."""
    page = lxml.html.fromstring(site.read(rel))
    return [dict(img.attrib) for img in page.xpath(
        "//a[@class='card__image']//img | //figure[@class='article__image']//img")]


@pytest.fixture
def blog(site):
    picture(site, "content/images/photo.png", (64, 27))
    site.write({"content/posts/a.md": article("A", "2024-03-02", slug="a",
                                              image="/images/photo.png"),
                "content/posts/b.md": article("B", "2024-03-01", slug="b")})
    return site


def test_pages_give_images_the_size_of_their_file(blog):
    run = blog.build()
    assert run.code == 0 and "warning" not in run.stderr
    for rel in (A, "index.html"):
        shown = images(blog, rel)
        assert [(i["width"], i["height"]) for i in shown] == [("64", "27")], rel
        assert shown[0]["src"].startswith("/resized/images/photo.") and shown[0]["src"].endswith(
            ".64.png")  # a copy never wider than the file
    page = lxml.html.fromstring(blog.read(A))
    # Open Graph's 1200×630 proportions, cut from a picture smaller than that: not enlarged
    assert page.xpath("//meta[@property='og:image:width']/@content") == ["51"]
    assert page.xpath("//meta[@property='og:image:height']/@content") == ["27"]
    assert "1200" not in blog.read(A) + blog.read("index.html")


def test_an_image_elsewhere_has_no_size_and_no_warning(site):
    site.write({"content/posts/a.md": article("A", slug="a",
                                              image="https://cdn.example.org/x.jpg")})
    run = site.build()
    assert run.code == 0 and "warning" not in run.stderr
    assert [set(i) for i in images(site, "2024/03/a/index.html")] == [{"src", "alt",
                                                                        "fetchpriority"}]
    assert "og:image:width" not in site.read("2024/03/a/index.html")


@pytest.mark.parametrize("files, settings, problem", [
    ({"content/images/photo.png": "PNG"}, "[images]\nenabled = false\n",
     "image '/images/photo.png' (content/images/photo.png) cannot be measured: not an image "
     "format reflexgen reads"),
    ({}, "", "image '/images/photo.png' (content/images/photo.png) cannot be measured: no such "
             "file"),
])
def test_a_local_image_that_cannot_be_measured_is_a_warning_naming_the_article(
        site, files, settings, problem):
    """A missing file is a broken link (a warning); so is an unreadable one when images are
    published as they are. Processed, it is an error (see test_article_photos.py)."""
    (site.root / "site.toml").write_text((site.root / "site.toml").read_text() + settings)
    site.write({**files, "content/posts/a.md": article("A", slug="a",
                                                       image="/images/photo.png")})
    run = site.build()
    assert run.code == 0
    assert f"content/posts/a.md:5: {problem}" in run.stderr  # the line of `image:`
    assert [set(i) for i in images(site, "2024/03/a/index.html")] == [{"src", "alt",
                                                                        "fetchpriority"}]
    assert site.build("--strict").code == 1


def full(site, **options):
    return build(BuildOptions(site_dir=site.root, jobs=1, **options), Reporter(verbosity=-1))


def test_an_edited_image_renders_again_the_pages_that_show_it(blog, tmp_path: Path):
    full(blog)
    picture(blog, "content/images/photo.png", (30, 40))  # only the image changes
    result = full(blog)
    assert A in result.rendered and "index.html" in result.rendered
    assert B not in result.rendered
    assert [(i["width"], i["height"]) for i in images(blog, A)] == [("30", "40")]
    fresh = tmp_path / "fresh"
    full(blog, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache")
    assert compare_trees(blog.root / "output", fresh) == []
    assert full(blog).rendered == ()  # and then nothing: the size is cached with the article


def test_a_watched_build_follows_an_image_edit(blog, tmp_path: Path):
    """The server names the files it saw change: an image alone is enough."""
    options = BuildOptions(site_dir=blog.root, jobs=1)
    cache = Cache(blog.root / ".reflexgen-cache")
    build(options, Reporter(verbosity=-1), cache)
    picture(blog, "content/images/photo.png", (10, 5))
    result = build(options, Reporter(verbosity=-1), cache,
                   changed={blog.root / "content/images/photo.png"})
    assert A in result.rendered and B not in result.rendered
    assert [(i["width"], i["height"]) for i in images(blog, A)] == [("10", "5")]
