"""The theme reference is generated from the view classes, so it cannot drift from them."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import REPO
from reflexgen.render import reference
from reflexgen.render.tracking import Tracked, derived


def test_docs_themes_md_is_the_generated_reference():
    written = (REPO / "docs/themes.md").read_text()
    assert written == reference.reference(), (
        "docs/themes.md is out of date: run `python -m reflexgen.render.reference > "
        "docs/themes.md`")


def test_every_field_a_template_can_read_is_described():
    assert reference.undocumented() == []


@dataclass(repr=False, eq=False)
class Sample(Tracked):
    """A view with one field described and two not."""

    described: str  # what it is
    bare: int

    @derived
    def computed(self) -> int:
        return 1


def test_a_field_without_a_description_is_caught(monkeypatch):
    monkeypatch.setattr(reference, "CLASSES", (Sample,))
    assert reference.undocumented() == ["Sample.bare", "Sample.computed"]
    assert "| `described` | `str` | what it is |" in reference.section(Sample)
