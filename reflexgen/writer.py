"""Write the site into a staging folder, then swap it in: never a half-written output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import TracebackType

from .errors import BuildError, Problem


class StagedOutput:
    """Files go to a hidden sibling of the target; `commit()` puts them in its place."""

    def __init__(self, target: Path) -> None:
        self.target = target.absolute()
        self.staging = self.target.parent / f".{self.target.name}.staging-{os.getpid()}"
        self.files = 0
        self._dirs: set[Path] = set()

    def __enter__(self) -> StagedOutput:
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def _path(self, rel: str) -> Path:
        path = self.staging / rel
        parent = path.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        self.files += 1
        return path

    def write(self, rel: str, data: bytes) -> None:
        self._path(rel).write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        shutil.copy2(source, self._path(rel))

    def commit(self) -> None:
        """Replace the target by the staging folder; the old output is removed afterwards."""
        old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
        if self.target.exists():
            if not self.target.is_dir():
                raise BuildError(Problem("output path exists and is not a folder", self.target))
            os.rename(self.target, old)
        os.rename(self.staging, self.target)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)


def check_target(target: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would delete the site's own sources."""
    target, root = target.resolve(), site_root.resolve()
    sources = (root / "content", root / "themes")
    if any(p.is_relative_to(target) for p in (root, *sources)) or \
            any(target.is_relative_to(p) for p in sources):
        raise BuildError(Problem(f"refusing to write the site into {target}: it would replace "
                                 "the site's sources", hint="choose another --output folder, "
                                 "e.g. output/"))
