"""`site.addresses.moves`: which pieces moved between two builds."""

from __future__ import annotations

from reflexgen.site.addresses import Address, Move, moves


def at(url: str, title: str = "Titre", *aliases: str) -> Address:
    return Address(url, title, aliases)


def test_same_file_other_url_moved_unless_the_old_url_is_an_alias():
    before = {"a.md": at("/a/"), "b.md": at("/b/"), "c.md": at("/c/")}
    after = {"a.md": at("/a2/"), "b.md": at("/b2/", "Titre", "/b/"), "c.md": at("/c/", "Neuf")}
    assert moves(before, after) == [Move("a.md", "/a/", "/a2/", False),
                                    Move("b.md", "/b/", "/b2/", True)]


def test_a_renamed_file_is_found_by_its_title_only_when_unambiguous():
    before = {"a.md": at("/a/", "Seul"), "b.md": at("/b/", "Double")}
    after = {"x.md": at("/x/", "Seul"), "y.md": at("/y/", "Double"), "z.md": at("/z/", "Double")}
    assert moves(before, after) == [Move("x.md", "/a/", "/x/", False)]


def test_nothing_before_nothing_moved():
    assert moves({}, {"a.md": at("/a/")}) == []
    assert moves({"a.md": at("/a/")}, {}) == []
