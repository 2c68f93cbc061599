"""What every deploy target is given and gives back: the output folder's files in deploy
order, the options of the command line, and a summary of what was sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.site.caching import Kind


@dataclass(frozen=True)
class LocalFile:
    """One file of the output folder, as a deploy sees it."""

    rel: str  # its path relative to the output folder, with "/"
    path: Path
    size: int
    md5: str  # hex digest of its bytes (S3's ETag for an object sent in one part)
    kind: Kind


@dataclass(frozen=True)
class DeployOptions:
    dry_run: bool = False  # say what would be sent and deleted, change nothing
    force: bool = False  # send every file, changed or not
    delete: bool = True  # delete what the output folder no longer has


@dataclass
class Change:
    """A file sent or deleted (or that would be, in a dry run)."""

    rel: str
    size: int  # bytes sent; 0 for a deletion
    deleted: bool = False


@dataclass
class Summary:
    target: str
    sent: list[Change]
    deleted: list[Change]
    unchanged: int
    seconds: float
    dry_run: bool = False

    @property
    def bytes(self) -> int:
        return sum(change.size for change in self.sent)


Progress = Callable[[int], None] | None


def deploy_error(target: str, what: str, fix: str) -> BuildError:
    """The error of a deploy to `target`: what went wrong, and how to fix it."""
    return BuildError(Problem(f"deploy {target}: {what}", hint=fix))


class Target(Protocol):
    """A place the site is published to (`deploy.rsync`, `deploy.s3`, `deploy.git`)."""

    def deploy(self, files: list[LocalFile], options: DeployOptions,
               reporter: Reporter) -> Summary:
        """Send `files` (already in deploy order) and delete what is stale, last; raise
        `errors.BuildError` naming the target, the cause and the fix on failure."""
        ...
