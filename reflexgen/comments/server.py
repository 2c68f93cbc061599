"""`reflexgen comments serve`: the intake app (`app.make_app`) under uvicorn.

The app is plain ASGI: another server or a reverse proxy may run `make_app(site_dir,
reporter)` itself. Here uvicorn listens on a socket opened first (a port in use is said at
once, exit code 1), believes no `X-Forwarded-*` header (the client's address is worked out
by `defences.client_ip` from `trusted_proxies`), and bounds the work in flight.
"""

from __future__ import annotations

import asyncio
import errno
import signal
import socket
from pathlib import Path
from typing import Any

import uvicorn

from reflexgen.comments.app import make_app
from reflexgen.errors import BuildError, Problem, Reporter

MAX_CONCURRENCY = 256  # connections and tasks at once; beyond, 503 (a flood waits its turn)
BACKLOG = 512
KEEPALIVE_SECONDS = 5
MAX_HEADER_BYTES = 16 * 1024  # h11's cap on the request line and headers


def stop(signum: int, frame: object) -> None:
    """SIGTERM ends the server as Ctrl-C does (uvicorn raises it again once it has stopped)."""
    raise KeyboardInterrupt


def listen(host: str, port: int) -> socket.socket:
    """A listening socket. Its protocol is said (IPPROTO_TCP), not left to 0: asyncio then
    disables Nagle's algorithm on each connection, else a keep-alive answer waits for a
    delayed acknowledgement (~40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: Any, **options: Any) -> uvicorn.Config:
    """uvicorn's settings for the intake (also for `reflexgen serve`'s own intake)."""
    return uvicorn.Config(
        # h11 (pure Python) rather than httptools, even where installed: it caps the request
        # line and headers (`h11_max_incomplete_event_size`); httptools would be ~20% faster.
        app, http="h11", proxy_headers=False, server_header=False, access_log=False,
        log_level="warning", lifespan="on", limit_concurrency=MAX_CONCURRENCY,
        backlog=BACKLOG, timeout_keep_alive=KEEPALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES, **options)


def serve(site_dir: Path, host: str, port: int, reporter: Reporter) -> int:
    """Build the site, listen, and answer until Ctrl-C or SIGTERM; the exit code."""
    try:
        sock = listen(host, port)
    except OSError as exc:
        hint = ("stop the other server, or choose another port with --port"
                if exc.errno == errno.EADDRINUSE else None)
        reporter.error(Problem(f"cannot listen on {host}:{port}: {exc.strerror}", hint=hint))
        return 1
    try:
        app = make_app(site_dir, reporter)
    except BuildError as exc:
        sock.close()
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    server = uvicorn.Server(uvicorn_config(app))
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host

    async def run() -> None:
        async def announce() -> None:
            while not server.started and not server.should_exit:
                await asyncio.sleep(0.02)
            if server.started:
                reporter.info(f"intake listening on http://{shown}:{bound}/")
        task = asyncio.create_task(announce())
        await server.serve(sockets=[sock])
        task.cancel()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    reporter.info("intake stopped")
    return 0
