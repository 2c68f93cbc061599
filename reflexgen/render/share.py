"""Share links under an article: plain addresses of each network's own « share » page, built
here so that the page loads nothing from those networks (no script, counter or icon of
theirs). A reader's click is the first thing any of them hears of it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

# Mastodon has no single address: share.js asks the reader for their instance. Without
# JavaScript the link goes to Toot (toot.kytta.dev, free software, no tracking), which asks too.
MASTODON_FALLBACK = "https://toot.kytta.dev/?text={text}"
ADDRESSES = {
    "email": "mailto:?subject={title}&body={url}",
    "mastodon": MASTODON_FALLBACK,
    "bluesky": "https://bsky.app/intent/compose?text={text}",
    "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url={url}",
    "x": "https://x.com/intent/post?text={title}&url={url}",
}


@dataclass(frozen=True)
class ShareLink:
    """One way to share an article."""

    network: str  # email, mastodon, bluesky, linkedin, x; copy and device (share.js buttons)
    href: str  # the link's address; empty for the buttons, which work with JavaScript only


def share_links(networks: tuple[str, ...], url: str, title: str) -> tuple[ShareLink, ...]:
    """The links of `networks` for the page at absolute `url` titled `title`; every value is
    percent-encoded (a space is %20, as mailto: wants it). The title loses its word joiners
    (typography's, invisible on the page), which would travel into the post."""
    title = title.replace("\u2060", "")
    values = {"url": quote(url, safe=""), "title": quote(title, safe=""),
              "text": quote(f"{title} {url}", safe="")}
    return tuple(ShareLink(name, ADDRESSES[name].format(**values) if name in ADDRESSES else "")
                 for name in networks)
