"""Where a link found in the built site was written: the article, page or author file behind
an output page, and the line of the link in it.

The site itself says which source makes which page: its `site.toml` and `content/`, read by
the build's own readers and placed by the same URL rules (`urls`), so the check needs no
record left by the build. A link is put on a source only when the source holds it; links
the theme writes stay on the output file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.content.discover import discover, sidecar_for
from reflexgen.content.readers import Parsers, attempt, read_article, read_page


class Sources:
    """Output page (relative to the output folder) → the files its own text comes from; read
    from content/ the first time a problem needs it."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self._pages: dict[str, tuple[Path, ...]] | None = None
        self._texts: dict[Path, str] = {}

    def files_of(self, output_rel: str) -> tuple[Path, ...]:
        if self._pages is None:
            self._pages = pages_by_output(self.config)
        return self._pages.get(output_rel, ())

    def locate(self, output_rel: str, url: str, occurrence: int = 0) -> tuple[Path, int] | None:
        """The file and line of the `occurrence`-th (from 0) link to `url` written in the
        sources of `output_rel`; None when they hold fewer (the theme wrote it)."""
        files = self.files_of(output_rel)
        for written in dict.fromkeys((url, unquote(url))):  # Markdown %-encodes é and spaces
            pattern = re.compile(rf"(?<![\w/.%-]){re.escape(written)}(?![\w/%-])")
            found = [(path, line) for path in files
                     for line in lines_matching(self._text(path), pattern)]
            if found:
                return found[occurrence] if occurrence < len(found) else None
        return None

    def _text(self, path: Path) -> str:
        text = self._texts.get(path)
        if text is None:
            try:
                text = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                text = ""
            self._texts[path] = text
        return text


def pages_by_output(config: SiteConfig) -> dict[str, tuple[Path, ...]]:
    """Each article, page and author page of the site → its source files (an article's
    comment files too); a source that no longer reads is left out."""
    content = config.content_dir
    inventory, _ = discover(content)
    parsers = Parsers()
    found: dict[str, tuple[Path, ...]] = {}

    def add(url: str, rels: tuple[str, ...]) -> None:
        try:
            output = urls.output_path(url)
        except ValueError:
            return
        files = tuple(content / rel for rel in rels if (content / rel).is_file())
        found[output] = found.get(output, ()) + files

    for rel in inventory.posts:
        read = attempt(read_article, content, rel, config, parsers)
        if not isinstance(read, list):
            article = read[0]
            add(urls.article_url(config.permalink, article.slug, article.date, article.category),
                (rel, *sidecar_for(rel)))
    for rel in inventory.pages:
        page = attempt(read_page, content, rel, config, parsers)
        if not isinstance(page, list):
            add(urls.page_url(page.slug), (rel,))
    for rel in inventory.authors:
        add(urls.author_url(Path(rel).stem), (rel,))
    return found


def lines_matching(text: str, pattern: re.Pattern[str]) -> list[int]:
    """The line of every match of `pattern` in `text`, in order (twice if twice on a line)."""
    return [text.count("\n", 0, match.start()) + 1 for match in pattern.finditer(text)]
