"""Row 15: size caps, and pathological Markdown that must neither hang nor explode."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SITE_TOML, article


def test_an_oversized_article_is_refused(site):
    site.write({"site.toml": SITE_TOML + "max_article_kb = 64\n",
                "content/posts/a.md": article("Gros", body="mot " * 20_000)})
    run = site.build()
    assert run.code == 1 and "content/posts/a.md" in run.stderr
    assert "more than the 64 KB allowed" in run.stderr and "max_article_kb" in run.stderr


def test_an_oversized_comment_is_refused(site):
    site.write({"content/posts/a.md": article("Commenté"),
                "content/posts/a.comments.yaml": "- id: 7\n  author: Bavard\n  date: 2024-03-01\n"
                                                 "  body: " + "bla " * 20_000 + "\n"})
    run = site.build()
    assert run.code == 1 and "content/posts/a.comments.yaml:1:" in run.stderr
    assert "comment '7' is 78 KB long, more than the 64 KB allowed" in run.stderr


PATHOLOGICAL = {
    "nested quotes": ">" * 20_000 + " fond",
    "nested lists": "".join("  " * i + "- x\n" for i in range(2_000)),
    "open brackets": "[" * 50_000 + "x",
    "emphasis soup": "*a **a " * 20_000,
    "backticks": "`" * 30_000 + "x",
    "entity storm": "&amp;" * 50_000,
    "link destinations": "[a](<" * 20_000,
    "html comments": "<!--" * 30_000,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_markdown_builds_in_bounded_time(site, name):
    """A hang detector, not a benchmark: the build gets a minute (it needs about a second)."""
    site.write({"content/posts/a.md": article("Piège", body=PATHOLOGICAL[name]),
                "content/posts/a.comments.yaml": "- id: 1\n  author: X\n  date: 2024-03-01\n"
                                                 "  body: |\n    " + PATHOLOGICAL[name][:60_000]
                                                 .replace("\n", "\n    ") + "\n"})
    result = subprocess.run([sys.executable, "-m", "reflexgen", "-q", "build", "--site",
                             str(site.root)], capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
