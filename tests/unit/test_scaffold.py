"""The pieces of `reflexgen new`: dates written as they read back, settings checked as
site.toml is, questions asked again, files that never replace another."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflexgen import urls
from reflexgen.config import SiteConfig, settings_text
from reflexgen.content import frontmatter
from reflexgen.content.compose import front_matter
from reflexgen.content.fields import FileContext
from reflexgen.errors import BuildError
from reflexgen.scaffold import editor, entries, files, prompts, site

PARIS = ZoneInfo("Europe/Paris")


def read_back(text: str, tz: ZoneInfo) -> tuple[datetime, list]:
    """A date as the build reads it from front matter, and the warnings it gives."""
    path = Path("billet.md")
    source = front_matter({"title": "T", "date": text}, "Texte.\n")
    ctx = FileContext(path, source)
    moment = ctx.date(frontmatter.split(source, path).meta, "date", tz, required=True)
    return moment, ctx.notes


@pytest.mark.parametrize("utc, written", [
    (datetime(2024, 3, 12, 8, 30, 59, tzinfo=UTC), "2024-03-12 09:30"),
    (datetime(2024, 7, 1, 22, 5, tzinfo=UTC), "2024-07-02 00:05"),  # the next day in Paris
    # 02:30 comes twice on 27 October 2024 in Paris: the second time needs its offset.
    (datetime(2024, 10, 27, 0, 30, tzinfo=UTC), "2024-10-27T02:30:00+02:00"),
    (datetime(2024, 10, 27, 1, 30, tzinfo=UTC), "2024-10-27T02:30:00+01:00"),
])
def test_a_date_is_written_in_site_time_and_reads_back_the_same(utc, written):
    assert entries.date_text(utc, PARIS) == written
    moment, notes = read_back(written, PARIS)
    assert moment == utc.replace(second=0) and notes == []


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)),
       st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC"]))
def test_any_moment_reads_back_to_the_minute_without_warning(naive, zone):
    tz, utc = ZoneInfo(zone), naive.replace(tzinfo=UTC)
    moment, notes = read_back(entries.date_text(utc, tz), tz)
    assert moment == utc.replace(second=0, microsecond=0) and notes == []


def test_settings_text_is_toml_that_reads_back():
    values = {"title": 'Le "vrai" blog \\ de Zoé\x7f\ttab', "base_url": "https://x.org",
              "description": "Ligne 1\nLigne 2"}
    text = settings_text(values)
    assert tomllib.loads(text) == values
    assert text.index("title") < text.index("base_url") < text.index("description")


def test_a_file_is_created_whole_and_never_replaced(tmp_path):
    path = tmp_path / "deep/er/billet.md"
    files.create(path, "premier\r\n")
    assert path.read_bytes() == b"premier\r\n"
    with pytest.raises(FileExistsError):
        files.create(path, "second")
    assert path.read_bytes() == b"premier\r\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["billet.md"]  # no leftovers


@pytest.mark.parametrize("key, value, expected", [
    ("base_url", "monblog.example.org", "has no scheme"),
    ("base_url", "ftp://x.org", "must start with https://"),
    ("timezone", "Mars/Olympus", "unknown timezone 'Mars/Olympus'"),
    ("timezone", "", "unknown timezone"),
    ("language", "de", "one of: fr, en"),
    ("author", "???", "needs a letter or a digit"),
    ("title", " ", "empty"),
])
def test_wrong_answers_say_what_is_wrong(key, value, expected):
    assert expected in (site.trouble(key, value) or "")


def test_right_answers_pass():
    for key, value in {"base_url": "https://blog.example.org/", "timezone": "Asia/Tokyo",
                       "language": "en", "author": "Zoé", "title": "T"}.items():
        assert site.trouble(key, value) is None


def test_options_are_named_in_their_errors():
    problems = site.check_given({"base_url": "blog", "timezone": "Nowhere", "title": None})
    assert [p.message.split(":")[0] for p in problems] == ["--url", "--timezone"]


def test_questions_are_asked_again_until_the_answer_is_right():
    answers = iter(["de", "", "Le Blog", "ftp://x", " https://le.example ", "Nowhere",
                    "Asia/Tokyo"])
    asked, said = [], []

    def read(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    chosen = prompts.ask_missing({"author": "Zoé", "language": None}, {"TZ": "UTC"}, read,
                                 said.append)
    assert chosen == site.SiteSettings(title="Le Blog", base_url="https://le.example",
                                       language="fr", author="Zoé", timezone="Asia/Tokyo")
    assert [p.split(" [")[0] for p in asked] == [
        prompts.QUESTIONS[key] for key in ("language", "language", "title", "base_url",
                                           "base_url", "timezone", "timezone")]
    assert "[fr]" in asked[0] and "[Mon blog]" in asked[2] and "[UTC]" in asked[-1]
    assert len(said) == 3 and "must start with https://" in said[1]


def test_english_defaults_follow_the_language_answered():
    answers = iter(["en", "", "", "", ""])
    chosen = prompts.ask_missing({}, {"USER": "zoe", "TZ": "Asia/Tokyo"},
                                 lambda _: next(answers), print)
    assert chosen == site.SiteSettings(title="My blog", base_url="https://example.org",
                                       language="en", author="zoe", timezone="Asia/Tokyo")


def test_machine_timezone(tmp_path):
    assert site.machine_timezone({"TZ": ":America/Montreal"}, tmp_path) == "America/Montreal"
    assert site.machine_timezone({}, tmp_path) == "UTC"
    (tmp_path / "localtime").symlink_to("/usr/share/zoneinfo/Europe/Lisbon")
    assert site.machine_timezone({"TZ": "nonsense"}, tmp_path) == "Europe/Lisbon"
    (tmp_path / "timezone").write_text("Europe/Madrid\n")
    assert site.machine_timezone({}, tmp_path) == "Europe/Madrid"
    assert site.machine_timezone({"TZ": "Etc/UTC"}, tmp_path) == "UTC"  # as a person writes it


def test_defaults_without_a_login_name():
    assert site.defaults("fr", {})["author"] == "Auteur"
    assert site.defaults("en", {"USER": "  "})["author"] == "Author"
    assert site.defaults("fr", {"LOGNAME": "zoe"})["author"] == "zoe"


@pytest.mark.parametrize("environ, expected", [
    ({"VISUAL": "code --wait", "EDITOR": "vi"}, ["code", "--wait"]),
    ({"EDITOR": "'/opt/my editor/bin/ed' -n"}, ["/opt/my editor/bin/ed", "-n"]),
    ({"VISUAL": " ", "EDITOR": "nano"}, ["nano"]),
    ({}, None),
])
def test_editor_command(environ, expected):
    assert editor.command(environ) == expected


def test_an_editor_that_cannot_start_is_a_problem(tmp_path):
    trouble = editor.edit(tmp_path / "a.md", [str(tmp_path / "no-such-editor")])
    assert trouble is not None and "cannot start the editor" in trouble.message


def test_create_site_dates_its_first_post_in_the_site_timezone(tmp_path):
    chosen = site.SiteSettings(title="T", base_url="https://x.org", language="en",
                               author="Zoé Durand", timezone="Pacific/Kiritimati")
    # 20:00 UTC on 31 December is already 1 January, 10:00, at UTC+14.
    made = site.create_site(tmp_path / "s", chosen, False,
                            datetime(2024, 12, 31, 20, 0, tzinfo=UTC))
    assert "content/posts/2025/welcome.md" in made.created
    text = (tmp_path / "s/content/posts/2025/welcome.md").read_text()
    assert "date: 2025-01-01 10:00" in text and "author: zoe-durand" in text
    assert made.created[-1] == "content/posts/2025/welcome.md" and made.kept == []


@pytest.mark.parametrize("text, expected", [
    ("", "the title is empty"), ("  ", "the title is empty"),
    ("Un\x07bip", "holds a control character"), ("Deux\nlignes", "holds a control character"),
    ("caf\udce9", "is not UTF-8 text"),  # a byte the command line could not decode
])
def test_a_title_no_file_can_hold_is_refused(text, expected):
    with pytest.raises(BuildError, match=expected):
        entries.checked_text(text, "title")
    assert "is not UTF-8 text" in (site.trouble("title", "caf\udce9") or "")


def test_a_name_the_file_name_rule_reads_otherwise_keeps_its_slug(tmp_path):
    config = SiteConfig(root=tmp_path, title="T", base_url="https://x.org",
                        timezone="Europe/Paris")
    now = datetime(2024, 3, 12, 8, 30, tzinfo=UTC)
    for title, slug in (("2024-03-12 : bilan", "2024-03-12-bilan"), ("Index", "index"),
                        ("Un bilan", None)):
        created = entries.new_post(config, entries.PostRequest(title, tags=(" a", "a ")), now)
        meta = frontmatter.split(created.path.read_text(), created.path).meta
        assert meta.get("slug") == slug and meta["tags"] == ["a"]
        assert created.path.name == f"{urls.slug(title)}.md"
