import pytest

from reflexgen.content.markup import article_parser, comment_parser
from reflexgen.content.typography import french_spaces, plain

NB, NN = "\u00a0", "\u202f"
FR = article_parser("fr")


@pytest.mark.parametrize("typed, expected", [
    ("Vraiment ? Oui ! Enfin ; bref", f"Vraiment{NN}? Oui{NN}! Enfin{NN}; bref"),
    ("Vraiment? Oui!", f"Vraiment{NN}? Oui{NN}!"),
    ("Note : voici", f"Note{NB}: voici"),
    ("Note: voici", f"Note{NB}: voici"),
    ("« Bien »", f"«{NB}Bien{NB}»"),
    ("«Bien»", f"«{NB}Bien{NB}»"),
    ("Une baisse de 30 % en 2 ans, 12 km à 5 €",
     f"Une baisse de 30{NB}% en 2{NB}ans, 12{NB}km à 5{NB}€"),
    ("50%", f"50{NB}%"),
    ("Quoi ?!", f"Quoi{NN}?!"),
    ("Rendez-vous à 10:30, sur https://x.fr/?q=1&a=2 !", f"Rendez-vous à 10:30, sur https://x.fr/?q=1&a=2{NN}!"),
    ("Il y a 2 ou 3 choses", "Il y a 2 ou 3 choses"),
])
def test_french_spaces(typed, expected):
    assert french_spaces(typed) == expected
    assert french_spaces(expected) == expected  # already right: unchanged


def test_titles_get_quotes_ellipsis_and_apostrophes():
    assert plain('L\'été "chaud"... enfin ?', "fr") == f"L’été «{NB}chaud{NB}»… enfin{NN}?"
    assert plain('It\'s "hot"...', "en") == "It’s “hot”…"
    assert plain(plain('Un "titre" ?', "fr"), "fr") == plain('Un "titre" ?', "fr")


def test_markdown_text_is_typeset_but_code_links_and_attributes_are_not():
    html = FR.render('Il dit "non" : c\'est fini... '
                     'Voir [la page ?](https://x.fr/a?b=1 "Titre ?").\n\n'
                     "Du code `a ? b : c` et :\n\n```\nx = \"y\" ? 1 : 2\n```\n")
    assert f"Il dit «{NB}non{NB}»{NB}: c’est fini…" in html
    assert f">la page{NN}?</a>" in html
    assert 'href="https://x.fr/a?b=1"' in html and 'title="Titre ?"' in html
    assert "<code>a ? b : c</code>" in html and 'x = &quot;y&quot; ? 1 : 2' in html


def test_english_gets_curly_quotes_and_no_french_spaces():
    html = article_parser("en").render('He said "no": it\'s over!\n')
    assert html == "<p>He said “no”: it’s over!</p>\n"


def test_comments_are_typeset_too():
    assert comment_parser("fr").render('Bravo !') == f"<p>Bravo{NN}!</p>\n"
