"""Typography of rendered text: French spacing and quotes (curly quotes in English), `…`.

In Markdown it works on text tokens only (markdown-it's typographer pairs the quotes and
makes `…`; `french_spaces` adds the no-break spaces), so code, `pre`, attributes and URLs are
never touched. Titles are plain text: `plain` does the same to them. Everything is idempotent:
text typed correctly already comes out unchanged.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

NNBSP, NBSP = "\u202f", "\u00a0"  # narrow no-break space; no-break space
QUOTES = {"fr": ["«" + NBSP, NBSP + "»", "‘", "’"], "en": ["“", "”", "‘", "’"]}
UNITS = (r"%|‰|€|\$|£|°C|°|km|m|cm|mm|kg|g|mg|t|l|ml|h|min|s|ms|Mo|Go|To|ko|Ko|Mb|Gb|"
         r"km/h|ans?|jours?|mois|heures?|minutes?|secondes?|euros?|millions?|milliards?")
SPACE = "[ \u00a0\u202f]"
AFTER_WORD = r"(?<=[\w»)\]’”])"  # a mark that ends a clause follows a word, not `?q=` or `!!`
FRENCH = [  # (pattern, replacement); each leaves its own output unchanged
    (re.compile(rf"{SPACE}+([;!?])|{AFTER_WORD}([;!?])(?=\s|$|[;!?»)\]”’])"),
     lambda m: NNBSP + (m.group(1) or m.group(2))),
    (re.compile(rf"{SPACE}+:|{AFTER_WORD}:(?=\s|$)"), lambda m: NBSP + ":"),
    (re.compile(rf"«{SPACE}*"), lambda m: "«" + NBSP),
    (re.compile(rf"{SPACE}*»"), lambda m: NBSP + "»"),
    (re.compile(rf"(\d){SPACE}*(?=%)|(\d){SPACE}+(?=(?:{UNITS})(?!\w))"),
     lambda m: (m.group(1) or m.group(2)) + NBSP),
]


def french_spaces(text: str) -> str:
    """No-break spaces where French wants them, in one run of plain text."""
    for pattern, replace in FRENCH:
        text = pattern.sub(replace, text)
    return text


def plain(text: str, language: str) -> str:
    """Typography for a plain-text field (a title): quotes paired, `...` → `…`, spaces."""
    lang = language.split("-")[0]
    quotes = QUOTES.get(lang, QUOTES["en"])
    text = text.replace("...", "…")
    text = re.sub(r'"([^"]+)"', lambda m: quotes[0] + m.group(1).strip() + quotes[1], text)
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    return french_spaces(text) if lang == "fr" else text


def typography_plugin(md: MarkdownIt, language: str) -> None:
    """markdown-it's typographer with the language's quotes, and French spacing in `fr`."""
    lang = language.split("-")[0]
    md.options["typographer"] = True
    md.options["quotes"] = QUOTES.get(lang, QUOTES["en"])
    md.enable(["replacements", "smartquotes"])
    if lang == "fr":
        md.core.ruler.after("smartquotes", "french_spaces", _french_rule)


def _french_rule(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "text":
                    child.content = french_spaces(child.content)
