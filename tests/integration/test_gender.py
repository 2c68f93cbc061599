"""Theme wording that agrees with the grammatical gender author files give (`gender:`)."""

from __future__ import annotations

import lxml.html
import pytest

from conftest import SITE_TOML, article

AUTHORS = {
    "content/authors/helene.md": '---\nname: "Hélène"\ngender: f\n---\nBio.\n',
    "content/authors/lea.md": '---\nname: "Léa"\ngender: F\n---\nBio.\n',  # any case
    "content/authors/karim.md": '---\nname: "Karim"\ngender: m\n---\nBio.\n',
    "content/authors/camille.md": '---\nname: "Camille"\n---\nBio.\n',  # unsaid
    "content/authors/sam.md": '---\nname: "Sam"\ngender: n\n---\nBio.\n',
}
NEUTRAL_BOX = "Qui a écrit cet article\u202f?"


def post(slug: str, authors: str, replier: str) -> str:
    """An article by `authors` where a reader's comment is answered by `replier`."""
    comments = ("[{id: 1, author: Lecteur, date: 2024-03-12, body: Une question},"
                f" {{id: 2, parent: 1, author: X, author_id: {replier}, date: 2024-03-13,"
                " body: Une réponse}]")
    return article(f"Billet {slug}", "2024-03-12", slug=slug, authors=authors,
                   comments=comments)


@pytest.fixture
def blog(site):
    site.write(AUTHORS)
    site.write({
        f"content/posts/{slug}.md": post(slug, authors, replier)
        for slug, authors, replier in [
            ("helene", "[helene]", "helene"), ("karim", "[karim]", "karim"),
            ("camille", "[camille]", "camille"), ("sam", "[sam]", "sam"),
            ("helene-lea", "[helene, lea]", "lea"), ("helene-karim", "[helene, karim]", "karim"),
            ("helene-camille", "[helene, camille]", "helene")]})
    return site


def page(site, rel: str):
    return lxml.html.fromstring(site.read(rel))


def box_title(site, slug: str) -> str:
    return page(site, f"2024/03/{slug}/index.html").get_element_by_id(
        "author-box-title").text_content()


def badge(site, slug: str) -> str:
    badges = page(site, f"2024/03/{slug}/index.html").find_class("badge")
    assert len(badges) == 1
    return badges[0].text_content()


def kicker(site, author: str) -> str:
    return page(site, f"authors/{author}/index.html").find_class("kicker")[0].text_content()


@pytest.mark.parametrize("slug, title, badge_text", [
    ("helene", "À propos de l’autrice", "Autrice"),
    ("karim", "À propos de l’auteur", "Auteur"),
    ("camille", NEUTRAL_BOX, "Signataire de l’article"),
    ("sam", NEUTRAL_BOX, "Signataire de l’article"),
    ("helene-lea", "À propos des autrices", "Autrice"),
    ("helene-karim", "À propos des auteurs", "Auteur"),
    ("helene-camille", "À propos des auteurs", "Autrice"),
])
def test_french_wording_agrees_with_the_authors(blog, slug, title, badge_text):
    assert blog.build().code == 0
    assert box_title(blog, slug) == title
    assert badge(blog, slug) == badge_text


@pytest.mark.parametrize("author, text", [
    ("helene", "Autrice"), ("karim", "Auteur"), ("camille", "Signature"), ("sam", "Signature"),
])
def test_author_pages_name_the_role_in_their_gender(blog, author, text):
    blog.build()
    assert kicker(blog, author) == text


def test_english_wording_is_the_same_for_everyone(blog):
    blog.write({"site.toml": SITE_TOML.replace('"fr"', '"en"')})
    assert blog.build().code == 0
    for slug in ("helene", "karim", "camille"):
        assert box_title(blog, slug) == "About the author"
        assert badge(blog, slug) == "Author"
    assert box_title(blog, "helene-lea") == "About the authors"
    assert kicker(blog, "helene") == kicker(blog, "karim") == "Authors"


def test_a_gender_the_theme_cannot_use_is_an_error_with_its_line(site):
    site.write({"content/authors/zoe.md": '---\nname: "Zoé"\ngender: femme\n---\nBio.\n',
                "content/posts/a.md": article(author="zoe")})
    run = site.build()
    assert run.code == 1
    assert ("content/authors/zoe.md:3: 'gender' must be f (feminine), m (masculine) or "
            "n (neutral), not 'femme'") in run.stderr
    assert "hint: write gender: f, gender: m or gender: n" in run.stderr
