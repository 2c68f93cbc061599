from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reflexgen.comments import defences, tokens
from reflexgen.comments.defences import Facts, check_fields, client_ip, client_key, judge
from reflexgen.comments.records import Draft
from reflexgen.comments.threads import ThreadInfo
from reflexgen.config import SiteConfig
from reflexgen.config.comments import CommentSettings
from reflexgen.errors import BuildError

SECRET = b"k" * 32
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
THREAD = "posts/2026/a.md"
INFO = ThreadInfo(THREAD, "/2026/03/a/", "A", "fr", True)
CONFIG = SiteConfig(root=Path("."), title="T", base_url="https://x.org", max_comment_kb=1)
PRE, POST = CommentSettings(), CommentSettings(moderation="post")
FACTS = Facts(INFO, frozenset({"c1", "wp-12"}), defences.author_names(["Claire Dubois"]),
              ("viagra", "casino.example"))


def form(**changes):
    fields = {"thread": THREAD, "parent": "", "author": "Zoé", "email": "zoe@example.org",
              "url": "https://zoe.example.org/", "body": "Un avis mesuré sur la question.",
              "website": "", "token": tokens.issue(SECRET, THREAD, NOW - timedelta(minutes=1))}
    fields.update(changes)
    return fields


def verdict(comment_store, settings=PRE, facts=FACTS, client="10.0.0.1", now=NOW, **changes):
    fields = form(**changes)
    assert check_fields(fields, settings, CONFIG) == {}
    draft = defences.make_draft(fields, client_key(SECRET, client))
    return judge(draft, fields, facts, settings, comment_store, SECRET, now)


# Who the client is

def test_client_key_hashes_the_ipv4_slash_24():
    key = client_key(SECRET, "203.0.113.7")
    assert key == client_key(SECRET, "203.0.113.250") == client_key(SECRET, "::ffff:203.0.113.9")
    assert key != client_key(SECRET, "203.0.114.7")
    assert key != client_key(b"another site" * 3, "203.0.113.7")
    assert "203" not in key and len(key) == 32


def test_client_key_hashes_the_ipv6_slash_64():
    key = client_key(SECRET, "2001:db8:1:2::1")
    assert key == client_key(SECRET, "2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert key != client_key(SECRET, "2001:db8:1:3::1")


def test_client_key_of_something_that_is_no_address():
    assert client_key(SECRET, "testclient") != client_key(SECRET, "other")


@pytest.mark.parametrize("peer, forwarded, trusted, expected", [
    ("203.0.113.7", "", (), "203.0.113.7"),
    # an untrusted peer's X-Forwarded-For is ignored: spoofing
    ("203.0.113.7", "1.2.3.4", (), "203.0.113.7"),
    ("203.0.113.7", "1.2.3.4", ("127.0.0.1",), "203.0.113.7"),
    # behind a trusted proxy: the hop it saw
    ("127.0.0.1", "198.51.100.9", ("127.0.0.1",), "198.51.100.9"),
    # the client wrote its own X-Forwarded-For: the rightmost untrusted hop wins
    ("127.0.0.1", "1.2.3.4, 198.51.100.9", ("127.0.0.1",), "198.51.100.9"),
    ("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.5", ("10.0.0.0/8",), "198.51.100.9"),
    ("::1", "2001:db8::7", ("::1",), "2001:db8::7"),
    ("127.0.0.1", "[2001:db8::7]:4711", ("127.0.0.1",), "2001:db8::7"),
    ("127.0.0.1", "198.51.100.9:4711", ("127.0.0.1",), "198.51.100.9"),
    ("::ffff:127.0.0.1", "198.51.100.9", ("127.0.0.1",), "198.51.100.9"),
    # garbage next to the proxy: the proxy itself is blamed, never the garbage
    ("127.0.0.1", "1.2.3.4, <script>", ("127.0.0.1",), "127.0.0.1"),
    ("127.0.0.1", "", ("127.0.0.1",), "127.0.0.1"),
    ("10.0.0.2", "10.0.0.3, 10.0.0.4", ("10.0.0.0/8",), "10.0.0.3"),
])
def test_client_ip(peer, forwarded, trusted, expected):
    assert client_ip(peer, {"x-forwarded-for": forwarded}, trusted) == expected


# Field checks

def test_good_fields_pass():
    assert check_fields(form(), PRE, CONFIG) == {}
    assert check_fields(form(email="", url="", parent="c1"), PRE, CONFIG) == {}


@pytest.mark.parametrize("changes, field, error", [
    ({"author": ""}, "author", defences.REQUIRED),
    ({"author": "   "}, "author", defences.REQUIRED),
    ({"body": " \n "}, "body", defences.REQUIRED),
    ({"thread": ""}, "thread", defences.REQUIRED),
    ({"author": "a" * 101}, "author", defences.TOO_LONG),
    ({"email": "a" * 245 + "@exemple.fr"}, "email", defences.TOO_LONG),
    ({"url": "https://x.org/" + "a" * 500}, "url", defences.TOO_LONG),
    ({"body": "é" * 513}, "body", defences.TOO_LONG),  # 1 KB of UTF-8: 1026 bytes
    ({"token": "x" * 5000}, "token", defences.TOO_LONG),
    # header injection: no line break in one-line fields
    ({"author": "Zoé\r\nBcc: victim@example.org"}, "author", defences.CHARACTERS),
    ({"email": "zoe@example.org\r\nBcc: victim@example.org"}, "email", defences.CHARACTERS),
    ({"email": "zoe@example.org\nX: y"}, "email", defences.CHARACTERS),
    ({"url": "https://x.org/\r\nSet-Cookie: a=b"}, "url", defences.CHARACTERS),
    ({"author": "Zoé\x00"}, "author", defences.CHARACTERS),
    ({"author": "Zoé\u2028"}, "author", defences.CHARACTERS),
    ({"author": "\u202eeiolC"}, "author", defences.CHARACTERS),
    ({"body": "nul\x00byte"}, "body", defences.CHARACTERS),
    ({"body": "bell\x07"}, "body", defences.CHARACTERS),
    ({"email": "pas-une-adresse"}, "email", defences.BAD_EMAIL),
    ({"email": "a@b"}, "email", defences.BAD_EMAIL),
    ({"email": "a@@b.fr"}, "email", defences.BAD_EMAIL),
    ({"email": "a b@exemple.fr"}, "email", defences.BAD_EMAIL),
    ({"url": "javascript:alert(1)"}, "url", defences.BAD_URL),
    ({"url": "data:text/html,<script>"}, "url", defences.BAD_URL),
    ({"url": "ftp://x.org/"}, "url", defences.BAD_URL),
    ({"url": "https://"}, "url", defences.BAD_URL),
    ({"url": "https://user@evil.example/"}, "url", defences.BAD_URL),
    ({"url": "zoe.example.org"}, "url", defences.BAD_URL),
    ({"parent": "c1' OR 1=1"}, "parent", defences.CHARACTERS),
])
def test_bad_fields(changes, field, error):
    assert check_fields(form(**changes), PRE, CONFIG) == {field: error}


def test_require_email():
    settings = CommentSettings(require_email=True)
    assert check_fields(form(email=""), settings, CONFIG) == {"email": defences.NEEDS_EMAIL}
    assert check_fields(form(email=""), PRE, CONFIG) == {}


def test_missing_fields_are_reported_not_raised():
    assert check_fields({}, PRE, CONFIG) == {"author": defences.REQUIRED,
                                             "body": defences.REQUIRED,
                                             "thread": defences.REQUIRED}


@pytest.mark.parametrize("body", [
    "---\ntitle: pwned\n---",
    "!!python/object/apply:os.system ['rm -rf /']",
    "clé: valeur\n- liste\n&ancre [*ancre]",
    "{{ config }} {% raw %} <script>alert(1)</script>",
    "'); DROP TABLE submissions; --",
])
def test_yaml_and_code_looking_bodies_are_text(body):
    fields = form(body=body)
    assert check_fields(fields, PRE, CONFIG) == {}
    assert defences.make_draft(fields, "k").body == body


def test_make_draft():
    draft = defences.make_draft(form(body="un\r\ndeux\rtrois", email=" ", url="", parent="c1",
                                     author="  Zoé "), "key")
    assert draft == Draft(THREAD, "c1", "Zoé", None, None, "un\ndeux\ntrois", "key")


# The verdict, check by check

def test_a_good_comment_waits_with_pre_moderation(comment_store):
    result = verdict(comment_store)
    assert (result.outcome, result.reasons, result.message) == ("pending", (),
                                                                  "intake_pending")


def test_a_good_comment_is_approved_with_post_moderation(comment_store):
    assert verdict(comment_store, POST).outcome == "approved"
    assert verdict(comment_store, POST, body="Une réponse", parent="c1").outcome == "approved"


def test_honeypot_is_spam(comment_store):
    result = verdict(comment_store, POST, website="http://spam.example")
    assert (result.outcome, result.reasons, result.message) == ("spam", ("honeypot",),
                                                                  "intake_received")


@pytest.mark.parametrize("token, reason", [
    ("", tokens.MISSING),
    (tokens.issue(SECRET, THREAD, NOW - timedelta(seconds=1)), tokens.TOO_FAST),
    (tokens.issue(SECRET, THREAD, NOW - timedelta(hours=3)), tokens.EXPIRED),
    (tokens.issue(SECRET, "posts/other.md", NOW - timedelta(minutes=1)), tokens.WRONG_ARTICLE),
])
def test_token_troubles_are_refused(comment_store, token, reason):
    result = verdict(comment_store, POST, token=token)
    assert (result.outcome, result.reasons, result.message) == ("rejected", (reason,),
                                                                  "intake_token")


def test_forged_token_is_spam(comment_store):
    forged = tokens.issue(b"not the site's secret" * 2, THREAD, NOW - timedelta(minutes=1))
    assert verdict(comment_store, POST, token=forged).reasons == ("forged",)
    assert verdict(comment_store, POST, token=forged).outcome == "spam"


def test_replayed_token_is_spam(comment_store):
    token = tokens.issue(SECRET, THREAD, NOW - timedelta(minutes=1))
    assert verdict(comment_store, POST, token=token).outcome == "approved"
    again = verdict(comment_store, POST, token=token, body="Autre texte")
    assert (again.outcome, again.reasons) == ("spam", ("replayed",))


def test_unknown_or_closed_thread_is_refused(comment_store):
    assert verdict(comment_store, facts=Facts(None)).reasons == ("unknown_thread",)
    closed = Facts(replace(INFO, open=False))
    assert verdict(comment_store, facts=closed).reasons == ("closed",)
    assert verdict(comment_store, facts=closed).message == "intake_closed"
    other = Facts(replace(INFO, source="posts/other.md"))
    assert verdict(comment_store, facts=other).outcome == "rejected"


def test_parent_must_be_published_in_the_thread(comment_store):
    assert verdict(comment_store, parent="wp-12").outcome == "pending"
    result = verdict(comment_store, parent="c2")
    assert (result.outcome, result.reasons, result.message) == ("rejected", ("parent",),
                                                                  "intake_parent")


def test_rate_limit_per_client(comment_store):
    outcomes = [verdict(comment_store, body=f"Avis numéro {i}", email="",
                        token=tokens.issue(SECRET, THREAD, NOW - timedelta(minutes=1)),
                        now=NOW + timedelta(seconds=i)).outcome for i in range(7)]
    assert outcomes == ["pending"] * 5 + ["rejected"] * 2
    limited = verdict(comment_store, body="encore", email="", now=NOW + timedelta(seconds=8))
    assert (limited.reasons, limited.message) == (("rate_client",), "intake_rate")
    # the same /24 is the same client; another network is not held back
    same_network = verdict(comment_store, client="10.0.0.99", body="x", email="")
    assert same_network.reasons == ("rate_client",)
    assert verdict(comment_store, client="10.0.1.1", body="x", email="").outcome == "pending"
    # a minute later the minute's limit is lifted
    assert verdict(comment_store, body="plus tard", email="",
                   now=NOW + timedelta(minutes=2)).outcome == "pending"


def test_rate_limit_per_hour(comment_store):
    results = [verdict(comment_store, body=f"Avis {i}", email="",
                       now=NOW + timedelta(seconds=100 * i))
               for i in range(31)]
    assert [r.outcome for r in results[:30]] == ["pending"] * 30
    assert results[30].reasons == ("rate_client",)


def test_rate_limit_per_email_across_clients(comment_store):
    results = [verdict(comment_store, client=f"198.51.{i}.1", body=f"Avis {i}",
                       email="Zoe@Example.org" if i % 2 else "zoe@example.org")
               for i in range(6)]
    assert [r.outcome for r in results] == ["pending"] * 5 + ["rejected"]
    assert results[5].reasons == ("rate_email",)


def test_a_flood_of_spam_stores_no_more_than_the_limit(comment_store):
    """Spam is kept for review, but a flood of it is refused past the client's limit."""
    kept = sum(verdict(comment_store, website="x", body=f"bot {i}").outcome == "spam"
               for i in range(50))
    assert kept == 5


def test_duplicate_is_refused(comment_store):
    body = "Je ne suis pas du tout d'accord avec cette analyse."
    first = verdict(comment_store, body=body)
    draft = defences.make_draft(form(body=body), client_key(SECRET, "10.0.0.1"))
    comment_store.add(draft, first.outcome, first.reasons, NOW)
    again = verdict(comment_store, body=body.upper().replace(" ", "  "), client="192.0.2.1",
                    email="autre@example.org")
    assert (again.outcome, again.reasons, again.message) == ("rejected", ("duplicate",),
                                                               "intake_duplicate")
    later = NOW + timedelta(days=31)
    assert verdict(comment_store, body=body, now=later, client="192.0.3.1", email="",
                   token=tokens.issue(SECRET, THREAD, later - timedelta(minutes=1))
                   ).outcome == "pending"


def test_one_text_pasted_on_other_articles_is_spam(comment_store):
    body = "Excellent article, visitez mon site pour en savoir plus sur le sujet."
    first = verdict(comment_store, body=body)
    draft = defences.make_draft(form(body=body), client_key(SECRET, "10.0.0.1"))
    comment_store.add(replace(draft, thread="posts/autre.md"), first.outcome, first.reasons, NOW)
    again = verdict(comment_store, body=body, client="192.0.2.1", email="autre@example.org")
    assert (again.outcome, again.reasons) == ("spam", ("cross_post",))


def test_short_common_answers_are_no_duplicates(comment_store):
    comment_store.add(defences.make_draft(form(body="Merci !"), "k"), "pending", (), NOW)
    assert verdict(comment_store, body="Merci !", client="192.0.2.1").outcome == "pending"


@pytest.mark.parametrize("changes", [
    {"body": "Achetez du VIAGRA ici"},
    {"body": "Achetez du Viágra ici"},
    {"body": "Voir https://www.casino.example/bonus"},
    {"body": "Voir casino.example"},
    {"email": "bot@casino.example"},
    {"url": "https://casino.example/"},
    {"author": "Viagra Shop"},
])
def test_blocklist_is_spam(comment_store, changes):
    result = verdict(comment_store, POST, **changes)
    assert (result.outcome, result.reasons) == ("spam", ("blocklist",))


@pytest.mark.parametrize("body", ["viagraphie est un mot", "casino.examples.org",
                                  "mon-casino.example-pas"])
def test_blocklist_matches_whole_words_and_domains(comment_store, body):
    assert verdict(comment_store, POST, body=body).outcome == "approved"


def test_author_names_are_held(comment_store):
    result = verdict(comment_store, POST, author="claire  DUBOIS")
    assert (result.outcome, result.reasons) == ("pending", ("author_name",))


def test_too_many_links_are_held_even_after_moderation(comment_store):
    body = "Les chiffres sont dans le rapport https://a.example, dans la note www.b.example " \
        "et dans [la synthèse officielle](http://c.example)."
    result = verdict(comment_store, POST, body=body)
    assert (result.outcome, result.reasons) == ("pending", ("links",))
    two = "Voir https://a.example et https://b.example"
    assert verdict(comment_store, POST, body=two).outcome == "approved"
    assert verdict(comment_store, replace(POST, max_links=0), body="https://a.example").reasons == \
        ("links",)


def test_link_stuffing_is_spam(comment_store):
    five = " ".join(f"Le rapport numéro {n} https://{n}.example" for n in "abcde")
    assert verdict(comment_store, POST, body=five).reasons == ("links",)  # held: a reader's
    six = five + " https://f.example"
    assert verdict(comment_store, POST, body=six).reasons == ("link_stuffing",)
    assert verdict(comment_store, replace(POST, max_links=0), body="https://a.example " * 4
                   ).reasons == ("link_stuffing",)


# A reader citing sources, written the ways readers write links: held, never spam.
CITING = [
    "Je ne suis pas d’accord sur les chiffres. Voir https://www.insee.fr/fr/statistiques/1, "
    "https://www.ademe.fr/etude et https://www.ccomptes.fr/rapport : les séries disent "
    "l’inverse depuis 2019.",
    "Trois sources sérieuses, pour ceux qui veulent vérifier : [le rapport de la Cour des "
    "comptes](https://www.ccomptes.fr/r), [les chiffres de l’Insee](https://www.insee.fr/s) "
    "et [la note de France Stratégie](https://www.strategie.gouv.fr/n).",
    "Des sources, puisqu’on en parle : l’Insee (www.insee.fr/fr/statistiques), l’Ademe "
    "(www.ademe.fr/mobilite) et la Drees (https://drees.solidarites-sante.gouv.fr/etudes).",
    "Quelques lectures si vous voulez creuser le sujet :\n\n- https://a.example/un\n"
    "- https://b.example/deux\n- https://c.example/trois\n- https://d.example/quatre\n\n"
    "La dernière est la plus complète, même si elle date un peu et que la méthode a changé.",
    "Antoine, <a href=\"https://www.insee.fr/s\">l’Insee</a> et "
    "<a href=\"https://www.ademe.fr/e\">l’Ademe</a> ne disent pas la même chose que vous, "
    "et le Cerema non plus.",
]


@pytest.mark.parametrize("body", CITING)
def test_a_reader_citing_sources_is_held_not_spam(comment_store, body):
    assert 3 <= defences.count_links(body) <= 5
    result = verdict(comment_store, POST, body=body)
    assert (result.outcome, result.reasons) == ("pending", ("links",))


# Lists of links with a pitch, or a keyword or two for each link: spam.
LISTS = [
    "Best online deals #123 https://deal-1.example/ https://shop2.example/ "
    "https://click3.example/",
    "Great post, very informative! https://a.example https://b.example https://c.example "
    "https://d.example https://e.example",
    "[cheap meds](https://a.example) [best prices](https://b.example) "
    "[buy now](https://c.example)",
    "www.a.example www.b.example www.c.example Nice blog!",
    '<a href="https://a.example">cheap pills</a> <a href="https://b.example">pills</a>',
    "[url=https://a.example]cheap meds[/url] [url=https://b.example]pills[/url] "
    "[url]https://c.example[/url]",
]


@pytest.mark.parametrize("body", LISTS)
def test_a_list_of_links_is_spam(comment_store, body):
    result = verdict(comment_store, POST, body=body)
    assert (result.outcome, result.reasons) == ("spam", ("link_density",))


def test_link_density_only_judges_comments_past_max_links(comment_store):
    two = "https://a.example https://b.example"  # within max_links: not judged at all
    assert verdict(comment_store, POST, body=two).outcome == "approved"
    # max_links = 0 holds a single link, but one or two links are no list
    strict = replace(POST, max_links=0)
    assert verdict(comment_store, strict, body="Voir https://a.example").reasons == ("links",)
    assert verdict(comment_store, strict, body=two).reasons == ("links",)
    assert verdict(comment_store, strict, body=two + " https://c.example").reasons == \
        ("link_density",)
    # a site that allows five links lets five through, whatever the text around them
    many = replace(POST, max_links=5)
    assert verdict(comment_store, many, body=LISTS[1]).outcome == "approved"


def test_link_density_threshold(comment_store):
    links = " https://a.example https://b.example https://c.example"
    # three links: nine words of prose are enough, eight are a pitch
    assert verdict(comment_store, POST, body="un deux trois quatre cinq six sept huit neuf"
                   + links).reasons == ("links",)
    assert verdict(comment_store, POST, body="un deux trois quatre cinq six sept huit"
                   + links).reasons == ("link_density",)


@pytest.mark.parametrize("body, words", [
    ("", 0),
    ("rien que du texte", 4),
    ("Voir https://a.example/chemin?x=1&y=deux#trois et www.b.example/page.", 2),
    ("[le rapport](https://a.example/un_deux) de l’Insee", 5),  # the anchor's words count
    ('<a href="https://a.example" title="titre">le lien</a>', 2),
    ("[url=https://a.example/x]pas cher[/url] [url]https://b.example[/url]", 2),
    ("mailto:a@b.example, 2024 : 15 %, #123 !", 0),
    ("celle-ci, aujourd’hui, Élodie", 5),
])
def test_prose_words(body, words):
    assert defences.prose_words(body) == words


def test_a_flood_takes_back_what_it_got_through(comment_store):
    stored = []
    for n in range(4 * 5 + 1):  # over three times the limit of 5 a minute
        body = f"Commentaire numéro {n} envoyé par un robot pressé."
        result = verdict(comment_store, body=body, client="198.51.100.9")
        if result.outcome == "pending":
            draft = defences.make_draft(form(body=body), client_key(SECRET, "198.51.100.9"))
            stored.append(comment_store.add(draft, result.outcome, result.reasons, NOW))
    assert len(stored) == 5
    assert {comment_store.get(s.id).status for s in stored} == {"spam"}


def test_both_signals_are_reported(comment_store):
    body = "Voir le rapport https://a.example, la note https://b.example et les chiffres " \
        "https://c.example : tout y est."
    assert verdict(comment_store, POST, author="Claire Dubois", body=body).reasons == \
        ("author_name", "links")


def test_order_honeypot_before_token_before_thread(comment_store):
    assert verdict(comment_store, facts=Facts(None), token="", website="x").reasons == ("honeypot",)
    assert verdict(comment_store, facts=Facts(None), token="").reasons == ("missing",)


def test_count_links():
    assert defences.count_links("rien") == 0
    assert defences.count_links('<a href="x">x</a> mailto:a@b.fr HTTPS://X.ORG') == 3


def test_read_blocklist(tmp_path):
    path = tmp_path / "interdits.txt"
    path.write_text("# des mots\nViagra\n\n  Casino.Example  # un domaine\nviagra\n",
                    encoding="utf-8")
    assert defences.read_blocklist(path) == ("viagra", "casino.example")
    with pytest.raises(BuildError, match="interdits2.txt"):
        defences.read_blocklist(tmp_path / "interdits2.txt")


def test_trusted_moderation_approves_only_confirmed_addresses_with_an_approved_comment(
        comment_store):
    trusted = CommentSettings(moderation="trusted")
    assert verdict(comment_store, trusted).outcome == "pending"  # a stranger
    comment_store.add(defences.make_draft(form(body="Un premier avis, approuvé."), "c"),
                      "approved", (), NOW)
    assert verdict(comment_store, trusted, body="Second avis").outcome == "pending"  # not yet
    comment_store.confirm_address("ZOE@example.org", NOW)
    assert verdict(comment_store, trusted, body="Troisième avis").outcome == "approved"
    # The same name with another address is no one we know.
    assert verdict(comment_store, trusted, body="Quatrième", email="zoe@evil.example"
                   ).outcome == "pending"
    # Held signals still hold.
    assert verdict(comment_store, trusted, body="Un avis de Claire Dubois",
                   author="Claire Dubois").outcome == "pending"
