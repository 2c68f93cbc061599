"""Comments as YAML text: how new ones are written (PyYAML: after a file's last line, every
text quoted or a `|` block, so YAML reads none of it) and how a file's existing comments are
changed keeping its form (ruamel.yaml's round trip: order, quoting and YAML comments kept).
`sidecar` decides what is written where, and checks it reads back."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml as pyyaml

from reflexgen.comments.records import Submission
from reflexgen.errors import BuildError, Problem

if TYPE_CHECKING:  # ruamel.yaml is imported only to change what a file holds
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq


class Quoted(str):
    """A text written in double quotes: YAML reads none of it."""


class Block(Quoted):
    """A text of several lines, written as a `|` block where that shows it as it is."""


def iso(submission: Submission) -> str:
    return submission.date.isoformat(timespec="seconds")


def entry(submission: Submission, cid: str, parent: str | None,
          keep_emails: bool) -> dict[str, str]:
    """One comment as the build reads it; every text quoted, so YAML reads none of it."""
    item = {"id": cid}
    if parent:
        item["parent"] = parent
    item["author"] = Quoted(submission.author)
    if submission.author_id:
        item["author_id"] = Quoted(submission.author_id)
    if submission.url:
        item["url"] = Quoted(submission.url)
    if submission.source:
        item["source"] = Quoted(submission.source)
    if keep_emails and submission.email:
        item["email"] = Quoted(submission.email)
    item["date"] = iso(submission)
    item["body"] = Block(submission.body)
    return item


# What a `|` block cannot hold as it is (in double quotes it is escaped): characters YAML
# refuses in a stream, line breaks other than "\n" (the reader turns "\r\n" into "\n"), a BOM.
UNBLOCKABLE = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                         "\U00010000-\U0010ffff]")


def block_safe(text: str) -> bool:
    """Whether a `|` block shows `text` as it is: several lines, nothing YAML would change,
    and no tab opening its first line (the block's indentation is read there; a tab is not
    indentation, and the reader would refuse the file)."""
    return ("\n" in text.rstrip("\n") and not UNBLOCKABLE.search(text)
            and not text.lstrip("\n").startswith("\t"))


class EntryDumper(getattr(pyyaml, "CSafeDumper", pyyaml.SafeDumper)):  # type: ignore[misc]
    """New comments as YAML text: `Quoted` in double quotes, `Block` as a `|` block."""


EntryDumper.add_representer(Quoted, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", str(text), style='"'))
EntryDumper.add_representer(Block, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", str(text), style="|" if block_safe(text) else '"'))


def appended(text: str, added: list[dict[str, str]]) -> str:
    """The file with `added` written after its last line."""
    head = text if not text or text.endswith("\n") else text + "\n"
    return head + pyyaml.dump(added, Dumper=EntryDumper, allow_unicode=True, sort_keys=False,
                              default_flow_style=False, width=1 << 30, indent=2)


def rewritten(text: str, added: list[dict[str, str]], path: Path) -> str:
    """The file with `added` at the end of its list, through ruamel's round trip (a file
    without a list keeps its text and YAML comments, the list after them)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = round_trip()
    items = CommentedSeq(CommentedMap((key, styled(value)) for key, value in item.items())
                         for item in added)
    data = load(yaml, text, path) if text else None
    if data is None:
        head = text if not text or text.endswith("\n") else text + "\n"
        return head + dump(yaml, items)
    data.extend(items)
    return dump(yaml, data)


def styled(value: str) -> Any:
    """A text as ruamel writes it, for `Quoted` and `Block` as `EntryDumper` does."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if isinstance(value, Block) and block_safe(value):
        return LiteralScalarString(value)
    return DoubleQuotedScalarString(value) if isinstance(value, Quoted) else value


def dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def round_trip() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = True  # as the build's reader does; the build reports them
    yaml.width = 1 << 30  # never fold a hand-written line
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def load(yaml: YAML, text: str, path: Path) -> CommentedSeq:
    """The file's list for ruamel's round trip (`read_list` said it is one)."""
    from ruamel.yaml.error import YAMLError

    try:
        return yaml.load(text)
    except YAMLError as exc:
        raise BuildError(Problem(f"cannot read the comment file: {exc}", path,
                                 hint="fix its YAML; no comment was added")) from None
