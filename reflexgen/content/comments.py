"""Reader comments: untrusted records checked one by one, then nested into threads."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from markdown_it import MarkdownIt

from reflexgen.content import dates, markup
from reflexgen.content.fields import FileContext
from reflexgen.content.model import COMMENT_STATUSES, Comment, Thread
from reflexgen.errors import BuildError, Problem

SAFE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
Located = tuple[Comment, FileContext]


def comment_line(ctx: FileContext, cid: str) -> int | None:
    """Where `- id: <cid>` stands; looked up only when there is an error to report."""
    if not cid:
        return None
    return ctx.line_matching(rf"^\s*-?\s*id\s*[:=]\s*['\"]?{re.escape(cid)}['\"]?\s*$")


def field_line(ctx: FileContext, cid: str, key: str) -> int | None:
    """Where `key:` of comment `cid` stands (the first such line after its id), else the
    comment's own line."""
    start = comment_line(ctx, cid)
    if start is None:
        return None
    lines = ctx.text.split("\n")
    for index in range(start - 1, len(lines)):
        if index >= start and re.match(r"^\s*- ", lines[index]):
            break  # the next comment
        if re.match(rf"^\s*-?\s*{re.escape(key)}\s*:", lines[index]):
            return index + 1
    return start


def read_comments(ctx: FileContext, data: Any, tz, parser: MarkdownIt,
                  key: str | None, limit_kb: int = 64) -> list[Located]:
    """A YAML list of comments (front matter `key`, or a whole sidecar file when None)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise BuildError(Problem("comments must be a list", ctx.path,
                                 ctx.line_of(key) if key else 1,
                                 hint="write each comment as an item starting with `- id: …`"))
    return [(read_comment(ctx, item, tz, parser, limit_kb), ctx) for item in data]


def read_comment(ctx: FileContext, item: Any, tz, parser: MarkdownIt,
                 limit_kb: int = 64) -> Comment:
    if not isinstance(item, dict):
        raise BuildError(Problem(f"a comment must be a mapping, not {item!r}", ctx.path,
                                 hint="write id, author, date and body under each `- `"))
    raw_id = item.get("id")
    cid = str(raw_id) if isinstance(raw_id, (int, str)) and not isinstance(raw_id, bool) else ""
    where = f"comment {cid!r}" if cid else "a comment"

    def fail(message: str, hint: str, key: str | None = None) -> BuildError:
        line = field_line(ctx, cid, key) if key else comment_line(ctx, cid)
        return BuildError(Problem(f"{where} {message}", ctx.path, line, hint))

    if not SAFE_ID.match(cid):
        raise fail("needs an `id` made of letters, digits, - or _",
                   "give every comment a unique id: 1, 2, 3…")
    for required in ("author", "date", "body"):
        value = item.get(required)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise fail(f"has no {required!r}", "each comment needs id, author, date and body")
    size = len(str(item["body"]).encode())
    if size > limit_kb * 1024:
        raise fail(f"is {size // 1024} KB long, more than the {limit_kb} KB allowed",
                   "shorten it, or raise max_comment_kb in site.toml")
    status = item.get("status", "approved")
    if status not in COMMENT_STATUSES:
        raise fail(f"has unknown status {status!r}", "use one of: " + ", ".join(COMMENT_STATUSES))
    try:
        date = dates.to_datetime(item["date"], tz)
    except dates.DateError as exc:
        raise fail(f"has a bad 'date': {exc}", exc.hint, "date") from None
    url, source = (web_address(item.get(key)) for key in ("url", "source"))
    parent, author_id = item.get("parent"), item.get("author_id")
    return Comment(
        id=cid, author=str(item["author"]).strip(), date=date,
        body_html=markup.render_comment(parser, str(item["body"])),
        parent=str(parent) if parent is not None else None, url=url, status=status,
        author_id=str(author_id) if author_id is not None else None, source=source,
    )


def web_address(value: Any) -> str | None:
    """An http(s) address, else None (a comment's links go nowhere else)."""
    return value.strip() if isinstance(value, str) and re.match(r"(?i)^https?://",
                                                                 value.strip()) else None


def thread(located: list[Located]) -> tuple[tuple[Thread, ...], int]:
    """Check ids and parents, then nest the approved comments (replies to hidden ones hide too)."""
    problems: list[Problem] = []
    by_id: dict[str, Comment] = {}
    for comment, ctx in located:
        if comment.id in by_id:
            problems.append(Problem(f"two comments have the id {comment.id!r}", ctx.path,
                                    comment_line(ctx, comment.id),
                                    hint="give every comment a unique id"))
        by_id[comment.id] = comment
    for comment, ctx in located:
        if comment.parent is not None and comment.parent not in by_id:
            problems.append(Problem(
                f"comment {comment.id!r} replies to {comment.parent!r}, which does not exist",
                ctx.path, comment_line(ctx, comment.id),
                hint="fix `parent` or remove it to make a top-level comment"))
    for comment, ctx in located if not problems else ():
        seen, parent = {comment.id}, comment.parent
        while parent is not None and parent not in seen:
            seen.add(parent)
            parent = by_id[parent].parent
        if parent is not None:
            problems.append(Problem(f"comment {comment.id!r} is part of a reply loop", ctx.path,
                                    comment_line(ctx, comment.id),
                                    hint="a comment cannot reply to its own reply"))
            break
    if problems:
        raise BuildError(problems)
    children: dict[str | None, list[Comment]] = defaultdict(list)
    for comment in sorted(by_id.values(), key=lambda c: (c.date, c.id)):
        if comment.status == "approved":
            children[comment.parent].append(comment)

    def nest(parent: str | None) -> tuple[Thread, ...]:
        return tuple(Thread(c, nest(c.id)) for c in children.get(parent, ()))

    threads = nest(None)
    return threads, count(threads)


def count(threads: tuple[Thread, ...]) -> int:
    return sum(1 + count(t.replies) for t in threads)
