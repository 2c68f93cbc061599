"""`reflexgen new site DIR`: a folder that builds at once, with a first article that says
how to write the next one."""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reflexgen import urls
from reflexgen.config import LANGUAGES, settings_text
from reflexgen.config.checks import check_base_url
from reflexgen.content.compose import front_matter
from reflexgen.errors import BuildError, Problem
from reflexgen.scaffold import entries, files

DEFAULT_URL = "https://example.org"
WORDS = {
    "fr": {"title": "Mon blog", "author": "Auteur", "post": "Bienvenue", "page": "À propos",
           "description": "Un blog d’opinion, publié avec reflexgen.",
           "next_post": "Mon premier billet"},
    "en": {"title": "My blog", "author": "Author", "post": "Welcome", "page": "About",
           "description": "An opinion blog, published with reflexgen.",
           "next_post": "My first post"},
}
# The settings `new site` asks for when they are not given: option name → site.toml key.
ASKED = ("language", "title", "author", "base_url", "timezone")


@dataclass(frozen=True)
class SiteSettings:
    title: str
    base_url: str
    language: str
    author: str  # the author's name; its slug is the author id
    timezone: str


@dataclass
class Made:
    """What `new site` wrote, and what it found there already and kept."""

    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def defaults(language: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Every setting's default, in `language`'s words."""
    words = WORDS[language if language in WORDS else "fr"]
    login = next((environ[name].strip() for name in ("USER", "LOGNAME", "USERNAME")
                  if environ.get(name, "").strip()), "")
    return {"language": language, "title": words["title"],
            "author": login if urls.slug(login) else words["author"],
            "base_url": DEFAULT_URL, "timezone": machine_timezone(environ)}


def with_defaults(given: Mapping[str, str | None], environ: Mapping[str, str]) -> SiteSettings:
    """The settings given, the defaults for the others."""
    fallback = defaults(given.get("language") or "fr", environ)
    return SiteSettings(**{key: given.get(key) or fallback[key] for key in ASKED})


def machine_timezone(environ: Mapping[str, str], etc: Path = Path("/etc")) -> str:
    """This computer's timezone as an IANA name ($TZ, /etc/timezone or where
    /etc/localtime leads), or UTC when it says none that zoneinfo knows."""
    candidates = [environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append((etc / "timezone").read_text(encoding="utf-8").strip())
    with contextlib.suppress(OSError):
        candidates.append(os.readlink(etc / "localtime").split("zoneinfo/", 1)[-1])
    found = next((name for name in candidates if trouble("timezone", name) is None), "UTC")
    return "UTC" if found in ("Etc/UTC", "Etc/Universal", "Etc/Zulu", "UCT", "Zulu") else found


def trouble(key: str, value: str) -> str | None:
    """What is wrong with the answer `value` for the setting `key`, with the fix."""
    value = value.strip()
    if not entries.utf8(value):
        return f"{value!r} is not UTF-8 text: set the terminal to UTF-8 (e.g. LANG=C.UTF-8)"
    if key == "language" and value not in LANGUAGES:
        return f"the language must be one of: {', '.join(LANGUAGES)}"
    if key == "title" and not value:
        return "the title is empty"
    if key == "author" and not urls.slug(value):
        return f"the name {value!r} needs a letter or a digit: it gives the author's id"
    if key == "base_url":
        found = check_base_url(value)
        return f"{found[0]} ({found[1]})" if found else None
    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return f"unknown timezone {value!r}: use an IANA name such as Europe/Paris or UTC"
    return None


def check_given(given: Mapping[str, str | None]) -> list[Problem]:
    """Options given on the command line that are wrong (each named by its option)."""
    options = {"base_url": "--url"}
    return [Problem(f"{options.get(key, '--' + key)}: {reason}")
            for key in ASKED if given.get(key) is not None
            for reason in [trouble(key, given[key] or "")] if reason]


def check_folder(folder: Path, force: bool) -> None:
    """Refuse a file, or a folder with something in it unless `force`."""
    if folder.exists() and not folder.is_dir():
        raise BuildError(Problem("is a file, not a folder", folder,
                                 hint="give the name of a new folder for the site"))
    if not force and folder.is_dir() and any(folder.iterdir()):
        raise BuildError(Problem(
            "the folder is not empty: a new site starts in a new or empty folder", folder,
            hint="choose another folder, or add --force to add the starter files beside "
                 "what is there (no file is replaced)"))


def create_site(folder: Path, settings: SiteSettings, force: bool, now: datetime) -> Made:
    """Write the starter site into `folder`, keeping any file already there."""
    check_folder(folder, force)
    words = WORDS[settings.language]
    author_id = urls.slug(settings.author)
    tz = ZoneInfo(settings.timezone)
    moment = now.astimezone(tz)
    paths = {"post_file": f"content/posts/{moment.year:04d}/{urls.slug(words['post'])}.md",
             "author_file": f"content/authors/{author_id}.md",
             "page_file": f"content/pages/{urls.slug(words['page'])}.md"}
    values = {key: value.strip() for key, value in asdict(settings).items() if key != "author"}
    texts = {
        "site.toml": entries.starter("site.toml", settings.language) + settings_text(
            values | {"description": words["description"], "default_author": author_id}),
        ".gitignore": entries.starter("gitignore"),
        paths["author_file"]: entries.author_text(settings.author.strip(), settings.language,
                                                  paths["author_file"]),
        paths["page_file"]: front_matter({"title": words["page"]},
                                         entries.starter("page.md", settings.language, **paths)),
        paths["post_file"]: front_matter(
            entries.post_meta(words["post"], entries.date_text(moment, tz), author_id, [],
                              None, False),
            entries.starter("post.md", settings.language, **paths)),
    }
    made = Made()
    for rel, text in texts.items():
        try:
            files.create(folder / rel, text)
            made.created.append(rel)
        except FileExistsError:
            made.kept.append(rel)
    return made


def next_steps(folder: Path, language: str) -> list[str]:
    """The commands to run next, as they are typed."""
    title = WORDS[language]["next_post"]
    go = [] if folder.resolve() == Path.cwd().resolve() else [f"cd {shlex.quote(str(folder))}"]
    return go + [f'reflexgen new post "{title}"', "reflexgen serve"]
