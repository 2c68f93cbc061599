"""The pure parts of `site.hosting`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reflexgen.config import SiteConfig
from reflexgen.config.comments import CommentSettings
from reflexgen.site.hosting import feed_patterns, intake, larger_than


@pytest.mark.parametrize("limit", [1, 9, 10, 99, 131072, 199999])
def test_the_length_pattern_matches_the_numbers_above_the_limit(limit):
    pattern = re.compile(f"^0*{larger_than(limit)}$")
    for n in [*range(0, 2000), *range(limit - 50, limit + 50), limit * 10, limit * 10 + 7]:
        if n >= 0:
            assert bool(pattern.match(str(n))) == (n > limit), n


def test_feeds_at_one_depth_share_a_rule_by_file_name():
    assert feed_patterns(["feed.xml", "tags/a/feed.xml", "tags/b/feed.xml", "authors/z/feed.xml",
                          "2021/03/x/comments.atom", "index.html", "tags/a/feed.xml.gz",
                          "theme/style.css", "robots.txt"]) == [
        "/feed.xml", "/robots.txt", "/:p1/:p2/feed.xml", "/:p1/:p2/:p3/comments.atom"]


def config(endpoint: str, base_url: str = "https://blog.example.org") -> SiteConfig:
    return SiteConfig(root=Path("."), title="Blog", base_url=base_url,
                      comments=CommentSettings(endpoint=endpoint))


@pytest.mark.parametrize("endpoint, expected", [
    ("", None),
    ("https://blog.example.org/commentaires/", "/commentaires"),
    ("https://BLOG.example.org:443/c", "/c"),
    ("https://comments.example.org/", None),  # another host: nothing to forward
    ("http://blog.example.org/c/", None),  # another origin
    ("https://blog.example.org/", None),  # the site's own root
    ("https://blog.example.org/a;b/", None),  # a path no server file should hold as it is
    ("https://blog.example.org/a%20b/", None),
])
def test_the_intake_is_forwarded_from_its_path_on_the_site_host(endpoint, expected):
    found = intake(config(endpoint))
    assert (found.prefix if found else None) == expected
    if found:
        assert found.upstream == "127.0.0.1:8100" and found.max_body == (64 + 64) * 1024
