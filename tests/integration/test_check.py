"""`reflexgen check` on built sites: the demo blog is clean, each planted problem is found."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, Site, article, cli, static_server


def check(site: Site, *args: str) -> tuple[int, str]:
    run = cli("check", "--site", str(site.root), *args)
    return run.code, run.stderr


def test_the_demo_blog_has_no_problem(tmp_path):
    for name in ("content", "site.toml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    demo = Site(tmp_path)
    assert demo.build().code == 0
    code, err = check(demo)
    assert code == 0 and ": no problems" in err, err


def test_every_planted_problem_is_found(site):
    site.write({"content/posts/a.md": article(
        "Des liens", "2024-03-01", slug="a", body=(
            "Voir [nulle part](/nulle-part/), [une ancre](/2024/03/b/#absente), "
            "[la bonne](/2024/03/b/#section-utile) et [relative](../b/).\n\n"
            "![absente](/images/absente.png)\n\n<p id=\"double\">un</p><p id=\"double\">deux</p>")),
        "content/posts/b.md": article("Cible", "2024-03-02", slug="b",
                                      body="## Section utile\n\nTexte."),
    })
    assert site.build().code == 0
    (site.root / "output/feed.xml").write_text("<rss><channel>coupé")
    (site.root / "output/nue.html").write_text("<html><body><p>Sans titre</p></body></html>")
    code, err = check(site)
    page = f"{site.root}/output/2024/03/a/index.html"
    line = next(number for number, text in enumerate(Path(page).read_text().splitlines(), 1)
                if 'id="double"' in text)  # where the theme puts the body
    source = f"{site.root}/content/posts/a.md"  # the links are written there
    assert code == 1
    for expected in (f"{source}:6: broken link: /nulle-part/ (no such page)",
                     f"{source}:6: broken anchor: /2024/03/b/#absente (no id 'absente' in "
                     "2024/03/b/index.html)",
                     f"{source}:8: broken link: /images/absente.png (no such image)",
                     f"{page}:{line}: duplicate id 'double'",
                     "output/feed.xml:1: feed is not well-formed XML",
                     "output/nue.html: page has no title",
                     "output/nue.html: page has no description"):
        assert expected in err, expected
    assert "section-utile" not in err and "../b/" not in err  # those links are fine
    assert f"{page}:" not in err.replace(f"{page}:{line}: duplicate", "")
    # The two broken links are also in the summary on the home page, built from no one file.
    assert f"{site.root}/output/index.html:" in err
    assert ": 9 problems" in err


def test_broken_links_are_reported_where_they_were_written(site):
    site.write({
        "content/posts/2024/mon-billet.markdown": article(
            "Mon billet", "2024-03-01", category="Société", image="/images/absente.jpg",
            body="Intro.\n\nUn [lien cassé](/2023/01/disparu/) puis [un autre](/%C3%A9t%C3%A9/)"
                 ".\n\nEncore [le même](/2023/01/disparu/)."),
        "content/posts/2024/mon-billet.comments.yaml":
            "- id: 1\n  author: Jean\n  date: 2024-03-02\n"
            "  body: Voir [ici](https://blog.example.org/perdu/).\n",
        "content/pages/contact.md": '---\ntitle: "Contact"\n---\nPar [courrier](/courrier/).\n',
        "content/authors/claire.md": '---\nname: "Claire"\n---\nVoir [mon CV](/cv/).\n',
    })
    assert site.build().code == 0
    code, err = check(site)
    post = f"{site.root}/content/posts/2024/mon-billet.markdown"
    assert code == 1
    for expected in (f"{post}:5: broken link: /images/absente.jpg (no such image)",  # front matter
                     f"{post}:9: broken link: /2023/01/disparu/ (no such page)",
                     f"{post}:9: broken link: /%C3%A9t%C3%A9/ (no such page)",  # written /été/
                     f"{post}:11: broken link: /2023/01/disparu/ (no such page)",
                     f"{site.root}/content/posts/2024/mon-billet.comments.yaml:4: broken link: "
                     "https://blog.example.org/perdu/ (no such page)",
                     f"{site.root}/content/pages/contact.md:4: broken link: /courrier/",
                     f"{site.root}/content/authors/claire.md:4: broken link: /cv/"):
        assert expected in err, (expected, err)


def test_links_the_theme_writes_stay_on_the_output_file(site):
    site.write({"content/posts/a.md": article("Un billet", "2024-03-01", slug="a")})
    assert site.build().code == 0
    (site.root / "output/archives/index.html").unlink()  # every page's menu links to it
    code, err = check(site)
    assert code == 1
    assert f"{site.root}/output/2024/03/a/index.html:" in err
    assert "broken link: /archives/ (no such page)" in err
    assert "content/posts/a.md" not in err


def test_the_summary_speaks_proper_english(site):
    site.write({"content/posts/a.md": article("Un billet", "2024-03-01", slug="a"),
                "content/pages/contact.md": '---\ntitle: "Contact"\n---\n[Ici](/ici/).\n'})
    assert site.build().code == 0
    code, err = check(site)
    assert code == 1 and re.search(r"checked \d+ pages and \d+ links: 1 problem$", err), err
    site.write({"content/pages/contact.md": '---\ntitle: "Contact"\n---\n[Ici](/2024/03/a/).\n'})
    assert site.build().code == 0
    code, err = check(site)
    assert code == 0 and re.search(r"links: no problems$", err), err


def test_no_built_site_is_a_clear_error(site):
    code, err = check(site)
    assert code == 1 and "no built site here" in err and "reflexgen build" in err


@pytest.fixture
def web(tmp_path):
    """A real HTTP server on this machine, standing for the rest of the web."""
    root = tmp_path / "web"
    root.mkdir()
    (root / "ok.html").write_text("<p>ok</p>")
    with static_server(root) as url:
        yield url


def test_external_links_only_when_asked(site, web):
    site.write({"content/posts/a.md": article(
        "Ailleurs", "2024-03-01", slug="a",
        body=f"[bon]({web}/ok.html) et [mort]({web}/disparu.html)")})
    assert site.build().code == 0
    code, err = check(site)
    assert code == 0, err
    code, err = check(site, "--external", "--timeout", "5")
    assert code == 1 and f"external link fails: {web}/disparu.html (HTTP 404)" in err
    assert "ok.html" not in err and "(2 to other sites)" in err
