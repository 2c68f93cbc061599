"""Rows 9–11 of the hostile-input catalogue: the same content always gives the same bytes,
whatever the machine's timezone, and feed entry ids never move."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import feedparser

from conftest import Site, article


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Site, output: Path, tz: str | None = None) -> None:
    env = {**os.environ, "TZ": tz} if tz else dict(os.environ)
    subprocess.run([sys.executable, "-m", "reflexgen", "-q", "build", "--site", str(site.root),
                    "-o", str(output), "--clean"], env=env, check=True)


def blog(site: Site) -> Site:
    return site.write({
        "content/posts/a.md": article("Heure d’été", "2024-03-31T02:30:00", "Le changement.",
                                      slug="ete", tags='["temps"]'),
        "content/posts/b.md": article("Heure d’hiver", "2024-10-27 02:30", "L’autre.",
                                      slug="hiver", tags='["temps"]'),
        "content/posts/b.comments.yaml": "- id: 1\n  author: Zoé\n  date: 2024-10-28 09:00\n"
                                         "  body: Bien vu.\n",
    })


def test_two_builds_are_byte_identical_whatever_the_timezone(site, tmp_path):
    blog(site)
    build(site, tmp_path / "one", "UTC")
    build(site, tmp_path / "two", "Pacific/Auckland")
    build(site, tmp_path / "three", "America/Los_Angeles")
    first = hashes(tmp_path / "one")
    assert first == hashes(tmp_path / "two") == hashes(tmp_path / "three")
    assert "feed.xml" in first and "2024/10/hiver/comments.atom" in first


def test_feed_ids_survive_https_and_a_new_slug(site, tmp_path):
    blog(site)
    build(site, tmp_path / "before")
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text().replace("https://blog.example.org", "http://blog.example.org"))
    (site.root / "content/posts/a.md").write_text(
        (site.root / "content/posts/a.md").read_text().replace("slug: ete", "slug: heure-ete"))
    build(site, tmp_path / "after")
    for feed in ("feed.xml", "atom.xml", "tags/temps/feed.xml"):
        before = feedparser.parse((tmp_path / "before" / feed).read_bytes())
        after = feedparser.parse((tmp_path / "after" / feed).read_bytes())
        ids = [e.id for e in before.entries]
        assert ids == [e.id for e in after.entries] and len(set(ids)) == len(ids) == 2
        assert all(i.startswith("tag:blog.example.org,2024-") for i in ids)
    assert (tmp_path / "after/2024/03/heure-ete/index.html").exists()


def test_times_the_clocks_skip_or_repeat_are_warned_about(site):
    blog(site)
    run = site.build()
    assert run.code == 0
    assert ("content/posts/a.md:3: 'date': 2024-03-31 02:30 does not exist in Europe/Paris "
            "(the clocks skip it); read as 03:30+0200") in run.stderr
    assert ("content/posts/b.md:3: 'date': 2024-10-27 02:30 happens twice in Europe/Paris "
            "(the clocks go back); read as the first, 02:30+0200") in run.stderr
    again = site.build()  # from the cache: still said
    assert "does not exist in Europe/Paris" in again.stderr or "up to date" in again.stderr
    assert site.build("--strict").code == 1
