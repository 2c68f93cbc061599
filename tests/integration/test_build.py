"""End to end: write a small site, run the CLI, read the HTML and the feeds."""

from __future__ import annotations

import html
import json
import re

import feedparser
import lxml.html
import pytest
from PIL import Image

from conftest import SITE_TOML, article

AUTHORS = {
    "content/authors/claire.md": """
        ---
        name: "Claire Dumas"
        gender: f
        website: https://claire.example.org
        social:
          mastodon: https://mastodon.example/@claire
        ---
        Claire écrit sur les **médias sociaux**.
        """,
    "content/authors/paul.md": '---\nname: "Paul Martin"\n---\nPaul, sans avatar.\n',
}

COMMENTED = """
---
title: "Réseaux sociaux : être où ne pas être ?"
date: 2024-03-12T09:30:00+01:00
author: claire
tags: ["médias sociaux", "stratégie"]
category: Marketing
comments:
  - id: 1
    author: "Jean <b>Lecteur</b>"
    email: jean.secret@example.com
    url: https://jean.example.org
    date: 2024-03-12T10:00:00+01:00
    body: "Premier avis, *argumenté*."
  - id: 2
    parent: 1
    author: "Claire Dumas"
    author_id: claire
    date: 2024-03-12T11:00:00+01:00
    body: Merci Jean !
  - id: 3
    author: Modération
    status: pending
    date: 2024-03-12T12:00:00+01:00
    body: EN ATTENTE
---
Introduction de l’article.

## Suite

La suite.
"""

SIDECAR = """
- id: 4
  parent: 2
  author: Zoé
  date: 2024-03-13T08:00:00+01:00
  body: "Une réponse à la réponse <script>alert(1)</script>"
- id: 5
  author: Spammeur
  status: spam
  date: 2024-03-13T09:00:00+01:00
  body: ACHETEZ
"""


@pytest.fixture
def blog(site):
    site.write(AUTHORS)
    site.write({
        "content/posts/2024/reseaux-sociaux-etre-ou-ne-pas-etre.md": COMMENTED,
        "content/posts/2024/reseaux-sociaux-etre-ou-ne-pas-etre.comments.yaml": SIDECAR,
        "content/posts/2024/le-seo-est-il-mort.md": article("Le SEO est-il mort ?", "2024-01-05",
                                             author="Paul Martin", tags='["SEO", "stratégie"]',
                                             category="Marketing", image="/img/seo.png"),
        "content/posts/2023/sujet-clos.md": article("Sujet clos", "2023-06-01 08:15",
                                                    author="claire", comments_open="false",
                                                    category='"Société"'),
        "content/posts/brouillon.md": article("Brouillon", "2024-02-01", draft="true"),
        "content/posts/demain.md": article("Demain", "2099-01-01"),
        "content/pages/a-propos.md": '---\ntitle: "À propos"\n---\nQui sommes-nous ?\n',
        "content/img/notes.txt": "Des notes.",
    })
    Image.new("RGB", (60, 40), "teal").save(site.root / "content/img/seo.png")
    return site


def test_article_page(blog):
    assert blog.build().code == 0
    html = blog.read("2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/index.html")
    assert re.search(r"<h1[^>]*>Réseaux sociaux\u00a0: être où ne pas être\u202f\?</h1>", html)
    assert "12 mars 2024" in html
    assert re.search(r'<span class="meta__words">\d+ mots</span>', html)
    assert '<h2 id="suite">' in html
    assert 'href="/tags/medias-sociaux/"' in html and 'href="/categories/marketing/"' in html
    assert "À propos de l’autrice" in html and "<strong>médias sociaux</strong>" in html
    assert 'href="https://mastodon.example/@claire"' in html


def test_comment_thread(blog):
    blog.build()
    html = blog.read("2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/index.html")
    title = "Réseaux sociaux\u00a0: être où ne pas être\u202f?"  # French typography
    assert f"3 réflexions sur «\u00a0{title}\u00a0»" in html
    # Replies sit inside their parent's element: 1 > 2 > 4.
    page = lxml.html.fromstring(html)
    assert page.xpath("//li[@id='comment-1']//li[@id='comment-2']//li[@id='comment-4']")
    assert not page.xpath("//li[@id='comment-1']//li[@id='comment-1']")
    assert re.search(r'<li class="comment comment--by-author" id="comment-2"', html)
    assert '<span class="badge">Autrice</span>' in html
    link = ('<a href="https://jean.example.org" rel="nofollow ugc">'
            "Jean &lt;b&gt;Lecteur&lt;/b&gt;</a>")
    assert link in html
    assert "<em>argumenté</em>" in html
    for hidden in ("EN ATTENTE", "ACHETEZ", "<script>alert(1)"):
        assert hidden not in html


def test_closed_comments_and_unknown_author_name(blog):
    run = blog.build()
    html = blog.read("2023/06/sujet-clos/index.html")
    assert "Les commentaires sont fermés." in html
    # "Paul Martin" is matched by name; no warning about it.
    assert "Paul Martin" in blog.read("2024/01/le-seo-est-il-mort/index.html")
    assert "matches no author" not in run.stderr


def test_listings(blog):
    blog.build()
    home = blog.read("index.html")
    titles = re.findall(r'<h2 class="card__title"><a href="([^"]+)"', home)
    assert titles == ["/2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/",
                      "/2024/01/le-seo-est-il-mort/", "/2023/06/sujet-clos/"]
    assert "3 commentaires" in home
    tag = blog.read("tags/strategie/index.html")
    assert "Le SEO est-\u2060il mort\u202f?" in tag and "Sujet clos" not in tag
    assert "Marketing" in blog.read("categories/marketing/index.html")
    assert "médias sociaux" in blog.read("tags/index.html")
    author = blog.read("authors/claire/index.html")
    assert "Claire Dumas" in author and "Sujet clos" in author and "Le SEO" not in author
    archives = blog.read("archives/index.html")
    assert "Mars 2024" in archives and "Juin 2023" in archives
    assert "Qui sommes-\u2060nous" in blog.read("a-propos/index.html")
    assert "Page introuvable" in blog.read("404.html")


def test_pagination(blog):
    (blog.root / "site.toml").write_text((blog.root / "site.toml").read_text() + "paginate = 2\n")
    blog.build()
    assert blog.exists("page/2/index.html") and not blog.exists("page/3/index.html")
    assert 'href="/page/2/"' in blog.read("index.html")
    assert 'href="/"' in blog.read("page/2/index.html")
    assert "Sujet clos" in blog.read("page/2/index.html")


def test_drafts_and_future_only_on_request(blog):
    blog.build()
    everything = "".join(p.read_text() for p in (blog.root / "output").rglob("*.*ml"))
    assert "Brouillon" not in everything and "Demain" not in everything
    blog.build("--drafts", "--future")
    banner = "Brouillon\u00a0: cet article n’est pas publié."
    assert banner in blog.read("2024/02/brouillon/index.html")
    assert "Programmé" in blog.read("2099/01/demain/index.html")


def test_static_files_copied_but_never_sources(blog):
    blog.build()
    assert blog.read("img/notes.txt") == "Des notes."
    with Image.open(blog.root / "output/img/seo.png") as image:  # published without metadata
        assert (image.format, image.size) == ("PNG", (60, 40))
    out = blog.root / "output"
    assert not list(out.rglob("*.md")) and not list(out.rglob("*.yaml"))
    assert blog.exists(blog.published("theme/style.css"))
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "jean.secret@example.com" not in everything


def test_markdown_sources_of_every_usual_extension_are_built_never_copied(site):
    site.write({
        "content/posts/mon-billet.markdown": article("Mon billet", "2024-03-01",
                                                     body="Le corps du billet."),
        "content/posts/mon-billet.comments.yaml":
            "- id: 1\n  author: Jean\n  email: jean.secret@example.com\n"
            "  date: 2024-03-02\n  body: Bien vu.\n",
        "content/posts/autre.MD": article("Autre", "2024-03-02"),
        "content/posts/vieux.mkd": article("Vieux", "2024-03-03"),
        "content/pages/contact.mdown": '---\ntitle: "Contact"\n---\nÉcrivez-nous.\n',
        "content/docs/lettre.txt": "---\ntitle: Brouillon\nemail: claire@example.org\n---\n",
        "content/docs/a-lire.txt": "Rien de secret.\n",
    })
    run = site.build()
    assert run.code == 0, run.stderr
    page = site.read("2024/03/mon-billet/index.html")
    assert "Le corps du billet." in page and "Bien vu." in page
    assert site.exists("2024/03/autre/index.html") and site.exists("2024/03/vieux/index.html")
    assert "Écrivez-\u2060nous." in site.read("contact/index.html")
    ids = {e.id for e in feedparser.parse(site.read("atom.xml")).entries}
    assert "tag:blog.example.org,2024-03-01:posts/mon-billet" in ids  # as for a .md file
    assert site.read("docs/a-lire.txt") == "Rien de secret.\n"
    out = site.root / "output"
    names = [p.name.lower() for p in out.rglob("*")]
    assert not [n for n in names if n.endswith((".markdown", ".md", ".mkd", ".mdown", ".yaml"))]
    assert not site.exists("docs/lettre.txt")
    assert "content/docs/lettre.txt:1: file starts with front matter" in run.stderr
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "jean.secret@example.com" not in everything
    assert "claire@example.org" not in everything


def test_feeds_parse_and_carry_content(blog):
    blog.build()
    for rel in ("feed.xml", "atom.xml", "tags/strategie/feed.xml", "authors/claire/feed.xml",
                "categories/marketing/feed.xml"):
        feed = feedparser.parse(blog.read(rel))
        assert feed.bozo == 0, (rel, feed.get("bozo_exception"))
        assert feed.entries and all(e.summary and e.link for e in feed.entries), rel
        # the site's feeds carry the whole articles, the others their summaries ([feeds])
        assert all(("content" in e) == ("/" not in rel) for e in feed.entries), rel
    assert not blog.exists("tags/strategie/atom.xml") and not blog.exists("authors/claire/atom.xml")
    rss = feedparser.parse(blog.read("feed.xml"))
    assert [e.title for e in rss.entries] == ["Réseaux sociaux\u00a0: être où ne pas être\u202f?",
                                              "Le SEO est-\u2060il mort\u202f?", "Sujet clos"]
    entry = rss.entries[0]
    assert entry.link == "https://blog.example.org/2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/"
    assert entry.id == \
        "tag:blog.example.org,2024-03-12:posts/2024/reseaux-sociaux-etre-ou-ne-pas-etre"
    assert entry.author == "Claire Dumas"
    assert "Introduction" in entry.summary and "La suite." in entry.content[0].value
    assert {t.term for t in entry.tags} == {"médias sociaux", "stratégie"}
    assert entry.published_parsed[:3] == (2024, 3, 12)
    atom = feedparser.parse(blog.read("atom.xml"))
    assert atom.entries[0].published_parsed[:3] == (2024, 3, 12) and atom.entries[0].updated
    assert atom.entries[0].id == entry.id and atom.entries[0].author == "Claire Dumas"
    assert [e.title for e in feedparser.parse(blog.read("authors/paul/feed.xml")).entries] == \
        ["Le SEO est-\u2060il mort\u202f?"]


def test_feed_links_are_absolute(blog):
    blog.write({"content/posts/img.md": article("Image", "2024-04-01", body="![x](/img/seo.png)")})
    blog.build()
    content = feedparser.parse(blog.read("feed.xml")).entries[0].content[0].value
    assert re.search(r' src="https://blog\.example\.org/resized/img/seo\.\w+\.60\.png"', content)
    assert re.search(r' srcset="https://blog\.example\.org/resized/img/seo\.\w+\.60\.avif 60w"',
                     html.unescape(blog.read("feed.xml")))  # which feedparser strips


def test_feed_limit(site):
    site.write({f"content/posts/p{i:02}.md": article(f"Article {i}", f"2024-01-{i + 1:02}")
                for i in range(25)})
    site.build()
    assert len(feedparser.parse(site.read("feed.xml")).entries) == 20


def test_two_builds_are_byte_identical(blog):
    blog.build()
    first = {p: p.read_bytes() for p in (blog.root / "output").rglob("*") if p.is_file()}
    blog.build()
    second = {p: p.read_bytes() for p in (blog.root / "output").rglob("*") if p.is_file()}
    assert first == second


def test_deleted_article_disappears(blog):
    blog.build()
    assert blog.exists("2024/01/le-seo-est-il-mort/index.html")
    blog.remove("content/posts/2024/le-seo-est-il-mort.md")
    blog.build()
    assert not blog.exists("2024/01/le-seo-est-il-mort/index.html")
    assert not blog.exists("tags/seo/index.html")


def test_sitemap_and_robots(blog):
    blog.build()
    sitemap = blog.read("sitemap.xml")
    url = "https://blog.example.org/2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/"
    assert f"<loc>{url}</loc>" in sitemap
    assert "404" not in sitemap and "brouillon" not in sitemap
    assert "Sitemap: https://blog.example.org/sitemap.xml" in blog.read("robots.txt")


def test_english_site(site):
    (site.root / "site.toml").write_text('title = "B"\nbase_url = "https://b.org"\n')
    site.write({"content/posts/reseaux-sociaux-etre-ou-ne-pas-etre.md": COMMENTED,
                "content/posts/reseaux-sociaux-etre-ou-ne-pas-etre.comments.yaml": SIDECAR})
    assert site.build().code == 0
    html = site.read("2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/index.html")
    assert "3 thoughts on “Réseaux sociaux : être où ne pas être ?”" in html
    assert "March 12, 2024" in html and '<html lang="en">' in html


def test_english_wording_has_english_punctuation(site):
    """Punctuation lives inside the translated strings: « Suivre : » in French, "Follow:" in
    English (the templates once wrote " :" after every language's string)."""
    (site.root / "site.toml").write_text('title = "B"\nbase_url = "https://b.org"\n'
                                         'language = "en"\n')
    site.write({
        "content/authors/claire.md": "---\nname: Claire\nsocial:\n"
                                     "  linkedin: https://www.linkedin.com/in/claire\n"
                                     "  github: https://github.com/claire\n"
                                     "  mastodon: https://mastodon.example/@claire\n"
                                     "  Bluesky: https://bsky.app/profile/claire\n---\nBio.\n",
        "content/posts/hello.md": article("Hello", "2024-03-01", author="claire", tags='["x"]',
                                      category="Notes", series="Saga"),
    })
    assert site.build().code == 0
    pages = ("2024/03/hello/index.html", "index.html", "tags/x/index.html",
             "categories/notes/index.html", "authors/claire/index.html", "series/saga/index.html",
             "archives/index.html", "tags/index.html", "404.html")
    for rel in pages:
        text = lxml.html.fromstring(site.read(rel)).text_content()
        assert " :" not in text and "\u00a0:" not in text, rel
    footer = lxml.html.fromstring(site.read("index.html")).xpath(
        "string(//p[@class='site-footer__feeds'])")
    assert " ".join(footer.split()) == "Follow: RSS feed · Atom feed · Subscribe"
    assert "Follow: <a" in site.read("tags/x/index.html")
    author = lxml.html.fromstring(site.read("authors/claire/index.html"))
    assert author.xpath("//ul[@class='author-links']//a/text()") == [
        "LinkedIn", "GitHub", "Mastodon", "Bluesky"]
    assert "Series: Saga" in site.read("2024/03/hello/index.html")


def test_french_wording_keeps_its_no_break_space_before_colons(site):
    site.write({"content/posts/a.md": article("Bonjour", "2024-03-01", tags='["x"]')})
    assert site.build().code == 0
    for rel in ("index.html", "tags/x/index.html"):
        html = site.read(rel)
        assert "Suivre\u00a0:" in html and "Suivre :" not in html and "Suivre\u00a0: :" not in html


def test_custom_permalink_and_subpath(site):
    (site.root / "site.toml").write_text(
        'title = "B"\nbase_url = "https://b.org/blog"\npermalink = "/posts/{slug}/"\n')
    site.write({"content/posts/bonjour.md": article("Bonjour")})
    site.build()
    assert site.exists("posts/bonjour/index.html")
    assert 'href="/blog/posts/bonjour/"' in site.read("index.html")
    assert feedparser.parse(site.read("feed.xml")).entries[0].link == \
        "https://b.org/blog/posts/bonjour/"


def test_toml_front_matter_article(site):
    site.write({"content/posts/en-toml.md": '+++\ntitle = "En TOML"\ndate = 2024-05-01\n'
                                      'tags = ["a"]\n+++\nCorps.\n'})
    assert site.build().code == 0
    assert "En TOML" in site.read("2024/05/en-toml/index.html")


def test_output_option(site, tmp_path):
    site.write({"content/posts/a.md": article()})
    assert site.build("--output", str(tmp_path / "public")).code == 0
    assert (tmp_path / "public" / "index.html").exists()
    assert not (site.root / "output").exists()


def test_site_theme_overrides_single_templates_and_strings(site):
    site.write({
        "content/posts/un-titre.md": article(note='"Spéciale"'),
        "themes/default/templates/article.html": "{{ article.extra.note }} {{ t('home') }}",
        "themes/default/i18n/fr.toml": 'home = "Maison"\n',
    })
    assert site.build().code == 0
    assert site.read("2024/03/un-titre/index.html") == "Spéciale Maison"
    assert "Étiquettes" in site.read("tags/index.html")  # the rest comes from the default theme


def test_links_out_of_content_are_not_followed(site, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("hunter2")
    site.write({"content/posts/a.md": article()})
    (site.root / "content/leak.txt").symlink_to(secret / "passwords.txt")
    (site.root / "content/leakdir").symlink_to(secret)
    (site.root / "content/img").mkdir()
    (site.root / "content/img/logo.svg").write_text("<svg/>")
    (site.root / "content/alias").symlink_to(site.root / "content/img")
    run = site.build()
    assert run.code == 0
    assert run.stderr.count("outside content/ skipped") == 2
    assert not site.exists("leak.txt") and not site.exists("leakdir/passwords.txt")
    assert site.read("alias/logo.svg") == "<svg/>"


def test_aliases_lead_old_urls_to_the_new_ones(site):
    site.write({"content/posts/a.md": article(
        "Un billet déménagé", "2024-03-12", slug="demenage",
        aliases='["/2012/05/ancien/", "/index.php/old", "/?p=168", '
                '"https://ancien.example/l%C3%A9t%C3%A9/", "/2024/03/demenage/"]')})
    assert site.build().code == 0
    target = "https://blog.example.org/2024/03/demenage/"
    for rel in ("2012/05/ancien/index.html", "index.php/old/index.html", "lété/index.html"):
        page = lxml.html.fromstring(site.read(rel))
        assert page.xpath("//meta[@http-equiv='refresh']/@content") == ["0; url=/2024/03/demenage/"]
        assert page.xpath("//link[@rel='canonical']/@href") == [target]
        assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert "Un billet déménagé" in site.read("2024/03/demenage/index.html")  # own URL: no redirect
    netlify = site.read("_redirects").splitlines()
    assert "/2012/05/ancien/  /2024/03/demenage/  301" in netlify
    assert "/l%C3%A9t%C3%A9/  /2024/03/demenage/  301" in netlify
    assert "/  p=168  /2024/03/demenage/  301" in netlify  # a query: Netlify's parameter match
    nginx = site.read("redirects.nginx.conf")
    assert '    "/?p=168" "/2024/03/demenage/";' in nginx.splitlines()
    assert nginx.count("/2024/03/demenage/") == 4
    assert "ancien" not in site.read("sitemap.xml")


def test_no_redirect_lists_without_aliases(site):
    site.write({"content/posts/a.md": article()})
    assert site.build().code == 0
    assert not site.exists("_redirects") and not site.exists("redirects.nginx.conf")


def test_pinned_articles_come_first_on_the_home_page(blog):
    blog.write({"content/posts/2023/sujet-clos.md": blog.root.joinpath(
        "content/posts/2023/sujet-clos.md").read_text().replace("---\n", "---\npinned: true\n", 1)})
    assert blog.build().code == 0
    home = blog.read("index.html")
    assert re.findall(r'<h2 class="card__title"><a href="([^"]+)"', home)[0] \
        == "/2023/06/sujet-clos/"
    assert "À la une" in home
    archives = blog.read("archives/index.html")  # elsewhere, newest first as always
    assert archives.index("Réseaux sociaux") < archives.index("Sujet clos")


def test_related_articles_under_each_article(blog):
    assert blog.build().code == 0
    page = lxml.html.fromstring(blog.read("2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/index.html"))
    assert page.xpath("string(//h2[@id='related-title'])") == "À lire aussi"
    assert page.xpath("//aside[@class='related']//a/@href") == ["/2024/01/le-seo-est-il-mort/"]
    lonely = lxml.html.fromstring(blog.read("2023/06/sujet-clos/index.html"))
    assert not lonely.xpath("//aside[@class='related']")  # no shared tag: no section


def structured_data(page) -> dict:
    (script,) = page.xpath("//script[@type='application/ld+json']/text()")
    return json.loads(script)


def test_sharing_and_search_metadata(blog):
    assert blog.build().code == 0
    url = "https://blog.example.org/2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/"
    page = lxml.html.fromstring(blog.read("2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/index.html"))

    def meta(name):
        return page.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")

    title = "Réseaux sociaux\u00a0: être où ne pas être\u202f?"
    assert meta("og:type") == ["article"] and meta("og:title") == [title]
    assert meta("og:url") == [url] and page.xpath("//link[@rel='canonical']/@href") == [url]
    assert meta("og:locale") == ["fr_FR"] and meta("description") == meta("og:description")
    assert meta("article:published_time") == ["2024-03-12T09:30:00+01:00"]
    assert meta("article:author") == ["https://blog.example.org/authors/claire/"]
    assert meta("article:tag") == ["médias sociaux", "stratégie"]
    assert meta("twitter:card") == ["summary"]
    assert page.xpath("//link[@hreflang='fr']/@href") == [url]
    data = structured_data(page)
    assert data["@type"] == "BlogPosting" and data["headline"] == title
    assert data["author"] == [{"@type": "Person", "name": "Claire Dumas",
                               "url": "https://blog.example.org/authors/claire/",
                               "sameAs": ["https://claire.example.org",
                                          "https://mastodon.example/@claire"]}]
    assert data["datePublished"] == "2024-03-12T09:30:00+01:00"
    assert data["keywords"] == ["médias sociaux", "stratégie"]
    assert data["commentCount"] == 3 and "comment" not in data  # counted, not copied
    assert "alert(1)" not in page.xpath("//script[@type='application/ld+json']")[0].text

    author = structured_data(lxml.html.fromstring(blog.read("authors/claire/index.html")))
    assert author["@type"] == "Person" and author["name"] == "Claire Dumas"
    assert "médias sociaux" in author["description"]
    home = lxml.html.fromstring(blog.read("index.html"))
    assert {n["@type"] for n in structured_data(home)["@graph"]} == {"Blog", "WebSite"}
    assert home.xpath("//meta[@property='og:type']/@content") == ["website"]
    tag = lxml.html.fromstring(blog.read("tags/strategie/index.html"))
    assert tag.xpath("//meta[@property='og:url']/@content") \
        == ["https://blog.example.org/tags/strategie/"]


def test_each_discussion_has_its_comments_feed(blog):
    assert blog.build().code == 0
    folder = "2024/03/reseaux-sociaux-etre-ou-ne-pas-etre/"
    page = lxml.html.fromstring(blog.read(folder + "index.html"))
    assert page.xpath("//link[@type='application/atom+xml']/@href")[-1] \
        == f"/{folder}comments.atom"
    assert page.xpath("//p[@class='comments__feed']/a/@href") == [f"/{folder}comments.atom"]
    feed = feedparser.parse(blog.read(folder + "comments.atom"))
    assert feed.bozo == 0 and feed.feed.language == "fr"
    assert len(feed.entries) == 3  # the approved ones, newest first
    assert [e.published for e in feed.entries] == sorted((e.published for e in feed.entries),
                                                         reverse=True)
    assert len({e.id for e in feed.entries}) == 3
    assert all(e.link.startswith(f"https://blog.example.org/{folder}#comment-")
               for e in feed.entries)
    assert "EN ATTENTE" not in blog.read(folder + "comments.atom")
    assert not blog.exists("2024/01/le-seo-est-il-mort/comments.atom")  # no comment, no feed


def test_series_page_and_navigation(site):
    site.write({f"content/posts/{slug}.md": article(title, date, series='"Le feuilleton"',
                                                    slug=slug)
                for slug, title, date in (("deux", "Deuxième épisode", "2024-02-01"),
                                          ("un", "Premier épisode", "2024-01-01"),
                                          ("trois", "Troisième épisode", "2024-03-01"))})
    site.write({"content/posts/autre.md": article("Hors série", "2024-01-15", slug="autre")})
    assert site.build().code == 0
    listing = lxml.html.fromstring(site.read("series/le-feuilleton/index.html"))
    assert listing.xpath("//a[@class='series-list__link']/text()") == [
        "Premier épisode", "Deuxième épisode", "Troisième épisode"]  # reading order
    middle = lxml.html.fromstring(site.read("2024/02/deux/index.html"))
    assert middle.xpath("string(//p[@class='series-nav__title'])") \
        == "Série\u00a0: Le feuilleton · épisode 2 sur 3"
    assert middle.xpath("//nav[@class='series-nav']/a[@rel='prev']/@href") == ["/2024/01/un/"]
    assert middle.xpath("//nav[@class='series-nav']/a[@rel='next']/@href") == ["/2024/03/trois/"]
    first = lxml.html.fromstring(site.read("2024/01/un/index.html"))
    assert not first.xpath("//a[@rel='prev']") and first.xpath("//a[@rel='next']")
    assert not lxml.html.fromstring(site.read("2024/01/autre/index.html")).xpath(
        "//nav[@class='series-nav']")
    assert "/series/le-feuilleton/" in site.read("sitemap.xml")


def test_tagline_gets_the_typography_of_titles(site):
    site.write({"site.toml": SITE_TOML + "description = 'Peut-on \"tout\" dire ?'\n",
                "content/posts/a.md": article("Faut-il partir ?", slug="a")})
    assert site.build().code == 0
    tagline = "Peut-\u2060on «\u00a0tout\u00a0» dire\u202f?"
    home = lxml.html.fromstring(site.read("index.html"))
    assert home.xpath("string(//p[@class='site-tagline'])") == tagline
    assert home.xpath("//meta[@name='description']/@content") == [tagline]
    assert feedparser.parse(site.read("feed.xml")).feed.description == tagline
    title = "Faut-\u2060il partir\u202f?"
    assert lxml.html.fromstring(site.read("2024/03/a/index.html")).xpath(
        "string(//h1)") == title
