"""Typography of rendered text: French spacing and quotes (curly quotes in English), `…`.

In Markdown it works on text tokens only (markdown-it's typographer pairs the quotes and
makes `…`; `french_spaces` adds the no-break spaces), so code, `pre`, attributes and URLs are
never touched. Titles are plain text: `plain` does the same to them. Everything is idempotent:
text typed correctly already comes out unchanged.

French verb–pronoun inversions (« peut-il », « va-t-on ») must not break after their hyphen:
a WORD JOINER (U+2060) follows it rather than the hyphen becoming U+2011, which Charter and
Georgia, early in the theme's font stack, may lack (the browser then draws another font's
hyphen); the joiner is drawn by no font, and the hyphen stays the one the reader typed.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

NNBSP, NBSP = "\u202f", "\u00a0"  # narrow no-break space; no-break space
WJ = "\u2060"  # word joiner: no line break on either side, and no glyph
QUOTES = {"fr": ["«" + NBSP, NBSP + "»", "‘", "’"], "en": ["“", "”", "‘", "’"]}
UNITS = (r"%|‰|€|\$|£|°C|°|km|m|cm|mm|kg|g|mg|t|l|ml|h|min|s|ms|Mo|Go|To|ko|Ko|Mb|Gb|"
         r"km/h|ans?|jours?|mois|heures?|minutes?|secondes?|euros?|millions?|milliards?")
SPACE = "[ \u00a0\u202f]"
MARKS = ";!?:»"  # the marks a space goes before
# Every match starts with a character of the first class, so that `re` skips from one such
# character to the next in C; the lookbehinds then say which one it was: spaces before a
# mark, a mark typed without one, « and the spaces after it, a number before `%` or a unit.
FRENCH = re.compile(
    rf"[ \u00a0\u202f{MARKS}«\d](?:(?<={SPACE}){SPACE}*[{MARKS}]|(?<=[{MARKS}])"
    rf"|(?<=«){SPACE}*|(?<=\d)(?:{SPACE}*(?=%)|{SPACE}+(?=(?:{UNITS})(?!\w))))")
# Most runs of text have none of these: a mark, or a digit before a space (same first class).
TRIGGER = re.compile(r"[;!?:«»%\d](?:(?<!\d)|(?<=\d)[ \u00a0\u202f])")
WORDLIKE = ")]’”»_"  # a mark typed right after these (or a letter or digit) ends a clause
CLOSING = ";!?»)]”’"
# A subject pronoun (or « ce ») after a verb and its hyphen, with the euphonic « -t- »:
INVERSION = re.compile(rf"(?<=[^\W\d_])-{WJ}?(?:t-{WJ}?)?"
                       r"(?:je|tu|il|elle|on|nous|vous|ils|elles|ce)(?!\w)", re.I)
ADDRESS = re.compile(r"[/@]|\w\.\w")  # a word that is a URL, a path or an e-mail address


def _space(match: re.Match) -> str:
    """The replacement for one match of FRENCH; each leaves its own output unchanged."""
    found = match.group()
    mark = found[-1]
    if mark not in MARKS:  # « or a number, and the spaces after it
        return found[0] + NBSP
    if mark == "»":
        return NBSP + "»"
    if len(found) == 1:  # typed without a space: add one only where a clause ends
        text, start, end = match.string, match.start(), match.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        ends_clause = not after or after.isspace() or (mark != ":" and after in CLOSING)
        if not (before.isalnum() or before in WORDLIKE) or not ends_clause:
            return mark
    return (NBSP if mark == ":" else NNBSP) + mark


def french_spaces(text: str) -> str:
    """No-break spaces where French wants them, in one run of plain text: narrow before
    `; ! ?`, plain before `:`, inside « », between a number and its unit or `%`."""
    return FRENCH.sub(_space, text) if TRIGGER.search(text) else text


def join_inversions(text: str) -> str:
    """« peut-il », « va-t-on », « est-ce » kept on one line: a word joiner after each
    hyphen; never inside a word that is an address (`https://x.fr/peut-il`)."""
    if "-" not in text or not INVERSION.search(text):
        return text
    return re.sub(r"\S+", _join_word, text)


def _join_word(match: re.Match) -> str:
    word = match.group()
    if ADDRESS.search(word):
        return word
    return INVERSION.sub(lambda m: m.group().replace(WJ, "").replace("-", "-" + WJ), word)


def french(text: str) -> str:
    """What French typography does to a run of plain text (see the functions it calls)."""
    return join_inversions(french_spaces(text))


def plain(text: str, language: str) -> str:
    """Typography for a plain-text field (a title): quotes paired, `...` → `…`, spaces."""
    lang = language.split("-")[0]
    quotes = QUOTES.get(lang, QUOTES["en"])
    text = text.replace("...", "…")
    text = re.sub(r'"([^"]+)"', lambda m: quotes[0] + m.group(1).strip() + quotes[1], text)
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    return french(text) if lang == "fr" else text


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
                    child.content = french(child.content)
