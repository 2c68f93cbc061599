"""Rows 3–4: nothing is written outside output/, and two sources never share an output."""

from __future__ import annotations

import pytest

from conftest import article


def outside(site) -> set[str]:
    """Every file of the site's parent folder that is not under the site itself."""
    parent = site.root.parent
    return {str(p.relative_to(parent)) for p in parent.rglob("*")
            if p.is_file() and site.root not in p.parents}


@pytest.mark.parametrize("files, expected", [
    ({"content/posts/a.md": article(slug='"../../evil"')}, "invalid slug '../../evil'"),
    ({"content/posts/a.md": article(slug='"%2e%2e"')}, "invalid slug '%2e%2e'"),
    ({"content/posts/a.md": article(slug='"/etc/evil"')}, "invalid slug '/etc/evil'"),
    ({"content/pages/p.md": '---\ntitle: "P"\nslug: "..\\\\..\\\\evil"\n---\n'}, "invalid slug"),
    ({"content/posts/a.md": article(aliases='["../../y"]')}, "must be a path starting with /"),
    ({"content/posts/a.md": article(aliases='["/a/../../../y/"]')}, "leads outside the site"),
    ({"content/posts/a.md": article(aliases='["/%2e%2e/%2e%2e/y/"]')}, "leads outside the site"),
    ({"site.toml": 'title = "T"\nbase_url = "https://x.org"\npermalink = "/../../{slug}/"\n',
      "content/posts/a.md": article()}, "would write outside the output folder"),
])
def test_paths_escaping_the_output_are_errors(site, files, expected):
    before = outside(site)
    site.write(files)
    run = site.build()
    assert run.code == 1 and expected in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert outside(site) == before


@pytest.mark.parametrize("files, expected", [
    ({"content/posts/a.md": article("A", slug="Mon-Billet"),
      "content/posts/b.md": article("B", slug="mon-billet")},
     "content/posts/a.md and content/posts/b.md would both be written to"),
    ({"site.toml": 'title = "T"\nbase_url = "https://x.org"\npermalink = "/{slug}/"\n',
      "content/posts/a.md": article("A", slug="tags", tags='["x"]')},
     "content/posts/a.md and tags index would both be written to tags/index.html"),
    ({"site.toml": 'title = "T"\nbase_url = "https://x.org"\npermalink = "/{slug}/"\n',
      "content/posts/a.md": article("A", slug="a-propos"),
      "content/pages/a-propos.md": '---\ntitle: "À propos"\n---\nNous.\n'},
     "content/posts/a.md and content/pages/a-propos.md would both be written to"),
    ({"content/posts/a.md": article("A", slug="a"),
      "content/2024/03/a/index.html": "<p>une page écrite à la main</p>"},
     "content/2024/03/a/index.html would both be written to 2024/03/a/index.html"),
])
def test_two_sources_for_one_output_is_an_error_naming_both(site, files, expected):
    site.write(files)
    run = site.build()
    assert run.code == 1 and expected in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not (site.root / "output").exists()
