"""The comment intake inside `reflexgen serve`, so that the form can be tried while writing.

The intake app (`comments.app.make_app`) runs under uvicorn in a background thread, on a free
port of 127.0.0.1; the preview forwards the requests under `PREFIX` to it, so the form posts
to the preview's own origin (no CORS, and the intake's pages load the preview's stylesheet).
It runs whether or not the site sets `[comments] endpoint`: the preview builds its pages with
`PREFIX` as the endpoint (`BuildOptions.comment_endpoint`), so every article open to comments
has the form. The intake sees the preview's own builds (drafts are not threads: they take no
comment), with the preview's address as the site's, and stores into the site's usual database.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflexgen.config import SiteConfig, load_config
from reflexgen.errors import Problem, Reporter

if TYPE_CHECKING:
    from reflexgen.comments.site import LiveSite
    from reflexgen.site.blueprint import Blueprint

PREFIX = "/__reflexgen__/comments/"
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade",
               "proxy-authorization", "proxy-authenticate", "trailer", "host"}


def preview_config(config: SiteConfig, origin: str) -> SiteConfig:
    """The site's settings as the preview shows them: served from `origin`, posting there."""
    comments = replace(config.comments, endpoint=origin + PREFIX, allowed_origins=(origin,))
    return replace(config, base_url=origin, comments=comments)


class PreviewIntake:
    """The intake app on its own thread; `forward` passes it one request of the preview."""

    def __init__(self, site_dir: Path, reporter: Reporter,
                 blueprint: Callable[[], Blueprint]) -> None:
        self.site_dir = site_dir
        self.reporter = reporter
        self.blueprint = blueprint
        self.origin = ""
        self.port = 0
        self.live: LiveSite | None = None
        self._server: Any = None  # uvicorn.Server
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def _built(self) -> tuple[SiteConfig, Blueprint]:
        config, _ = load_config(self.site_dir)
        return preview_config(config, self.origin), self.blueprint()

    def start(self, origin: str) -> None:
        """Answer for the preview at `origin`; the app itself starts with the first request
        for it, so that a preview nobody comments on pays nothing for it."""
        self.origin = origin.rstrip("/")

    def _launch(self) -> bool:
        """Start the app on its thread (once); False if it cannot."""
        with self._starting:
            if self._server is not None:
                return bool(self._server.started)
            return self._run()

    def _run(self) -> bool:
        # Imported only here: `reflexgen build` never loads the server's libraries.
        import uvicorn

        from reflexgen.comments.app import make_app
        from reflexgen.comments.server import listen, uvicorn_config
        from reflexgen.comments.site import LiveSite

        try:
            self.live = LiveSite(self._built)
            app = make_app(self.site_dir, self.reporter, self.live)
            sock = listen("127.0.0.1", 0)
        except Exception as exc:  # the preview goes on without the intake
            self.reporter.error(Problem(f"the comment intake cannot start: {exc}"))
            return False
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn_config(app))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="intake", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self._server.started

    def refresh(self) -> None:
        """The preview built the site again: threads and pages follow."""
        if self.live is not None:
            try:
                self.live.rebuild()
            except Exception as exc:
                self.reporter.error(Problem(f"the comment intake keeps the last site: {exc}"))

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes
                ) -> tuple[int, list[tuple[str, str]], bytes]:
        """One request to the intake (its path below PREFIX): status, headers, body; raises
        OSError when the intake cannot answer."""
        if not self._launch():
            raise ConnectionError("the comment intake did not start")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, "/" + path[len(PREFIX):], skip_host=True,
                                  skip_accept_encoding=True)
            for name, value in headers.items():
                if name.lower() not in HOP_HEADERS and name.lower() != "content-length":
                    connection.putheader(name, value)
            connection.putheader("Host", headers.get("Host", "127.0.0.1"))
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            kept = [(k, v) for k, v in response.getheaders()
                    if k.lower() not in HOP_HEADERS and k.lower() != "content-length"]
            return response.status, kept, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
