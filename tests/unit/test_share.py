from urllib.parse import parse_qs, urlsplit

from reflexgen.config.share import NETWORKS
from reflexgen.render.share import share_links

URL = "https://blog.example.org/2024/03/l-ete/"
TITLE = "L’été « chaud » : Q&A, 100 % \"vrai\" ? peut-\u2060il"
SHARED = "L’été « chaud » : Q&A, 100 % \"vrai\" ? peut-il"  # without the word joiner


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query, keep_blank_values=True)


def test_each_network_gets_its_own_share_address_with_every_value_encoded():
    links = {link.network: link.href for link in share_links(NETWORKS, URL, TITLE)}
    assert links["email"].startswith("mailto:?subject=")
    assert query(links["email"]) == {"subject": [SHARED], "body": [URL]}
    assert links["mastodon"].startswith("https://toot.kytta.dev/?text=")
    assert query(links["mastodon"]) == {"text": [f"{SHARED} {URL}"]}
    assert links["bluesky"].startswith("https://bsky.app/intent/compose?text=")
    assert query(links["bluesky"]) == {"text": [f"{SHARED} {URL}"]}
    assert links["linkedin"].startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert query(links["linkedin"]) == {"url": [URL]}
    assert links["x"].startswith("https://x.com/intent/post?text=")
    assert query(links["x"]) == {"text": [SHARED], "url": [URL]}
    assert links["copy"] == links["device"] == ""  # buttons of share.js


def test_nothing_in_an_address_is_left_unencoded():
    for link in share_links(NETWORKS, URL, TITLE):
        query_text = link.href.partition("?")[2]
        for value in (part.partition("=")[2] for part in query_text.split("&")):
            assert not set(value) & set(" \"'<>&?=/:#«»’+"), (link.network, value)
    email = share_links(("email",), URL, "a b")[0].href
    assert "a%20b" in email  # mailto: wants %20, not +


def test_the_links_follow_the_order_of_the_setting():
    assert [link.network for link in share_links(("x", "email"), URL, TITLE)] == ["x", "email"]
    assert share_links((), URL, TITLE) == ()
