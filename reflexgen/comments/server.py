"""`reflexgen comments serve`: the intake app (`app.make_app`) under uvicorn.

The app is plain ASGI: another server or a reverse proxy may run `make_app(site_dir,
reporter)` itself. Here uvicorn listens on a socket opened first (a port in use is said at
once, exit code 1), believes no `X-Forwarded-*` header (the client's address is worked out
by `defences.client_ip` from `trusted_proxies`), and bounds the work in flight.

One process answers from one core (the event loop and SQLite share its GIL). `--workers N`
runs N processes on that same socket under uvicorn's supervisor (`Multiprocess`): the kernel
hands each connection to one of them; what they must agree on (rate limits, single-use form
tokens, the queue) is in the database, whose writers queue for a lock (`SQLiteStore._writer`),
and publication takes the site's lock (`sidecar.locked`).
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from reflexgen.comments.app import make_app
from reflexgen.comments.http_protocol import BoundedHttpToolsProtocol
from reflexgen.errors import BuildError, Problem, Reporter

MAX_CONCURRENCY = 256  # connections and tasks at once (per process); beyond, 503
BACKLOG = 512
KEEPALIVE_SECONDS = 5
WORKER_APP = "reflexgen.comments.server:worker_app"  # what each worker process imports
SITE_VARIABLE, VERBOSITY_VARIABLE = "REFLEXGEN_SITE", "REFLEXGEN_VERBOSITY"


def stop(signum: int, frame: object) -> None:
    """SIGTERM ends the server as Ctrl-C does (uvicorn raises it again once it has stopped)."""
    raise KeyboardInterrupt


def listen(host: str, port: int) -> socket.socket:
    """A listening socket. Its protocol is said (IPPROTO_TCP), not left to 0: asyncio then
    disables Nagle's algorithm on each connection, else a keep-alive answer waits for a
    delayed acknowledgement (~40 ms). Workers inherit it as it is (family, type, protocol)."""
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
    settings: dict[str, Any] = {
        # httptools with a cap on the request's head (h11 has one, but answers ~20% fewer
        # requests); no WebSocket.
        "http": BoundedHttpToolsProtocol, "ws": "none", "proxy_headers": False,
        "server_header": False, "access_log": False, "log_level": "warning", "lifespan": "on",
        "limit_concurrency": MAX_CONCURRENCY, "backlog": BACKLOG,
        "timeout_keep_alive": KEEPALIVE_SECONDS}
    return uvicorn.Config(app, **{**settings, **options})


def serve(site_dir: Path, host: str, port: int, reporter: Reporter, workers: int = 1) -> int:
    """Build the site, listen, and answer until Ctrl-C or SIGTERM; the exit code. With
    `workers` > 1, that many processes answer on the socket (see `serve_workers`)."""
    try:
        sock = listen(host, port)
    except OSError as exc:
        hint = ("stop the other server, or choose another port with --port"
                if exc.errno == errno.EADDRINUSE else None)
        reporter.error(Problem(f"cannot listen on {host}:{port}: {exc.strerror}", hint=hint))
        return 1
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{sock.getsockname()[1]}/"
    if workers > 1:
        return serve_workers(site_dir, sock, address, reporter, workers)
    try:
        app = make_app(site_dir, reporter)
    except BuildError as exc:
        sock.close()
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    server = uvicorn.Server(uvicorn_config(app))

    async def run() -> None:
        async def announce() -> None:
            while not server.started and not server.should_exit:
                await asyncio.sleep(0.02)
            if server.started:
                reporter.info(f"intake listening on {address}")
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


# Several worker processes ---------------------------------------------------------------------

def serve_workers(site_dir: Path, sock: socket.socket, address: str, reporter: Reporter,
                  workers: int) -> int:
    """`workers` processes (spawned, each with its own app, store connections and event
    loop) answering on `sock`, supervised by uvicorn: a worker that dies is replaced;
    Ctrl-C or SIGTERM stops them all (SIGTERM to each, waited for: each publishes what it
    owes), then this process. The site is read here first, so that a broken one is said
    once, before any worker starts; the workers learn the site and the verbosity from the
    environment (`worker_app`)."""
    try:
        check(site_dir)
    except BuildError as exc:
        sock.close()
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    sock.listen(BACKLOG)  # connections wait in the backlog while the workers start
    # asyncio accepts as many waiting connections at once as its backlog says: the worker
    # that woke first took nearly all of them (a proxy's or a client's kept-alive ones, for
    # good), and two workers answered as one. Each takes one at a time; the supervisor keeps
    # the kernel's queue at BACKLOG (a worker's `listen` sets it too).
    config = uvicorn_config(WORKER_APP, factory=True, workers=workers, backlog=1)
    with environment({SITE_VARIABLE: str(site_dir.absolute()),
                      VERBOSITY_VARIABLE: str(reporter.verbosity)}), restored_signals():
        supervisor = Supervisor(config, [sock], lambda: reporter.info(
            f"intake listening on {address} ({workers} workers)"))
        try:
            supervisor.run()
        finally:
            sock.close()
    if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes):
        reporter.error(Problem("the intake's workers could not start"))
        return 1
    reporter.info("intake stopped")
    return 0


def check(site_dir: Path) -> None:
    """Read the site and open its store as a worker will (raises BuildError): its problems
    are said once, here, and the database is created (its schema, WAL mode, the secret)
    before several processes open it at once."""
    from reflexgen.comments.site import LiveSite, SiteReader
    from reflexgen.comments.store import open_store

    config = LiveSite(SiteReader(site_dir)).snapshot.config
    store = open_store(config.comments.database, config.root)
    try:
        store.secret()
    finally:
        store.close()


class Supervisor(Multiprocess):
    """uvicorn's supervisor, which says once when every worker is ready to answer (`ready`),
    stops waiting for them at a signal (handled by `run` as uvicorn does), and keeps the
    socket's queue long (see `serve_workers`)."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket],
                 ready: Callable[[], None]) -> None:
        super().__init__(config, sockets)
        self.ready = ready

    def init_processes(self) -> None:
        super().init_processes()
        waiting = list(self.processes)
        while waiting and not self.signal_queue:
            if waiting[0].is_ready(timeout=0.5):
                waiting.pop(0)
            elif not waiting[0].process.is_alive():
                return  # `keep_subprocess_alive` stops everything if it failed to start
            else:
                time.sleep(0.05)
        self.sockets[0].listen(BACKLOG)
        if not waiting:
            self.ready()

    def keep_subprocess_alive(self) -> None:
        super().keep_subprocess_alive()
        self.sockets[0].listen(BACKLOG)  # after a replaced worker's own `listen`


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """`os.environ` with `values` while inside (the worker processes inherit it)."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def restored_signals() -> Iterator[None]:
    """The signal handlers as they were once the supervisor (which sets its own) is done."""
    from uvicorn.supervisors.multiprocess import SIGNALS

    previous = {number: signal.getsignal(number) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is not None:
                signal.signal(number, handler)


def worker_app() -> Starlette:
    """The app of one worker process (uvicorn's factory, in the process it spawned): the
    site in `$REFLEXGEN_SITE`, messages at `$REFLEXGEN_VERBOSITY`. A site that no longer
    reads (edited since the supervisor read it) is said, and the worker exits with uvicorn's
    start-up failure: the supervisor then stops instead of starting it again and again."""
    reporter = Reporter(verbosity=int(os.environ.get(VERBOSITY_VARIABLE, "0")))
    try:
        return make_app(Path(os.environ[SITE_VARIABLE]), reporter)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
    except Exception as exc:
        reporter.error(Problem(f"the intake cannot start: {type(exc).__name__}: {exc}",
                               hint=traceback.format_exc()))
    sys.exit(STARTUP_FAILURE)
