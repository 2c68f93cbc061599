"""The `[hosting]` table of site.toml: what the build writes for the web server that serves
the site (precompressed copies, the Content-Security-Policy's extra sources)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from reflexgen.config.checks import did_you_mean
from reflexgen.config.comments import INTAKE_HOST, INTAKE_PORT
from reflexgen.config.toml import line_of
from reflexgen.errors import Problem

ENCODINGS = ("gzip", "br")  # precompressed copies: name.gz, name.br
DIRECTIVES = ("default-src", "script-src", "style-src", "img-src", "font-src", "connect-src",
              "media-src", "frame-src", "form-action", "worker-src", "manifest-src")


@dataclass(frozen=True)
class HostingSettings:
    # Copies of every text file (HTML, CSS, JS, feeds…) compressed ahead, for servers that
    # send them as they are (nginx `gzip_static`, Caddy `precompressed`). Off by default.
    precompress: tuple[str, ...] = ()
    # Sources added to the Content-Security-Policy reflexgen writes, by directive
    # (`[hosting.csp] img-src = ["https://images.example.org"]`).
    csp: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Where the comment intake listens (`reflexgen comments serve --host … --port …`): the
    # nginx and Caddy snippets forward the comment endpoint there when it is on the site's host.
    intake: str = f"{INTAKE_HOST}:{INTAKE_PORT}"


KEYS = tuple(f.name for f in fields(HostingSettings))
# host:port, the host a name, an IPv4 address or a bracketed IPv6 address
INTAKE_ADDRESS = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?:[1-9][0-9]{0,4})")
DEFAULTS = HostingSettings()


def source_ok(source: str) -> bool:
    """Whether a CSP source can be written as it is into a header, an nginx or a Caddy file:
    printable ASCII without spaces, separators, quotes, `$`, braces or backslashes."""
    return bool(source) and all(33 <= ord(c) < 127 for c in source) \
        and not set(source) & set(';,"$\\`{}')


def read_hosting(value: object, text: str, path: Path) -> tuple[HostingSettings, list[Problem],
                                                                 list[Problem]]:
    """The `[hosting]` table as settings, with the problems and warnings found."""
    if not isinstance(value, dict):
        return DEFAULTS, [Problem("hosting must be a table", path, line_of(text, "hosting"),
                                  hint='write [hosting] then precompress = ["gzip"] below')], []
    problems: list[Problem] = []
    warnings = [Problem(f"unknown key {key!r} in [hosting]", path, line_of(text, key),
                        hint=did_you_mean(key, KEYS, "keys of [hosting]"))
                for key in value if key not in KEYS]
    found: dict[str, Any] = {}
    if "precompress" in value:
        wanted = value["precompress"]
        if isinstance(wanted, list) and all(w in ENCODINGS for w in wanted):
            found["precompress"] = tuple(dict.fromkeys(wanted))
        else:
            problems.append(Problem("[hosting] precompress must be a list taken from "
                                    f"{', '.join(ENCODINGS)}", path,
                                    line_of(text, "precompress"),
                                    hint='precompress = ["gzip", "br"], or [] for none'))
    if "csp" in value:
        csp = value["csp"]
        good = isinstance(csp, dict) and all(
            key in DIRECTIVES and isinstance(sources, list) and all(
                isinstance(s, str) and source_ok(s.strip()) for s in sources)
            for key, sources in csp.items())
        if good:
            found["csp"] = {key: tuple(s.strip() for s in sources) for key, sources in csp.items()}
        else:
            problems.append(Problem(
                "[hosting.csp] must map directives to lists of sources (no space, double quote, "
                "separator, $ or brace in a source)", path,
                line_of(text, "csp"),
                hint='write [hosting.csp] then img-src = ["https://images.example.org"]; '
                     f"directives: {', '.join(DIRECTIVES)}"))
    if "intake" in value:
        address = value["intake"]
        if isinstance(address, str) and INTAKE_ADDRESS.fullmatch(address.strip()) \
                and int(address.rsplit(":", 1)[1]) < 65536:
            found["intake"] = address.strip()
        else:
            problems.append(Problem(f"[hosting] intake must be an address and port, not "
                                    f"{address!r}", path, line_of(text, "intake"),
                                    hint=f'intake = "{DEFAULTS.intake}", where '
                                         "`reflexgen comments serve` listens"))
    return HostingSettings(**found), problems, warnings
