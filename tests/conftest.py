"""Shared helpers: inline sites written to a temporary folder, and a CLI runner."""

from __future__ import annotations

import asyncio
import functools
import http.client
import http.server
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from reflexgen.cli import main

REPO = Path(__file__).resolve().parent.parent
# The servers the tests start run this checkout's code, wherever reflexgen is installed.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO),
                                                         os.environ.get("PYTHONPATH"))))
# Run in the background by a shell without job control (`./dev test &` in a script), the suite
# inherits SIGINT ignored, and so would every server it starts: the tests stop those with
# Ctrl-C (SIGINT), as a user does.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
SITE_TOML = """\
title = "Le Blog"
base_url = "https://blog.example.org"
language = "fr"
timezone = "Europe/Paris"
"""
# A site taking comments, its intake behind a proxy on 127.0.0.1 (tests set X-Forwarded-For).
INTAKE_TOML = SITE_TOML + """
[comments]
endpoint = "https://blog.example.org/commentaires/"
trusted_proxies = ["127.0.0.1"]
"""


@dataclass
class Run:
    code: int
    stderr: str


def cli(*args: str) -> Run:
    """The real command line, run in this process: its exit code and what it printed."""
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(list(args))
    return Run(code, err.getvalue())


class Site:
    """A site written from a dict of path → text; `build()` runs the real CLI in-process."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, files: dict[str, str]) -> Site:
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return self

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def build(self, *args: str) -> Run:
        return cli("build", "--site", str(self.root), *args)

    def read(self, rel: str) -> str:
        return (self.root / "output" / rel).read_text(encoding="utf-8")

    def exists(self, rel: str) -> bool:
        return (self.root / "output" / rel).exists()

    def published(self, rel: str) -> str:
        """The output path a theme file is published under (`theme/style.css` →
        `theme/style.0123456789.css`), found in the output folder."""
        return published(self.root / "output", rel)


CONTENT_NAMED = re.compile(r"\.[0-9a-f]{10}(?=\.[^./]*$|$)")


def logical(url: str) -> str:
    """A theme file's address with the digest of its published name left out
    (`/theme/style.0123456789.css` → `/theme/style.css`): what a template wrote."""
    return CONTENT_NAMED.sub("", url, count=1) if "/theme/" in url or url.startswith(
        "theme/") else url


def published(output: Path, rel: str) -> str:
    """The output path of theme file `rel` (`theme/style.css`) in `output`."""
    folder, _, name = rel.rpartition("/")
    found = [p.relative_to(output).as_posix() for p in (output / folder).iterdir()
             if p.is_file() and logical(f"{folder}/{p.name}") == rel]
    assert len(found) == 1, f"{rel}: {found}"
    return found[0]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site").write({"site.toml": SITE_TOML})


def article(title: str = "Un titre", date: str = "2024-03-12T09:30:00+01:00",
            body: str = "Du texte.", **meta: str) -> str:
    """An article file with YAML front matter; extra keys are written as given."""
    lines = [f'title: "{title}"', f"date: {date}"] + [f"{k}: {v}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def built_demo(root: Path, files: dict[str, str] | None = None) -> Path:
    """The demo blog copied to `root`, with `files` written over it, and built: its output."""
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.toml", root)
    site = Site(root).write(files or {})
    assert site.build().code == 0
    return root / "output"


class ServerProcess:
    """One of our servers as a real process on 127.0.0.1: its address read from the line it
    prints once listening (`<ready> http://host:port/`), its stderr kept, stopped with Ctrl-C
    as a person would."""

    def __init__(self, command: list[str], ready: str) -> None:
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.lines: list[str] = []
        self.url = ""
        deadline = time.monotonic() + 60
        while not self.url and time.monotonic() < deadline:
            line = self.process.stderr.readline()  # type: ignore[union-attr]
            if not line:
                break
            self.lines.append(line)
            if line.startswith(ready):
                self.url = next(w for w in line.split() if w.startswith("http://"))
        if not self.url:
            self.stop()
            raise AssertionError(f"{' '.join(command[2:5])} did not start:\n" + self.output)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self.lines.append(line)

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop_cleanly(self) -> None:
        """Ctrl-C, and assert that the server exited with 0 and printed no traceback."""
        assert self.stop() == 0, self.output
        assert "Traceback" not in self.output, self.output

    def stop(self) -> int:
        """Ctrl-C; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        reader = getattr(self, "_reader", None)
        if reader is not None:
            reader.join(timeout=5)
        elif self.process.stderr:
            self.lines += self.process.stderr.readlines()
        return self.process.returncode


class Serving(ServerProcess):
    """`reflexgen serve` running as a real process on a free port."""

    def __init__(self, site: Site, *args: str) -> None:
        self.site = site
        super().__init__([sys.executable, "-m", "reflexgen", "serve", "--site", str(site.root),
                          "--port", "0", *args], "serving http://")

    def get(self, path: str, headers: dict[str, str] | None = None):
        """(status, headers, body) of a raw GET: the path is sent exactly as given."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_host=True)
            for name, value in {"Host": f"127.0.0.1:{self.port}", **(headers or {})}.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@pytest.fixture
def serving(site: Site):
    started: list[Serving] = []

    def start(*args: str) -> Serving:
        started.append(Serving(site, *args))
        return started[-1]

    yield start
    for server in started:
        server.stop_cleanly()


# The real browser of the end-to-end tests: Debian's Chromium, driven by Playwright.
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        # Chromium 156 puts its own banner (inline style and script) on every XSLT page, such
        # as a feed shown through feed.xsl: the browser's notice that XSLT is deprecated, not
        # part of the site.
        "--disable-features=GenerateXSLTWarningBanner"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: ./dev test installs it")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (./dev test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def http_server(handler: Any) -> Iterator[str]:
    """An HTTP server with `handler` (a request handler class) on a free local port, in a
    thread: its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """A plain HTTP server for `folder` on a free local port (its base URL): a built site as
    any host serves it, or the rest of the web for the link checker."""
    with http_server(functools.partial(_Quiet, directory=str(folder))) as url:
        yield url


class OtherSite(http.server.BaseHTTPRequestHandler):
    """Another web site for tests to fetch from or notify (with `http_server`): its `pages` by
    path, (status, headers, body); what was POSTed to it, in `received`. Each test module
    subclasses it, with pages and a list of its own."""

    pages: dict[str, tuple[int, dict[str, str], str]] = {}
    received: list[dict[str, list[str]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, headers, body = self.pages.get(self.path, (404, {}, "absent"))
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self) -> None:  # noqa: N802 (a Webmention endpoint, say)
        length = int(self.headers.get("Content-Length", "0"))
        self.received.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(202)
        self.end_headers()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`comment_store` on each engine, but SQLite alone for tests marked `sqlite_only`."""
    if "comment_store" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        engines = ["sqlite"] if only else ["sqlite", "postgresql"]
        metafunc.parametrize("comment_store", engines, indirect=True)


@pytest.fixture
def comment_store(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh comment intake database: an SQLite file in the test's folder, or a new
    database on the tests' PostgreSQL server."""
    from reflexgen.comments.store import open_store

    engine = getattr(request, "param", "sqlite")
    database = (request.getfixturevalue("postgres_database") if engine == "postgresql"
                else "comments.sqlite3")
    opened = open_store(database, tmp_path)
    yield opened
    opened.close()


@dataclass
class PostgresServer:
    """A PostgreSQL server of the tests' own, in a temporary folder."""

    address: str  # its maintenance database (`postgres`), as superuser `reflexgen`
    created: int = 0

    def new_database(self) -> str:
        """An empty database on this server: its address."""
        import psycopg

        self.created += 1
        name = f"test_{os.getpid()}_{self.created}"
        with psycopg.connect(self.address, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.address.rsplit("/", 1)[0] + "/" + name

    def drop_database(self, address: str) -> None:
        import psycopg

        with psycopg.connect(self.address, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {address.rsplit('/', 1)[1]} WITH (FORCE)")


def postgres_binaries() -> Path | None:
    """The newest of Debian's PostgreSQL installations (its bin folder), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda path: int(path.parent.parent.name))
    return found[-1].parent if found else None


@contextmanager
def local_postgres(binaries: Path) -> Iterator[PostgresServer]:
    """A PostgreSQL server in a temporary folder, on a free local port, stopped and removed
    at the end (also for benchmarks/intake_postgres.py). It refuses to run as root: as root,
    it runs as the `postgres` system user."""
    folder = Path(tempfile.mkdtemp(prefix="reflexgen-postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()

    def pg(*args: str | Path) -> None:
        subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True,
                       timeout=120)

    try:
        pg(binaries / "initdb", "-D", data, "-U", "reflexgen", "-A", "trust", "-E", "UTF8",
           "--locale=C", "--no-sync")
        options = (f"-h 127.0.0.1 -p {port} -k {folder} -F -c full_page_writes=off "
                   "-c synchronous_commit=off -c max_connections=200")
        pg(binaries / "pg_ctl", "-D", data, "-l", folder / "log", "-w", "-t", "60",
           "-o", options, "start")
    except subprocess.CalledProcessError as exc:
        log = folder / "log"
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr.decode()}"
                           + (log.read_text() if log.exists() else "")) from None
    try:
        yield PostgresServer(f"postgresql://reflexgen@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run([*as_user, binaries / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Debian's PostgreSQL, started for the session (see `local_postgres`)."""
    binaries = postgres_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's postgresql is missing: ./dev test installs it")
        pytest.skip("needs Debian's postgresql (./dev test installs it)")
    try:
        with local_postgres(binaries) as server:
            yield server
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The address of an empty database of its own on the tests' PostgreSQL server."""
    address = postgres_server.new_database()
    yield address
    postgres_server.drop_database(address)


def site_store(root: Path):
    """The comment store a site's settings name (its SQLite file, or a PostgreSQL database)."""
    from reflexgen.comments.store import open_store
    from reflexgen.config import load_config

    config, _ = load_config(root)
    return open_store(config.comments.database, config.root)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def asgi_call(app, method: str, path: str, body: bytes = b"",
              headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One request through an ASGI app in-process (no server): status, headers, body text."""
    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": route, "raw_path": route.encode(),
             "root_path": "", "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8100)}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    # In a thread of its own: a browser test earlier in the run may hold this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    text = b"".join(m.get("body", b"") for m in sent[1:]).decode()
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, text


def wait_until(condition, timeout: float = 30.0) -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


# Real web servers (Debian's nginx and Caddy) serving a built site with the configuration the
# build wrote for them (`site.hosting`), as the current user, everything in a temporary folder.
NGINX, CADDY = shutil.which("nginx") or "/usr/sbin/nginx", shutil.which("caddy") or "/usr/bin/caddy"


class WebServer:
    """nginx or Caddy as a process on 127.0.0.1 (`port`), stopped with SIGTERM."""

    def __init__(self, command: list[str], port: int, log: Path,
                 env: dict[str, str] | None = None) -> None:
        self.port, self.log = port, log
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=log.open("ab"), env={**os.environ, **(env or {})},
                                        start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, f"{command[0]} did not start:\n{self.output}"
            assert time.monotonic() < deadline, f"{command[0]} did not listen:\n{self.output}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET",
            body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) of one request, the path sent as
        given, for the site's host."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": "reflexions.example.org", **(headers or {})}
            if body is not None:
                sent["Content-Length"] = str(len(body))
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            found: dict[str, str] = {}
            for name, value in response.getheaders():  # a repeated header, joined
                found[name.lower()] = f"{found[name.lower()]}, {value}" \
                    if name.lower() in found else value
            try:
                body = response.read()
            except http.client.IncompleteRead as cut:  # a refusal that closes at once
                body = cut.partial
            return response.status, found, body
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_nginx(output: Path, folder: Path, http_extra: str = "",
                port: int | None = None) -> WebServer:
    """nginx serving `output` with its `reflexgen.nginx.conf`, its files in `folder`, on
    `port` (else a free one); `http_extra`: more lines for the `http` block, e.g. the
    redirects map's include."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(f"""\
daemon off;
worker_processes 1;
{'user root;' if os.geteuid() == 0 else ''}
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} notice;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
{temp}
{http_extra}
    server {{
        listen 127.0.0.1:{port};
        server_name reflexions.example.org;
        root {output};
        include {output / 'reflexgen.nginx.conf'};
    }}
}}
""")
    return WebServer([NGINX, "-p", str(folder), "-e", str(folder / "error.log"),
                      "-c", str(folder / "nginx.conf")], port, folder / "error.log")


def start_caddy(output: Path, folder: Path) -> WebServer:
    """Caddy serving `output` with its `reflexgen.caddy`, its files in `folder`, no admin API."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (folder / "Caddyfile").write_text(f"""\
{{
    admin off
    auto_https off
}}
http://127.0.0.1:{port}, http://reflexions.example.org:{port} {{
    root * {output}
    import {output / 'reflexgen.caddy'}
}}
""")
    home = str(folder)
    return WebServer([CADDY, "run", "--config", str(folder / "Caddyfile"), "--adapter",
                      "caddyfile"], port, folder / "caddy.log",
                     {"HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home})


SSHD = Path("/usr/sbin/sshd")


@dataclass
class Sshd:
    """An OpenSSH server on 127.0.0.1 that lets the current user in with `key`."""

    port: int
    key: Path  # the user's private key
    known_hosts: Path  # the server's host key, as ssh's known_hosts file holds it
    process: subprocess.Popen

    @property
    def ssh_options(self) -> list[str]:
        return [f"UserKnownHostsFile={self.known_hosts}", "StrictHostKeyChecking=yes"]


def keygen(path: Path) -> str:
    """A new ed25519 key without passphrase at `path`; its public line."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f",
                    str(path)], check=True)
    return path.with_suffix(".pub").read_text()


@contextmanager
def local_sshd(folder: Path, extra: str = "") -> Iterator[Sshd]:
    """A throw-away sshd: its host and user keys, configuration, pid and log in `folder`;
    `extra`: more lines of sshd_config."""
    import getpass

    folder.mkdir(parents=True, exist_ok=True)
    host = keygen(folder / "host_ed25519")
    (folder / "authorized_keys").write_text(keygen(folder / "user_ed25519"))
    port = free_port()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host}")
    config = folder / "sshd_config"
    config.write_text(textwrap.dedent(f"""\
        Port {port}
        ListenAddress 127.0.0.1
        HostKey {folder / 'host_ed25519'}
        PidFile {folder / 'sshd.pid'}
        AuthorizedKeysFile {folder / 'authorized_keys'}
        UsePAM no
        StrictModes no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin prohibit-password
        AllowUsers {getpass.getuser()}
        LogLevel ERROR
        """) + extra)
    if os.geteuid() == 0:  # sshd run by root wants its privilege separation folder
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    log = open(folder / "sshd.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("sshd did not start:\n" +
                                     (folder / "sshd.log").read_text(errors="replace"))
            time.sleep(0.05)
        yield Sshd(port, folder / "user_ed25519", folder / "known_hosts", process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def deploy_with(root: Path, name: str | None = None, **options: bool):
    """`reflexgen deploy` of the site at `root` through its modules: the target's `Summary`."""
    from reflexgen.config import load_config
    from reflexgen.deploy.base import DeployOptions
    from reflexgen.deploy.listing import list_output
    from reflexgen.deploy.targets import choose, open_target
    from reflexgen.errors import Reporter

    config, _ = load_config(root)
    quiet = Reporter(verbosity=-1)
    files = list_output(root / "output", root / ".reflexgen-cache" / "deploy", quiet)
    return open_target(choose(config, name), config).deploy(files, DeployOptions(**options),
                                                            quiet)


def digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` (path relative to it → digest of its bytes)."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def deploy_demo(tmp_path_factory) -> Path:
    """The demo blog built once, for the deploy tests to copy."""
    root = tmp_path_factory.mktemp("deploy-demo") / "site"
    built_demo(root)
    return root


@pytest.fixture
def blog(deploy_demo: Path, tmp_path: Path) -> Path:
    """A copy of the built demo blog (its output and cache too) in this test's folder."""
    root = tmp_path / "site"
    shutil.copytree(deploy_demo, root, symlinks=True)
    return root


def add_target(root: Path, table: str) -> None:
    with open(root / "site.toml", "a", encoding="utf-8") as toml:
        toml.write("\n" + table + "\n")


def deployable(root: Path) -> dict[str, str]:
    """The output's files a deploy publishes (all but the server-only ones), by digest."""
    from reflexgen.site.caching import SERVER_ONLY

    return {rel: d for rel, d in digests(root / "output").items() if rel not in SERVER_ONLY}


def edit_and_build(root: Path) -> None:
    """One sentence added to one article of the demo, and the site built again."""
    post = sorted((root / "content/posts/2024").glob("*.md"))[0]
    with open(post, "a", encoding="utf-8") as file:
        file.write("\n\nUne phrase ajoutée après coup.\n")
    assert Site(root).build().code == 0


@contextmanager
def local_s3(checked_after: int | None = None) -> Iterator[str]:
    """moto's S3 server as a real process on a free local port (its URL), stopped at the end
    (also for benchmarks/deploy.py). It keeps nothing on disk, and takes any credentials;
    with `checked_after`, only that many requests: then only keys made through its IAM API,
    with their permissions."""
    port = free_port()
    env = dict(os.environ)
    if checked_after is not None:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(checked_after)
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                                str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, "moto's S3 server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def local_files(output: Path) -> list:
    """The output's files as `reflexgen deploy` lists them (digests kept beside `output`)."""
    from reflexgen.deploy.listing import list_output
    from reflexgen.errors import Reporter

    return list_output(output, output.parent / ".deploy-digests", Reporter(verbosity=-1))
