"""WordPress HTML → Markdown, and what the result renders to in reflexgen."""

import lxml.html

from reflexgen.content.markup import article_parser
from reflexgen.importers.wordpress.html import Conversion, autop

UPLOAD = "https://ancien.example/wp-content/uploads/2012/02/"


def convert(source: str, **kw) -> tuple[str, list[str]]:
    conversion = Conversion(**kw)
    return conversion.convert(source), conversion.notes


def rendered(markdown: str):
    return lxml.html.fromstring(f"<div>{article_parser().render(markdown)}</div>")


def test_autop_makes_paragraphs_and_line_breaks_but_leaves_blocks_and_pre():
    html = autop("Un\ndeux\n\nTrois\n<ul>\n<li>x</li>\n</ul>\n<pre>a\n\nb</pre>")
    assert "<p>Un<br />\ndeux</p>" in html and "<p>Trois</p>" in html
    assert "<p><ul>" not in html and "<pre>a\n\nb</pre>" in html
    assert autop("<blockquote>Citation\n\nsuite</blockquote>").endswith("<p>suite</p></blockquote>")


def test_classic_content_keeps_its_structure():
    markdown, notes = convert(
        "Intro avec <strong>gras</strong> et <a href='https://x.example'>lien</a>.\n\n"
        "<h2>Partie</h2>\n<ol><li>un</li><li>deux</li></ol>\n"
        "<blockquote>Cité</blockquote>\n<pre class='language-python'>x = 1 &lt; 2</pre>\n"
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>\n"
        "<img src='https://x.example/i.png' alt='Une image' />\n"
        "Début<!--more-->Suite")
    assert notes == []
    for expected in ("Intro avec **gras** et [lien](https://x.example).", "## Partie",
                     "1. un", "> Cité", "```python\nx = 1 < 2\n```", "| a | b |",
                     "![Une image](https://x.example/i.png)", "<!-- more -->"):
        assert expected in markdown
    page = rendered(markdown)
    assert page.xpath("//h2/text()") == ["Partie"]
    assert page.xpath("//table//td/text()") == ["1", "2"]


def test_shortcodes_are_converted_or_kept_and_noted():
    markdown, notes = convert(
        f'[caption id="a" width="300"]<img src="{UPLOAD}a.png" alt="A" /> Une légende[/caption]\n\n'
        '[caption caption="Par attribut"]<img src="/b.png" />[/caption]\n\n'
        '[gallery ids="7,8"]\n\n[gallery]\n\n[embed]https://video.example/v/1[/embed]\n\n'
        '[video mp4="https://x.example/v.mp4"][/video]\n\n[contact-form-7 id="3"]\n\n'
        "<code>a[1] = b[2]</code>",
        attachments={7: f"{UPLOAD}7.png", 8: f"{UPLOAD}8.png"},
        children=lambda: [f"{UPLOAD}enfant.png"])
    assert f"![A]({UPLOAD}a.png)\n\n*Une légende*" in markdown
    assert "*Par attribut*" in markdown
    assert f"![]({UPLOAD}7.png)" in markdown and f"![]({UPLOAD}8.png)" in markdown
    assert f"![]({UPLOAD}enfant.png)" in markdown  # a gallery without ids: the post's images
    assert "[https://video.example/v/1](https://video.example/v/1)" in markdown
    assert '<video controls="" src="https://x.example/v.mp4"></video>' in markdown
    assert "contact-form-7" in markdown  # unknown: kept, visible, and reported
    assert "`a[1] = b[2]`" in markdown
    assert notes == ["shortcode [contact-form-7] kept as text", "a <video> was kept as HTML"]


def test_gutenberg_blocks_are_cleaned_and_not_autop_ed():
    markdown, _ = convert("<!-- wp:paragraph -->\n<p>Bloc un</p>\n<!-- /wp:paragraph -->\n\n"
                          "<!-- wp:heading -->\n<h2>Titre</h2>\n<!-- /wp:heading -->")
    assert markdown == "Bloc un\n\n## Titre\n"


def test_untrusted_html_never_becomes_markup():
    markdown, notes = convert(
        "Texte &lt;script&gt;alert(1)&lt;/script&gt; *pas d’italique*\n"
        "<script>alert(2)</script><a href='JaVaScRiPt:alert(3)'>piège</a>"
        "<img src='javascript:alert(4)' onerror='alert(5)'>"
        "<iframe src='https://www.youtube.com/embed/xyz'></iframe>"
        "<video src='https://x.example/v.mp4' onplay='alert(6)'></video>")
    page = rendered(markdown)
    assert not page.xpath("//script | //iframe | //*[@onerror] | //*[@onplay]")
    assert "<script>alert(1)</script>" in page.text_content()  # shown as text
    assert "*pas d’italique*" in page.text_content()
    assert not [h for h in page.xpath("//@href | //@src") if "javascript" in h.lower()]
    assert page.xpath("//a/@href") == ["https://www.youtube.com/embed/xyz"]  # the frame: a link
    assert page.xpath("//video/@src") == ["https://x.example/v.mp4"]
    assert len(notes) == 5
