"""Source files written back as text, the way a person writes them: the inverse of
`frontmatter.split`, for the commands that make sources (import, `reflexgen new`)."""

from __future__ import annotations

import yaml


class Dumper(yaml.SafeDumper):
    """YAML as a person would write it: multi-line text as `|` blocks."""


Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def to_yaml(data: object) -> str:
    """Block-style YAML, keys in the order given, accents kept as they are."""
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)


def front_matter(meta: dict, body: str) -> str:
    """A source file: `meta` as YAML front matter between `---` lines, then `body`."""
    return f"---\n{to_yaml(meta)}---\n{body}"
