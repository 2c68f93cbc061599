"""The `share` setting: which share links sit under each article (none load anything from
another site; see render/share.py)."""

from __future__ import annotations

from pathlib import Path

from reflexgen.config.checks import did_you_mean
from reflexgen.config.toml import line_of
from reflexgen.errors import Problem

# Every way to share, in the order shown: plain links first, then the buttons made by
# share.js (`copy`: copy the address; `device`: the system's share sheet, where it has one).
NETWORKS = ("email", "mastodon", "bluesky", "linkedin", "x", "copy", "device")


def read_share(value: object, text: str, path: Path) -> tuple[tuple[str, ...], list[Problem]]:
    """The networks `share` names (`true`: all of them, `false` or `[]`: none), with the
    problems found."""
    if value is True:
        return NETWORKS, []
    if value is False:
        return (), []
    hint = f'share = false, or a list taken from: share = {list(NETWORKS)}'.replace("'", '"')
    line = line_of(text, "share")
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        return (), [Problem(f"share must be true, false or a list of names, not {value!r}",
                            path, line, hint=hint)]
    problems = [Problem(f"share: unknown way to share {name!r}", path, line,
                        hint=did_you_mean(name, NETWORKS, "ways to share"))
                for name in value if name not in NETWORKS]
    problems += [Problem(f"share names {name!r} twice", path, line, hint="keep one")
                 for index, name in enumerate(value) if name in value[:index]]
    return tuple(value), problems
