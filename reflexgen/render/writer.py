"""Write outputs into a staging folder; only `commit` touches the real output folder.

A full build stages the whole site and exchanges the two folders in one atomic step (Linux
`renameat2`), so the output is always either the old site or the new one, even if the build
is killed. An incremental build stages just the files whose bytes changed, writes down what it
is about to do (a journal), then moves each file into place and deletes outputs that are gone,
so unchanged files keep their modification time (small `rsync` deploys); a build killed in
the middle of that is finished by the next build (`recover`) before anything else.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from reflexgen.errors import BuildError, Problem


def write_file(root: Path, rel: str, data: bytes, made: set[str] | None = None) -> None:
    """Used by worker processes too: no state beyond the folder, and `made`, the folders
    under it that this process made already (each is then made once, before its first file,
    rather than after a failed attempt at writing it)."""
    path = f"{root}/{rel}"  # os-level calls: pathlib costs more than the writing
    folder = os.path.dirname(path)
    if made is not None:
        make_folder(folder, made)
    try:
        write_bytes(path, data)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        write_bytes(path, data)


def write_bytes(path: str, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)


def make_folder(folder: str, made: set[str]) -> None:
    """Make `folder` (and its parents) unless it is in `made`, then add it there; another
    process may have made it meanwhile."""
    if folder in made:
        return
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    made.add(folder)


class Staging:
    """The hidden sibling folder that collects a build's files until `commit`."""

    def __init__(self, target: Path, full: bool) -> None:
        self.target = target.absolute()
        self.full = full
        self.root = self.target.parent / f".{self.target.name}.staging-{os.getpid()}"

    def __enter__(self) -> Staging:
        # Folders a killed build left behind (its journal, if any, was replayed already).
        for pattern in (f".{self.target.name}.staging-*", f".{self.target.name}.old-*"):
            for leftover in self.target.parent.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)
        self.root.mkdir(parents=True)
        return self

    def write(self, rel: str, data: bytes) -> None:
        write_file(self.root, rel, data)

    def copy(self, rel: str, source: Path) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, path)

    def commit(self, written: Iterable[str], stale: Iterable[str]) -> None:
        """Make the staged files the output: a folder exchange, or file by file."""
        if self.full:
            self._swap()
            return
        plan = {"staging": str(self.root), "written": list(written), "stale": list(stale)}
        journal = journal_of(self.target)
        temporary = journal.with_name(journal.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(plan, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, journal)
        apply(self.target, plan)
        journal.unlink()

    def _swap(self) -> None:
        if self.target.exists() and not self.target.is_dir():
            raise BuildError(Problem("output path exists and is not a folder", self.target))
        if not self.target.exists():
            os.rename(self.root, self.target)
        elif exchange(self.root, self.target):
            shutil.rmtree(self.root, ignore_errors=True)  # now the old site
        else:  # no atomic exchange on this system: two renames
            old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
            os.rename(self.target, old)
            os.rename(self.root, self.target)
            shutil.rmtree(old, ignore_errors=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)


def journal_of(target: Path) -> Path:
    return target.parent / f".{target.name}.commit"


def apply(target: Path, plan: dict) -> None:
    """Move the staged files of `plan` into `target` and delete its stale ones; running it
    again after an interruption finishes the job."""
    staging = Path(plan["staging"])
    for rel in plan["written"]:
        source = staging / rel
        if source.exists():
            destination = target / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)
    for rel in plan["stale"]:
        path = target / rel
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == target or not parent.exists() or any(parent.iterdir()):
                break
            parent.rmdir()


def recover(target: Path) -> bool:
    """Finish a commit that a killed build left halfway (see `Staging.commit`)."""
    journal = journal_of(target)
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    apply(target, plan)
    shutil.rmtree(plan["staging"], ignore_errors=True)
    journal.unlink()
    return True


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not here
        return False
    raise OSError(error, os.strerror(error), str(b))


def check_target(target: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would delete the site's own sources."""
    target, root = target.resolve(), site_root.resolve()
    sources = (root / "content", root / "themes")
    if any(p.is_relative_to(target) for p in (root, *sources, root / ".reflexgen-cache")) or \
            any(target.is_relative_to(p) for p in sources):
        raise BuildError(Problem(f"refusing to write the site into {target}: it would replace "
                                 "the site's sources", hint="choose another --output folder, "
                                 "e.g. output/"))
