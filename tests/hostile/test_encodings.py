"""Row 8: encodings. A BOM and Windows line endings are read as the author meant; Latin-1,
UTF-16 or NUL bytes stop the build with the file named, never with replaced characters."""

from __future__ import annotations

import pytest

from conftest import article


def test_bom_and_crlf_are_read_correctly(site):
    text = article("Fenêtres", "2024-03-01", "Première ligne.\n\nSeconde ligne.", slug="crlf",
                   tags='["éditeurs"]')
    site.write({"content/authors/zoe.md": "", "content/posts/a.md": ""})
    (site.root / "content/authors/zoe.md").write_bytes(
        "\ufeff---\r\nname: \"Zoé\"\r\n---\r\nBio.\r\n".encode())
    (site.root / "content/posts/a.md").write_bytes(("\ufeff" + text).replace("\n", "\r\n")
                                                   .encode())
    (site.root / "content/posts/a.comments.yaml").write_bytes(
        "\ufeff- id: 1\r\n  author: Zoé\r\n  date: 2024-03-02\r\n  body: Vu.\r\n".encode())
    run = site.build()
    assert run.code == 0, run.stderr
    html = site.read("2024/03/crlf/index.html")
    assert "Fenêtres" in html and "Seconde ligne." in html and "Vu." in html
    everything = "".join(p.read_text(encoding="utf-8") for p in (site.root / "output").rglob("*")
                         if p.suffix in (".html", ".xml", ".atom"))
    assert "\ufeff" not in everything and "\r" not in everything


@pytest.mark.parametrize("encoded, expected", [
    (article("Été").encode("latin-1"), "not valid UTF-8"),
    (article("Été").encode("utf-16"), "UTF-16"),
    (article("Nul").encode().replace(b"Du texte", b"Du\x00texte"), "NUL"),
])
def test_other_encodings_are_clear_errors(site, encoded, expected):
    site.write({"content/posts/a.md": ""})
    (site.root / "content/posts/a.md").write_bytes(encoded)
    run = site.build()
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "content/posts/a.md" in run.stderr and expected in run.stderr, run.stderr
    assert "\ufffd" not in run.stderr


@pytest.mark.parametrize("text, said", [
    ("---\ntitle: \"A\"\ndate: 2024-03-01\n---\nUn \x1b dans le corps.\n",
     ":5: text holds a control character (U+001B)"),
    ("---\ntitle: \"Cloche\\x07\"\ndate: 2024-03-01\n---\nCorps.\n",  # a YAML escape
     ": text holds a control character (U+0007)"),
    ("+++\ntitle = \"Cloche\\u0007\"\ndate = 2024-03-01\n+++\nCorps.\n",  # TOML
     ": text holds a control character (U+0007)"),
    # U+FFFE and U+FFFF: XML refuses them too (a comment holding one broke every build).
    ("---\ntitle: \"A\"\ndate: 2024-03-01\n---\nUn \ufffe dans le corps.\n",
     ":5: text holds a noncharacter (U+FFFE)"),
    ("---\ntitle: \"Non\\uFFFF\"\ndate: 2024-03-01\n---\nCorps.\n",
     ": text holds a noncharacter (U+FFFF)"),
])
def test_characters_no_page_may_hold_are_clear_errors(site, text, said):
    """XML refuses them, so a feed could not be written: said before, with the file."""
    site.write({"content/posts/a.md": ""})
    (site.root / "content/posts/a.md").write_bytes(text.encode())
    run = site.build()
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr
    assert f"content/posts/a.md{said}" in run.stderr

