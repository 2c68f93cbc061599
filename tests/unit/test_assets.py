"""The theme's files under content-named addresses, and stylesheets pointing to those names."""

from __future__ import annotations

import re

import pytest

from reflexgen.errors import BuildError
from reflexgen.site.assets import (
    accent_stylesheet,
    hashed_name,
    publish,
    published_url,
    rewrite_stylesheet,
)

NAME = r"[0-9a-f]{10}"


@pytest.mark.parametrize("rel, pattern", [
    ("theme/style.css", rf"theme/style\.{NAME}\.css"),
    ("theme/fonts/serif.woff2", rf"theme/fonts/serif\.{NAME}\.woff2"),
    ("theme/vendor/lib.min.js", rf"theme/vendor/lib\.min\.{NAME}\.js"),
    ("theme/LICENSE", rf"theme/LICENSE\.{NAME}"),
])
def test_a_published_name_carries_a_digest_before_the_suffix(rel, pattern):
    assert re.fullmatch(pattern, hashed_name(rel, b"bytes"))


def test_the_name_follows_the_bytes_alone():
    assert hashed_name("theme/a.css", b"x") == hashed_name("theme/a.css", b"x")
    assert hashed_name("theme/a.css", b"x") != hashed_name("theme/a.css", b"y")


FONT = b"wOF2 font bytes"
STYLE = """\
/* url(fonts/serif.woff2) in a comment is no reference */
@import "more.css";
@font-face {
  font-family: Serif;
  src: url(fonts/serif.woff2) format("woff2"), url('fonts/serif.woff?v=2#iefix') format("woff");
}
body { background: url("/theme/img/paper.png"); }
.quote::before { content: "fonts/serif.woff2"; }
.elsewhere { background: url(https://cdn.example.org/a.png), url(data:image/gif;base64,R0lGOD==); }
.mask { mask: url(#shape); }
.retina { background-image: image-set("img/paper.png" 1x, url(img/missing.png) 2x); }
"""


def theme(style: str = STYLE, font: bytes = FONT) -> dict[str, bytes]:
    return {"theme/style.css": style.encode(), "theme/more.css": b"h1 { color: red; }\n",
            "theme/fonts/serif.woff2": font, "theme/fonts/serif.woff": b"woff",
            "theme/img/paper.png": b"png", "theme/sub/deep.css": b"a{b:url(../fonts/serif.woff2)}"}


def test_a_stylesheet_points_to_the_published_names_and_keeps_every_other_byte():
    assets = publish(theme())
    names = assets.names
    css = assets.files[names["theme/style.css"]].decode()
    font, woff = names["theme/fonts/serif.woff2"][6:], names["theme/fonts/serif.woff"][6:]
    paper, more = names["theme/img/paper.png"][6:], names["theme/more.css"][6:]
    assert css == STYLE.replace(
        '@import "more.css"', f'@import "{more}"').replace(
        "url(fonts/serif.woff2) format", f"url({font}) format").replace(
        "'fonts/serif.woff?v=2#iefix'", f"'{woff}?v=2#iefix'").replace(
        '"/theme/img/paper.png"', f'"/{names["theme/img/paper.png"]}"').replace(
        '"img/paper.png" 1x', f'"{paper}" 1x')
    assert "/* url(fonts/serif.woff2) in a comment" in css
    assert 'content: "fonts/serif.woff2"' in css  # a string that is not an address
    deep = assets.files[names["theme/sub/deep.css"]]
    assert deep == f"a{{b:url(../{font})}}".encode()  # relative stays relative


def test_every_file_is_published_under_its_new_name_only():
    assets = publish(theme())
    assert set(assets.names) == set(theme())
    assert set(assets.files) == set(assets.names.values())
    for logical, published in assets.names.items():
        assert published.startswith(logical.rsplit(".", 1)[0] + ".")


def test_a_new_font_renames_the_stylesheet_that_loads_it():
    before, after = publish(theme()), publish(theme(font=b"another font"))
    for rel in ("theme/fonts/serif.woff2", "theme/style.css", "theme/sub/deep.css"):
        assert before.names[rel] != after.names[rel]
    assert before.names["theme/more.css"] == after.names["theme/more.css"]


def test_an_imported_stylesheet_is_named_first():
    files = {"theme/a.css": b'@import url("b.css");', "theme/b.css": b"@import 'c.css';",
             "theme/c.css": b"p { color: blue }"}
    assets = publish(files)
    c_name = assets.names["theme/c.css"][6:]
    b_name = assets.names["theme/b.css"][6:]
    assert assets.files[assets.names["theme/b.css"]] == f"@import '{c_name}';".encode()
    assert assets.files[assets.names["theme/a.css"]] == f'@import url("{b_name}");'.encode()


def test_stylesheets_that_import_each_other_are_an_error():
    with pytest.raises(BuildError) as caught:
        publish({"theme/a.css": b'@import "b.css";', "theme/b.css": b'@import "a.css";'})
    assert "loop" in str(caught.value) and "theme/a.css" in str(caught.value)


def test_line_endings_and_encodings_are_kept():
    text = ("/* é */\r\n.a {\r\n  background: url( img/paper.png );\r\n}\f"
            ".b { x: url(img/paper.png) }")
    data = b"\xef\xbb\xbf" + text.encode() + b"\n/* \xff not UTF-8 */\n"
    out = rewrite_stylesheet(data, "theme/style.css", {"theme/img/paper.png": "theme/img/p.1.png"})
    assert out == data.replace(b"url( img/paper.png )", b"url(img/p.1.png)").replace(
        b"url(img/paper.png)", b"url(img/p.1.png)")


def test_a_stylesheet_without_references_is_left_as_it_is():
    data = b"body { color: red }  /* no address */"
    assert rewrite_stylesheet(data, "theme/style.css", {"theme/a.png": "theme/a.1.png"}) is data


def test_the_published_address_of_a_logical_one():
    names = {"theme/style.css": "theme/style.0123456789.css",
             "theme/my font.woff2": "theme/my font.0123456789.woff2"}
    assert published_url(names, "/theme/style.css") == "/theme/style.0123456789.css"
    assert published_url(names, "/theme/style.css?v=1#x") == "/theme/style.0123456789.css?v=1#x"
    assert published_url(names, "/theme/my%20font.woff2") == "/theme/my%20font.0123456789.woff2"
    for other in ("/theme/missing.css", "/images/style.css", "https://x.org/theme/style.css"):
        assert published_url(names, other) == other


def test_the_accent_stylesheet_sets_the_site_colour():
    assert accent_stylesheet("#1f3a5f") == b":root {\n  --site-accent: #1f3a5f;\n}\n"
