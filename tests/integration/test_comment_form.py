"""« Laisser un commentaire »: the form at the end of an article, and « Répondre » under each
comment, shown only where the intake would take the comment ([comments] endpoint set, the
thread open), posting to the endpoint and nowhere else, accessible without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import lxml.html
import pytest

from conftest import SITE_TOML, article, cli, logical

ENDPOINT = "https://commentaires.example.org/blog/"
WITH_ENDPOINT = SITE_TOML + f'\n[comments]\nendpoint = "{ENDPOINT}"\n'
COMMENTS = ('[{id: c1, author: Jean, date: 2024-03-12, body: Une question},'
            ' {id: c2, parent: c1, author: "Zoé \\"<b>\\"", date: 2024-03-13, body: Une réponse}]')
PAGE = "2024/03/billet/index.html"


@pytest.fixture
def blog(site):
    site.write({"site.toml": WITH_ENDPOINT,
                "content/posts/billet.md": article("Billet", "2024-03-12", slug="billet",
                                                   comments=COMMENTS)})
    return site


def page(site, rel: str = PAGE):
    return lxml.html.fromstring(site.read(rel))


def form_of(doc):
    forms = doc.xpath('//section[@id="commentaire"]//form')
    assert len(forms) == 1
    return forms[0]


def test_the_form_posts_to_the_endpoint_with_the_articles_source_as_thread(blog):
    assert blog.build().code == 0
    doc = page(blog)
    form = form_of(doc)
    assert form.get("method") == "post" and form.get("action") == ENDPOINT
    hidden = {i.get("name"): i.get("value") for i in form.xpath('.//input[@type="hidden"]')}
    assert hidden == {"thread": "posts/billet.md", "parent": ""}  # no token: the intake asks
    assert doc.get_element_by_id("cf-title").text_content() == "Laisser un commentaire"
    assert form.xpath('.//button[@type="submit"]')[0].text_content() == "Publier le commentaire"
    # after the thread, once; the script only where there is a form, deferred, not inline
    assert doc.xpath('//section[@id="comments"]/following-sibling::section[@id="commentaire"]')
    scripts = doc.xpath("//script[not(@type='application/ld+json')]")
    assert [(logical(s.get("src")), "defer" in s.attrib) for s in scripts] == [
        ("/theme/search.js", True), ("/theme/share.js", True),  # the header's, the share links'
        ("/theme/comments.js", True)]
    assert all(not (s.text or "").strip() for s in scripts)


def test_every_field_is_labelled_described_and_marked(blog):
    assert blog.build().code == 0
    doc = page(blog)
    form = form_of(doc)
    fields = {f.get("name"): f for f in form.xpath(".//input[not(@type='hidden')] | .//textarea")}
    assert set(fields) == {"author", "email", "url", "body", "website"}
    labels = {label.get("for"): " ".join(label.text_content().split())
              for label in form.xpath(".//label")}
    assert {name: labels[f.get("id")] for name, f in fields.items()} == {
        "author": "Nom (obligatoire)", "email": "Adresse e-mail (facultative)",
        "url": "Site web (facultatif)", "body": "Commentaire (obligatoire)",
        "website": "Ne pas remplir"}
    assert {n for n, f in fields.items() if f.get("required") is not None} == {"author", "body"}
    assert {n: f.get("autocomplete") for n, f in fields.items()} == {
        "author": "name", "email": "email", "url": "url", "body": None, "website": "off"}
    assert (fields["email"].get("type"), fields["url"].get("type")) == ("email", "url")
    for name in ("author", "email", "url", "body"):  # help and errors, by id, all present
        described = fields[name].get("aria-describedby").split()
        assert f"cf-{name}-error" in described
        assert all(doc.get_element_by_id(i) is not None for i in described)
    help_text = doc.get_element_by_id("cf-email-help").text_content()
    assert help_text == "Votre adresse ne sera pas publiée."
    hint = doc.get_element_by_id("cf-body-help")
    assert [c.text_content() for c in hint.xpath(".//code")] == [
        "*italique*", "**gras**", "[lien](https://…)", "> citation"]
    status = doc.get_element_by_id("cf-status")
    assert status.get("aria-live") == "polite" and status.get("role") == "status"


def test_the_honeypot_is_hidden_from_people_but_not_a_hidden_input(blog):
    assert blog.build().code == 0
    trap = form_of(page(blog)).xpath('.//input[@name="website"]')[0]
    assert trap.get("type") == "text" and trap.get("tabindex") == "-1"
    assert trap.getparent().get("class") == "comment-form__trap"
    assert ".comment-form__trap {" in blog.read(blog.published("theme/style.css"))


def test_require_email_makes_the_address_required(site):
    site.write({"site.toml": WITH_ENDPOINT + "require_email = true\n",
                "content/posts/billet.md": article(slug="billet")})
    assert site.build().code == 0
    email = form_of(page(site)).xpath('.//input[@name="email"]')[0]
    assert email.get("required") is not None
    label = page(site).xpath('//label[@for="cf-email"]')[0]
    assert " ".join(label.text_content().split()) == "Adresse e-mail (obligatoire)"


def test_each_comment_has_a_reply_link_to_the_intakes_reply_page(blog):
    assert blog.build().code == 0
    links = page(blog).find_class("comment__reply")
    thread = "thread=posts%2Fbillet.md"
    assert [(a.get("href"), a.get("aria-label"), a.text_content()) for a in links] == [
        (f"{ENDPOINT}form?{thread}&parent=c1#commentaire", "Répondre à Jean", "Répondre"),
        (f"{ENDPOINT}form?{thread}&parent=c2#commentaire", 'Répondre à Zoé "<b>"', "Répondre")]
    assert [a.get("data-parent") for a in links] == ["c1", "c2"]
    assert "<b>" not in blog.read(PAGE).split('id="comment-c2"')[1].split("</header>")[0]


def test_an_endpoint_without_a_final_slash_still_leads_to_its_reply_page(site):
    site.write({"site.toml": SITE_TOML + '\n[comments]\nendpoint = "https://c.example.org/c"\n',
                "content/posts/billet.md": article(slug="billet", comments=COMMENTS)})
    assert site.build().code == 0
    doc = page(site)
    assert form_of(doc).get("action") == "https://c.example.org/c"
    assert doc.find_class("comment__reply")[0].get("href").startswith(
        "https://c.example.org/c/form?thread=")


def test_no_endpoint_no_form_and_no_reply_links(site):
    site.write({"content/posts/billet.md": article(slug="billet", comments=COMMENTS)})
    assert site.build().code == 0
    html = site.read(PAGE)
    assert 'id="commentaire"' not in html and "comment__reply" not in html
    assert "comments.js" not in html
    assert "2 réflexions sur" in html


def test_a_closed_thread_says_so_and_takes_no_comment(site):
    site.write({"site.toml": WITH_ENDPOINT,
                "content/posts/billet.md": article(slug="billet", comments=COMMENTS,
                                                   comments_open="false")})
    assert site.build().code == 0
    html = site.read(PAGE)
    assert "Les commentaires sont fermés." in html
    assert 'id="commentaire"' not in html and "comment__reply" not in html
    assert "comments.js" not in html and "comment-form__form" not in html


def test_a_thread_older_than_close_after_days_is_closed(site):
    young = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    site.write({"site.toml": WITH_ENDPOINT + "close_after_days = 30\n",
                "content/posts/billet.md": article("Billet", "2024-03-12", slug="billet",
                                                   comments=COMMENTS),
                "content/posts/jeune.md": article("Jeune", young, slug="jeune")})
    assert site.build().code == 0
    html = site.read(PAGE)
    assert "Les commentaires sont fermés." in html and "2 réflexions sur" in html
    assert 'id="commentaire"' not in html and "comment__reply" not in html
    assert "comment-form__form" not in html
    fresh = page(site, next(p for p in site.root.joinpath("output").rglob("jeune/index.html"))
                 .relative_to(site.root / "output").as_posix())
    assert form_of(fresh) is not None
    assert "Les commentaires sont fermés." not in lxml.html.tostring(fresh, encoding=str)


def test_drafts_shown_in_a_preview_take_no_comment(site):
    site.write({"site.toml": WITH_ENDPOINT,
                "content/posts/billet.md": article(slug="billet", draft="true")})
    assert site.build("--drafts").code == 0
    assert "comment-form__form" not in site.read(PAGE)


def test_the_form_in_english(site):
    site.write({"site.toml": WITH_ENDPOINT.replace('language = "fr"', 'language = "en"'),
                "content/posts/billet.md": article(slug="billet", comments=COMMENTS)})
    assert site.build().code == 0
    doc = page(site)
    assert doc.get_element_by_id("cf-title").text_content() == "Leave a comment"
    labels = [" ".join(label.text_content().split())
              for label in doc.xpath("//form[@class='comment-form__form']//label")]
    assert labels == ["Name (required)", "Email (optional)", "Website (optional)",
                      "Comment (required)", "Do not fill in"]
    assert doc.get_element_by_id("cf-email-help").text_content() == \
        "Your email address will not be published."
    assert form_of(doc).xpath('.//button[@type="submit"]')[0].text_content() == "Post comment"
    reply = doc.find_class("comment__reply")[0]
    assert (reply.text_content(), reply.get("aria-label")) == ("Reply", "Reply to Jean")
    cancel = form_of(doc).find_class("comment-form__cancel")[0]
    assert cancel.text_content() == "Cancel reply" and cancel.get("hidden") is not None


def test_an_incremental_build_follows_the_endpoint_and_the_thread_closing(blog):
    assert blog.build().code == 0
    blog.write({"site.toml": WITH_ENDPOINT.replace(ENDPOINT, "https://autre.example.org/")})
    assert blog.build().code == 0
    assert form_of(page(blog)).get("action") == "https://autre.example.org/"
    blog.write({"site.toml": SITE_TOML})
    assert blog.build().code == 0
    assert 'id="commentaire"' not in blog.read(PAGE)
    blog.write({"site.toml": WITH_ENDPOINT})
    assert blog.build().code == 0
    assert form_of(page(blog)).get("action") == ENDPOINT
    blog.write({"content/posts/billet.md": article("Billet", "2024-03-12", slug="billet",
                                                   comments=COMMENTS, comments_open="false")})
    assert blog.build().code == 0
    assert "comment-form__form" not in blog.read(PAGE) and "comment__reply" not in blog.read(PAGE)


def test_the_link_checker_leaves_the_intakes_reply_links_alone(site):
    """An intake on the site's own host (behind the same nginx) is not a missing page."""
    site.write({"site.toml": SITE_TOML + '\n[comments]\nendpoint = '
                             '"https://blog.example.org/commentaires/"\n',
                "content/posts/billet.md": article(slug="billet", comments=COMMENTS)})
    assert site.build().code == 0
    assert "https://blog.example.org/commentaires/form?" in site.read(PAGE)
    run = cli("check", "--site", str(site.root))
    assert run.code == 0, run.stderr
