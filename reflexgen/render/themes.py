"""Themes: the site's `themes/<name>/` overrides, file by file, the theme shipped with reflexgen."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reflexgen.errors import BuildError, Problem

PACKAGE = Path(__file__).parent.parent
PACKAGED = PACKAGE / "themes"
# In a source checkout (editable install) the default theme sits beside the package.
CHECKOUT = PACKAGE.parent / "themes"
DEFAULT = "default"


@dataclass(frozen=True)
class Theme:
    """Folders searched in order, each with `templates/`, `static/` and `i18n/<lang>.toml`."""

    name: str
    paths: tuple[Path, ...]

    @property
    def template_dirs(self) -> list[Path]:
        return [p / "templates" for p in self.paths if (p / "templates").is_dir()]

    def static_files(self) -> list[tuple[Path, str]]:
        """(file, path relative to static/) for every asset; earlier folders win."""
        found: dict[str, Path] = {}
        for base in reversed(self.paths):
            static = base / "static"
            for folder, dirs, files in os.walk(static):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if not name.startswith("."):
                        path = Path(folder) / name
                        found[path.relative_to(static).as_posix()] = path
        return [(found[rel], rel) for rel in sorted(found)]


    def files(self) -> list[Path]:
        """Every file of the theme folders, for change detection."""
        return [Path(folder) / name for base in self.paths
                for folder, _, names in sorted(os.walk(base)) for name in sorted(names)]


def builtin(name: str) -> Path | None:
    return next((base / name for base in (PACKAGED, CHECKOUT) if (base / name).is_dir()), None)


def find_theme(site_root: Path, name: str) -> Theme:
    """The site's own folder first, then a built-in theme of that name, then the default."""
    paths = [p for p in (site_root / "themes" / name, builtin(name)) if p and p.is_dir()]
    if not paths:
        raise BuildError(Problem(f"theme {name!r} not found", site_root / "site.toml",
                                 hint=f"create themes/{name}/templates/ or remove the theme "
                                      "setting to use the default theme"))
    default = builtin(DEFAULT)
    if default is not None:
        paths.append(default)
    return Theme(name, tuple(dict.fromkeys(p.resolve() for p in paths)))
