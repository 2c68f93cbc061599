from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reflexgen.render.i18n import load_translator
from reflexgen.render.themes import find_theme

THEME = find_theme(Path("/nonexistent"), "default")


def translator(language):
    return load_translator(THEME, language, ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize("count, text", [
    (1, "1 réflexion sur «\u00a0Titre\u00a0»"),
    (3, "3 réflexions sur «\u00a0Titre\u00a0»"),
])
def test_french_comment_heading_plurals(count, text):
    assert translator("fr").tn("comments_heading", count, title="Titre") == text


@pytest.mark.parametrize("count, text", [(1, "1 thought on “Title”"), (3, "3 thoughts on “Title”")])
def test_english_comment_heading_plurals(count, text):
    assert translator("en").tn("comments_heading", count, title="Title") == text


def test_dates_are_localised_in_site_timezone():
    late = datetime(2012, 3, 11, 23, 30, tzinfo=UTC)  # already 12 March in Paris
    assert translator("fr").date(late) == "12 mars 2012"
    assert translator("en").date(late) == "March 12, 2012"


def test_languages_have_the_same_strings():
    assert set(translator("fr").strings) == set(translator("en").strings)


def test_missing_string_is_an_error():
    with pytest.raises(KeyError):
        translator("fr").t("nope")


def test_word_counts_are_written_the_language_way():
    assert translator("fr").tn("word_count", 12345, words=translator("fr").number(12345)) \
        == "12\u202f345 mots"
    assert translator("en").tn("word_count", 1, words=translator("en").number(1)) == "1 word"
    assert translator("en").number(12345) == "12,345"
