"""Photos through a real build: `<picture>`s in the pages, renditions stripped of their
metadata, made once (also across --clean builds that keep the cache), removed when unused."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from conftest import article
from reflexgen.build import BuildOptions, build, compare_trees
from reflexgen.errors import BuildError, Reporter
from reflexgen.render import imaging

A, B = "2024/03/a/index.html", "2024/03/b/index.html"
BODY = ("Avant.\n\n![Un chat](/images/chat.jpg \"Le chat\")\n\nEntre.\n\n"
        "![Un schéma](/images/plan.svg)\n\n![Ailleurs](https://cdn.example.org/x.jpg)\n")


def photo(site, rel: str, size=(2000, 1500), colour="teal") -> None:
    """A phone photo: EXIF, with where it was taken."""
    path = site.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    exif[0x010F] = "Fairphone"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 29.0)})
    Image.new("RGB", size, colour).save(path, exif=exif)


@pytest.fixture
def blog(site):
    photo(site, "content/images/une.jpg")
    photo(site, "content/images/chat.jpg", (1000, 800), "orange")
    site.write({
        "content/images/plan.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="300" '
                                   'height="100"/>',
        "content/posts/a.md": article("A", "2024-03-02", slug="a", image="/images/une.jpg",
                                      body=BODY),
        "content/posts/b.md": article("B", "2024-03-01", slug="b", body=BODY)})
    return site


def imgs(site, rel: str, where: str = "//img") -> list[dict[str, str]]:
    return [dict(img.attrib) for img in lxml.html.fromstring(site.read(rel)).xpath(where)
            if "avatar" not in img.get("class", "")]


def run(site, **options):
    return build(BuildOptions(site_dir=site.root, jobs=1, **options), Reporter(verbosity=-1))


def test_pages_offer_pictures_with_sizes_and_load_the_first_image_first(blog):
    assert blog.build().code == 0
    page = lxml.html.fromstring(blog.read(A))
    featured, chat, schema, remote = imgs(blog, A, "//main//img")
    assert featured["fetchpriority"] == "high" and "loading" not in featured
    assert (featured["width"], featured["height"]) == ("2000", "1500")
    sources = page.xpath("//figure[@class='article__image']//source")
    assert [s.get("type") for s in sources] == ["image/avif", "image/webp"]
    assert all(s.get("sizes") and " 1600w" in s.get("srcset") for s in sources)
    assert chat["alt"] == "Un chat" and chat["title"] == "Le chat"
    assert (chat["width"], chat["height"], chat["loading"], chat["decoding"]) == \
        ("1000", "800", "lazy", "async")
    assert "480w" in chat["srcset"] and "1000w" in chat["srcset"] and "1200w" not in \
        chat["srcset"]  # never enlarged
    assert chat["src"].startswith("/resized/images/chat.") and chat["sizes"]
    assert (schema["src"], schema["width"], schema["height"], schema["loading"]) == \
        ("/images/plan.svg", "300", "100", "lazy")  # an SVG is shown as it is, sized
    assert remote == {"src": "https://cdn.example.org/x.jpg", "alt": "Ailleurs"}
    # Without an image of its own, an article's first body image is the page's first
    assert imgs(blog, B, "//main//img")[0]["fetchpriority"] == "high"
    card = page.xpath("//meta[@property='og:image']/@content")[0]
    assert card.startswith("https://blog.example.org/resized/images/une.")
    assert card.endswith(".card.jpg")
    assert page.xpath("//meta[@property='og:image:width']/@content") == ["1200"]
    assert page.xpath("//meta[@property='og:image:height']/@content") == ["630"]
    assert page.xpath("//meta[@name='twitter:image']/@content") == [card]
    output = blog.root / "output"
    with Image.open(output / card.removeprefix("https://blog.example.org/")) as image:
        assert image.size == (1200, 630)
    for rel in ("index.html",):  # the listing: the first card is the home page's first image
        assert imgs(blog, rel, "//a[@class='card__image']//img")[0]["fetchpriority"] == "high"


def test_no_published_file_says_where_a_photo_was_taken(blog):
    assert blog.build().code == 0
    output = blog.root / "output"
    published = [p for p in output.rglob("*") if p.suffix in (".jpg", ".webp", ".avif")]
    assert len(published) > 10 and output / "images/chat.jpg" in published
    for path in published:
        with Image.open(path) as image:
            assert not image.getexif(), path
    with Image.open(output / "images/une.jpg") as image:  # the original's own address
        assert image.size == (2000, 1500)


def test_an_unchanged_image_is_never_encoded_twice(blog, monkeypatch):
    first = run(blog)
    assert len(first.written) > 20
    monkeypatch.setattr(imaging, "make", lambda *a: pytest.fail("encoded again"))
    assert run(blog).up_to_date
    blog.write({"content/posts/b.md": article("B", "2024-03-01", slug="b", body=BODY + "\nPlus.")})
    assert B in (written := run(blog).written) and not any("images/" in w for w in written)
    shutil.rmtree(blog.root / "output")
    clean = run(blog, clean=True)  # --clean keeps the cache: nothing is encoded
    assert len(clean.written) == len(first.written)


def test_output_is_the_same_from_an_empty_cache(blog, tmp_path: Path):
    run(blog)
    fresh = tmp_path / "fresh"
    run(blog, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache")
    assert compare_trees(blog.root / "output", fresh) == []


def test_renditions_of_an_image_no_longer_shown_are_removed(blog, tmp_path: Path):
    run(blog)
    output = blog.root / "output"
    chat = {p.name for p in (output / "resized/images").glob("chat.*")}
    assert len(chat) > 5 and (output / "images/chat.jpg").is_file()
    blog.write({"content/posts/a.md": article("A", "2024-03-02", slug="a",
                                              image="/images/une.jpg"),
                "content/posts/b.md": article("B", "2024-03-01", slug="b")})
    result = run(blog)
    assert not list((output / "resized/images").glob("chat.*"))
    # still under content/: published, stripped, at its address
    assert (output / "images/chat.jpg").is_file()
    assert {f"resized/images/{name}" for name in chat} <= set(result.removed)
    photo(blog, "content/images/une.jpg", colour="navy")  # edited: new names, old ones gone
    before = {p.name for p in (output / "images").glob("une.*")}
    run(blog)
    after = {p.name for p in (output / "images").glob("une.*")}
    assert before & after == {"une.jpg"} and len(after) == len(before)
    fresh = tmp_path / "fresh"
    run(blog, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache")
    assert compare_trees(output, fresh) == []


def test_a_broken_photo_is_an_error_naming_the_article_and_the_image(site):
    site.write({"content/images/chat.jpg": "not a photo",
                "content/posts/a.md": article("A", slug="a",
                                              body="Texte.\n\n![Chat](/images/chat.jpg)")})
    result = site.build()
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "content/posts/a.md:8: image '/images/chat.jpg' (content/images/chat.jpg) cannot be " \
           "published: not an image format reflexgen reads" in result.stderr


def test_a_photo_cut_short_is_an_error_naming_the_article(site):
    photo(site, "content/images/chat.jpg")
    path = site.root / "content/images/chat.jpg"
    path.write_bytes(path.read_bytes()[:3000])
    site.write({"content/posts/a.md": article("A", slug="a", image="/images/chat.jpg")})
    with pytest.raises(BuildError) as info:
        run(site)
    problem = info.value.problems[0]
    assert str(problem.path).endswith("content/posts/a.md")
    assert "content/images/chat.jpg cannot be processed" in problem.message


def test_a_photo_of_too_many_pixels_is_refused(site):
    (site.root / "site.toml").write_text((site.root / "site.toml").read_text()
                                         + "[images]\nmax_pixels = 1000000\n")
    photo(site, "content/images/chat.jpg", (2000, 1500))
    site.write({"content/posts/a.md": article("A", slug="a", image="/images/chat.jpg")})
    result = site.build()
    assert result.code == 1
    assert "content/posts/a.md:5: image '/images/chat.jpg' (content/images/chat.jpg) cannot be " \
           "published: 2000×1500 is more than the 1000000 pixels allowed" in result.stderr


def test_with_images_disabled_files_are_published_as_they_are(blog):
    (blog.root / "site.toml").write_text((blog.root / "site.toml").read_text()
                                         + "[images]\nenabled = false\n")
    assert blog.build().code == 0
    assert not list((blog.root / "output/images").glob("chat.*.*"))
    assert (blog.root / "output/images/chat.jpg").read_bytes() == \
        (blog.root / "content/images/chat.jpg").read_bytes()
    chat = imgs(blog, A, "//main//img")[1]
    assert (chat["src"], chat["width"], chat["loading"]) == ("/images/chat.jpg", "1000", "lazy")


def test_a_photo_added_after_the_article_that_shows_it_is_picked_up(site, tmp_path: Path):
    site.write({"content/posts/a.md": article("A", slug="a",
                                              body="Texte.\n\n![Chat](/images/chat.jpg)")})
    run(site)  # a warning: no such file yet
    assert "width" not in imgs(site, "2024/03/a/index.html", "//main//img")[0]
    photo(site, "content/images/chat.jpg", (600, 400))
    assert "2024/03/a/index.html" in run(site).rendered
    assert imgs(site, "2024/03/a/index.html", "//main//img")[0]["width"] == "600"
    fresh = tmp_path / "fresh"
    run(site, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache")
    assert compare_trees(site.root / "output", fresh) == []


def test_a_link_to_a_photo_outside_content_is_not_published(site, tmp_path: Path):
    secret = tmp_path / "ailleurs"
    secret.mkdir()
    Image.new("RGB", (800, 600), "red").save(secret / "prive.jpg")
    (site.root / "content/images").mkdir(parents=True)
    (site.root / "content/images/lien.jpg").symlink_to(secret / "prive.jpg")
    (site.root / "content/images/dossier").symlink_to(secret)
    site.write({"content/posts/a.md": article(
        "A", "2024-03-02", slug="a",
        body="![l](/images/lien.jpg) ![d](/images/dossier/prive.jpg)")})
    run = site.build()
    assert run.code == 0
    assert "links to a place outside content/" in run.stderr
    published = [p.name for p in (site.root / "output").rglob("*") if "prive" in p.name
                 or "lien" in p.name]
    assert published == []


def test_an_animated_webp_is_published_with_all_its_frames(site):
    frames = [Image.new("RGB", (400, 300), colour) for colour in ("red", "green", "blue")]
    path = site.root / "content/images/anim.webp"
    path.parent.mkdir(parents=True)
    frames[0].save(path, save_all=True, append_images=frames[1:])
    site.write({"content/posts/a.md": article("A", "2024-03-02", slug="a",
                                              body="![anim](/images/anim.webp)")})
    assert site.build().code == 0
    with Image.open(site.root / "output/images/anim.webp") as published:
        assert published.n_frames == 3
    assert imgs(site, A, "//main//img")[0]["src"] == "/images/anim.webp"


def test_a_fresh_checkout_of_an_image_no_article_shows_is_not_encoded_again(site,
                                                                            monkeypatch):
    """New file times with the same bytes (a git clone on CI): its stripped copy comes from
    the cache; new bytes make a new one."""
    photo(site, "content/images/seule.jpg", (900, 600))
    site.write({"content/posts/a.md": article("A", "2024-03-02", slug="a")})
    assert run(site).written
    path = site.root / "content/images/seule.jpg"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    monkeypatch.setattr(imaging, "make", lambda *a: pytest.fail("encoded again"))
    run(site)
    monkeypatch.undo()
    photo(site, "content/images/seule.jpg", (900, 600), "navy")
    run(site)
    with Image.open(site.root / "output/images/seule.jpg") as published:
        assert published.getpixel((10, 10))[2] > 100  # the new, blue photo
        assert not published.getexif()
