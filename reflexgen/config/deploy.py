"""The `[deploy.NAME]` tables of site.toml: where `reflexgen deploy` publishes the output
folder (an rsync destination, an S3 bucket, a git branch). Credentials never live here.

Each type's keys are declared once below (name, default, check, example, doc): the checks,
the defaults filled in and docs/deploy.md's tables come from that declaration.
"""

from __future__ import annotations

import posixpath
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reflexgen.config.checks import did_you_mean
from reflexgen.config.toml import line_of, section_line
from reflexgen.errors import BuildError, Problem


@dataclass(frozen=True)
class DeployTarget:
    name: str
    type: str  # "rsync", "s3" or "git"
    options: dict[str, Any] = field(default_factory=dict)  # every key of its type, checked


REQUIRED = "(required)"  # the default of a key that must be given
Check = Callable[[Any], str | None]  # what is wrong with a value, or None


@dataclass(frozen=True)
class Key:
    name: str
    default: Any
    check: Check
    example: str  # a line to paste into the table
    doc: str


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be text in quotes"
    if any(c in value for c in "\n\r\0"):
        return "must hold a single line"
    return None


def _required_text(value: Any) -> str | None:
    return _text(value) or (None if value.strip() else "must not be empty")


def _integer(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return None
        return f"must be a whole number from {low} to {high}, without quotes"
    return check


REMOTE = re.compile(r"^(?:[^@/:\s]+@)?(?:\[[0-9a-fA-F:]+\]|[^@/:\s]+):(?!//)(.*)$")


def is_remote(destination: str) -> bool:
    """`user@host:path` or `host:path` (rsync over SSH), rather than a local folder."""
    return REMOTE.match(destination) is not None and not re.match(r"^[A-Za-z]:[\\/]", destination)


def _destination(value: Any) -> str | None:
    trouble = _required_text(value)
    if trouble:
        return trouble
    if value.startswith("-"):
        return "must not start with '-'"
    if value.startswith("rsync://") or "::" in value:
        return "names an rsync daemon, which is not supported: use user@host:path (over SSH)"
    match = REMOTE.match(value)
    if match and (posixpath.normpath(match.group(1).strip() or ".") in ("/", "~", ".", "..")
                  or ".." in match.group(1).split("/")):
        return ("names no folder on the server (a deploy deletes what the site does not "
                "have: it needs a folder of its own)")
    if not match and value.strip().rstrip("/") in ("", "~", "."):
        return "must name a folder of its own (a deploy deletes what the site does not have)"
    return None


def _ssh_options(value: Any) -> str | None:
    if isinstance(value, list) and all(
            isinstance(o, str) and re.fullmatch(r"[A-Za-z]+[ \t]*=[ \t]*[^\n\r\0]+", o)
            for o in value):
        return None
    return 'must be a list of ssh "Name=value" options (each passed as -o Name=value)'


def _bucket(value: Any) -> str | None:
    trouble = _required_text(value)
    if trouble:
        return trouble
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]", value):
        return "must be a bucket name: letters, digits, '.', '-' (no '/', no s3:// prefix)"
    return None


def _prefix(value: Any) -> str | None:
    trouble = _text(value)
    if trouble:
        return trouble
    if "\\" in value or any(part in (".", "..") for part in value.split("/")):
        return "must be a folder path with '/' (no '..', no backslash)"
    return None


def _endpoint(value: Any) -> str | None:
    trouble = _text(value)
    if trouble or not value:
        return trouble
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an address starting with https:// (or http://)"
    if parts.username or parts.password:
        return ("holds a key or a password: remove it (credentials come from the environment, "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials)")
    return None


def _remote(value: Any) -> str | None:
    trouble = _required_text(value)
    if trouble:
        return trouble
    if value.startswith("-"):
        return "must not start with '-'"
    if "://" in value and urlsplit(value).password:
        return ("holds a password or token: remove it (git asks its credential helper, or "
                "use an SSH address such as git@codeberg.org:me/pages.git)")
    return None


def _branch(value: Any) -> str | None:
    trouble = _required_text(value)
    if trouble:
        return trouble
    if (value.startswith(("-", "/")) or value.endswith(("/", ".", ".lock")) or ".." in value
            or "@{" in value or "//" in value or re.search(r"[\x00-\x20~^:?*\[\\\x7f]", value)):
        return "is not a valid git branch name"
    return None


MESSAGE_FIELDS = ("title",)


def _message(value: Any) -> str | None:
    trouble = _required_text(value)
    if trouble:
        return trouble
    try:
        names = {n for _, n, _, _ in string.Formatter().parse(value) if n is not None}
    except ValueError as exc:
        return f"is not a valid message pattern ({exc}); write {{{{ for a brace"
    unknown = names - set(MESSAGE_FIELDS)
    if unknown:
        return f"uses {', '.join(sorted(unknown))}: only {{title}} is replaced"
    return None


def _domain(value: Any) -> str | None:
    trouble = _text(value)
    if trouble or not value:
        return trouble
    if not re.fullmatch(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
                        value):
        return "must be a domain name only, such as blog.example.org (no https://, no '/')"
    return None


TYPES: dict[str, tuple[Key, ...]] = {
    "rsync": (
        Key("destination", REQUIRED, _destination,
            'destination = "deploy@example.org:/var/www/blog"',
            "a local folder (absolute, or relative to the site folder), or user@host:path "
            "reached over SSH"),
        Key("port", None, _integer(1, 65535), "port = 2222", "the SSH port, if not 22"),
        Key("identity", "", _required_text, 'identity = "~/.ssh/deploy_ed25519"',
            "the SSH private key to log in with (else ssh's own choice)"),
        Key("ssh_options", (), _ssh_options,
            'ssh_options = ["StrictHostKeyChecking=accept-new"]',
            "more ssh settings, each passed as -o Name=value"),
    ),
    "s3": (
        Key("bucket", REQUIRED, _bucket, 'bucket = "mon-blog"', "the bucket's name"),
        Key("prefix", "", _prefix, 'prefix = "blog"', "a folder inside the bucket"),
        Key("region", "", _text, 'region = "fr-par"', "the bucket's region"),
        Key("endpoint_url", "", _endpoint, 'endpoint_url = "https://s3.fr-par.scw.cloud"',
            "the storage's address, for any S3-compatible service but AWS"),
        Key("workers", 8, _integer(1, 64), "workers = 8", "uploads at once"),
    ),
    "git": (
        Key("remote", REQUIRED, _remote, 'remote = "git@github.com:me/me.github.io.git"',
            "the repository to push to: an address, or a path (relative to the site folder)"),
        Key("branch", "gh-pages", _branch, 'branch = "pages"',
            "the branch the site is committed to (Codeberg Pages: pages)"),
        Key("message", "Deploy {title}", _message, 'message = "Publish {title}"',
            "the commit message; {title} is the site's title"),
        Key("cname", "", _domain, 'cname = "blog.example.org"',
            "a custom domain, written as the CNAME file GitHub Pages reads"),
    ),
}
# Secrets written here would be committed with the site: refused, whatever the type.
SECRET_WORDS = ("secret", "password", "token", "access_key", "credential", "session", "key_id")
SHAPE = '[deploy.NAME]\ntype = "rsync"\ndestination = "deploy@example.org:/var/www/blog"'
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def read_deploy(value: object, text: str, path: Path) -> tuple[tuple[DeployTarget, ...],
                                                               list[Problem], list[Problem]]:
    """The deploy targets in the order written, with the problems and warnings found."""
    if not isinstance(value, dict):
        return (), [Problem("deploy must hold one table per target", path,
                            line_of(text, "deploy"), hint=f"write it like this:\n{SHAPE}")], []
    loose = [key for key, table in value.items() if not isinstance(table, dict)]
    if loose:
        return (), [Problem(f"[deploy] holds {', '.join(repr(k) for k in loose)} but must hold "
                            "one table per target, each with its own name",
                            path, section_line(text, ("deploy",), loose[0]),
                            hint=f"write it like this:\n{SHAPE}")], []
    targets, problems, warnings = [], [], []
    for name, table in value.items():
        target, wrong, noted = read_target(name, table, text, path)
        problems += wrong
        warnings += noted
        if target is not None:
            targets.append(target)
    return tuple(targets), problems, warnings


def read_target(name: str, table: dict, text: str, path: Path
                ) -> tuple[DeployTarget | None, list[Problem], list[Problem]]:
    """One `[deploy.NAME]` table, its defaults filled in."""
    def line(key: str | None = None) -> int | None:
        return section_line(text, ("deploy", name), key)

    where = f"[deploy.{name}]"
    problems: list[Problem] = []
    if not NAME.fullmatch(name):
        problems.append(Problem(f"{where}: a target's name is typed on the command line "
                                "(`reflexgen deploy NAME`): use letters, digits, '-', '_'",
                                path, line(), hint="for example [deploy.production]"))
    kind = table.get("type")
    if kind is None:
        return None, problems + [Problem(
            f"{where} has no type", path, line(),
            hint=f"add one of: {', '.join(f'type = {t!r}' for t in TYPES)}".replace("'", '"'))
        ], []
    if kind not in TYPES:
        return None, problems + [Problem(
            f"{where}: unknown type {kind!r}", path, line("type"),
            hint=did_you_mean(str(kind), tuple(TYPES), "types"))], []
    keys = {key.name: key for key in TYPES[kind]}
    warnings = []
    for given in table:
        if given == "type" or given in keys:
            continue
        if any(word in given.lower() for word in SECRET_WORDS):
            problems.append(Problem(f"{where}: credentials do not belong in site.toml "
                                    f"({given!r}), which is shared and published with the site",
                                    path, line(given), hint=CREDENTIALS[kind]))
        else:
            warnings.append(Problem(f"{where}: unknown key {given!r} (ignored)", path,
                                    line(given),
                                    hint=did_you_mean(given, tuple(keys), f"keys of {kind}")))
    options: dict[str, Any] = {}
    for key in keys.values():
        if key.name not in table:
            if key.default == REQUIRED:
                problems.append(Problem(f"{where}: missing {key.name!r} ({key.doc})", path,
                                        line(), hint=f"add a line like {key.example}"))
            options[key.name] = key.default
            continue
        trouble = key.check(table[key.name])
        if trouble:
            problems.append(Problem(f"{where}: {key.name} {trouble}", path, line(key.name),
                                    hint=f"for example {key.example}"))
        given = table[key.name]
        options[key.name] = tuple(given) if isinstance(given, list) else given
    return DeployTarget(name, kind, options), problems, warnings


CREDENTIALS = {
    "s3": "give the keys in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
          "or in ~/.aws/credentials with AWS_PROFILE naming the profile",
    "rsync": "log in with an SSH key (identity = \"~/.ssh/deploy_ed25519\") or ssh-agent",
    "git": "let git ask its credential helper, or push over SSH with a key",
}


EXAMPLE = '''[deploy.production]
type = "rsync"
destination = "deploy@example.org:/var/www/blog"'''


def choose_target(targets: tuple[DeployTarget, ...], name: str | None,
                  path: Path) -> DeployTarget:
    """The target named `name`, or the first one written (`path`: site.toml, for errors)."""
    if not targets:
        raise BuildError(Problem("no deploy target: site.toml has no [deploy.NAME] table", path,
                                 hint=f"add one, for example:\n{EXAMPLE}\n(see docs/deploy.md "
                                      "for git and S3)"))
    if name is None:
        return targets[0]
    for target in targets:
        if target.name == name:
            return target
    raise BuildError(Problem(f"no deploy target named {name!r}", path,
                             hint=did_you_mean(name, tuple(t.name for t in targets), "targets")))


def over_ssh(address: str) -> bool:
    """Whether an rsync destination or a git remote is reached over SSH."""
    return address.startswith("ssh://") or is_remote(address)
