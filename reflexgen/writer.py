"""Write outputs into a staging folder; only `commit` touches the real output folder.

A full build stages the whole site and swaps folders. An incremental build stages just the
files whose bytes changed, then moves each into place and deletes outputs that are gone, so
unchanged files keep their modification time (small `rsync` deploys).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from .errors import BuildError, Problem


def write_file(root: Path, rel: str, data: bytes) -> None:
    """Used by worker processes too: no state beyond the folder."""
    path = root / rel
    try:
        path.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class Staging:
    """The hidden sibling folder that collects a build's files until `commit`."""

    def __init__(self, target: Path, full: bool) -> None:
        self.target = target.absolute()
        self.full = full
        self.root = self.target.parent / f".{self.target.name}.staging-{os.getpid()}"

    def __enter__(self) -> Staging:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)
        return self

    def write(self, rel: str, data: bytes) -> None:
        write_file(self.root, rel, data)

    def copy(self, rel: str, source: Path) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, path)

    def commit(self, written: Iterable[str], stale: Iterable[str]) -> None:
        """Make the staged files the output: a folder swap, or file by file."""
        if self.full:
            self._swap()
            return
        for rel in written:
            destination = self.target / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / rel, destination)
        for rel in stale:
            path = self.target / rel
            path.unlink(missing_ok=True)
            for parent in path.parents:
                if parent == self.target or any(parent.iterdir()):
                    break
                parent.rmdir()

    def _swap(self) -> None:
        old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
        if self.target.exists():
            if not self.target.is_dir():
                raise BuildError(Problem("output path exists and is not a folder", self.target))
            os.rename(self.target, old)
        os.rename(self.root, self.target)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)


def check_target(target: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would delete the site's own sources."""
    target, root = target.resolve(), site_root.resolve()
    sources = (root / "content", root / "themes")
    if any(p.is_relative_to(target) for p in (root, *sources, root / ".reflexgen-cache")) or \
            any(target.is_relative_to(p) for p in sources):
        raise BuildError(Problem(f"refusing to write the site into {target}: it would replace "
                                 "the site's sources", hint="choose another --output folder, "
                                 "e.g. output/"))
