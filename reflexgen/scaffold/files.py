"""New files, written whole and never over an existing one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def create(path: Path, text: str) -> None:
    """Write `text` (UTF-8, `\\n` line endings) to a new file at `path`, its folders made as
    needed; raises FileExistsError when something is there already. A hidden temporary file
    beside it is linked to the name, so the file appears complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    with open(temporary, "x", encoding="utf-8", newline="\n") as file:
        file.write(text)
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: exclusive creation is still safe
        with open(path, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    finally:
        temporary.unlink()
