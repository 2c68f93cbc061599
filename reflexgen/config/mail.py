"""The `[comments.mail]` table of site.toml: the SMTP server the intake sends mail through
(the blogger's notifications, readers' reply notifications). The password is never in
site.toml: it comes from the environment variable `password_env` names."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reflexgen.config.checks import did_you_mean
from reflexgen.config.toml import line_of
from reflexgen.errors import Problem

SECURITY = ("starttls", "tls", "none")  # none: only for a server on this machine


@dataclass(frozen=True)
class MailSettings:
    host: str
    sender: str  # `from` in site.toml: the address mail is sent from
    port: int = 587
    security: str = "starttls"
    user: str = ""  # empty: no login
    password_env: str = "REFLEXGEN_SMTP_PASSWORD"
    notify: str = ""  # the blogger's address: told of each comment held for moderation
    notify_every: int = 0  # minutes; more than 0: one digest at most that often

    def password(self, environ: dict[str, str]) -> str:
        return environ.get(self.password_env, "")


NAMES = {f.name: f.name for f in fields(MailSettings)} | {"from": "sender"}
NAMES.pop("sender")


def read_mail(value: object, text: str, path: Path
              ) -> tuple[MailSettings | None, list[Problem], list[Problem]]:
    """The table as settings (None if it is not there), with its problems and warnings."""
    header = re.search(r"^[ \t]*\[[ \t]*comments[ \t]*\.[ \t]*mail[ \t]*\]", text, re.M)
    line = text.count("\n", 0, header.start()) + 1 if header else line_of(text, "mail")
    if not isinstance(value, dict):
        return None, [Problem("[comments.mail] must be a table", path, line,
                              hint='write [comments.mail] then host = "smtp.example.org"')], []
    problems: list[Problem] = []
    warnings = [Problem(f"unknown key {key!r} in [comments.mail]", path, line,
                        hint=did_you_mean(key, tuple(NAMES), "keys of [comments.mail]"))
                for key in value if key not in NAMES]
    found: dict[str, Any] = {}
    for key, name in NAMES.items():
        if key not in value:
            continue
        given = value[key]
        wanted = int if name in ("port", "notify_every") else str
        if not isinstance(given, wanted) or isinstance(given, bool):
            problems.append(Problem(f"[comments.mail] {key} must be "
                                    f"{'a whole number' if wanted is int else 'text'}, not "
                                    f"{given!r}", path, line, hint=f"{key} = …"))
            continue
        found[name] = given.strip() if isinstance(given, str) else given
    for required, example in (("host", 'host = "smtp.example.org"'),
                              ("sender", 'from = "blog@monblog.example.org"')):
        if not found.get(required):
            problems.append(Problem(f"[comments.mail] needs {example.split(' ')[0]}", path,
                                    line, hint=example))
    if found.get("security", "starttls") not in SECURITY:
        problems.append(Problem(f"[comments.mail] security must be one of {', '.join(SECURITY)}",
                                path, line, hint='security = "starttls"'))
    if not 0 < found.get("port", 587) < 65536:
        problems.append(Problem("[comments.mail] port must be between 1 and 65535", path, line,
                                hint="port = 587"))
    for name, key in (("sender", "from"), ("notify", "notify")):
        if found.get(name) and not valid_address(found[name]):
            problems.append(Problem(f"[comments.mail] {key} is not an e-mail address: "
                                    f"{found[name]!r}", path, line,
                                    hint=f'{key} = "blog@monblog.example.org"'))
    if problems:
        return None, problems, warnings
    return MailSettings(**found), problems, warnings


def valid_address(address: str) -> bool:
    # Imported here: its rules take a while to load, and few sites set an address.
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
