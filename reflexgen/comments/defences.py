"""The intake's defences: who the client is (without keeping its address), whether the form's
fields have the right shape, and the verdict on a submission.

`judge` runs the checks cheapest first and stops at the first that decides: honeypot, form
token, thread, parent, rate limits, duplicates, blocklist, link stuffing, link lists; then the
signals that only hold a comment for moderation (an author's name, too many links). Every
number is a constant here.
Messages are keys of the theme's strings (`intake_…`); reasons are stable codes, stored with
spam and pending comments for the moderator."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from reflexgen.comments import tokens
from reflexgen.comments.records import Draft
from reflexgen.comments.store import Store, body_digest, normalized
from reflexgen.comments.threads import ThreadInfo
from reflexgen.config import SiteConfig
from reflexgen.config.comments import CommentSettings
from reflexgen.config.mail import valid_address
from reflexgen.errors import BuildError, Problem

# Field caps, in characters (the body's is `max_comment_kb`, in bytes of UTF-8).
MAX_AUTHOR = 100
MAX_EMAIL = 254  # RFC 5321's limit for a whole address
MAX_URL = 500
MAX_THREAD = 300
MAX_PARENT = 100
HONEYPOT = "website"  # the hidden field that only bots fill (the reader's site is `url`)

IPV4_PREFIX = 24  # one home or office: addresses in it share their rate limits
IPV6_PREFIX = 64
# (what is counted, window, hits allowed in it): per client (its IP prefix) and per e-mail.
RATE_LIMITS = (
    ("client", timedelta(minutes=1), 5),
    ("client", timedelta(hours=1), 30),
    ("email", timedelta(minutes=1), 5),
    ("email", timedelta(hours=1), 30),
)
DUPLICATE_WINDOW = timedelta(days=30)
DUPLICATE_MIN_CHARS = 30  # « Merci ! » from two readers is no duplicate
FLOOD_FACTOR = 3  # a client this many times over its per-minute limit: its pending are spam
LINK_STUFFING = (2, 3)  # spam past max(2 × max_links, max_links + 3) links; held past max_links
# "www." counts only where no scheme stands before it: https://www.x.fr is one link, not two.
LINK = re.compile(r"(?i)\b(?:https?://|ftp://)|(?<!//)\bwww\.|\bmailto:|<a\s")
# A list of links, not a reader citing sources (`link_density`, spam): past max_links, at least
# LINK_LIST links with fewer than PROSE_PER_LINK words of text for each. A citation comes with
# a clause of its own, three words or more (« selon l’Insee », « voir le rapport », « cette
# étude du Cerema »); a link spammer sends a pitch of a few words for the whole list, or a
# keyword or two as each link's anchor. (Lodgeit's antispam takes a text made mostly of
# addresses for spam; a WordPress plugin, Advanced Remove Links in Comments, allows one link
# per 50 words.) With more text, a comment past max_links is held, as before. What this
# mistakes for spam: a reader's bare list of addresses with hardly a word (found with
# `comments list --status spam` for 30 days, until `purge`). In the spam corpus, readers
# citing 3 to 5 sources write 6 words a link or more, the link stuffers fewer than 2.
LINK_LIST = 3  # one or two links with a word (« voir : https://… ») are how readers share
PROSE_PER_LINK = 3
# What is not prose: the addresses themselves, HTML tags and BBCode's [url=…] markup. The
# words of an anchor (`[le rapport](https://…)`, `<a href=…>le rapport</a>`) are prose: the
# reader sees them.
NOT_PROSE = re.compile(r"(?i)(?:\b(?:https?|ftp)://|\bmailto:|\bwww\.)[^\s<>\"'\[\]]*"
                       r"|</?[a-z][^<>]*>|\[/?url\b[^\[\]]*\]")
WORD = re.compile(r"[^\W\d_]+")  # a run of letters: « l’Insee » is two words, « 2024 » none

OUTCOMES = ("rejected", "spam", "pending", "approved")
# Field errors (`check_fields`): keys of the theme's strings.
REQUIRED, TOO_LONG, CHARACTERS = "intake_error_required", "intake_error_too_long", \
    "intake_error_characters"
BAD_EMAIL, BAD_URL, NEEDS_EMAIL = "intake_error_email", "intake_error_url", \
    "intake_error_needs_email"
# The message shown for each reason a submission is refused (others: by outcome).
MESSAGES = {
    tokens.MISSING: "intake_token", tokens.TOO_FAST: "intake_token",
    tokens.EXPIRED: "intake_token", tokens.WRONG_ARTICLE: "intake_token",
    "unknown_thread": "intake_unknown_thread", "closed": "intake_closed",
    "parent": "intake_parent", "rate_client": "intake_rate", "rate_email": "intake_rate",
    "duplicate": "intake_duplicate",
    "spam": "intake_received", "pending": "intake_pending", "approved": "intake_approved",
}
# Characters refused in one-line fields: controls (CR, LF…), line and paragraph separators,
# and the bidirectional overrides that disguise a name or an address.
# U+FFFE and U+FFFF: noncharacters that XML, hence every feed, refuses.
ONE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ufffe\uffff]")
# Tab and line breaks are text.
BODY_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
COMMENT_ID = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Verdict:
    outcome: str  # one of OUTCOMES
    reasons: tuple[str, ...]  # the checks that decided, or the signals that held it
    message: str  # a key of the theme's strings: what the reader is told


@dataclass(frozen=True)
class Facts:
    """What the defences know of the site for one submission."""

    thread: ThreadInfo | None  # the article commented on, if it exists
    published: frozenset[str] = frozenset()  # ids of its published comments: possible parents
    authors: frozenset[str] = frozenset()  # the site's own names, as `author_names` gives them
    blocklist: tuple[str, ...] = ()  # as `read_blocklist` gives them


# Who the client is

def client_ip(peer: str, headers: Mapping[str, str], trusted_proxies: Iterable[str]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    rightmost address in `X-Forwarded-For` that is not a trusted proxy (those to its left
    were written by the client, and prove nothing)."""
    networks = _networks(tuple(trusted_proxies))
    address = _address(peer)
    if address is None or not _trusted(address, networks):
        return str(address) if address is not None else peer
    forwarded = headers.get("x-forwarded-for") or headers.get("X-Forwarded-For") or ""
    for hop in reversed(forwarded.split(",")):
        hop_address = _address(hop)
        if hop_address is None:
            break  # garbage: believe the last proxy we trust, not what stands left of it
        address = hop_address
        if not _trusted(address, networks):
            break
    return str(address)


def client_key(secret: bytes, ip: str) -> str:
    """An HMAC of the client's network (its IPv4 /24 or IPv6 /64): enough to limit a client,
    never its address."""
    address = _address(ip)
    if address is None:
        prefix = ip
    else:
        bits = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
        prefix = str(ipaddress.ip_network(f"{address}/{bits}", strict=False))
    return _hmac(secret, "client", prefix)


def _hmac(secret: bytes, kind: str, value: str) -> str:
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a peer or an X-Forwarded-For hop (maybe with a port or brackets);
    IPv4 written as IPv6 (`::ffff:1.2.3.4`) is IPv4."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]
              ) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
             networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


# The form's fields

def check_fields(form: Mapping[str, str], settings: CommentSettings, config: SiteConfig
                 ) -> dict[str, str]:
    """What is wrong with the fields a reader filled in, by field name (empty: nothing).
    Only the shape: whether the comment is welcome is `judge`'s question."""
    errors: dict[str, str] = {}
    caps = {"author": MAX_AUTHOR, "email": MAX_EMAIL, "url": MAX_URL, "thread": MAX_THREAD,
            "parent": MAX_PARENT, "token": tokens.MAX_TOKEN_CHARS}
    for name, cap in caps.items():
        value = form.get(name, "")
        if len(value) > cap:
            errors[name] = TOO_LONG
        elif ONE_LINE_BAD.search(value):
            errors[name] = CHARACTERS
    trouble = body_error(form.get("body", ""), config)
    if trouble:
        errors["body"] = trouble
    for name in ("author", "thread"):
        if name not in errors and not form.get(name, "").strip():
            errors[name] = REQUIRED
    email, url, parent = (form.get(k, "").strip() for k in ("email", "url", "parent"))
    if "email" not in errors:
        if not email and settings.require_email:
            errors["email"] = NEEDS_EMAIL
        elif email and not valid_address(email):
            errors["email"] = BAD_EMAIL
    if "url" not in errors and url and not _valid_url(url):
        errors["url"] = BAD_URL
    if "parent" not in errors and parent and not COMMENT_ID.fullmatch(parent):
        errors["parent"] = CHARACTERS
    return errors


def make_draft(form: Mapping[str, str], client: str) -> Draft:
    """The draft of fields that `check_fields` found right (line breaks made `\\n`)."""
    body = form.get("body", "").replace("\r\n", "\n").replace("\r", "\n")
    email, url, parent = (form.get(k, "").strip() or None for k in ("email", "url", "parent"))
    return Draft(thread=form.get("thread", "").strip(), parent=parent,
                 author=form.get("author", "").strip(), email=email, url=url, body=body,
                 client=client)


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) \
        and not re.search(r"[\s\\]", url) and "@" not in parts.netloc


def body_error(body: str, config: SiteConfig) -> str | None:
    """What is wrong with a comment's text (a key of the theme's strings), or None; also
    for a text the moderator edits or writes."""
    if len(body.encode("utf-8", "surrogatepass")) > config.max_comment_kb * 1024:
        return TOO_LONG
    if BODY_BAD.search(body) or _surrogate(body):
        return CHARACTERS
    return REQUIRED if not body.strip() else None


def client_of(peer: str, headers: Mapping[str, str], trusted_proxies: Iterable[str],
              secret: bytes) -> str:
    """A request's client as the store counts it: `client_key` of its `client_ip`."""
    return client_key(secret, client_ip(peer, headers, trusted_proxies))


def over_limits(store: Store, key: str, limits: tuple[tuple[timedelta, int], ...],
                now: datetime) -> bool:
    """Count a hit for `key`; whether it goes past any of `limits` (window, hits allowed)."""
    counted = store.count_hits(key, tuple(window for window, _ in limits), now)
    return any(hits > allowed for hits, (_, allowed) in zip(counted, limits, strict=True))


def _surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


# The site's words

def author_names(names: Iterable[str]) -> frozenset[str]:
    """The site's own authors' names (and ids), reserved: a reader using one is held."""
    return frozenset(n for n in map(normalized, names) if n)


def read_blocklist(path: Path) -> tuple[str, ...]:
    """The words and domains of a blocklist file, one a line (`#` starts a remark)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(Problem(f"cannot read the comment blocklist: {exc}", path,
                                 hint="one word or domain a line, in UTF-8")) from None
    entries = (normalized(line.split("#", 1)[0]) for line in text.splitlines())
    return tuple(dict.fromkeys(entry for entry in entries if entry))


@lru_cache(maxsize=8)
def _blocklist_pattern(entries: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words (or phrases), and domains with any subdomain."""
    return re.compile("|".join(rf"(?<![\w-]){re.escape(e)}(?![\w-])" for e in entries))


def blocked(draft: Draft, blocklist: tuple[str, ...]) -> bool:
    if not blocklist:
        return False
    text = normalized("\n".join(filter(None, (draft.author, draft.email, draft.url,
                                               draft.body))))
    return _blocklist_pattern(blocklist).search(text) is not None


def count_links(body: str) -> int:
    return len(LINK.findall(body))


def prose_words(body: str) -> int:
    """The words of a comment's text, its links' addresses and markup left out."""
    return len(WORD.findall(NOT_PROSE.sub(" ", body)))


def link_list(body: str, links: int) -> bool:
    """Whether a comment with `links` links is a list of them rather than text citing them:
    LINK_LIST links or more, and fewer than PROSE_PER_LINK words of prose for each."""
    return links >= LINK_LIST and prose_words(body) < PROSE_PER_LINK * links


# The verdict

def judge(draft: Draft, form: Mapping[str, str], facts: Facts, settings: CommentSettings,
          store: Store, secret: bytes, now: datetime) -> Verdict:
    """The verdict on a submission whose fields `check_fields` found right. Writes only the
    token's nonce and the rate-limit hits: storing the comment is the caller's."""
    first = _honeypot_and_token(draft, form, secret, now, store)
    if first is not None and first.outcome == "rejected":
        return first
    refused = _refused(draft, facts) if first is None else None
    if refused:
        return _verdict("rejected", refused)
    limited = _rate_limited(draft, secret, now, store)  # spam too: a flood is not all kept
    if limited:
        return _verdict("rejected", limited)
    if first is not None:
        return first
    if len(normalized(draft.body)) >= DUPLICATE_MIN_CHARS:
        # Sent again to the same article: a double click, said so; to other articles: a
        # campaign pasting one text everywhere.
        threads = store.seen(body_digest(draft.body), now - DUPLICATE_WINDOW)
        if draft.thread in threads:
            return _verdict("rejected", "duplicate")
        if threads:
            return Verdict("spam", ("cross_post",), MESSAGES["spam"])
    if blocked(draft, facts.blocklist):
        return Verdict("spam", ("blocklist",), MESSAGES["spam"])
    links = count_links(draft.body)
    factor, margin = LINK_STUFFING
    if links > max(factor * settings.max_links, settings.max_links + margin):
        return Verdict("spam", ("link_stuffing",), MESSAGES["spam"])
    if links > settings.max_links and link_list(draft.body, links):
        return Verdict("spam", ("link_density",), MESSAGES["spam"])
    held = []
    if normalized(draft.author) in facts.authors:
        held.append("author_name")
    if links > settings.max_links:
        held.append("links")
    if held or settings.moderation == "pre" or (settings.moderation == "trusted" and not (
            draft.email and store.trusted(draft.email))):
        return Verdict("pending", tuple(held), MESSAGES["pending"])
    return Verdict("approved", (), MESSAGES["approved"])


def _honeypot_and_token(draft: Draft, form: Mapping[str, str], secret: bytes, now: datetime,
                        store: Store) -> Verdict | None:
    """The cheapest checks: spam (a filled honeypot, a forged or replayed token), a refusal
    (no token, too young, expired, another article's), or nothing to say."""
    if form.get(HONEYPOT, ""):
        return Verdict("spam", ("honeypot",), MESSAGES["spam"])
    trouble = tokens.check(secret, form.get("token") or None, draft.thread, now, store)
    if trouble in (tokens.FORGED, tokens.REPLAYED):
        return Verdict("spam", (trouble,), MESSAGES["spam"])
    return _verdict("rejected", trouble) if trouble else None


def _refused(draft: Draft, facts: Facts) -> str | None:
    if facts.thread is None or facts.thread.source != draft.thread:
        return "unknown_thread"
    if not facts.thread.open:
        return "closed"
    if draft.parent is not None and draft.parent not in facts.published:
        return "parent"
    return None


def _rate_limited(draft: Draft, secret: bytes, now: datetime, store: Store) -> str | None:
    """Counts this submission against its client's and e-mail's limits (spam included:
    a flood stores no more than the limits allow)."""
    keys = {"client": f"client:{draft.client}",
            "email": _hmac(secret, "email", draft.email.casefold()) if draft.email else ""}
    for kind, key in keys.items():
        if not key:
            continue
        limits = [(window, allowed) for named, window, allowed in RATE_LIMITS if named == kind]
        counted = store.count_hits(key, tuple(window for window, _ in limits), now)
        for (window, allowed), hits in zip(limits, counted, strict=True):
            if hits > allowed:
                if kind == "client" and hits > FLOOD_FACTOR * allowed:
                    # A flood: what it got through before the limit is not a reader's either.
                    store.flag_flood(draft.client, now - window)
                return f"rate_{kind}"
    return None


def _verdict(outcome: str, reason: str) -> Verdict:
    return Verdict(outcome, (reason,), MESSAGES.get(reason, "intake_fix"))
