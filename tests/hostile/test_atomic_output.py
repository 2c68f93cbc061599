"""Row 13: a build killed at any moment leaves output/ as the old site or the new one.

A full build exchanges folders atomically; an incremental one may be killed while it moves
its few files, and then the next build finishes that commit first (its journal says how):
the test checks both, twenty kills each, at random moments."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import article
from reflexgen.render.writer import journal_of, recover


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def posts(site, version: str) -> None:
    site.write({f"content/posts/p{i:02}.md": article(
        f"Billet {i}", f"2024-{i % 12 + 1:02}-{i % 27 + 1:02}", f"Corps {i}, {version}. " * 40,
        slug=f"p{i:02}", tags=f'["t{i % 5}"]') for i in range(60)})


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_a_killed_build_leaves_the_old_site_or_the_new_one(site, tmp_path, mode):
    posts(site, "ancien")
    assert site.build().code == 0
    output = site.root / "output"
    old_tree, old = tmp_path / "old", hashes(output)
    shutil.copytree(output, old_tree, copy_function=shutil.copy2)
    shutil.copytree(site.root / ".reflexgen-cache", tmp_path / "old-cache")
    posts(site, "nouveau")
    command = [sys.executable, "-m", "reflexgen", "-q", "build", "--site", str(site.root)]
    if mode == "full":
        command.append("--clean")
    started = time.monotonic()
    subprocess.run(command, check=True)
    duration = time.monotonic() - started
    new = hashes(output)
    assert new != old
    rng = random.Random(13)
    outcomes = []
    for _ in range(20):
        shutil.rmtree(output)
        shutil.copytree(old_tree, output, copy_function=shutil.copy2)
        shutil.rmtree(site.root / ".reflexgen-cache")
        shutil.copytree(tmp_path / "old-cache", site.root / ".reflexgen-cache")
        process = subprocess.Popen(command)
        time.sleep(rng.uniform(0.5, 1.05) * duration)  # most of them near the commit
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = hashes(output)
        if mode == "incremental" and now not in (old, new):
            assert journal_of(output).exists()  # killed while moving files: it says so
            assert recover(output)
            now = hashes(output)
        assert now in (old, new)
        outcomes.append("new" if now == new else "old")
    assert "old" in outcomes  # the kills did land before the end, at least once
    time.sleep(0.5)
    assert processes_about(site.root) == []  # no worker outlived its killed build


def processes_about(folder: Path) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in text:
            found.append(text)
    return found


def test_a_commit_cut_short_is_finished_by_the_next_build(tmp_path):
    """The moment no random kill is sure to hit: the journal written, some files moved."""
    output, staging = tmp_path / "output", tmp_path / ".output.staging-1"
    for rel, text in {"a/index.html": "ancien a", "b/index.html": "ancien b",
                      "gone/index.html": "à supprimer"}.items():
        (output / rel).parent.mkdir(parents=True, exist_ok=True)
        (output / rel).write_text(text)
    for rel, text in {"a/index.html": "nouveau a", "c/index.html": "nouveau c"}.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(text)
    journal_of(output).write_text(json.dumps({
        "staging": str(staging), "written": ["a/index.html", "c/index.html"],
        "stale": ["gone/index.html"]}))
    (staging / "a/index.html").replace(output / "a/index.html")  # then the kill
    assert recover(output)
    assert {rel: (output / rel).read_text() for rel in hashes(output)} == {
        "a/index.html": "nouveau a", "b/index.html": "ancien b", "c/index.html": "nouveau c"}
    assert not journal_of(output).exists() and not staging.exists()
    assert not recover(output)  # nothing left to do
