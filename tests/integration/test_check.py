"""`reflexgen check` on built sites: the demo blog is clean, each planted problem is found."""

from __future__ import annotations

import shutil

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
    assert code == 0 and "no problem" in err, err


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
    assert code == 1
    for expected in (f"{page}:51: broken link: /nulle-part/ (no such page)",
                     f"{page}:51: broken anchor: /2024/03/b/#absente (no id 'absente' in "
                     "2024/03/b/index.html)",
                     f"{page}:52: broken link: /images/absente.png (no such image)",
                     f"{page}:53: duplicate id 'double'",
                     "output/feed.xml:1: feed is not well-formed XML",
                     "output/nue.html: page has no title",
                     "output/nue.html: page has no description"):
        assert expected in err, expected
    assert "section-utile" not in err and "../b/" not in err  # those links are fine
    assert "9 problem(s)" in err  # the two broken links are also in the summary on the home page


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
