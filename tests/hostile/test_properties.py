"""Property-based tests (hypothesis): whatever the front matter or the comment, reading it
gives a record or a clear error naming the file, never a traceback; and rendered comments
never hold an element or attribute outside the sanitizer's allow-list."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import lxml.html
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflexgen.build import BuildOptions, build
from reflexgen.config import SiteConfig
from reflexgen.content.markup import (
    COMMENT_ATTRIBUTES,
    COMMENT_TAGS,
    comment_parser,
    render_comment,
)
from reflexgen.content.readers import ARTICLE_KEYS, Parsers, read_article
from reflexgen.errors import BuildError, Reporter

CONFIG = SiteConfig(root=Path("/site"), title="T", base_url="https://x.org", language="fr")
PARSERS = Parsers()
scalars = (st.text(max_size=40) | st.integers() | st.floats(allow_nan=False) | st.booleans()
           | st.none() | st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
keys = st.sampled_from(sorted(ARTICLE_KEYS)) | st.text(min_size=1, max_size=12)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.dictionaries(keys, values, max_size=8), body=st.text(max_size=200))
def test_any_front_matter_reads_or_names_the_file(tmp_path, meta, body):
    path = tmp_path / "posts" / "a.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body,
                    encoding="utf-8")
    try:
        read_article(tmp_path, "posts/a.md", CONFIG, PARSERS)
    except BuildError as exc:
        assert exc.problems and all(Path(str(p.path)) == path for p in exc.problems)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.dictionaries(keys, values, max_size=8))
def test_any_front_matter_builds_or_fails_cleanly(tmp_path_factory, meta):
    """The whole pipeline (assemble, plan, render), not only the reader."""
    root = tmp_path_factory.mktemp("site")
    (root / "site.toml").write_text('title = "T"\nbase_url = "https://x.org"\n')
    path = root / "content/posts/a.md"
    path.parent.mkdir(parents=True)
    meta = {"title": "Titre", "date": dt.date(2024, 3, 1), **meta}
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\nCorps.\n",
                    encoding="utf-8")
    try:
        build(BuildOptions(site_dir=root, jobs=1), Reporter(verbosity=-1))
    except BuildError as exc:
        assert exc.problems and all(path.name in str(p) for p in exc.problems), exc.problems


def written_date(year: int, month: int, day: int, time: tuple[int, int, int] | None,
                 offset: str, padded: bool, separator: str) -> str:
    """A date as a person might type it, on the calendar or not: 2023-02-29, 2024-2-30,
    2024-13-01T25:61:00+01:00…"""
    text = f"{year:04d}-{month:02d}-{day:02d}" if padded else f"{year:04d}-{month}-{day}"
    if time is not None:
        text += f"{separator}{time[0]:02d}:{time[1]:02d}:{time[2]:02d}{offset}"
    return text


# Any year/month/day triple, valid or not, as a date or a date and time (which YAML reads
# as a date when the calendar has it, as text when not).
typed_dates = st.builds(
    written_date, year=st.integers(0, 9999), month=st.integers(0, 19),
    day=st.integers(0, 39), time=st.none() | st.tuples(st.integers(0, 29), st.integers(0, 69),
                                                       st.integers(0, 69)),
    offset=st.sampled_from(["", "Z", "+01:00", "-05:00", "+25:00"]), padded=st.booleans(),
    separator=st.sampled_from(["T", " "]))
DATE_PLACES = ("date", "updated", "inline comment", "comment file")
COMMENT = "- id: 1\n  author: Lecteur\n  date: {date}\n  body: Bonjour.\n"


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(when=typed_dates, place=st.sampled_from(DATE_PLACES))
def test_any_calendar_date_builds_or_names_the_file(tmp_path_factory, when, place):
    """Impossible dates (2023-02-29) crashed the YAML reader with a bare ValueError."""
    root = tmp_path_factory.mktemp("site")
    (root / "site.toml").write_text('title = "T"\nbase_url = "https://x.org"\n'
                                    'timezone = "Europe/Paris"\n')
    posts = root / "content/posts"
    posts.mkdir(parents=True)
    header = {"date": f"date: {when}", "updated": f"date: 2024-03-01\nupdated: {when}",
              "inline comment": "date: 2024-03-01\ncomments:\n"
                                + textwrap.indent(COMMENT.format(date=when), "  "),
              "comment file": "date: 2024-03-01"}[place]
    (posts / "a.md").write_text(f"---\ntitle: Titre\n{header}\n---\nCorps.\n",
                                encoding="utf-8")
    if place == "comment file":
        (posts / "a.comments.yaml").write_text(COMMENT.format(date=when), encoding="utf-8")
    try:
        build(BuildOptions(site_dir=root, jobs=1), Reporter(verbosity=-1))
    except BuildError as exc:
        named = "a.comments.yaml" if place == "comment file" else "a.md"
        assert exc.problems and all(f"posts/{named}:" in str(p) for p in exc.problems), \
            exc.problems


ATTACKS = st.sampled_from(["<script>", "</p>", "<img src=x onerror=alert(1)>", "javascript:",
                           "[a](javascript:alert(1))", "<a href='x'>", "\"'><svg/onload=x>",
                           "<iframe>", "](", "<!--", "&#x3C;script&#x3E;", "*", "`", "\n\n"])
bodies = st.lists(st.text(max_size=20) | ATTACKS, max_size=25).map("".join)
ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


@settings(max_examples=500, deadline=None)
@given(body=bodies)
def test_rendered_comments_stay_inside_the_allow_list(body):
    html = render_comment(comment_parser("fr"), body)
    if not html.strip():
        return
    for element in lxml.html.fragment_fromstring(html, create_parent="div").iter():
        if element.tag == "div" and element.getparent() is None:
            continue  # the wrapper added here
        assert element.tag in COMMENT_TAGS, element.tag
        for name, value in element.attrib.items():
            allowed = COMMENT_ATTRIBUTES.get(element.tag, set()) | {"rel"}
            assert name in allowed, (element.tag, name)
            if name == "href":
                assert value.lower().startswith(ALLOWED_SCHEMES), value
