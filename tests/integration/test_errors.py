"""Bad input: a clear message naming the file (and line), exit code 1, output untouched."""

from __future__ import annotations

import hashlib

import pytest

from conftest import article


def snapshot(root):
    out = root / "output"
    return {p.relative_to(out): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def fails(site, *args):
    run = site.build(*args)
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    return run.stderr


@pytest.mark.parametrize("files, expected", [
    ({"content/posts/a.md": "---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\n"},
     ["content/posts/a.md:", "invalid YAML"]),
    ({"content/posts/a.md": "---\ndate: 2024-01-01\n---\nx"},
     ["content/posts/a.md:1:", "missing required field 'title'"]),
    ({"content/posts/a.md": '---\ntitle: "x"\n---\nx'},
     ["content/posts/a.md:1:", "missing required field 'date'", "2024-03-12"]),
    ({"content/posts/a.md": '---\ntitle: "x"\ndate: 12/03/2024\n---\nx'},
     ["content/posts/a.md:3:", "cannot read '12/03/2024' as a date", "accepted formats"]),
    ({"content/posts/a.md": '---\ntitle: "x"\ndate: 2023-02-29\n---\nx'},
     ["content/posts/a.md:3:", "'date': '2023-02-29' is not a real date",
      "hint: February 2023 has 28 days"]),
    ({"content/posts/a.md": '---\ntitle: "x"\ndate: 2024-13-01\n---\nx'},
     ["content/posts/a.md:3:", "'2024-13-01' is not a real date", "months go from 1 to 12"]),
    ({"content/posts/a.md": article(updated="2024-02-30T10:00:00")},
     ["content/posts/a.md:4:", "'updated': '2024-02-30T10:00:00' is not a real date",
      "February 2024 has 29 days"]),
    ({"content/posts/a.md": article(comments="\n  - id: 1\n    author: A\n    date: 2023-02-29"
                                             "\n    body: x")},
     ["content/posts/a.md:7:", "comment '1' has a bad 'date': '2023-02-29' is not a real date",
      "February 2023 has 28 days"]),
    ({"content/posts/a.md": article(),
      "content/posts/a.comments.yaml": "- id: 1\n  author: A\n  date: 2024-02-30T10:00:00\n"
                                       "  body: x\n"},
     ["content/posts/a.comments.yaml:3:", "comment '1' has a bad 'date'",
      "February 2024 has 29 days"]),
    ({"content/posts/a.md": '+++\ntitle = "x"\ndate = 2023-02-29\n+++\n'},
     ["content/posts/a.md:3:", "invalid TOML front matter", "February 2023 has 28 days"]),
    ({"content/posts/a.md": "---\ntitle: [a, b]\ndate: 2024-01-01\n---\nx"},
     ["content/posts/a.md:2:", "'title' must be text", "quotes"]),
    ({"content/posts/a.md": article(slug='"../../evil"')},
     ["content/posts/a.md:", "invalid slug"]),
    ({"content/posts/a.md": article(tags='["!!!"]')},
     ["content/posts/a.md", "tag '!!!' has no letters"]),
    ({"content/posts/a.md": article(comments="\n  - id: 1\n    author: A\n    date: 2024-01-01"
                                             "\n    body: x\n    parent: 7")},
     ["content/posts/a.md:", "comment '1' replies to '7', which does not exist"]),
    ({"content/posts/a.md": article(),
      "content/posts/a.comments.yaml": "- id: 1\n  author: A\n  body: sans date\n"},
     ["content/posts/a.comments.yaml:1:", "comment '1' has no 'date'"]),
    ({"content/posts/a.md": article(comments_open="peut-être")},
     ["content/posts/a.md:", "'comments_open' must be true or false"]),
    ({"content/posts/a.md": article("Un", slug="meme"), "content/posts/b/meme.md": article()},
     ["content/posts/a.md and content/posts/b/meme.md would both be written to "
      "2024/03/meme/index.html"]),
    ({"content/posts/a.md": article(aliases='["/ancien/", "/../../hors-du-site/"]')},
     ["content/posts/a.md:4:", "alias '/../../hors-du-site/' leads outside the site"]),
    ({"content/posts/a.md": article(aliases='["ancien"]')},
     ["content/posts/a.md:4:", "must be a path starting with /"]),
    ({"content/posts/a.md": article(aliases='["/%2e%2e/%2e%2e/x"]')},
     ["content/posts/a.md:4:", "leads outside the site"]),
    ({"content/posts/a.md": article("A", aliases='["/a-propos/"]'),
      "content/pages/a-propos.md": '---\ntitle: "À propos"\n---\nNous.\n'},
     ["content/pages/a-propos.md and content/posts/a.md would both be written to "
      "a-propos/index.html"]),
    ({"content/posts/a.md": article("A", aliases='["/?p=1"]'),
      "content/posts/b.md": article("B", aliases='["/?p=1"]')},
     ["content/posts/a.md and content/posts/b.md would both be written to /?p=1"]),
    ({"content/posts/a.md": '+++\ntitle = "x"\ndate = = 3\n+++\n'},
     ["content/posts/a.md:3:", "invalid TOML front matter"]),
])
def test_bad_content(site, files, expected):
    site.write(files)
    stderr = fails(site)
    for text in expected:
        assert text in stderr


def test_every_bad_file_is_reported_at_once(site):
    site.write({"content/posts/a.md": "---\ndate: 2024-01-01\n---\n",
                "content/posts/b.md": '---\ntitle: "b"\n---\n'})
    stderr = fails(site)
    assert "a.md" in stderr and "b.md" in stderr and "build failed: 2 errors;" in stderr


def test_template_syntax_error_names_template_and_line(site):
    site.write({"content/posts/a.md": article(),
                "themes/default/templates/article.html": "<p>\n{% if %}\n"})
    stderr = fails(site)
    assert "article.html:2:" in stderr and "template syntax error" in stderr


def test_undefined_variable_is_an_error_with_line(site):
    site.write({"content/posts/a.md": article(),
                "themes/default/templates/article.html": "<p>\n{{ article.nope }}\n"})
    stderr = fails(site)
    assert "article.html:2:" in stderr and "nope" in stderr


def test_failed_build_leaves_previous_output_untouched(site):
    site.write({"content/posts/a.md": article("Premier")})
    assert site.build().code == 0
    before = snapshot(site.root)
    site.write({"content/posts/b.md": article("Second"),
                "content/posts/c.md": "---\ntitle: [\n---\n"})
    fails(site)
    assert snapshot(site.root) == before
    leftovers = [p.name for p in site.root.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    assert leftovers == []


def test_render_failure_midway_leaves_output_untouched(site):
    site.write({"content/posts/a.md": article("Premier")})
    site.build()
    before = snapshot(site.root)
    site.write({"content/posts/b.md": article("Second", boom="true"),
                "themes/default/templates/article.html":
                    "{% if article.extra.get('boom') %}{{ 1 / 0 }}{% endif %}ok"})
    stderr = fails(site)
    assert "ZeroDivisionError" in stderr and "article.html:1:" in stderr, stderr
    assert snapshot(site.root) == before


def test_unknown_author_warns_and_strict_fails(site):
    site.write({"content/authors/claire.md": '---\nname: "Claire"\n---\nBio.\n',
                "content/posts/un-titre.md": article(author="Inconnu")})
    run = site.build()
    assert run.code == 0
    assert "author 'Inconnu' matches no author file" in run.stderr and "claire" in run.stderr
    assert "Inconnu" in site.read("2024/03/un-titre/index.html")
    assert 'class="author-box"' not in site.read("2024/03/un-titre/index.html")
    assert "--strict" in fails(site, "--strict")


def test_a_tag_written_several_ways_warns_and_strict_fails(site):
    site.write({"content/posts/a.md": article("A", "2024-03-03", slug="a", tags='["Écologie"]'),
                "content/posts/b.md": article("B", "2024-03-02", slug="b", tags='["écologie"]'),
                "content/posts/c.md": article("C", "2024-03-01", slug="c",
                                              tags='["ecologie", "écologie"]')})
    run = site.build()
    assert run.code == 0
    assert ("content/posts/a.md: tag 'ecologie' is written 3 ways: « écologie » (posts/b.md, "
            "posts/c.md), « Écologie » (posts/a.md), « ecologie » (posts/c.md) — the page uses "
            "« écologie »; write it one way") in run.stderr
    assert "<h1>écologie</h1>" in site.read("tags/ecologie/index.html")
    assert "--strict" in fails(site, "--strict")


def test_unknown_setting_suggests(site):
    (site.root / "site.toml").write_text((site.root / "site.toml").read_text() + "titel = 1\n")
    run = site.build()
    assert run.code == 0 and "unknown setting 'titel'" in run.stderr and "'title'" in run.stderr


def test_output_must_not_replace_sources(site):
    site.write({"content/posts/a.md": article()})
    for target in (site.root, site.root / "content", site.root.parent):
        assert "refusing" in fails(site, "--output", str(target))
    assert (site.root / "content/posts/a.md").exists()


def test_missing_site(tmp_path):
    from conftest import Site
    stderr = fails(Site(tmp_path))
    assert "no site.toml" in stderr


def test_non_utf8_file(site):
    site.write({"content/posts/a.md": article()})
    (site.root / "content/posts/a.md").write_bytes("---\ntitle: café\n".encode("latin-1"))
    assert "not valid UTF-8" in fails(site)
