"""Any comment the intake accepts reaches the built site as the reader typed it: a real form
POST through the in-process ASGI app, the store, `publish` (the real sidecar writer and
build), then the site read back by the build (`read_site`). The only changes allowed are
the intake's own (`defences.make_draft`): the body's line breaks made `\\n`, the author's
name stripped. A text the intake refuses is refused for its fields, and never stored."""

from __future__ import annotations

import html
import io
import itertools
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from conftest import INTAKE_TOML, Site, article, asgi_call
from reflexgen.build import BuildOptions, read_site
from reflexgen.comments import defences, tokens
from reflexgen.comments.app import make_app
from reflexgen.comments.publish import publish
from reflexgen.comments.sidecar import sidecar_path
from reflexgen.content import markup
from reflexgen.content.frontmatter import decode, parse_yaml
from reflexgen.errors import Reporter
from reflexgen.incremental.cache import Cache

THREAD = "posts/a.md"
SITE_TOML = INTAKE_TOML + 'moderation = "post"\n'

# YAML, Markdown and Unicode that a naive writer or reader would change, and characters the
# intake must refuse (controls, C1, bidirectional overrides in a name).
HOSTILE = [
    "---", "...", "--- !!python/object/apply:os.system ['ls']",
    "!!python/object/apply:os.system ['ls']", "!!python/object:__main__.X {}", "!!binary AAAA",
    "clé: valeur", "a: b: c", ": ", "&anchor x", "*alias", "&a [1, *a]", "<<: *a",
    "# pas un commentaire", "#", "x # après", "'", '"', "''", '"\\n"', "- item", "? q",
    "| pipe", "|-", "|+", "> chevron", ">-", "%YAML 1.2", "%TAG ! tag:x,2000:", "null", "~",
    "yes", "No", "on", "1_000", "0x1F", "0o17", "1e3", ".nan", "-.inf", "2024-01-01",
    "12:30:00", "{a: 1}", "[1, 2]", "@at", "`back`", "!", "%", "\\", "\\n pas un saut",
    "\t", "\ttab au début", "  deux espaces", "fin  ", " ", "\n", "\n\n\n", "\r\n", "\r",
    "a\r\nb", "a\rb", "a\r\n\r\nb\r", "\xa0", "\u3000", "\u00ad", "e\u0301", "\u200b",
    "\u200e", "\u200f", "\u061c", "\u202b", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029",
    "مرحبا بالعالم", "עברית", "\u200fשלום\u200f", "😀", "👩\u200d👩\u200d👧", "🇫🇷", "\ufeff",
    "\ufdd0", "\U0001fffe", "\ufffe", "\uffff", "\ufffd", "\U0010ffff", "\U000e0001", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "**gras**", "_italique_", "~~barré~~", "[lien](javascript:alert(1))",
    "<script>alert(1)</script>", "<!-- -->", "```\ncode\n```", "    code", "> citation",
    "# Titre", "1. un", "* étoile", "&amp;", "&#0;", "{{ jinja }}", "{% raw %}", "${x}", "%s",
    "\x00", "\x07", "\x1b[31m", "\x0b", "\x0c", "\x7f", "\x85", "\x9f",
]


EDGES = ["", " ", "  ", "\t", "\n", "\r\n", "\r", " \t\n", "\u3000", "\xa0", "\u200f"]
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)
PIECES = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)),
                  min_size=1, max_size=6).map("".join)
COMPOSITE = st.tuples(st.sampled_from(EDGES), PIECES, st.sampled_from(EDGES)).map("".join)
BODIES = st.one_of(ANY_TEXT, PRINTABLE, st.sampled_from(HOSTILE), COMPOSITE)
# Names are one line: mostly printable text, so that most examples get through.
AUTHORS = st.one_of(PRINTABLE, st.sampled_from(HOSTILE),
                    st.tuples(st.sampled_from(EDGES), PRINTABLE, st.sampled_from(HOSTILE),
                              st.sampled_from(EDGES)).map("".join), ANY_TEXT)

ADDRESSES = itertools.count(1)  # a fresh /24 for each submission: no rate limit is shared


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip") / "site"
    Site(root).write({"site.toml": SITE_TOML,
                      "content/posts/a.md": article("Premier", "2024-03-01", slug="premier")})
    log = io.StringIO()
    reporter = Reporter(verbosity=-1, stream=log)
    app = make_app(root, reporter)
    yield app, root, reporter, log
    app.state.intake.store.close()
    app.state.intake.db.shutdown(wait=True)


def send(app, author: str, body: str, as_json: bool) -> tuple[dict[str, str], int, str]:
    """The reader's form, posted with a token shown 30 s ago, from an address of its own."""
    secret = app.state.intake.store.secret()
    token = tokens.issue(secret, THREAD, datetime.now(UTC) - timedelta(seconds=30))
    fields = {"thread": THREAD, "author": author, "body": body, "token": token}
    data = urlencode(fields).encode()
    n = next(ADDRESSES)
    headers = {"content-type": "application/x-www-form-urlencoded",
               "content-length": str(len(data)),
               "x-forwarded-for": f"10.{n // 256 % 256}.{n % 256}.7"}
    if as_json:
        headers["accept"] = "application/json"
    status, _, text = asgi_call(app, "POST", "/", data, headers)
    return fields, status, text


def read_back(root: Path) -> tuple[list[dict], list, list[str]]:
    """The sidecar as the build parses it, the article's comments in the site the build
    assembles (from a cache of its own: really read, not reused), and the texts the build
    gave the comment renderer."""
    path = sidecar_path(root / "content", THREAD)
    items = parse_yaml(decode(path.read_bytes(), path), path)
    with tempfile.TemporaryDirectory() as folder, \
            mock.patch.object(markup, "render_comment", wraps=markup.render_comment) as spy:
        _, blueprint = read_site(BuildOptions(site_dir=root, now=datetime.now(UTC)),
                                 Cache(Path(folder)))
    threads = blueprint.site.bodies[THREAD].threads
    return items, threads, [made.args[1] for made in spy.call_args_list]


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(author=AUTHORS, body=BODIES, as_json=st.booleans())
@example(author=" Zoé ", as_json=True,
         body="---\n!!python/object/apply:os.system ['ls']\nclé: valeur\n&a x\n*a\n# titre\n")
@example(author="\u200fשלום 😀\t", as_json=False,
         body="  \tdébut\r\nmilieu\rfin  \r\n\r\n\u200f\u2028 🇫🇷 %YAML 1.2\n...\n")
@example(author="yes", body="null", as_json=True)
@example(author="&anchor", body="*alias", as_json=False)
@example(author="#", body="'\"\\n\"", as_json=True)
@example(author="Zoé", body="\ufeff\ufdd0\U0010ffff", as_json=True)
@example(author="Zoé", body="a\n\n", as_json=True)
@example(author="Zoé\u202e", body="bip \x07", as_json=True)  # refused: both fields
@example(author="Zoé", body=" \r\n\t\u2028", as_json=False)  # refused: a blank body
# Found by this test: noncharacters XML refuses broke every later build; a block opening with
# a tab made a comment file the build's reader refused.
@example(author="Zoé", body="x\ufffe", as_json=True)
@example(author="Zoé\uffff", body="Bonjour", as_json=True)
@example(author="Zoé", body="\t\n0", as_json=True)
@example(author="Zoé", body="\n\n\tindenté\nsuite", as_json=False)
def test_any_text_the_intake_accepts_is_published_and_built_unchanged(intake, author, body,
                                                                     as_json):
    app, root, reporter, log = intake
    store = app.state.intake.store
    snapshot = app.state.intake.live.snapshot
    log.seek(0)
    log.truncate()
    try:
        fields, status, text = send(app, author, body, as_json)
        note(f"{status}: {text[:2000]}")
        expected_errors = defences.check_fields(fields, snapshot.config.comments,
                                                snapshot.config)
        if expected_errors:
            event("refused")
            assert status == 400
            if as_json:
                answer = json.loads(text)
                assert answer["status"] == "rejected"
                assert set(answer["errors"]) == set(expected_errors)
            else:
                page = html.unescape(text)
                for key in expected_errors.values():
                    assert snapshot.pages.t(key) in page
            assert store.find() == []  # nothing stored, not even as spam
            assert "error" not in log.getvalue(), log.getvalue()
            return
        event("accepted")
        assert status == 200
        if as_json:
            assert json.loads(text)["status"] in ("approved", "pending", "received")
        # The intake's documented normalizations, and nothing else (defences.make_draft).
        expected_body = body.replace("\r\n", "\n").replace("\r", "\n")
        expected_author = author.strip()
        [stored] = store.find()
        assert (stored.body, stored.author) == (expected_body, expected_author)
        if stored.status != "approved":  # held or filed as spam: a moderator approves it
            event(f"moderated: {stored.reasons}")
            store.set_status([stored.id], "approved")
        result = publish(root, snapshot.config, store, reporter)
        assert result.ok and result.written == {stored.id: stored.id}, log.getvalue()
        items, threads, rendered = read_back(root)
        [item] = items
        assert (item["body"], item["author"]) == (expected_body, expected_author)
        assert rendered == [expected_body]
        [thread] = threads
        comment = thread.comment
        assert (comment.id, comment.author) == (stored.id, expected_author)
        parser = markup.comment_parser(snapshot.config.language)
        assert comment.body_html == markup.render_comment(parser, expected_body)
        assert "error" not in log.getvalue(), log.getvalue()
    finally:
        store.delete(s.id for s in store.find())  # no duplicate for the next example
        sidecar_path(root / "content", THREAD).unlink(missing_ok=True)
