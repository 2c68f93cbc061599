"""Find a theme: the site's own `themes/<name>/` first, then the one shipped with reflexgen."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, Problem

PACKAGED = Path(__file__).parent / "themes"
# In a source checkout (editable install) the default theme sits beside the package.
CHECKOUT = Path(__file__).parent.parent / "themes"


@dataclass(frozen=True)
class Theme:
    """A theme folder: `templates/`, `static/` and `i18n/<lang>.toml`."""

    name: str
    path: Path

    @property
    def templates(self) -> Path:
        return self.path / "templates"

    @property
    def static(self) -> Path:
        return self.path / "static"

    def static_files(self) -> list[tuple[Path, str]]:
        """(file, path relative to static/) for every theme asset, sorted."""
        found = []
        for folder, dirs, files in os.walk(self.static):
            dirs.sort()
            for name in sorted(files):
                if not name.startswith("."):
                    path = Path(folder) / name
                    found.append((path, path.relative_to(self.static).as_posix()))
        return found


def find_theme(site_root: Path, name: str) -> Theme:
    for base in (site_root / "themes", PACKAGED, CHECKOUT):
        candidate = base / name
        if (candidate / "templates").is_dir():
            return Theme(name, candidate)
    raise BuildError(Problem(f"theme {name!r} not found", site_root / "site.toml",
                             hint=f"create themes/{name}/templates/ or remove the theme setting "
                                  "to use the default theme"))
