"""The `[deploy.NAME]` tables of site.toml: where `reflexgen deploy` publishes the output
folder (an rsync destination, an S3 bucket, a git branch). Credentials never live here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reflexgen.errors import Problem


@dataclass(frozen=True)
class DeployTarget:
    name: str
    type: str  # "rsync", "s3" or "git"
    options: dict[str, Any] = field(default_factory=dict)  # the table's other keys, checked


def read_deploy(value: object, text: str, path: Path) -> tuple[tuple[DeployTarget, ...],
                                                               list[Problem], list[Problem]]:
    """The deploy targets in the order written, with the problems and warnings found."""
    # TODO(deploy helper): check each type's keys with clear errors.
    if not isinstance(value, dict):
        return (), [Problem("deploy must hold tables: [deploy.NAME]", path)], []
    return tuple(DeployTarget(name, str(table.get("type", "")),
                              {k: v for k, v in table.items() if k != "type"})
                 for name, table in value.items() if isinstance(table, dict)), [], []
