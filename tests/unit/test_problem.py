"""reflexgen/errors.py (named apart from tests/integration/test_errors.py: pytest needs unique
basenames here)."""

import pytest

from reflexgen.errors import Problem, counted


@pytest.mark.parametrize("count, expected", [(0, "no problems"), (1, "1 problem"),
                                             (2, "2 problems"), (12, "12 problems")])
def test_counted_speaks_proper_english(count, expected):
    assert counted(count, "problem") == expected


def test_counted_irregular_plural():
    assert counted(3, "entry", "entries") == "3 entries"
    assert counted(1, "entry", "entries") == "1 entry"


def test_a_problem_reads_as_file_line_message_and_hint():
    problem = Problem("broken link", "content/posts/a.md", 12, hint="fix it")
    assert str(problem) == "content/posts/a.md:12: broken link\n  hint: fix it"
