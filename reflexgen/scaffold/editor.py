"""`--edit`: the new file opened in the editor the person chose ($VISUAL, else $EDITOR)."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from reflexgen.errors import Problem


def command(environ: Mapping[str, str]) -> list[str] | None:
    """The editor's command line, split as a shell would (`code --wait`), or None."""
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value) or None
            except ValueError:
                return [value]  # unbalanced quotes: try it as one program name
    return None


def edit(path: Path, editor: list[str]) -> Problem | None:
    """Run `editor path` and wait for it; what went wrong, if anything."""
    try:
        code = subprocess.call([*editor, str(path)])
    except OSError as exc:
        return Problem(f"cannot start the editor {editor[0]!r}: {exc.strerror or exc}", path,
                       hint="check $VISUAL and $EDITOR, e.g. export EDITOR=nano")
    if code != 0:
        return Problem(f"the editor {editor[0]!r} stopped with exit code {code}", path)
    return None
