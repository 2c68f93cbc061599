"""The stylesheet instruction added to a feed's bytes (see render/feeds.py)."""

from __future__ import annotations

import lxml.etree
import pytest

from reflexgen.render.feeds import with_stylesheet

PI = b'<?xml-stylesheet type="text/xsl" href="/blog/feed.xsl"?>'


@pytest.mark.parametrize("document, expected", [
    (b"<?xml version='1.0' encoding='UTF-8'?>\n<rss/>",
     b"<?xml version='1.0' encoding='UTF-8'?>\n" + PI + b"\n<rss/>"),
    (b"<?xml version='1.0' encoding='UTF-8'?><feed/>",
     b"<?xml version='1.0' encoding='UTF-8'?>\n" + PI + b"\n<feed/>"),
    (b"<feed/>", PI + b"\n<feed/>"),  # no declaration: nothing may come before the instruction
])
def test_the_instruction_comes_right_after_the_declaration(document, expected):
    styled = with_stylesheet(document, "/blog/feed.xsl")
    assert styled == expected
    root = lxml.etree.fromstring(styled)
    assert root.getprevious().target == "xml-stylesheet"
    assert root.getprevious().get("href") == "/blog/feed.xsl"


def test_the_address_is_escaped_as_a_pseudo_attribute():
    styled = with_stylesheet(b"<rss/>", '/a"b&c/feed.xsl')
    assert styled.startswith(b'<?xml-stylesheet type="text/xsl" href="/a&quot;b&amp;c/feed.xsl"?>')
