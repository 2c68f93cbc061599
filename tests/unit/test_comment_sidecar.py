"""The sidecar writer: hand-written files kept, any text read back exactly, ids never taken
twice, two publishers one after the other, and a crash leaving the old file or the new one."""

import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html

from conftest import Site, article
from reflexgen.comments import sidecar
from reflexgen.comments.records import Submission
from reflexgen.comments.sidecar import locked, sidecar_path, write_sidecar
from reflexgen.content.comments import read_comments
from reflexgen.content.fields import FileContext
from reflexgen.content.frontmatter import CONTROL, decode, parse_yaml
from reflexgen.content.markup import comment_parser, render_comment
from reflexgen.errors import BuildError

THREAD = "posts/a.md"
WHEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
HAND_WRITTEN = """\
# Comments kept by hand: this line stays.
- id: c5   # imported from WordPress
  author: 'Jean Dupont'
  date: 2024-01-02 10:00
  body: >
    Un texte plié
    sur deux lignes.
- id: 2
  author: yes
  url: http://jean.example
  email: jean@example.org
  date: 2024-01-03
  body: |
    Réponse « entre guillemets ».
"""


def submission(cid: str = "c1", body: str = "Merci pour ce texte.", parent: str | None = None,
               author: str = "Zoé", email: str | None = "zoe@example.org") -> Submission:
    return Submission(id=cid, thread=THREAD, parent=parent, author=author, email=email,
                      url="https://zoe.example", body=body, date=WHEN, status="approved")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    (tmp_path / "posts").mkdir()
    (tmp_path / THREAD).write_text(article(), encoding="utf-8")
    return tmp_path


def read_back(content: Path) -> list[dict]:
    path = sidecar_path(content, THREAD)
    return parse_yaml(decode(path.read_bytes(), path), path)


def test_a_missing_sidecar_is_created_with_the_readers_name(content):
    assert write_sidecar(content, THREAD, [submission()], keep_emails=False) == {"c1": "c1"}
    assert (content / "posts/a.comments.yaml").is_file()
    [item] = read_back(content)
    assert item == {"id": "c1", "author": "Zoé", "url": "https://zoe.example",
                    "date": "2026-03-01T12:30:00+00:00", "body": "Merci pour ce texte."}


def test_an_existing_yml_sidecar_is_the_one_written(content):
    (content / "posts/a.comments.yml").write_text("- id: x\n  author: A\n  date: 2024-01-01\n"
                                                  "  body: b\n", encoding="utf-8")
    write_sidecar(content, THREAD, [submission()], keep_emails=False)
    assert not (content / "posts/a.comments.yaml").exists()
    assert [item["id"] for item in read_back(content)] == ["x", "c1"]


def test_hand_written_content_order_quoting_and_yaml_comments_are_kept(content):
    (content / "posts/a.comments.yaml").write_text(HAND_WRITTEN, encoding="utf-8")
    write_sidecar(content, THREAD, [submission(body="Deux\nlignes\n", parent="2")], False)
    text = (content / "posts/a.comments.yaml").read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN)
    assert "  body: |\n    Deux\n    lignes\n" in text
    items = read_back(content)
    assert [item["id"] for item in items] == ["c5", "2", "c1"]
    assert items[2]["parent"] == "2" and items[2]["body"] == "Deux\nlignes\n"


def test_emails_are_written_only_when_kept(content):
    write_sidecar(content, THREAD, [submission("c1")], keep_emails=False)
    assert "zoe@example.org" not in (content / "posts/a.comments.yaml").read_text()
    write_sidecar(content, THREAD, [submission("c2")], keep_emails=True)
    assert read_back(content)[1]["email"] == "zoe@example.org"


def test_writing_twice_adds_nothing(content):
    batch = [submission("c1"), submission("c2", parent="c1")]
    first = write_sidecar(content, THREAD, batch, False)
    before = (content / "posts/a.comments.yaml").read_bytes()
    assert write_sidecar(content, THREAD, batch, False) == first
    assert (content / "posts/a.comments.yaml").read_bytes() == before


def test_an_id_taken_by_another_comment_gets_a_fresh_one_that_then_stays(content):
    (content / "posts/a.comments.yaml").write_text(HAND_WRITTEN, encoding="utf-8")
    (content / THREAD).write_text(
        "---\ntitle: T\ndate: 2024-01-01\ncomments:\n  - id: c7\n    author: In\n"
        "    date: 2024-01-02\n    body: écrit dans l'article\n---\nTexte\n", encoding="utf-8")
    batch = [submission("c5"), submission("c7"), submission("c5-2", body="autre")]
    assert write_sidecar(content, THREAD, batch, False) == {
        "c5": "c5-2", "c7": "c7-2", "c5-2": "c5-2-2"}
    assert write_sidecar(content, THREAD, batch, False) == {
        "c5": "c5-2", "c7": "c7-2", "c5-2": "c5-2-2"}  # found again, not renamed again
    ids = [str(item["id"]) for item in read_back(content)]
    assert ids == ["c5", "2", "c5-2", "c7-2", "c5-2-2"]


@pytest.mark.parametrize("text", ["- [broken\n", "titre: pas une liste\n",
                                  "- id: 1\n  body: !!python/object:os.system x\n"])
def test_a_file_that_cannot_be_read_is_left_alone(content, text):
    path = content / "posts/a.comments.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BuildError):
        write_sidecar(content, THREAD, [submission()], False)
    assert path.read_text(encoding="utf-8") == text


def test_a_comment_only_file_keeps_its_comments(content):
    path = content / "posts/a.comments.yaml"
    path.write_text("# Aucun commentaire pour l'instant\n", encoding="utf-8")
    write_sidecar(content, THREAD, [submission()], False)
    assert path.read_text(encoding="utf-8").startswith("# Aucun commentaire pour l'instant\n")
    assert [item["id"] for item in read_back(content)] == ["c1"]


@pytest.mark.parametrize("body, kind", [("bip \x07", "control character"),
                                        ("x\n\ufffe", "noncharacter")])
def test_a_character_no_page_may_hold_is_refused_before_anything_is_written(content, body,
                                                                            kind):
    with pytest.raises(BuildError, match=kind):
        write_sidecar(content, THREAD, [submission(body=body)], False)
    assert not (content / "posts/a.comments.yaml").exists()


@pytest.mark.parametrize("thread", ["../outside.md", "/etc/passwd.md", "posts/../../x.md",
                                    "posts/a.comments.yaml", "posts/link.md"])
def test_a_thread_key_outside_content_writes_nothing(content, thread):
    outside = content.parent / f"{content.name}-outside"
    outside.mkdir()
    (outside / "x.md").write_text(article(), encoding="utf-8")
    (content / "posts/link.md").symlink_to(outside / "x.md")
    with pytest.raises(BuildError, match="not an article under content/"):
        write_sidecar(content, thread, [submission()], False)
    assert sorted(p.name for p in (content / "posts").iterdir()) == ["a.md", "link.md"]
    assert [p.name for p in outside.iterdir()] == ["x.md"]


def test_a_symlinked_comment_file_is_not_followed(content, tmp_path):
    target = tmp_path / "secret.yaml"
    target.write_text("- id: s\n", encoding="utf-8")
    (content / "posts/a.comments.yaml").symlink_to(target)
    with pytest.raises(BuildError, match="symbolic link"):
        write_sidecar(content, THREAD, [submission()], False)
    assert target.read_text(encoding="utf-8") == "- id: s\n"


def test_a_missing_article_is_an_error(content):
    with pytest.raises(BuildError, match="does not exist"):
        write_sidecar(content, "posts/gone.md", [submission()], False)


NASTY = ["---", "!!python/object/apply:os.system ['ls']", "clé: valeur", "&anchor x",
         "*alias", "\ttab au début", "  deux espaces", "fin\n", "fin\n\n\n", "😀 « émoji »",
         "مرحبا بالعالم", "a\n---\nb", "# pas un commentaire", "'", '"', "- item", "? q",
         "| pipe", "> chevron", "%YAML 1.2", "null", "yes", "1_000", "0x1F", "2024-01-01",
         " \n x", "x \n y ", "\u2028ligne", "a\x85b", "\ufeffbom", "\\n pas un saut",
         "<script>alert(1)</script>", "trailing space ", "\r\n windows", "a\n\x80\x9f"]

# Any text but NUL and the control characters no page may hold (the intake refuses them),
# with at least one visible character (the build refuses a blank comment).
BODIES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                 min_size=1, max_size=300).filter(
    lambda text: text.strip() != "" and not CONTROL.search(text))


def read_like_the_build(content: Path) -> list:
    path = sidecar_path(content, THREAD)
    text = decode(path.read_bytes(), path)
    data = parse_yaml(text, path)
    return read_comments(FileContext(path, text), data, UTC, comment_parser("fr"), None)


@pytest.mark.parametrize("body", NASTY)
def test_yaml_syntax_and_odd_text_are_read_back_exactly(content, body):
    write_sidecar(content, THREAD, [submission(body=body, author=body.strip() or "x")], False)
    [item] = read_back(content)
    assert item["body"] == body
    [(comment, _)] = read_like_the_build(content)
    assert comment.body_html == render_comment(comment_parser("fr"), body)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, author=BODIES)
def test_any_text_is_read_back_exactly_by_the_projects_reader(content, body, author):
    path = content / "posts/a.comments.yaml"
    path.unlink(missing_ok=True)
    write_sidecar(content, THREAD, [submission(body=body, author=author)], False)
    [item] = read_back(content)
    assert item["body"] == body and item["author"] == author
    [(comment, _)] = read_like_the_build(content)
    assert comment.body_html == render_comment(comment_parser("fr"), body)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=st.lists(BODIES, min_size=1, max_size=3))
def test_any_text_goes_through_a_real_build_unchanged(tmp_path_factory, bodies):
    root = tmp_path_factory.mktemp("site")
    site = Site(root).write({"site.toml": 'title = "B"\nbase_url = "https://b.example"\n'
                                          'language = "fr"\n', f"content/{THREAD}": article()})
    batch = [submission(f"c{n}", body=body) for n, body in enumerate(bodies)]
    write_sidecar(root / "content", THREAD, batch, False)
    result = site.build()
    assert result.code == 0, result.stderr
    page = html.fromstring((root / "output/2024/03/a/index.html").read_bytes())
    for n, body in enumerate(bodies):
        [node] = page.xpath(f'//*[@id="comment-c{n}"]')
        rendered = html.fromstring(f"<div>{render_comment(comment_parser('fr'), body)}</div>")
        assert rendered.text_content().strip() in node.text_content()


def test_a_crash_before_the_rename_leaves_the_old_file(content, monkeypatch):
    path = content / "posts/a.comments.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sidecar.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_sidecar(content, THREAD, [submission()], False)
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN
    assert sorted(p.name for p in (content / "posts").iterdir()) == ["a.comments.yaml", "a.md"]


def test_a_process_killed_between_write_and_rename_leaves_the_old_file(content):
    path = content / "posts/a.comments.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    script = textwrap.dedent(f"""
        import os, sys
        from datetime import datetime, UTC
        sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[1])!r}]
        from reflexgen.comments import sidecar
        from test_comment_sidecar import submission
        sidecar.os.replace = lambda *a: os._exit(9)
        sidecar.write_sidecar(__import__("pathlib").Path({str(content)!r}), "posts/a.md",
                              [submission()], False)
    """)
    code = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[2]).returncode
    assert code == 9
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN
    leftovers = [p.name for p in (content / "posts").iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".")  # hidden: the build skips it


def publish_many(content: str, start: int) -> None:
    for n in range(start, start + 15):
        write_sidecar(Path(content), THREAD, [submission(f"c{n}", body=f"n° {n}")], False)


def test_two_processes_publishing_at_once_lose_nothing(content):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=publish_many, args=(str(content), start))
               for start in (0, 100)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    ids = sorted(str(item["id"]) for item in read_back(content))
    assert ids == sorted([f"c{n}" for n in range(15)] + [f"c{n}" for n in range(100, 115)])


def test_a_publisher_waits_for_the_lock(content):
    context = multiprocessing.get_context("spawn")
    with locked(content / "posts"):
        worker = context.Process(target=publish_many, args=(str(content), 0))
        worker.start()
        time.sleep(1.0)
        assert not (content / "posts/a.comments.yaml").exists()
    worker.join(60)
    assert worker.exitcode == 0 and len(read_back(content)) == 15


def test_the_lock_leaves_no_file_behind(content):
    write_sidecar(content, THREAD, [submission()], False)
    assert sorted(os.listdir(content / "posts")) == ["a.comments.yaml", "a.md"]


# Taking comments out, editing them ----------------------------------------------------------

THREADED = HAND_WRITTEN + """\
- id: c7
  parent: 2
  author: Zoé
  date: 2024-01-04
  body: Réponse à 2.
- id: c8
  parent: c7
  author: Luc
  date: 2024-01-05
  body: Réponse à c7.
"""


def test_removing_a_comment_moves_its_replies_up_and_keeps_the_rest(content):
    (content / "posts/a.comments.yaml").write_text(THREADED, encoding="utf-8")
    assert sidecar.remove_comments(content, THREAD, {"c7"}) == {"c7": ["c8"]}
    text = (content / "posts/a.comments.yaml").read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN)  # YAML comments, folding, quoting: as written
    items = read_back(content)
    assert [i["id"] for i in items] == ["c5", "2", "c8"]
    assert items[2]["parent"] == "2"


def test_removing_a_chain_moves_the_reply_to_the_first_one_kept(content):
    (content / "posts/a.comments.yaml").write_text(THREADED, encoding="utf-8")
    assert sidecar.remove_comments(content, THREAD, ["2", "c7"]) == {"2": [], "c7": ["c8"]}
    [first, last] = read_back(content)
    assert (first["id"], last["id"]) == ("c5", "c8") and "parent" not in last


def test_an_id_not_in_the_file_changes_nothing(content):
    path = content / "posts/a.comments.yaml"
    path.write_text(THREADED, encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    assert sidecar.remove_comments(content, THREAD, {"c99"}) == {}
    assert not sidecar.replace_body(content, THREAD, "c99", "Nouveau")
    assert path.stat().st_mtime_ns == stamp
    assert sidecar.remove_comments(content, "posts/a.md", {"c1"}) == {}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(st.characters(blacklist_categories=["Cs"]), min_size=1).filter(
    lambda t: t.strip() and not CONTROL.search(t) and "\0" not in t and "\r" not in t))
def test_an_edited_text_reads_back_exactly(content, body):
    (content / "posts/a.comments.yaml").write_text(THREADED, encoding="utf-8")
    assert sidecar.replace_body(content, THREAD, "c7", body)
    items = read_back(content)
    assert items[2]["body"] == body
    assert (content / "posts/a.comments.yaml").read_text(encoding="utf-8").startswith(
        HAND_WRITTEN)


def test_a_broken_file_is_an_error_and_stays_as_it_was(content):
    path = content / "posts/a.comments.yaml"
    path.write_text("- [pas fermé\n", encoding="utf-8")
    with pytest.raises(BuildError, match="cannot read the comment file"):
        sidecar.remove_comments(content, THREAD, {"c1"})
    assert path.read_text(encoding="utf-8") == "- [pas fermé\n"


def test_a_linked_comment_file_is_not_changed(content, tmp_path):
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(THREADED, encoding="utf-8")
    (content / "posts/a.comments.yaml").symlink_to(elsewhere)
    with pytest.raises(BuildError, match="symbolic link"):
        sidecar.replace_body(content, THREAD, "c7", "Piraté")
    assert elsewhere.read_text(encoding="utf-8") == THREADED


@pytest.mark.parametrize("text", [
    "[]\n",  # what ruamel leaves when every comment was taken out
    "[{id: x, author: A, date: 2024-01-01, body: Flux}]\n",
    "  - id: x   # indented list\n    author: A\n    date: 2024-01-01\n    body: Décalé\n",
])
def test_a_list_not_at_the_margin_is_written_through_the_round_trip(content, text):
    path = content / "posts/a.comments.yaml"
    path.write_text(text, encoding="utf-8")
    before = parse_yaml(text, path)
    write_sidecar(content, THREAD, [submission(body="Nouveau\nsur deux lignes")], False)
    items = read_back(content)
    assert items[:len(before)] == before
    assert items[-1]["body"] == "Nouveau\nsur deux lignes"


def test_adding_a_comment_leaves_every_byte_before_it(content):
    path = content / "posts/a.comments.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    write_sidecar(content, THREAD, [submission(body="Deux\nlignes")], False)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN) and text.endswith("  body: |-\n    Deux\n    lignes\n")
