"""`reflexgen comments …` as a moderator runs it: real processes on a small site, the queue
seeded through the store, the rebuilt page read back with lxml."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from lxml import html

from conftest import REPO, Site, article
from reflexgen.comments.records import Draft
from reflexgen.comments.store import SQLiteStore

EMAIL = "zoe.secret@example.org"
HAND_WRITTEN = """\
# Écrit à la main : à garder.
- id: h1
  author: Jean
  date: 2024-03-13 10:00
  body: Premier commentaire, écrit à la main.
"""
DEPLOY = """\
import pathlib, sys
print("envoi du site")
if not pathlib.Path("deploy-ok").exists():
    sys.exit(3)
with open("deployed.log", "a") as log:
    log.write("deployed\\n")
"""


def run(site: Site, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reflexgen", "comments", *args,
                           "--site", str(site.root)], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture
def blog(tmp_path: Path) -> Site:
    site = Site(tmp_path / "site").write({
        "site.toml": 'title = "Le Blog"\nbase_url = "https://blog.example.org"\n'
                     'language = "fr"\ntimezone = "Europe/Paris"\n\n[comments]\n'
                     f'deploy_command = "{sys.executable} deploy.py"\n',
        "deploy.py": DEPLOY,
        "content/posts/2024/debat.md": article("Le débat", body="Qu'en pensez-vous ?"),
        "content/posts/2024/debat.comments.yaml": HAND_WRITTEN,
    })
    (site.root / "deploy-ok").touch()
    assert site.build().code == 0
    return site


def seed(site: Site, body: str = "Je réponds **à Jean**.\n\nDeux paragraphes.",
         parent: str | None = "h1", status: str = "pending") -> str:
    store = SQLiteStore(site.root / "comments.sqlite3")
    try:
        draft = Draft(thread="posts/2024/debat.md", parent=parent, author="Zoé", email=EMAIL,
                      url="https://zoe.example", body=body, client="hmac")
        return store.add(draft, status, (), datetime.now(UTC)).id
    finally:
        store.close()


def stored(site: Site, cid: str):
    store = SQLiteStore(site.root / "comments.sqlite3")
    try:
        return store.get(cid)
    finally:
        store.close()


def page(site: Site):
    return html.fromstring((site.root / "output/2024/03/debat/index.html").read_bytes())


def every_output_file(site: Site) -> str:
    return "".join(p.read_text(errors="replace") for p in (site.root / "output").rglob("*")
                   if p.is_file())


def test_approve_publishes_the_reply_nested_under_its_parent(blog):
    cid = seed(blog)
    done = run(blog, "approve", cid)
    assert done.returncode == 0, done.stderr
    [reply] = page(blog).xpath(f'//li[@id="comment-h1"]//li[@id="comment-{cid}"]')
    assert "Deux paragraphes." in reply.text_content()
    assert reply.xpath(".//strong")[0].text == "à Jean"
    sidecar = (blog.root / "content/posts/2024/debat.comments.yaml").read_text()
    assert sidecar.startswith(HAND_WRITTEN)
    assert EMAIL not in sidecar and EMAIL not in every_output_file(blog)
    assert stored(blog, cid).published
    assert (blog.root / "deployed.log").read_text() == "deployed\n"
    assert "deploy: envoi du site" in done.stderr


def test_approve_no_publish_waits_for_publish(blog):
    cid = seed(blog)
    assert run(blog, "approve", "--no-publish", cid).returncode == 0
    assert not page(blog).xpath(f'//li[@id="comment-{cid}"]')
    assert run(blog, "publish").returncode == 0
    assert page(blog).xpath(f'//li[@id="comment-{cid}"]')
    again = run(blog, "publish")
    assert again.returncode == 0 and "nothing to publish" in again.stderr
    sidecar = (blog.root / "content/posts/2024/debat.comments.yaml").read_text()
    assert sidecar.count(f"id: {cid}") == 1


def test_a_failing_deploy_keeps_the_comment_and_publish_retries(blog):
    (blog.root / "deploy-ok").unlink()
    cid = seed(blog)
    failed = run(blog, "approve", cid)
    assert failed.returncode == 1
    assert "deploy_command failed (exit code 3)" in failed.stderr
    assert f"id: {cid}" in (blog.root / "content/posts/2024/debat.comments.yaml").read_text()
    assert page(blog).xpath(f'//li[@id="comment-{cid}"]')  # built, not deployed
    assert not (blog.root / "deployed.log").exists()
    assert run(blog, "publish").returncode == 1  # still failing: still owed
    (blog.root / "deploy-ok").touch()
    retried = run(blog, "publish")
    assert retried.returncode == 0, retried.stderr
    assert (blog.root / "deployed.log").read_text() == "deployed\n"
    assert run(blog, "publish").returncode == 0
    assert (blog.root / "deployed.log").read_text() == "deployed\n"  # nothing owed any more


def test_a_failing_build_keeps_the_comment_and_publish_retries(blog):
    cid = seed(blog)
    broken = blog.root / "content/posts/2024/casse.md"
    broken.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    failed = run(blog, "approve", cid)
    assert failed.returncode == 1 and "not built" in failed.stderr
    assert stored(blog, cid).published
    broken.unlink()
    assert run(blog, "publish").returncode == 0
    assert page(blog).xpath(f'//li[@id="comment-{cid}"]')


def test_list_and_show_print_records_without_emails_unless_asked(blog):
    cid = seed(blog)
    other = seed(blog, body="Du spam", parent=None, status="spam")
    listed = run(blog, "list", "--json")
    [record] = json.loads(listed.stdout)
    assert record["id"] == cid and record["article"] == "posts/2024/debat.md"
    assert record["parent"] == "h1" and record["status"] == "pending"
    assert {"author", "date", "body"} <= record.keys()
    assert EMAIL not in listed.stdout
    every = json.loads(run(blog, "list", "--status", "all", "--json", "--with-email",
                           "--article", "content/posts/2024/debat.md").stdout)
    assert [r["id"] for r in every] == [other, cid] and every[0]["email"] == EMAIL
    shown = run(blog, "show", cid)
    assert shown.returncode == 0 and "Deux paragraphes." in shown.stdout
    assert EMAIL not in shown.stdout
    people = run(blog, "list")
    assert cid in people.stdout and "Zoé" in people.stdout


def test_an_unknown_id_is_an_error_that_changes_nothing(blog):
    cid = seed(blog)
    done = run(blog, "approve", cid, "c999")
    assert done.returncode == 1
    assert "c999" in done.stderr and EMAIL not in done.stderr and "Traceback" not in done.stderr
    assert stored(blog, cid).status == "pending"
    for action in ("show", "spam", "delete", "edit"):
        assert run(blog, action, "x'; DROP TABLE submissions; --").returncode == 1
    assert stored(blog, cid).status == "pending"


def test_spam_delete_and_purge(blog):
    cid = seed(blog)
    assert run(blog, "spam", cid).returncode == 0
    assert stored(blog, cid).status == "spam"
    assert run(blog, "purge").returncode == 0
    assert stored(blog, cid) is not None  # recent spam is kept for review
    assert run(blog, "delete", cid).returncode == 0
    assert stored(blog, cid) is None


def test_commands_need_a_database_but_do_not_make_one(tmp_path):
    site = Site(tmp_path / "site").write({"site.toml": 'title = "B"\nbase_url = '
                                                       '"https://b.example"\n'})
    done = run(site, "list")
    assert done.returncode == 1 and "no comment database" in done.stderr
    assert not (site.root / "comments.sqlite3").exists()


def test_edit_opens_the_text_in_the_editor(blog, tmp_path):
    cid = seed(blog, body="Une fote.")
    fixer = tmp_path / "fix.py"
    fixer.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                     "p.write_text(p.read_text().replace('fote', 'faute') + '\\n')\n")
    assert run(blog, "edit", cid, env={"VISUAL": "", "EDITOR": "true"}).returncode == 0
    assert stored(blog, cid).body == "Une fote."  # unchanged: nothing to do
    emptier = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').close()\""
    assert run(blog, "edit", cid, env={"VISUAL": emptier}).returncode == 0
    assert stored(blog, cid).body == "Une fote."  # emptied: nothing changes either
    done = run(blog, "edit", cid, env={"VISUAL": f"{sys.executable} {fixer}"})
    assert done.returncode == 0, done.stderr
    assert stored(blog, cid).body == "Une faute."


def test_a_comment_that_cannot_be_written_stays_approved_and_the_others_go(blog):
    bell = seed(blog, body="Une cloche \x07 dans le texte")
    good = seed(blog, body="Un commentaire sans souci.")
    (blog.root / "content/posts/2024/autre.md").write_text(article("Autre"), encoding="utf-8")
    broken = blog.root / "content/posts/2024/autre.comments.yaml"
    broken.write_text("- [pas fermé\n", encoding="utf-8")
    store = SQLiteStore(blog.root / "comments.sqlite3")
    elsewhere = store.add(Draft("posts/2024/autre.md", None, "Luc", None, None, "Bonjour",
                                "hmac"), "pending", (), datetime.now(UTC)).id
    store.close()
    done = run(blog, "approve", bell, good, elsewhere)
    assert done.returncode == 1
    assert f"comment {bell} not published: its body holds a control character" in done.stderr
    assert "cannot read the comment file" in done.stderr
    assert broken.read_text(encoding="utf-8") == "- [pas fermé\n"
    assert not stored(blog, bell).published and not stored(blog, elsewhere).published
    assert stored(blog, bell).status == "approved" and stored(blog, good).published
    assert "not built" in done.stderr  # the broken file stops the build too
    broken.unlink()
    assert run(blog, "publish").returncode == 1  # the bell still cannot go
    assert page(blog).xpath(f'//li[@id="comment-{good}"]')
    assert stored(blog, elsewhere).published


def sidecar_text(site: Site) -> str:
    return (site.root / "content/posts/2024/debat.comments.yaml").read_text(encoding="utf-8")


def published(site: Site, *bodies: str) -> list[str]:
    ids = [seed(site, body=body) for body in bodies]
    assert run(site, "approve", *ids).returncode == 0
    return ids


@pytest.mark.parametrize("action", ["spam", "delete"])
def test_spam_or_delete_takes_a_published_comment_off_the_site(blog, action):
    first, second = published(blog, "Bon commentaire.", "Publicité déguisée.")
    reply = seed(blog, body="Je réponds à la publicité.", parent=second, status="approved")
    assert run(blog, "publish").returncode == 0
    assert page(blog).xpath(f'//li[@id="comment-{second}"]//li[@id="comment-{reply}"]')
    done = run(blog, action, second)
    assert done.returncode == 0, done.stderr
    assert "Publicité déguisée" not in sidecar_text(blog)
    assert sidecar_text(blog).startswith(HAND_WRITTEN)  # the hand-written part is kept
    assert not page(blog).xpath(f'//li[@id="comment-{second}"]')
    # Its reply moves up to its parent (h1), as WordPress does; the other one stays.
    assert page(blog).xpath(f'//li[@id="comment-h1"]/ol/li[@id="comment-{reply}"]')
    assert page(blog).xpath(f'//li[@id="comment-{first}"]')
    assert f"{reply} now answers h1 instead of {second}" in done.stderr
    assert stored(blog, reply).parent == "h1"
    gone = stored(blog, second)
    if action == "spam":
        assert gone.status == "spam" and not gone.published
        assert run(blog, "publish").returncode == 0  # spam is never published again
        assert "Publicité déguisée" not in sidecar_text(blog)
    else:
        assert gone is None
    assert (blog.root / "deployed.log").read_text().count("deployed") >= 3


def test_a_waiting_reply_to_a_withdrawn_comment_is_published_under_its_parent(blog):
    [parent] = published(blog, "Un avis tranché.")
    waiting = seed(blog, body="Réponse en attente.", parent=parent)
    assert run(blog, "delete", parent).returncode == 0
    assert run(blog, "approve", waiting).returncode == 0
    assert page(blog).xpath(f'//li[@id="comment-h1"]/ol/li[@id="comment-{waiting}"]')


def test_a_reply_whose_parent_was_removed_by_hand_is_published_top_level(blog):
    [parent] = published(blog, "Retiré à la main ensuite.")
    waiting = seed(blog, body="Réponse orpheline.", parent=parent)
    (blog.root / "content/posts/2024/debat.comments.yaml").write_text(HAND_WRITTEN)
    done = run(blog, "approve", waiting)
    assert done.returncode == 0, done.stderr
    assert f"{waiting} answered {parent}, which is no longer in the comment file" in done.stderr
    assert page(blog).xpath(f'//ol[@class="comment-list"]/li[@id="comment-{waiting}"]')


def test_editing_a_published_comment_changes_the_page(blog, tmp_path):
    [cid] = published(blog, "Une fote publiée.\n\nDeuxième ligne.")
    fixer = tmp_path / "fix.py"
    fixer.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                     "p.write_text(p.read_text().replace('fote', 'faute'))\n")
    done = run(blog, "edit", cid, env={"VISUAL": f"{sys.executable} {fixer}"})
    assert done.returncode == 0, done.stderr
    assert "Une faute publiée." in page(blog).xpath(f'//li[@id="comment-{cid}"]')[0] \
        .text_content()
    assert "fote" not in sidecar_text(blog) and sidecar_text(blog).startswith(HAND_WRITTEN)
    assert stored(blog, cid).body == "Une faute publiée.\n\nDeuxième ligne."


def test_a_comment_file_that_cannot_be_changed_keeps_the_comment_and_says_so(blog):
    [cid] = published(blog, "Toujours là.")
    path = blog.root / "content/posts/2024/debat.comments.yaml"
    path.write_text(sidecar_text(blog) + "- [pas fermé\n", encoding="utf-8")
    done = run(blog, "delete", cid)
    assert done.returncode == 1 and "cannot read the comment file" in done.stderr
    assert stored(blog, cid) is not None and stored(blog, cid).published  # nothing lost


# Personal data (GDPR): export and erase

def test_export_lists_everything_kept_about_an_address(blog):
    first = seed(blog, "Mon premier avis.", parent=None, status="approved")
    assert run(blog, "publish").returncode == 0
    seed(blog, "Un avis en attente.", parent=None)
    done = run(blog, "export", "--email", EMAIL.upper())
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [c["body"] for c in data["comments"]] == ["Mon premier avis.", "Un avis en attente."]
    assert data["comments"][0]["id"] == first and data["comments"][0]["published"]
    assert data["comment_files"] == [] and data["articles_to_check_by_hand"] == []
    assert json.loads(run(blog, "export", "--email", "personne@example.org").stdout
                      )["comments"] == []


def test_erase_takes_an_address_out_of_the_site_and_the_database(blog):
    answered = seed(blog, "Un avis qui a reçu une réponse.", parent=None, status="approved")
    alone = seed(blog, "Un avis sans réponse.", parent="h1", status="approved")
    assert run(blog, "publish").returncode == 0
    store = SQLiteStore(blog.root / "comments.sqlite3")
    try:
        reply = store.add(Draft("posts/2024/debat.md", answered, "Paul", "paul@example.org",
                                None, "Je vous réponds.", "x"), "approved", (),
                          datetime.now(UTC)).id
        waiting = store.add(Draft("posts/2024/debat.md", alone, "Léa", None, None,
                                  "Réponse en attente.", "y"), "pending", (),
                            datetime.now(UTC)).id
    finally:
        store.close()
    assert run(blog, "publish").returncode == 0
    assert "Un avis qui a reçu une réponse." in every_output_file(blog)
    refused = run(blog, "erase", "--email", EMAIL)  # not a terminal: asks for --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr
    done = run(blog, "erase", "--email", EMAIL, "--yes")
    assert done.returncode == 0, done.stderr
    sidecar = yaml.safe_load((blog.root / "content/posts/2024/debat.comments.yaml").read_text())
    by_id = {str(c["id"]): c for c in sidecar}
    assert by_id[answered]["author"] == "Commentaire supprimé"
    assert by_id[answered]["body"].strip() == "Commentaire supprimé"
    assert "url" not in by_id[answered] and alone not in by_id
    assert by_id[reply]["parent"] == answered and "h1" in by_id  # the rest as it was
    built = every_output_file(blog)
    assert "Un avis qui a reçu une réponse." not in built and "Un avis sans réponse." not in built
    assert "zoe.example" not in built and "Je vous réponds." in built
    assert stored(blog, answered) is None and stored(blog, alone) is None
    assert stored(blog, waiting).parent == "h1"  # moved up to the erased comment's parent
    assert json.loads(run(blog, "export", "--email", EMAIL).stdout)["comments"] == []


def test_erase_finds_hand_written_comments_and_names_front_matter_ones(blog):
    sidecar = blog.root / "content/posts/2024/debat.comments.yaml"
    sidecar.write_text(HAND_WRITTEN + "- id: h2\n  author: Zoé\n  email: Zoe.Secret@example.org"
                       "\n  date: 2024-03-14 10:00\n  body: Écrit à la main par Zoé.\n")
    blog.write({"content/posts/2024/autre.md": article(
        "Autre", body="Texte.", comments=f"[{{id: 1, author: Zoé, email: {EMAIL}, "
                                          "date: 2024-03-12, body: En ligne}]"),
        "content/posts/2024/long.markdown": article("Long", body="Un texte."),
        "content/posts/2024/long.comments.yaml": "- id: m1\n  author: Zoé\n  email: "
        f"{EMAIL.upper()}\n  date: 2024-03-14 10:00\n  body: Sous un .markdown.\n"})
    done = run(blog, "erase", "--email", EMAIL, "--yes")
    assert done.returncode == 1
    assert "autre.md" in done.stderr and "front matter" in done.stderr
    assert "h2" not in {str(c["id"]) for c in yaml.safe_load(sidecar.read_text())}
    long = yaml.safe_load((blog.root / "content/posts/2024/long.comments.yaml").read_text())
    assert long in (None, [])
