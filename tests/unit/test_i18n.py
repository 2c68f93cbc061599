from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reflexgen.errors import BuildError
from reflexgen.render.i18n import agreement, load_translator
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


@pytest.mark.parametrize("genders, agreed", [
    ([], "n"), ([None], "n"), (["n"], "n"), (["f"], "f"), (["m"], "m"), (["f", "f"], "f"),
    (["f", "m"], "m"), (["f", None], "n"), (["f", "n"], "n"), (["m", None], "m"),
])
def test_a_group_agrees_in_gender_the_french_way(genders, agreed):
    assert agreement(genders) == agreed


@pytest.mark.parametrize("gender, text", [
    ("f", "À propos de l’autrice"), ("m", "À propos de l’auteur"),
    ("n", "Qui a écrit cet article\u202f?"), (None, "Qui a écrit cet article\u202f?"),
])
def test_french_strings_agree_with_the_gender_given(gender, text):
    assert translator("fr").t("about_author", gender=gender) == text


def test_english_strings_have_no_gender():
    english = translator("en")
    for gender in ("f", "m", "n", None):
        assert english.t("about_author", gender=gender) == "About the author"
        assert english.t("comment_by_author", gender=gender) == "Author"


def test_every_french_string_about_authors_has_the_three_genders():
    for key, text in translator("fr").strings.items():
        if "auteur" in str(text).lower() or "autrice" in str(text).lower():
            assert isinstance(text, dict) and set(text) == {"f", "m", "n"}, key


def test_a_table_neither_plural_nor_gendered_is_an_error_naming_its_line(tmp_path):
    strings = tmp_path / "themes/default/i18n/fr.toml"
    strings.parent.mkdir(parents=True)
    strings.write_text('home = "Accueil"\n\n[about_author]\nfemme = "À propos de l’autrice"\n')
    with pytest.raises(BuildError) as caught:
        load_translator(find_theme(tmp_path, "default"), "fr", ZoneInfo("Europe/Paris"))
    problem = caught.value.problems[0]
    assert (problem.path, problem.line) == (strings, 3)
    assert "UI string 'about_author' has variants 'femme'" in problem.message
    assert "n = " in (problem.hint or "")


def test_months_are_localised():
    assert translator("fr").month(2024, 3) == "mars 2024"
    assert translator("en").month(2024, 3) == "March 2024"
