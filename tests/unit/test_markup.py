import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from reflexgen.content.markup import (
    WORD,
    article_parser,
    comment_parser,
    count_words,
    lexer_class,
    render_article,
    render_bio,
    render_comment,
)

ARTICLE = article_parser("en")
COMMENT = comment_parser("en")


def test_summary_is_first_paragraph_by_default():
    rendered = render_article(ARTICLE, "# Titre\n\nPremier *paragraphe*.\n\nSecond.")
    assert rendered.summary_html == "<p>Premier <em>paragraphe</em>.</p>"


def test_summary_stops_at_more_marker():
    rendered = render_article(ARTICLE, "Un.\n\nDeux.\n\n<!-- more -->\n\nTrois.")
    assert rendered.summary_html == "<p>Un.</p>\n<p>Deux.</p>"
    assert "Trois" in rendered.html


def test_front_matter_summary_wins_and_is_inline_markdown():
    rendered = render_article(ARTICLE, "Corps.", summary="Un *résumé*")
    assert rendered.summary_html == "Un <em>résumé</em>"


def test_extensions_are_enabled():
    text = ("## Un titre\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~barré~~\n\n- [x] fait\n\n"
            "Note[^1].\n\n[^1]: La note.\n")
    html = render_article(ARTICLE, text).html
    assert '<h2 id="un-titre">' in html
    assert "<table>" in html and "<s>barré</s>" in html
    assert 'type="checkbox"' in html and 'class="footnotes"' in html


def test_word_count_ignores_link_targets():
    assert render_article(ARTICLE, "Un [lien](https://example.org/a/b/c) ici.").words == 3


def test_authors_may_write_raw_html():
    assert '<div class="x">' in render_article(ARTICLE, '<div class="x">ok</div>').html


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](javascript&#58;alert(1))",
    '<svg onload="alert(1)"></svg>',
    '"><script>alert(1)</script>',
    "![x](https://evil.example/pixel.png)",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "<a href=\"javascript:alert(1)\">x</a>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_comment_payloads_are_neutralised(payload):
    html = render_comment(COMMENT, payload)
    assert "<script" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html)
    assert not re.search(r"(?i)<[a-z][^>]*\s(href|src)\s*=\s*\"?\s*(javascript|data):", html)
    assert "<img" not in html and "<svg" not in html


def test_comment_links_keep_http_and_mailto_with_rel():
    html = render_comment(COMMENT, "[site](https://example.org) et [moi](mailto:a@example.org)")
    assert 'href="https://example.org"' in html and 'href="mailto:a@example.org"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_comment_markdown_still_works():
    html = render_comment(COMMENT, "*oui* et **non**\n\n> cité")
    assert "<em>oui</em>" in html and "<strong>non</strong>" in html and "<blockquote>" in html


def test_bios_are_sanitized():
    html = render_bio(ARTICLE, 'Moi <script>x()</script> <a href="javascript:y()">z</a>')
    assert "<script" not in html and "javascript:" not in html


def test_comment_strikethrough_survives_sanitizer():
    assert "<s>non</s>" in render_comment(COMMENT, "~~non~~")


def test_code_blocks_are_highlighted_without_javascript():
    html = ARTICLE.render('```python\nif x < 1:  # "fin" ?\n    pass\n```\n\n'
                          "```inconnu\na < b\n```\n\n```\n<script>x</script>\n```\n")
    assert '<pre><code class="language-python"><span class="k">if</span>' in html
    assert '<span class="c1"># "fin" ?</span>' in html  # no typography in code
    assert '<code class="language-inconnu">a &lt; b\n</code>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


# Text made of what decides word boundaries: letters and digits (Unicode ones too), the
# joiners of WORD, and the spaces str.split() knows (U+001C and U+3000 among them).
WORDY = st.lists(st.sampled_from(["a", "é", "Z", "7", "٣", "²", "_", "'", "’", "-", "\u2060",
                                  " ", "\n", "\t", "\u00a0", "\u202f", "\u3000", "\x1c", ".",
                                  "«", "?", "peut", "il"]), max_size=24).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(WORDY, st.text(max_size=40)))
def test_count_words_is_the_number_of_matches_of_word(text):
    assert count_words(text) == len(WORD.findall(text))


@pytest.mark.parametrize("language", ["python", "JS", "bash", "text", "no-such-language"])
def test_lexer_class_is_that_of_pygments_get_lexer_by_name(language):
    try:
        expected = type(get_lexer_by_name(language))
    except ClassNotFound:
        expected = None
    assert lexer_class(language) is expected
