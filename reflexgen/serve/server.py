"""`reflexgen serve`: build, serve the built folder, rebuild on change, tell the browsers.

The server knows nothing of how a site is built: `preview()` hands it the folder and calls the
build pipeline (the same `build.build`, with its cache) when the watcher reports a change.
Requests wait while a rebuild runs, so a page is never served from a half-written folder; a
failed rebuild keeps the last good site and shows its problems over the page.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from reflexgen.build import CACHE_DIR, BuildOptions, BuildResult, build, read_site
from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.incremental.cache import Cache
from reflexgen.serve.intake import PREFIX as INTAKE
from reflexgen.serve.intake import PreviewIntake
from reflexgen.serve.watch import Debouncer, Watcher

if TYPE_CHECKING:
    from reflexgen.site.blueprint import Blueprint

PREFIX = "/__reflexgen__/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "livereload.js"
SCRIPT_TAG = f'<script src="{SCRIPT}" async></script>'.encode()  # never delays a paint
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARDS = ("0.0.0.0", "::", "")
KEEPALIVE = 15.0
MAX_INTAKE_BODY = 4 * 1024 * 1024  # the intake caps far lower; this only spares the preview


class LiveSite:
    """The served folder and the last build's outcome; what browsers are told, and when."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.version = 0
        self.problems: list[dict] = []
        self.moved: dict[str, str] = {}  # old URL → new, for the pages that moved while served
        self._building = False
        self._closed = False
        self._condition = threading.Condition()
        self._listeners: set[queue.Queue] = set()

    @contextmanager
    def building(self) -> Iterator[None]:
        """Requests wait while the folder is being changed (until `built`, or the end)."""
        with self._condition:
            self._building = True
        try:
            yield
        finally:
            self._settle()

    def _settle(self) -> None:
        with self._condition:
            self._building = False
            self._condition.notify_all()

    def wait_until_built(self, timeout: float = 60.0) -> None:
        with self._condition:
            self._condition.wait_for(lambda: not self._building or self._closed, timeout)

    def built(self, written: tuple[str, ...], moved: dict[str, str] | None = None,
              restyled: dict[str, str] | None = None) -> None:
        """The folder holds the new site: requests go on, and the browsers are told (when
        the theme's stylesheets alone changed, they are `restyled`: each page swaps the old
        name for the new in place; anything else reloads the page). A page that `moved` is
        followed there: its old address now redirects to the new one, as does a
        stylesheet's."""
        self.moved.update(moved or {})
        self.moved.update(restyled or {})
        self._settle()
        had_problems, self.problems = bool(self.problems), []
        if not written and not had_problems:
            return
        self.version += 1
        if restyled and not had_problems:
            self._tell({"type": "css", "paths": restyled})
        else:
            self._tell({"type": "reload"})

    def failed(self, problems: list[Problem]) -> None:
        self.problems = [{"file": str(p.path) if p.path else None, "line": p.line,
                          "message": p.message, "hint": p.hint} for p in problems]
        self._tell({"type": "problems", "problems": self.problems})

    def hello(self) -> dict:
        return {"type": "hello", "version": self.version, "problems": self.problems}

    def _tell(self, message: dict) -> None:
        message["version"] = self.version
        with self._condition:
            for listener in self._listeners:
                listener.put(message)

    def listen(self) -> queue.Queue:
        listener: queue.Queue = queue.Queue()
        with self._condition:
            self._listeners.add(listener)
        return listener

    def leave(self, listener: queue.Queue) -> None:
        with self._condition:
            self._listeners.discard(listener)

    def close(self) -> None:
        """Ends every event stream, so that no thread outlives the server."""
        with self._condition:
            self._closed = True
            for listener in self._listeners:
                listener.put(None)
            self._condition.notify_all()


def host_allowed(host: str | None, port: int, bound: str) -> bool:
    """The `Host` header must name this server: a local name, the address it was bound to, or
    (bound to every interface) an IP address; never a DNS name (rebinding attacks)."""
    if not host:
        return False
    name, sep, given = host.rpartition(":")
    if not sep or name.endswith(":"):  # no port, or a bare IPv6 address
        name, given = host, ""
    if given and given != str(port):
        return False
    if name in LOCAL_NAMES or name == bound or name.strip("[]") == bound:
        return True
    if bound in WILDCARDS:
        try:
            ipaddress.ip_address(name.strip("[]"))
            return True
        except ValueError:
            return False
    return False


def locate(root: Path, url_path: str) -> tuple[Path | None, bool]:
    """The file under `root` serving `url_path`, and whether the URL needs a trailing slash.

    None for anything that is not a file inside `root`: `..` in any spelling, NUL bytes,
    backslashes, and symbolic links that lead outside."""
    path = unquote(url_path)
    if "\0" in path or "\\" in path:
        return None, False
    parts = [part for part in path.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return None, False
    candidate = root.joinpath(*parts)
    if candidate.is_dir():
        if not path.endswith("/"):
            return None, True
        candidate = candidate / "index.html"
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None, False
    if not real.is_relative_to(root.resolve()) or not real.is_file():
        return None, False
    return real, False


def inject(html: bytes) -> bytes:
    """The live-reload script, before `</body>` (or at the end of a page that has none)."""
    at = html.rfind(b"</body>")
    return html[:at] + SCRIPT_TAG + html[at:] if at >= 0 else html + SCRIPT_TAG


def make_handler(live: LiveSite, port: Callable[[], int], bound: str,
                 script: bytes, intake: PreviewIntake | None = None
                 ) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "reflexgen"
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes: without this, each response can wait
        # for a delayed acknowledgement (~40 ms on loopback), three times per page reload.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self.respond(send_body=True)

        def do_HEAD(self) -> None:
            self.respond(send_body=False)

        def do_POST(self) -> None:
            self.respond(send_body=True)

        def do_OPTIONS(self) -> None:
            self.respond(send_body=True)

        def respond(self, send_body: bool) -> None:
            if not host_allowed(self.headers.get("Host"), port(), bound):
                return self.plain(HTTPStatus.FORBIDDEN, "unknown host", send_body)
            path = urlsplit(self.path).path
            if intake is not None and intake.origin and path.startswith(INTAKE):
                return self.to_intake(intake)
            if self.command not in ("GET", "HEAD"):
                return self.plain(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed", True)
            if path == EVENTS:
                return self.events()
            if path == SCRIPT:
                return self.send(HTTPStatus.OK, "text/javascript; charset=utf-8", script,
                                 send_body)
            live.wait_until_built()
            file, needs_slash = locate(live.root, path)
            if needs_slash:
                return self.redirect(HTTPStatus.MOVED_PERMANENTLY, path + "/")
            status = HTTPStatus.OK
            if file is None and path in live.moved:  # an open page whose address changed
                return self.redirect(HTTPStatus.TEMPORARY_REDIRECT, live.moved[path])
            if file is None:
                status, file = HTTPStatus.NOT_FOUND, live.root / "404.html"
                if not file.is_file():
                    return self.plain(status, "not found", send_body)
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            data = file.read_bytes()
            if kind == "text/html":
                data = inject(data)
            if kind.startswith("text/") or kind in ("application/xml", "image/svg+xml"):
                kind += "; charset=utf-8"
            return self.send(status, kind, data, send_body)

        def to_intake(self, intake: PreviewIntake) -> None:
            """A request for the comment intake, passed on to it (see serve/intake.py)."""
            length = self.headers.get("Content-Length", "0")
            if not length.isdigit() or int(length) > MAX_INTAKE_BODY:
                self.close_connection = True
                return self.plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too large", True)
            body = self.rfile.read(int(length))
            try:
                status, headers, data = intake.forward(self.command, self.path,
                                                       dict(self.headers.items()), body)
            except OSError:
                return self.plain(HTTPStatus.BAD_GATEWAY, "the comment intake is not answering",
                                  True)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def redirect(self, status: HTTPStatus, location: str) -> None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def events(self) -> None:
            origin = self.headers.get("Origin")
            if origin is not None and not host_allowed(urlsplit(origin).netloc, port(), bound):
                return self.plain(HTTPStatus.FORBIDDEN, "cross-origin event stream", True)
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.close_connection = True
            listener = live.listen()
            try:
                message: dict | None = live.hello()
                self.wfile.write(b"retry: 300\n\n")  # reconnect quickly after a restart
                while message is not None:
                    self.wfile.write(f"data: {json.dumps(message)}\n\n".encode())
                    self.wfile.flush()
                    message = self.next_message(listener)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                live.leave(listener)

        def next_message(self, listener: queue.Queue) -> dict | None:
            """The next message for the browser; a comment line now and then meanwhile, so
            that a closed tab is noticed and its thread ends."""
            while True:
                try:
                    return listener.get(timeout=KEEPALIVE)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()

        def send(self, status: HTTPStatus, kind: str, data: bytes, send_body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                self.wfile.write(data)

        def plain(self, status: HTTPStatus, text: str, send_body: bool) -> None:
            self.send(status, "text/plain; charset=utf-8", f"{status.value} {text}\n".encode(),
                      send_body)

        def log_message(self, format: str, *args: object) -> None:  # quiet: the terminal
            pass  # is for build messages

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        """A browser that leaves mid-answer (a reload, a closed tab) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass(frozen=True)
class ServeOptions:
    site_dir: Path = Path(".")
    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = True
    poll: bool = False
    jobs: int = 0
    search: bool = True  # False: no search index, page or box, whatever site.toml says


def serve_folder(site_dir: Path) -> tuple[Path, Path]:
    """Where the preview is built (output, cache): apart from `output/`, which never gets
    drafts, and from the cache of `reflexgen build`, so that neither undoes the other's work."""
    cache = site_dir.absolute() / CACHE_DIR / "serve"
    return cache / "site", cache


class Preview:
    """Rebuilds the site through `build.build` and tells the browsers what changed."""

    def __init__(self, options: ServeOptions, reporter: Reporter) -> None:
        output, cache = serve_folder(options.site_dir)
        self.options = BuildOptions(site_dir=options.site_dir, output_dir=output,
                                    cache_dir=cache, drafts=options.drafts,
                                    future=options.drafts, jobs=options.jobs,
                                    comment_endpoint=INTAKE, search=options.search,
                                    precompress=False)
        self.reporter = reporter
        self.live = LiveSite(output)
        self.cache = Cache(cache)  # kept warm from one build to the next
        self._using_cache = threading.Lock()
        self.intake = PreviewIntake(options.site_dir, reporter, self.blueprint)

    def blueprint(self) -> Blueprint:
        """The site of the last build, assembled now if that build found its folder up to
        date (the intake then needs it, rendering nothing)."""
        with self._using_cache:
            if self.cache.blueprint is None:
                read_site(replace(self.options, now=datetime.now(UTC)), self.cache)
            return self.cache.blueprint

    def rebuild(self, changed: set[str] | None = None) -> BuildResult | None:
        """One build; its problems go to the terminal and the browsers, never up the stack."""
        # The first build may use every core; later ones run while the server's threads do,
        # where forking worker processes is unsafe.
        jobs = self.options.jobs if changed is None else 1
        options = replace(self.options, now=datetime.now(UTC), jobs=jobs)
        with self.live.building():
            try:
                with self._using_cache:
                    result = build(options, self.reporter, self.cache, self.live.built,
                                   None if changed is None else {Path(p) for p in changed})
            except BuildError as exc:
                problems = exc.problems
            except Exception as exc:  # a bug of ours must not stop the preview either
                problems = [Problem(f"internal error: {type(exc).__name__}: {exc}",
                                    hint="please report it with this trace:\n"
                                    + traceback.format_exc())]
            else:
                if result.up_to_date:  # nothing to commit (a broken file put back as it was)
                    self.live.built(())
                else:
                    self.intake.refresh()
                    self.reporter.info(f"{'built' if changed is None else 'rebuilt'}: "
                                       f"{len(result.rendered)} rendered, "
                                       f"{len(result.written)} written in "
                                       f"{result.seconds * 1000:.0f} ms")
                return result
        for problem in problems:
            self.reporter.error(problem)
        self.live.failed(problems)
        return None


def stop(signum: int, frame: object) -> None:
    """SIGTERM stops the server as cleanly as Ctrl-C does."""
    raise KeyboardInterrupt


def preview(options: ServeOptions, reporter: Reporter,
            ready: Callable[[str], None] | None = None) -> int:
    """Build, serve and watch until interrupted; the exit code."""
    site = Preview(options, reporter)
    try:  # listen first: a port in use is said at once, not after a whole build
        server = Server((options.host, options.port), make_handler(
            site.live, lambda: server.server_address[1], options.host,
            files("reflexgen.serve").joinpath("livereload.js").read_bytes(), site.intake))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reporter.error(Problem(f"port {options.port} is already in use on {options.host}",
                                   hint="stop the other server, or choose another port "
                                        "with --port (0 picks a free one)"))
        else:
            reporter.error(Problem(f"cannot listen on {options.host}:{options.port}: "
                                   f"{exc.strerror}"))
        return 1
    if options.host in WILDCARDS:
        reporter.info("warning: serving on every network interface: anyone on your network "
                      "can read the preview, drafts included")
    host = f"[{options.host}]" if ":" in options.host else options.host
    url = f"http://{'127.0.0.1' if options.host in WILDCARDS else host}:" \
          f"{server.server_address[1]}/"
    debouncer = Debouncer(site.rebuild)
    watcher = Watcher(site.options.site_dir.absolute(), debouncer.poke, poll=options.poll)
    signal.signal(signal.SIGTERM, stop)
    try:
        site.rebuild()  # requests queue up meanwhile: they are answered from serve_forever on
        site.intake.start(url)
        debouncer.start()
        watcher.start()
        reporter.info(f"serving {url} (drafts {'shown' if options.drafts else 'hidden'}); "
                      "Ctrl-C to stop")
        if ready is not None:
            ready(url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        if watcher.observer.is_alive():
            watcher.stop()
        debouncer.stop()
        site.intake.stop()
        site.live.close()
        server.server_close()
    reporter.info("stopped")
    return 0
