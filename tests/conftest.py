"""Shared helpers: inline sites written to a temporary folder, and a CLI runner."""

from __future__ import annotations

import io
import textwrap
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path

import pytest

from reflexgen.cli import main

REPO = Path(__file__).resolve().parent.parent
SITE_TOML = """\
title = "Le Blog"
base_url = "https://blog.example.org"
language = "fr"
timezone = "Europe/Paris"
"""


@dataclass
class Run:
    code: int
    stderr: str


class Site:
    """A site written from a dict of path → text; `build()` runs the real CLI in-process."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, files: dict[str, str]) -> Site:
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return self

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def build(self, *args: str) -> Run:
        err = io.StringIO()
        with redirect_stderr(err):
            code = main(["build", "--site", str(self.root), *args])
        return Run(code, err.getvalue())

    def read(self, rel: str) -> str:
        return (self.root / "output" / rel).read_text(encoding="utf-8")

    def exists(self, rel: str) -> bool:
        return (self.root / "output" / rel).exists()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site").write({"site.toml": SITE_TOML})


def article(title: str = "Un titre", date: str = "2024-03-12T09:30:00+01:00",
            body: str = "Du texte.", **meta: str) -> str:
    """An article file with YAML front matter; extra keys are written as given."""
    lines = [f'title: "{title}"', f"date: {date}"] + [f"{k}: {v}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"
