import importlib.util
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slugify import slugify as python_slugify

from reflexgen import urls
from reflexgen.urls import slug as slugify


@pytest.mark.parametrize("text, slug", [
    ("Réseaux sociaux : Etre où ne pas être ?", "reseaux-sociaux-etre-ou-ne-pas-etre"),
    ("médias sociaux", "medias-sociaux"),
    ("L’été du cœur", "l-ete-du-coeur"),
    ("Ça commence — ici", "ca-commence-ici"),
])
def test_slugs_are_transliterated(text, slug):
    assert slugify(text) == slug


def test_article_url_pattern():
    when = datetime(2024, 3, 5)
    assert urls.article_url("/{year}/{month}/{slug}/", "x", when, None) == "/2024/03/x/"
    assert urls.article_url("/{category}/{day}/{slug}/", "x", when, "tech") == "/tech/05/x/"


def test_pagination_urls():
    assert urls.paged("/tags/a/", 1) == "/tags/a/"
    assert urls.paged("/tags/a/", 3) == "/tags/a/page/3/"


def test_output_paths():
    assert urls.output_path("/") == "index.html"
    assert urls.output_path("/a/b/") == "a/b/index.html"
    assert urls.output_path("/404.html") == "404.html"


@pytest.mark.parametrize("url", ["/../x/", "/a/../../b/", "/a\\b/", "/"[:0]])
def test_output_paths_never_escape(url):
    with pytest.raises(ValueError):
        urls.output_path(url)


def test_rebase_makes_relative_links_root_relative():
    from reflexgen.urls import rebase

    html = ('<a href="../b/">b</a> <a href="#note">n</a> <img src="photo.jpg"> '
            '<a href="/c/">c</a> <a href="https://x.org/">x</a> <a href="mailto:a@b.c">m</a>')
    assert rebase(html, "/2024/03/a/") == (
        '<a href="/2024/03/b/">b</a> <a href="/2024/03/a/#note">n</a> '
        '<img src="/2024/03/a/photo.jpg"> <a href="/c/">c</a> <a href="https://x.org/">x</a> '
        '<a href="mailto:a@b.c">m</a>')


@pytest.mark.parametrize("url, file", [
    ("/images/x.jpg", "images/x.jpg"),
    ("/images/une%20photo.png?v=2#haut", "images/une photo.png"),
    ("https://cdn.example.org/x.jpg", None), ("//cdn.example.org/x.jpg", None),
    ("images/x.jpg", None), ("/images/", None), ("/../../etc/passwd", None),
    ("/images/%2e%2e/%2e%2e/x.jpg", None), ("data:image/png;base64,AAAA", None),
])
def test_the_content_file_a_site_path_names(url, file):
    assert urls.content_file(url) == file


@pytest.mark.skipif(importlib.util.find_spec("unidecode") is not None,
                    reason="python-slugify's default prefers Unidecode when it is installed")
@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_slugs_are_those_of_python_slugifys_default(text):
    """Naming its transliterator changes nothing: without Unidecode, "auto" is text-unidecode."""
    assert slugify(text) == python_slugify(text, replacements=urls.APOSTROPHES)
