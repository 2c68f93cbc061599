"""Row 7: malformed or surprising front matter."""

from __future__ import annotations

import lxml.html
import pytest


def test_yaml_1_1_traps_leave_text_as_written(site):
    site.write({"content/posts/a.md": "---\ntitle: NO\ndate: 2024-03-01\nslug: 0123\n"
                                      "tags: [NO, 1.10, on, 0x1F]\ncategory: 1.20\n---\nTexte.\n"})
    run = site.build()
    assert run.code == 0, run.stderr
    page = lxml.html.fromstring(site.read("2024/03/0123/index.html"))
    assert page.xpath("string(//h1)") == "NO"
    assert page.xpath("//ul[@class='tags']//a/text()") == ["NO", "1.10", "on", "0x1F"]
    assert site.exists("categories/1-20/index.html")


@pytest.mark.parametrize("header, expected", [
    ("title: x\ndate: 2024-03-01\ndraft: yes", "'draft' must be true or false, not 'yes'"),
    ("title: !!python/object/apply:os.system [echo pwned]\ndate: 2024-03-01",
     "plain YAML only"),
    ("title: x\ndate: 2024-03-01\nimage: !!binary aGVsbG8=", "'image' must be text"),
    ("title: x\ndate: 2024-03-01\ntags: [a, [b]]", "'tags' must be a list of text values"),
    ("title: x\ndate: 2024-03-01\n  broken: indentation", "invalid YAML"),
])
def test_surprising_values_are_errors_with_file_and_line(site, header, expected):
    site.write({"content/posts/a.md": f"---\n{header}\n---\nTexte.\n"})
    run = site.build()
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "content/posts/a.md:" in run.stderr and expected in run.stderr, run.stderr
    assert "pwned" not in run.stderr.replace("[echo pwned]", "")


def test_a_fence_with_trailing_spaces_is_still_a_fence(site):
    site.write({"content/posts/espaces.md":
                "---  \ntitle: \"Espaces\"\ndate: 2024-03-01\n---\t\nCorps.\n"})
    assert site.build().code == 0
    assert "Corps." in site.read("2024/03/espaces/index.html")
