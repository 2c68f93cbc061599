"""Stable addresses: the file name makes the slug, and a page that moves anyway is reported
with the alias that keeps its old address alive (`site.addresses`)."""

from __future__ import annotations

from conftest import Site, article

OLD = "/2024/03/premier-billet/"


def test_the_file_name_makes_the_slug_and_a_title_edit_keeps_it(site: Site):
    site.write({"content/posts/premier-billet.md": article("Premier billet", "2024-03-01"),
                "content/posts/2024-03-05-date-en-tete.md": article("Autre", "2024-03-05"),
                "content/posts/en-dossier/index.md": article("Dossier", "2024-03-06"),
                "content/pages/qui-sommes-nous.md": "---\ntitle: À propos\n---\nNous.\n"})
    assert site.build().code == 0
    assert "Premier billet" in site.read("2024/03/premier-billet/index.html")
    assert site.exists("2024/03/date-en-tete/index.html")  # Jekyll's date prefix is not kept
    assert site.exists("2024/03/en-dossier/index.html")  # a folder with index.md: its name
    assert site.exists("qui-sommes-nous/index.html")
    site.write({"content/posts/premier-billet.md": article("Premier billet, corrigé",
                                                           "2024-03-01")})
    run = site.build()
    assert run.code == 0 and "address changed" not in run.stderr
    assert "corrigé" in site.read("2024/03/premier-billet/index.html")


def test_a_slug_edit_is_reported_with_the_alias_that_keeps_the_old_address(site: Site):
    site.write({"content/posts/premier-billet.md": article("Premier billet", "2024-03-01")})
    assert site.build().code == 0
    site.write({"content/posts/premier-billet.md": article("Premier billet", "2024-03-01",
                                                           slug="nouveau")})
    run = site.build()
    assert run.code == 0
    assert "content/posts/premier-billet.md" in run.stderr
    assert f"address changed from {OLD} to /2024/03/nouveau/" in run.stderr
    assert f'aliases: ["{OLD}"]' in run.stderr
    assert not site.exists("2024/03/premier-billet/index.html")
    # The suggested fix works: the old address leads to the new one, and the warning is gone.
    site.write({"content/posts/premier-billet.md": article(
        "Premier billet", "2024-03-01", slug="nouveau", aliases=f'["{OLD}"]')})
    run = site.build()
    assert run.code == 0 and "address changed" not in run.stderr
    assert 'url=/2024/03/nouveau/' in site.read("2024/03/premier-billet/index.html")


def test_a_renamed_file_is_reported_and_strict_refuses_it(site: Site):
    site.write({"content/posts/premier-billet.md": article("Premier billet", "2024-03-01"),
                "content/pages/contact.md": "---\ntitle: Contact\n---\nÉcrivez-nous.\n"})
    assert site.build().code == 0
    (site.root / "content/posts/premier-billet.md").rename(
        site.root / "content/posts/billet-renomme.md")
    (site.root / "content/pages/contact.md").rename(site.root / "content/pages/ecrire.md")
    run = site.build("--strict")
    assert run.code == 1
    assert f"address changed from {OLD} to /2024/03/billet-renomme/" in run.stderr
    assert "content/posts/billet-renomme.md" in run.stderr
    assert "address changed from /contact/ to /ecrire/" in run.stderr
    # A clean build still knows where the pages were.
    site.write({"content/posts/billet-renomme.md": article("Premier billet", "2024-03-01",
                                                           slug="encore-ailleurs")})
    run = site.build("--clean")
    assert "to /2024/03/encore-ailleurs/" in run.stderr


def test_moving_a_draft_or_a_new_article_says_nothing(site: Site):
    site.write({"content/posts/brouillon.md": article("Brouillon", "2024-03-01",
                                                      draft="true")})
    assert site.build().code == 0
    site.write({"content/posts/brouillon.md": article("Brouillon", "2024-03-01", draft="true",
                                                      slug="ailleurs"),
                "content/posts/neuf.md": article("Neuf", "2024-03-02")})
    run = site.build()
    assert run.code == 0 and "address changed" not in run.stderr
