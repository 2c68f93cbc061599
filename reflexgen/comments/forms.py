"""Reading a posted form, for the intake and the moderation page: every input is hostile.
The body's size is capped before it is read and while it is; a body that is not a form, a
file, or too many fields are refused (`Refused`: a status and a message key)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Message

MAX_FIELDS = 16
BODY_SECONDS = 30  # the longest a request's body may take to arrive


class Refused(Exception):
    """A request that cannot even be read: answered with `status` and a message key."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused before it is read when it says it is larger than `limit`, and while
    it is read when it turns out to be (a length that lies, chunks)."""
    declared = request.headers.get("content-length")
    if declared is None:
        raise Refused(411, "intake_bad_request")
    if not declared.isdigit() or len(declared) > 12:
        raise Refused(400, "intake_bad_request")
    if int(declared) > limit:
        raise Refused(413, "intake_too_large")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(BODY_SECONDS):  # a client that sends slowly is let go
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Refused(413, "intake_too_large")
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(408, "intake_bad_request") from None
    return b"".join(chunks)


async def read_pairs(request: Request, limit: int, max_fields: int = MAX_FIELDS
                     ) -> list[tuple[str, str]]:
    """The posted fields as (name, text) pairs, in order."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Refused(415, "intake_bad_request")
    body = await read_body(request, limit)
    if kind == "multipart/form-data":
        return await read_multipart(request, body, max_fields)
    # The standard library's parser, as Starlette's would read it (bytes as Latin-1, then
    # %-escapes as UTF-8), at a third of the cost: most requests are this kind.
    try:
        return parse_qsl(body.decode("latin-1"), keep_blank_values=True,
                         max_num_fields=max_fields)
    except ValueError:  # too many fields
        raise Refused(400, "intake_bad_request") from None


async def read_form(request: Request, limit: int) -> dict[str, str]:
    """The posted fields as text, one value a name (the first)."""
    fields: dict[str, str] = {}
    for name, value in await read_pairs(request, limit):
        fields.setdefault(name, value)
    return fields


async def read_multipart(request: Request, body: bytes, max_fields: int
                         ) -> list[tuple[str, str]]:
    """A multipart form's fields (Starlette's parser); a file is refused."""
    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=0, max_fields=max_fields)
    except Exception:  # any malformed body
        raise Refused(400, "intake_bad_request") from None
    items = form.multi_items()
    if any(isinstance(value, UploadFile) for _, value in items):
        raise Refused(400, "intake_bad_request")
    return [(name, str(value)) for name, value in items]
