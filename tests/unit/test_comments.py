from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reflexgen.content.comments import read_comments, thread
from reflexgen.content.fields import FileContext
from reflexgen.content.frontmatter import parse_yaml
from reflexgen.content.markup import comment_parser
from reflexgen.content.model import Comment
from reflexgen.errors import BuildError

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CTX = FileContext(Path("a.comments.yaml"), "- id: 1\n- id: 2\n- id: 3\n")


def comment(cid, parent=None, status="approved", minutes=0) -> tuple[Comment, FileContext]:
    return Comment(id=cid, author="Lecteur", date=NOW + timedelta(minutes=minutes),
                   body_html="", parent=parent, status=status), CTX


def test_threads_nest_replies_under_parents_in_date_order():
    threads, count = thread([comment("2", "1", minutes=2), comment("1"),
                             comment("3", "2", minutes=3), comment("4", minutes=1)])
    assert [t.comment.id for t in threads] == ["1", "4"]
    assert threads[0].replies[0].comment.id == "2"
    assert threads[0].replies[0].replies[0].comment.id == "3"
    assert count == 4


def test_only_approved_comments_and_their_replies_are_shown():
    threads, count = thread([comment("1"), comment("2", status="pending"), comment("3", "2"),
                             comment("4", status="spam")])
    assert [t.comment.id for t in threads] == ["1"] and count == 1


@pytest.mark.parametrize("comments, message, line", [
    ([comment("1", "9")], "replies to '9', which does not exist", 1),
    ([comment("1"), comment("1")], "two comments have the id '1'", 1),
    ([comment("2", "3"), comment("3", "2")], "reply loop", 2),
])
def test_broken_threads_are_errors_with_line(comments, message, line):
    with pytest.raises(BuildError) as info:
        thread(comments)
    problem = info.value.problems[0]
    assert message in problem.message and problem.line == line


SIDECAR = """\
- id: 1
  author: A
  date: 2024-03-01
  body: premier
- id: 2
  author: B
  body: second
  date: 2023-02-29
"""


def test_an_impossible_comment_date_names_its_line_and_says_why():
    ctx = FileContext(Path("a.comments.yaml"), SIDECAR)
    with pytest.raises(BuildError) as info:
        read_comments(ctx, parse_yaml(SIDECAR, ctx.path), ZoneInfo("Europe/Paris"),
                      comment_parser("fr"), None)
    problem = info.value.problems[0]
    assert problem.message == "comment '2' has a bad 'date': '2023-02-29' is not a real date"
    assert (problem.line, problem.hint) == (8, "February 2023 has 28 days")
