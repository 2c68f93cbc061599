"""What the intake says about itself on every answer, and which origins may post to it.

Its pages hold no script: they load the site's stylesheet and images, and post only to the
site or the intake; nothing may frame them. CORS itself is Starlette's middleware, for
`allowed_origins` only (see app.py)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reflexgen.comments.site import Snapshot
from reflexgen.config.comments import origin_of


def policy(snapshot: Snapshot) -> list[tuple[bytes, bytes]]:
    """The security headers of every answer, for the site as it is now."""
    config = snapshot.config
    site = origin_of(config.base_url)
    endpoint = origin_of(config.comments.endpoint) if config.comments.endpoint else ""
    # No inline style either: the site's colour is a stylesheet of the site (accent.css).
    csp = (f"default-src 'none'; style-src 'self' {site}; "
           f"img-src 'self' {site} data:; "
           f"form-action 'self' {site} {endpoint}".rstrip() +
           "; frame-ancestors 'none'; base-uri 'none'")
    return [(b"content-security-policy", csp.encode("latin-1", "replace")),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin")]


class SecurityHeaders:
    """ASGI middleware: `policy` added to every answer, error pages included."""

    def __init__(self, app: ASGIApp, snapshot: Callable[[], Snapshot]) -> None:
        self.app = app
        self.snapshot = snapshot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = policy(self.snapshot())

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                given = {name.lower() for name, _ in own}  # a page's own choice stands
                message["headers"] = [*own, *(h for h in headers if h[0] not in given)]
            await send(message)

        await self.app(scope, receive, send_with)


def origin_allowed(request: Request, snapshot: Snapshot) -> bool:
    """A browser's POST says where its form was (`Origin`): the site, the intake's own pages,
    or another allowed origin. Without `Origin` (old browsers, scripts) the defences decide."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    settings = snapshot.config.comments
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    allowed = {*settings.allowed_origins, origin_of(snapshot.config.base_url), own}
    if settings.endpoint:
        allowed.add(origin_of(settings.endpoint))
    return origin.strip().lower() in allowed
