"""WordPress post and comment HTML → clean Markdown (through markdownify).

WordPress stores "classic" content without paragraphs (`wpautop` adds them when it shows a
page), with shortcodes (`[caption]`, `[gallery]`, `[embed]`…) and, since Gutenberg, block
comments. All of that is resolved here; what Markdown cannot say (video, audio) is kept as
HTML cleaned by nh3, and everything that needed a fallback is noted for the import report.
The text is untrusted: Markdown punctuation and HTML in it are escaped, links keep only
safe schemes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import nh3
from markdownify import MarkdownConverter

BLOCK = ("table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|"
         "form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|"
         "article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|"
         "video|audio|iframe|object|script|noscript")
OPENS_BLOCK = re.compile(rf"(<(?:{BLOCK})(?=[\s/>]))", re.I)
CLOSES_BLOCK = re.compile(rf"(</(?:{BLOCK})>)", re.I)
STARTS_BLOCK = re.compile(rf"^</?(?:{BLOCK})(?=[\s/>])", re.I)
ENDS_BLOCK = re.compile(rf"(</(?:{BLOCK})>)$", re.I)
PRE = re.compile(r"<pre[\s>].*?</pre>", re.I | re.S)
SHORTCODE = re.compile(r"\[([A-Za-z][\w-]*)([^\]]*)\](?:(.*?)\[/\1\])?", re.S)
CODE = re.compile(r"<(pre|code)[\s>].*?</\1>", re.I | re.S)
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
MORE = re.compile(r"<!--\s*more\b.*?-->", re.I | re.S)  # WordPress's "read more" split
MORE_KEPT = "REFLEXGENMORE"
LONE_URL = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$", re.M)
SAFE_SCHEMES = ("http", "https", "mailto", "")
KEPT_AS_HTML = {  # tags Markdown cannot express, and the attributes they keep
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
}


def autop(text: str) -> str:
    """WordPress's `wpautop`: blank-line-separated text becomes paragraphs and single line
    breaks `<br>`, leaving block-level HTML (and everything inside `<pre>`) as it is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\n\n\0{len(kept) - 1}\0\n\n"

    text = PRE.sub(keep, text)
    text = CLOSES_BLOCK.sub(r"\1\n\n", OPENS_BLOCK.sub(r"\n\n\1", text))
    out = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk or chunk.startswith("\0") or STARTS_BLOCK.match(chunk):
            out.append(chunk)
            continue
        closing = ENDS_BLOCK.search(chunk)
        tail = closing.group(1) if closing else ""
        inner = chunk[: len(chunk) - len(tail)].strip()
        out.append(f"<p>{inner.replace(chr(10), '<br />' + chr(10))}</p>{tail}")
    joined = "\n".join(c for c in out if c)
    return re.sub(r"\0(\d+)\0", lambda m: kept[int(m.group(1))], joined)


def attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in ATTRIBUTE.finditer(text)}


class Conversion:
    """One body's conversion; `notes` says what needed a fallback."""

    def __init__(self, attachments: Mapping[int, str] | None = None,
                 children: Callable[[], list[str]] | None = None) -> None:
        self.attachments = attachments or {}
        self.children = children or (lambda: [])
        self.notes: list[str] = []

    def shortcodes(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            name, attrs, inner = match.group(1).lower(), attributes(match.group(2)), match.group(3)
            if name in ("caption", "wp_caption"):
                caption = attrs.get("caption", "")
                inner = inner or ""
                image = re.match(r"\s*((?:<a[^>]*>)?\s*<img[^>]*>\s*(?:</a>)?)(.*)", inner, re.S)
                if image:
                    inner, caption = image.group(1), (image.group(2).strip() or caption)
                    if "<a" in inner and "</a>" not in inner:  # WordPress forgives that
                        inner += "</a>"
                return f"<figure>{inner}<figcaption>{caption}</figcaption></figure>"
            if name == "gallery":
                ids = [int(i) for i in re.findall(r"\d+", attrs.get("ids", "")) or []]
                urls = [self.attachments[i] for i in ids if i in self.attachments] if ids \
                    else self.children()
                if len(urls) < len(ids) or not urls:
                    self.notes.append("a [gallery] lost images that are not in the export")
                return "".join(f'<p><img src="{html.escape(u)}" alt=""></p>' for u in urls)
            if name == "embed":
                url = (inner or attrs.get("src", "")).strip()
                return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
            if name in ("video", "audio"):
                url = next((v for k, v in attrs.items() if k in ("src", "mp4", "mp3", "ogg",
                                                                 "webm", "m4a", "wav")), "")
                return f'<{name} src="{html.escape(url)}" controls></{name}>' if url else ""
            self.notes.append(f"shortcode [{name}] kept as text")
            return match.group(0)

        # Shortcodes are not expanded in code: `a[1]` is an index, not a shortcode.
        pieces, position = [], 0
        for match in CODE.finditer(text):
            pieces.append(SHORTCODE.sub(replace, text[position:match.start()]))
            pieces.append(match.group(0))
            position = match.end()
        pieces.append(SHORTCODE.sub(replace, text[position:]))
        return "".join(pieces)

    def convert(self, source: str, paragraphs: bool = True) -> str:
        """Markdown for a post or comment body as WordPress stores it."""
        gutenberg = "<!-- wp:" in source
        text = MORE.sub(f"\n\n<p>{MORE_KEPT}</p>\n\n", source, count=1)
        text = self.shortcodes(text)
        if paragraphs and not gutenberg:
            text = autop(text)
        text = LONE_URL.sub(lambda m: f'<p><a href="{m.group(1)}">{m.group(1)}</a></p>', text)
        converter = Converter(self, heading_style="ATX", bullets="-", escape_misc=True,
                              autolinks=False,
                              sup_symbol="<sup>", sub_symbol="<sub>",
                              code_language_callback=code_language)
        markdown = converter.convert(text).replace(MORE_KEPT, "<!-- more -->")
        return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def code_language(element) -> str | None:
    for name in element.get("class", []) + (element.code.get("class", [])
                                            if element.code else []):
        if name.startswith(("language-", "lang-")):
            return name.split("-", 1)[1]
    return None


def safe_url(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in SAFE_SCHEMES


class Converter(MarkdownConverter):
    """markdownify, with the fallbacks an import needs and only safe links."""

    def __init__(self, conversion: Conversion, **options) -> None:
        super().__init__(**options)
        self.conversion = conversion

    def note(self, text: str) -> None:
        self.conversion.notes.append(text)

    def convert_a(self, el, text, parent_tags):
        if not safe_url(el.get("href", "")):
            self.note(f"a link to {el.get('href', '')[:60]!r} was removed (unsafe scheme)")
            return text
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):
        if not safe_url(el.get("src", "")):
            self.note("an image with an unsafe address was removed")
            return ""
        return super().convert_img(el, text, parent_tags)

    def convert_figcaption(self, el, text, parent_tags):
        return f"\n\n*{text.strip()}*\n\n" if text.strip() else ""

    def convert_iframe(self, el, text, parent_tags):
        src = el.get("src", "")
        if not src or not safe_url(src):
            self.note("an embedded frame without a usable address was removed")
            return ""
        self.note(f"an embedded frame ({urlsplit(src).netloc}) became a link")
        return f"\n\n[{urlsplit(src).netloc or src}]({src})\n\n"

    convert_embed = convert_iframe

    def convert_object(self, el, text, parent_tags):
        el["src"] = el.get("data", "")
        return self.convert_iframe(el, text, parent_tags)

    def convert_script(self, el, text, parent_tags):
        self.note("a script was removed")
        return ""

    def convert_form(self, el, text, parent_tags):
        self.note("a form was removed (its text is kept)")
        return text

    def convert_video(self, el, text, parent_tags):
        return self.kept_html(el)

    def convert_audio(self, el, text, parent_tags):
        return self.kept_html(el)

    def kept_html(self, el) -> str:
        """What Markdown cannot say, as HTML that nh3 cleaned."""
        self.note(f"a <{el.name}> was kept as HTML")
        cleaned = nh3.clean(str(el), tags=set(KEPT_AS_HTML), attributes=KEPT_AS_HTML,
                            url_schemes={"http", "https"})
        return f"\n\n{cleaned}\n\n"
