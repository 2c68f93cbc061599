"""Property-based tests (hypothesis): whatever the front matter or the comment, reading it
gives a record or a clear error naming the file, never a traceback; and rendered comments
never hold an element or attribute outside the sanitizer's allow-list."""

from __future__ import annotations

import datetime as dt
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
