"""`reflexgen import wordpress`, on a real export written by others and on WXR files written
here for each rule; every import is followed by a real build."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from xml.sax.saxutils import escape

import lxml.html
import pytest
import yaml
from PIL import Image

from conftest import REPO, Site, cli

CORPUS = REPO.parent / "shared" / "corpora" / "wordpress" / "pelican-tests-wordpressexport.xml"
NAMESPACES = {
    "1.0": 'xmlns:wp="http://wordpress.org/export/1.0/" '
           'xmlns:excerpt="http://wordpress.org/export/1.0/excerpt/"',
    "1.1": 'xmlns:wp="http://wordpress.org/export/1.1/" '
           'xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/"',
    "1.2": 'xmlns:wp="http://wordpress.org/export/1.2/" '
           'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"',
}


def comment(cid, body="Un avis.", parent=0, approved="1", kind="", author="Zoé",
            url="", date="2024-03-02 10:00:00"):
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
            f"<wp:comment_author><![CDATA[{author}]]></wp:comment_author>"
            f"<wp:comment_author_email>secret{cid}@mail.example</wp:comment_author_email>"
            f"<wp:comment_author_url>{url}</wp:comment_author_url>"
            f"<wp:comment_author_IP>203.0.113.{cid}</wp:comment_author_IP>"
            f"<wp:comment_date>{date}</wp:comment_date>"
            f"<wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[{body}]]></wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved>"
            f"<wp:comment_type>{kind}</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>")


def item(post_id, title, body="Du texte.", *, name=None, kind="post", status="publish",
         date="2024-03-01 10:00:00", gmt="2024-03-01 09:00:00", link=None, creator="claire",
         terms=(), comments=(), excerpt="", sticky=0, parent=0, attachment=""):
    name = name if name is not None else f"billet-{post_id}"
    link = link if link is not None else f"https://ancien.example/{name}/"
    cats = "".join(f'<category domain="{d}" nicename="{n}"><![CDATA[{t}]]></category>'
                   for d, n, t in terms)
    return (f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f"<dc:creator>{creator}</dc:creator><guid>https://ancien.example/?p={post_id}</guid>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>{date}</wp:post_date>"
            f"<wp:post_date_gmt>{gmt}</wp:post_date_gmt><wp:post_name>{name}</wp:post_name>"
            f"<wp:status>{status}</wp:status><wp:post_parent>{parent}</wp:post_parent>"
            f"<wp:post_type>{kind}</wp:post_type><wp:is_sticky>{sticky}</wp:is_sticky>"
            f"<wp:attachment_url>{attachment}</wp:attachment_url>"
            f"{cats}{''.join(comments)}</item>")


AUTHOR = ("<wp:author><wp:author_id>1</wp:author_id><wp:author_login>claire</wp:author_login>"
          "<wp:author_email>claire@mail.example</wp:author_email>"
          "<wp:author_description><![CDATA[Elle écrit sur <em>les médias</em>.]]>"
          "</wp:author_description>"
          "<wp:author_display_name><![CDATA[Claire Dumas]]></wp:author_display_name>"
          "<wp:author_first_name><![CDATA[Claire]]></wp:author_first_name>"
          "<wp:author_last_name><![CDATA[Dumas]]></wp:author_last_name></wp:author>")


def wxr(*items: str, version: str = "1.2", authors: str = AUTHOR) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {NAMESPACES[version]} '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel><title>Ancien</title>'
            f"<link>https://ancien.example</link><wp:wxr_version>{version}</wp:wxr_version>"
            "<wp:base_site_url>https://ancien.example</wp:base_site_url>"
            f"{authors}{''.join(items)}</channel></rss>\n")


def run(*args: str) -> tuple[int, str]:
    result = cli(*args)
    return result.code, result.stderr


def imported(site: Site, export: str, *args: str) -> str:
    path = site.root / "export.xml"
    path.write_text(export, encoding="utf-8")
    code, err = run("import", "wordpress", str(path), "--site", str(site.root), *args)
    assert code == 0, err
    return err


def built(site: Site) -> None:
    code, err = run("build", "--site", str(site.root))
    assert code == 0, err


def front(site: Site, rel: str) -> tuple[dict, str]:
    _, header, body = (site.root / rel).read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(header), body


def test_real_export_imports_and_builds(site):
    if not CORPUS.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CORPUS} is missing: CI has ../shared beside the repository")
        pytest.skip(f"needs ../shared (not in a user's clone): {CORPUS}")
    code, err = run("import", "wordpress", str(CORPUS), "--site", str(site.root))
    assert code == 0, err
    report = (site.root / "import-report.md").read_text(encoding="utf-8")
    for line in ("| posts | 11 |", "| of which drafts | 4 |", "| pages | 2 |",
                 "| comments kept | 3 |", "1 × comment in the trash", "2 × post type 'custom1'"):
        assert line in report
    meta, _ = front(site, "content/posts/2012/with-comments.md")
    assert meta["aliases"] == ["/with-comments/", "/?p=422"]
    built(site)
    page = lxml.html.fromstring(site.read("2012/04/with-comments/index.html"))
    assert "3 réflexions sur «\u00a0With comments\u00a0»" in page.text_content()
    reply = page.xpath("//li[@id='comment-116']/ol[@class='comment__replies']/li/@id")
    assert reply == ["comment-117"]  # Bob answers User2, in the thread
    assert "0; url=/2012/04/with-comments/" in site.read("with-comments/index.html")
    code_page = site.read("2012/02/code-in-list-test/index.html")
    assert "for i in zip(a, b):" in code_page
    everything = "".join(p.read_text(encoding="utf-8", errors="replace")
                         for p in (site.root / "content").rglob("*") if p.is_file())
    assert "@mail.test" not in everything and "127.0.0.1" not in everything


def test_posts_pages_and_authors(site):
    imported(site, wxr(
        item(1, "L’été « chaud » des réseaux", "Premier.\n\nSecond <em>paragraphe</em>.",
             name="l%c3%a9t%c3%a9-chaud", excerpt="Un résumé.", sticky=1,
             terms=[("category", "societe", "Société"), ("category", "uncategorized",
                                                          "Uncategorized"),
                    ("post_tag", "medias", "Médias"), ("post_tag", "ete", "Été")]),
        item(2, "Brouillon", status="draft", gmt="0000-00-00 00:00:00",
             date="2024-03-05 08:00:00"),
        item(3, "En attente", status="pending"), item(4, "Privé", status="private"),
        item(5, "À la corbeille", status="trash"),
        item(6, "Programmé", status="future", date="2030-01-01 10:00:00",
             gmt="2030-01-01 09:00:00"),
        item(7, "", name=""),  # no title, no slug
        item(8, "À propos", "Qui nous sommes.", kind="page", name="a-propos",
             link="https://ancien.example/qui/a-propos/"),
        item(9, "Archives", kind="page", name="archives"),
        item(10, "Une image", kind="attachment", status="inherit",
             attachment="https://ancien.example/wp-content/uploads/i.png"),
        item(11, "Menu", kind="nav_menu_item")))
    meta, body = front(site, "content/posts/2024/lete-chaud.md")
    assert meta["title"] == "L’été « chaud » des réseaux"
    assert meta["date"] == "2024-03-01T10:00:00+01:00"  # GMT, in the site's timezone
    assert meta["category"] == "Société" and meta["tags"] == ["Médias", "Été"]
    assert meta["summary"] == "Un résumé." and meta["pinned"] is True
    assert meta["author"] == "claire" and meta["wordpress_id"] == 1
    assert meta["aliases"] == ["/lété-chaud/", "/?p=1"]
    assert body == "Premier.\n\nSecond *paragraphe*.\n"
    assert front(site, "content/posts/2024/billet-2.md")[0]["date"] == "2024-03-05T08:00:00+01:00"
    for draft in ("billet-2", "billet-3", "billet-4"):
        assert front(site, f"content/posts/2024/{draft}.md")[0]["draft"] is True
    assert not (site.root / "content/posts/2024/billet-5.md").exists()
    assert "draft" not in front(site, "content/posts/2030/billet-6.md")[0]
    assert front(site, "content/posts/2024/sans-titre-7.md")[0]["title"] == "Sans titre (7)"
    page, _ = front(site, "content/pages/a-propos.md")
    assert page["aliases"] == ["/qui/a-propos/", "/?page_id=8"]
    assert "slug" not in front(site, "content/pages/archives-1.md")[0]  # its file name says it
    author, bio = front(site, "content/authors/claire.md")
    assert author == {"name": "Claire Dumas", "first_name": "Claire", "last_name": "Dumas"}
    assert bio == "Elle écrit sur *les médias*.\n"
    assert "claire@mail.example" not in (site.root / "content/authors/claire.md").read_text()
    report = (site.root / "import-report.md").read_text(encoding="utf-8")
    for line in ("| posts | 6 |", "| of which drafts | 3 |", "| pages | 2 |", "| authors | 1 |",
                 "| tags | 2 |", "| categories | 1 |", "1 × post with status 'trash'",
                 "1 × post type 'nav_menu_item'", "WordPress item 7 had no title"):
        assert line in report
    built(site)
    assert "Premier." in site.read("2024/03/lete-chaud/index.html")
    assert "0; url=/2024/03/lete-chaud/" in site.read("lété-chaud/index.html")
    assert "0; url=/a-propos/" in site.read("qui/a-propos/index.html")
    assert "/  p=1  /2024/03/lete-chaud/  301" in site.read("_redirects").splitlines()
    assert '"/?page_id=8" "/a-propos/";' in site.read("redirects.nginx.conf")


def test_comments_threads_moderation_and_privacy(site):
    imported(site, wxr(item(1, "Débat", comments=[
        comment(1, "Premier <b>avis</b>.\n\nDeux paragraphes."),
        comment(2, "Réponse.", parent=1, url="https://lecteur.example"),
        comment(3, "Spam !", approved="spam"),
        comment(4, "Réponse au spam.", parent=3),  # goes up to the top level
        comment(5, "En attente.", approved="0", parent=2),
        comment(6, "À la corbeille.", approved="trash"),
        comment(7, "[...] un lien [...]", kind="pingback", author="Autre blog"),
        comment(8, "<script>alert(1)</script>Texte <a href='javascript:x()'>lien</a>",
                author="<b>Mallory</b>")])))
    sidecar = (site.root / "content/posts/2024/billet-1.comments.yaml").read_text()
    assert "mail.example" not in sidecar and "203.0.113" not in sidecar
    comments = {c["id"]: c for c in yaml.safe_load(sidecar)}
    assert set(comments) == {"1", "2", "4", "5", "8"}
    assert comments["1"]["body"] == "Premier **avis**.\n\nDeux paragraphes.\n"
    assert comments["2"] == {"id": "2", "parent": "1", "author": "Zoé",
                             "url": "https://lecteur.example",
                             "date": "2024-03-02T10:00:00+01:00", "body": "Réponse.\n"}
    assert "parent" not in comments["4"]
    assert comments["5"]["status"] == "pending" and comments["5"]["parent"] == "2"
    assert comments["8"]["author"] == "Mallory"
    report = (site.root / "import-report.md").read_text(encoding="utf-8")
    for line in ("| comments kept | 5 |", "| of which pending | 1 |", "1 × spam comment",
                 "1 × comment in the trash", "1 × pingback (use --pingbacks)"):
        assert line in report
    built(site)
    page = lxml.html.fromstring(site.read("2024/03/billet-1/index.html"))
    assert page.xpath("//li[@id='comment-1']/ol/li[@id='comment-2']")  # a threaded reply
    text = page.text_content()
    assert "Deux paragraphes." in text and "Réponse au spam." in text
    assert "En attente." not in text  # pending: imported, not shown
    assert not page.xpath("//script[contains(., 'alert')]")
    assert not [h for h in page.xpath("//@href") if h.startswith("javascript")]


def test_pingbacks_are_kept_when_asked(site):
    imported(site, wxr(item(1, "Cité", comments=[
        comment(1, "Nous en parlons aussi.", kind="pingback", author="Autre blog",
                url="https://autre.example/billet/")])), "--pingbacks")
    comments = yaml.safe_load((site.root / "content/posts/2024/billet-1.comments.yaml")
                              .read_text())
    assert comments[0]["author"] == "Autre blog"
    assert comments[0]["url"] == "https://autre.example/billet/"


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_is_read(site, version):
    imported(site, wxr(item(1, "Billet"), version=version))
    assert (site.root / "content/posts/2024/billet-1.md").exists()


def test_uploads_are_copied_and_links_rewritten(site, tmp_path):
    uploads = tmp_path / "uploads"
    (uploads / "2012/02").mkdir(parents=True)
    Image.new("RGB", (40, 30), "teal").save(uploads / "2012/02/pelican.png")
    png = (uploads / "2012/02/pelican.png").read_bytes()
    body = ('<img src="https://ancien.example/wp-content/uploads/2012/02/pelican.png" alt="P" />'
            '\n\n<a href="https://ancien.example/wp-content/uploads/2012/02/absent.pdf">PDF</a>')
    imported(site, wxr(item(1, "Images", body)), "--uploads", str(uploads))
    _, markdown = front(site, "content/posts/2024/billet-1.md")
    assert "![P](/wp-content/uploads/2012/02/pelican.png)" in markdown
    assert (site.root / "content/wp-content/uploads/2012/02/pelican.png").read_bytes() == png
    report = (site.root / "import-report.md").read_text(encoding="utf-8")
    assert "| media copied | 1 |" in report
    assert "- https://ancien.example/wp-content/uploads/2012/02/absent.pdf" in report
    built(site)
    assert site.exists("wp-content/uploads/2012/02/pelican.png")


def test_without_uploads_media_stay_absolute_and_are_listed(site):
    url = "https://ancien.example/wp-content/uploads/2012/02/pelican.png"
    imported(site, wxr(item(1, "Images", f'<img src="{url}" alt="P" />')))
    assert f"![P]({url})" in front(site, "content/posts/2024/billet-1.md")[1]
    report = (site.root / "import-report.md").read_text(encoding="utf-8")
    assert f"- {url}" in report and "use --uploads DIR" in report


def test_rerun_spares_edited_files_unless_forced(site):
    export = wxr(item(1, "Premier"), item(2, "Second"))
    imported(site, export)
    first = site.root / "content/posts/2024/billet-1.md"
    second = site.root / "content/posts/2024/billet-2.md"
    before = second.stat().st_mtime_ns
    first.write_text(first.read_text() + "\nAjout de l’autrice.\n")
    err = imported(site, export)
    assert "Ajout de l’autrice." in first.read_text()  # edited: kept
    assert "content/posts/2024/billet-1.md" in err and "--force" in err
    assert second.stat().st_mtime_ns == before  # unchanged: not even rewritten
    imported(site, export, "--force")
    assert "Ajout de l’autrice." not in first.read_text()


def test_dry_run_writes_nothing(site):
    err = imported(site, wxr(item(1, "Premier")), "--dry-run")
    assert "| posts | 1 |" in err and "nothing was written" in err
    assert sorted(p.name for p in site.root.iterdir()) == ["export.xml", "site.toml"]


@pytest.mark.parametrize("export, expected", [
    ('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
     "not a WordPress export: no <wp:wxr_version>"),
    ('<?xml version="1.0"?><html><body>page</body></html>',
     "not a WordPress export: its root element is <html>"),
    (wxr(item(1, "Premier")).replace("</channel>", "<item><title>cassé</channel>"),
     "export.xml:3: malformed XML"),
    (wxr(item(1, "Premier"), version="1.2").replace(">1.2<", ">2.0<"),
     "unknown WXR version '2.0'"),
])
def test_bad_exports_write_nothing(site, export, expected):
    (site.root / "export.xml").write_text(export, encoding="utf-8")
    code, err = run("import", "wordpress", str(site.root / "export.xml"), "--site",
                    str(site.root))
    assert code == 1 and expected in err and "Traceback" not in err
    assert sorted(p.name for p in site.root.iterdir()) == ["export.xml", "site.toml"]


def test_missing_site_or_export(tmp_path):
    code, err = run("import", "wordpress", str(tmp_path / "absent.xml"), "--site",
                    str(tmp_path))
    assert code == 1 and "absent.xml" in err and "cannot read" in err
    assert list(tmp_path.iterdir()) == []  # no site.toml made for an export that is not there
    (tmp_path / "site.toml").write_text('title = "x"\nbase_url = "https://x.example"\n')
    code, err = run("import", "wordpress", str(tmp_path / "absent.xml"), "--site",
                    str(tmp_path))
    assert code == 1 and "absent.xml" in err and "cannot read" in err


PEAK = """
import resource, sys
from reflexgen.cli import main
code = main(["-q", "import", "wordpress", sys.argv[1], "--site", sys.argv[2]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
sys.exit(code)
"""


def test_memory_stays_bounded_on_a_large_export(tmp_path):
    """Four times the posts and comments must not cost four times the memory."""
    peaks = []
    for posts in (300, 1200):
        folder = tmp_path / str(posts)
        folder.mkdir()
        (folder / "site.toml").write_text('title = "x"\nbase_url = "https://x.example"\n')
        export = folder / "export.xml"
        with open(export, "w", encoding="utf-8") as out:
            out.write(wxr().replace("</channel></rss>\n", ""))
            for n in range(1, posts + 1):
                body = "\n\n".join(f"Paragraphe {k} du billet {n}, " * 8 for k in range(12))
                out.write(item(n, f"Billet {n}", body, comments=[
                    comment(n * 100 + c, f"Commentaire {c}. " * 20, parent=0 if c < 2 else
                            n * 100 + c - 1) for c in range(1, 21)]))
            out.write("</channel></rss>\n")
        result = subprocess.run([sys.executable, "-c", PEAK, str(export), str(folder)],
                                capture_output=True, text=True, check=True)
        peaks.append(int(result.stdout.split()[-1]))
        assert len(list((folder / "content/posts").rglob("*.md"))) == posts
    assert peaks[1] < peaks[0] * 1.5, peaks  # MiB


def test_a_very_long_title_gives_a_usable_file_name(site):
    title = "Un titre interminable " * 30
    imported(site, wxr(item(1, title, name="")))
    (path,) = (site.root / "content/posts/2024").glob("*.md")
    assert len(path.name) <= 110 and front(site, f"content/posts/2024/{path.name}")[0]["title"] \
        == title.strip()
    built(site)


def test_a_site_that_cannot_take_the_files_is_a_clear_error(site):
    (site.root / "content").mkdir()
    (site.root / "content/posts").write_text("a file where a folder should be")
    (site.root / "export.xml").write_text(wxr(item(1, "Premier")), encoding="utf-8")
    code, err = run("import", "wordpress", str(site.root / "export.xml"), "--site",
                    str(site.root))
    assert code == 1 and "cannot write the imported files" in err and "Traceback" not in err
    files = [p for p in (site.root / "content").rglob("*") if p.is_file()]
    assert files == [site.root / "content/posts"]  # not one file moved in


# --- An import into a folder without site.toml makes the site ---------------------------


def channel_export(channel: str, *items: str) -> str:
    """`wxr()` with other channel fields (title, link, language, description)."""
    head = "<title>Ancien</title><link>https://ancien.example</link>"
    return wxr(*items).replace(head, channel)


def test_import_into_an_empty_folder_makes_site_toml_from_the_export(tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(channel_export(
        "<title>Le Blog d’&lt;em&gt;Ancien&lt;/em&gt; &amp; Cie</title>"
        "<link>https://ancien.example/blog</link><language>fr-FR</language>"
        "<description>Tribunes &amp; analyses</description>",
        item(1, "Premier", date="2024-03-01 10:00:00", gmt="")), encoding="utf-8")
    folder = tmp_path / "nouveau"
    code, err = run("import", "wordpress", str(export), "--site", str(folder))
    assert code == 0, err
    settings = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))
    assert settings == {"title": "Le Blog d’Ancien & Cie", "base_url": "https://ancien.example/blog",
                        "language": "fr", "timezone": "Europe/Paris",
                        "description": "Tribunes & analyses"}
    assert "site.toml made from the export" in err and 'title = "Le Blog d’Ancien & Cie"' in err
    meta, _ = front(Site(folder), "content/posts/2024/billet-1.md")
    assert meta["date"] == "2024-03-01T10:00:00+01:00"  # WordPress's local time, in Paris
    built(Site(folder))
    page = Site(folder).read("2024/03/billet-1/index.html")
    assert 'lang="fr"' in page and "https://ancien.example/blog/2024/03/billet-1/" in page


def test_an_english_export_without_address_gets_english_and_utc(tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(channel_export("<title></title><language>de-DE</language>",
                                     item(1, "First")).replace(
        "<wp:base_site_url>https://ancien.example</wp:base_site_url>", ""), encoding="utf-8")
    code, err = run("import", "wordpress", str(export), "--site", str(tmp_path))
    assert code == 0, err
    settings = tomllib.loads((tmp_path / "site.toml").read_text(encoding="utf-8"))
    assert (settings["title"], settings["base_url"], settings["language"],
            settings["timezone"]) == ("My blog", "https://example.org", "en", "UTC")
    assert "the export gives no web address" in err
    built(Site(tmp_path))


def test_an_existing_site_toml_is_never_replaced(site):
    before = (site.root / "site.toml").read_bytes()
    imported(site, channel_export("<title>Autre</title><link>https://autre.example</link>",
                                  item(1, "Premier")), "--force")
    assert (site.root / "site.toml").read_bytes() == before


def test_a_dry_run_into_an_empty_folder_writes_nothing(tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(wxr(item(1, "Premier")), encoding="utf-8")
    code, err = run("import", "wordpress", str(export), "--site", str(tmp_path / "nouveau"),
                    "--dry-run")
    assert code == 0 and "site.toml made from the export" in err and "| posts | 1 |" in err
    assert not (tmp_path / "nouveau").exists()


def test_a_bad_export_into_an_empty_folder_makes_nothing(tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(wxr(item(1, "Premier")).replace("</channel>", "<item>"), encoding="utf-8")
    code, err = run("import", "wordpress", str(export), "--site", str(tmp_path / "nouveau"))
    assert code == 1 and "malformed XML" in err
    assert not (tmp_path / "nouveau").exists()


def test_the_real_export_makes_its_own_site(tmp_path):
    if not CORPUS.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CORPUS} is missing: CI has ../shared beside the repository")
        pytest.skip(f"needs ../shared (not in a user's clone): {CORPUS}")
    result = subprocess.run([sys.executable, "-m", "reflexgen", "import", "wordpress",
                             str(CORPUS)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    settings = tomllib.loads((tmp_path / "site.toml").read_text(encoding="utf-8"))
    assert settings == {"title": "Pelican test channel", "base_url": "http://thisisa.test",
                        "language": "en", "timezone": "UTC",
                        "description": "Not a real feed, just for test"}
    built(Site(tmp_path))
    assert "Pelican test channel" in Site(tmp_path).read("index.html")
    assert Site(tmp_path).exists("2012/04/with-comments/index.html")
