"""`reflexgen comments serve --workers N`: several processes on one port, one database.

What the workers must agree on lives in the database: a client's rate limit and a form
token's single use hold whichever worker answers (every request here comes on a connection
of its own, several at once). The supervisor says the address once, replaces a worker that
dies, and stops them all on Ctrl-C or SIGTERM; a broken site is said once, before any worker
starts. Requests speak from client addresses of their own (`X-Forwarded-For`, believed from
the trusted proxy 127.0.0.1)."""

from __future__ import annotations

import http.client
import itertools
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import INTAKE_TOML, ServerProcess, Site, article, wait_until
from reflexgen.comments import tokens
from reflexgen.comments.defences import RATE_LIMITS
from reflexgen.comments.store import SQLiteStore

OPEN = "posts/a.md"
WORKERS = 2

_clients = itertools.count(1)


def client() -> dict[str, str]:
    n = next(_clients)
    return {"X-Forwarded-For": f"10.77.{n % 250}.{1 + n // 250}"}


def command(root: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "reflexgen", "comments", "serve", "--site", str(root),
            "--host", "127.0.0.1", "--port", "0", "--workers", str(WORKERS), *options]


class Workers(ServerProcess):
    """The intake with `--workers 2`, as a process (its own session: its process group)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        super().__init__(command(root), "intake listening on http://")

    def post(self, fields: dict[str, str], who: dict[str, str]) -> tuple[int, str]:
        """One submission on a connection of its own: (status, page)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", "/", urlencode(fields).encode(), {
                "Content-Type": "application/x-www-form-urlencoded", "Connection": "close",
                **who})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def workers(self) -> set[int]:
        """The worker processes: the supervisor's children that serve (multiprocessing's
        resource tracker, its other child, does not)."""
        return {pid for pid, parent, command in processes()
                if parent == self.process.pid and "spawn_main" in command}


def processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        found.append((int(stat.parent.name), parent, command))
    return found


def in_group(group: int) -> list[int]:
    """The live processes of a process group (zombies are dead)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def write_site(root: Path) -> Site:
    return Site(root).write({
        "site.toml": INTAKE_TOML,
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier"),
    })


@pytest.fixture(scope="module")
def blog(tmp_path_factory) -> Site:
    return write_site(tmp_path_factory.mktemp("workers") / "site")


@pytest.fixture(scope="module")
def server(blog):
    running = Workers(blog.root)
    yield running
    running.stop_cleanly()


def secret(root: Path) -> bytes:
    store = SQLiteStore(root / "comments.sqlite3")
    try:
        return store.secret()
    finally:
        store.close()


def aged_token(root: Path) -> str:
    """A token as a worker gave it 30 s ago."""
    return tokens.issue(secret(root), OPEN, datetime.now(UTC) - timedelta(seconds=30))


def stored(root: Path, text: str) -> list:
    store = SQLiteStore(root / "comments.sqlite3")
    try:
        return [s for s in store.find() if text in s.body]
    finally:
        store.close()


def comment(root: Path, body: str, token: str | None = None) -> dict[str, str]:
    return {"thread": OPEN, "author": "Zoé", "body": body,
            "token": token if token is not None else aged_token(root)}


def at_once(count: int, send) -> list[tuple[int, str]]:
    """`send(n)` for n in range(count), from 8 threads at once."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(send, range(count)))


def test_the_supervisor_runs_the_workers_and_says_its_address_once(server):
    wait_until(lambda: len(server.workers()) == WORKERS)
    assert server.output.count("intake listening on http://127.0.0.1:") == 1
    assert f"({WORKERS} workers)" in server.output


def test_a_clients_rate_limit_holds_across_workers(blog, server):
    who = client()
    answers = at_once(40, lambda n: server.post(comment(blog.root, f"Insistant {n}."), who))
    allowed = min(count for kind, _, count in RATE_LIMITS if kind == "client")
    statuses = sorted(status for status, _ in answers)
    kept = stored(blog.root, "Insistant ")
    # Counted per process, the limit would let `allowed` through each worker.
    assert 0 < len(kept) <= allowed, statuses
    assert statuses.count(200) == len(kept) and statuses.count(429) == 40 - len(kept)


def test_a_token_is_used_once_whichever_worker_gets_it(blog, server):
    token = aged_token(blog.root)
    answers = at_once(12, lambda n: server.post(comment(blog.root, f"Rejoué {n}.", token),
                                                client()))
    assert [status for status, _ in answers] == [200] * 12  # a replay: answered as spam
    statuses = sorted(s.status for s in stored(blog.root, "Rejoué "))
    assert statuses == ["pending"] + ["spam"] * 11


def sockets_of(pid: int) -> int:
    """How many sockets a process holds open."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += fd.readlink().as_posix().startswith("socket:")
        except FileNotFoundError:  # closed meanwhile
            continue
    return count


def test_kept_alive_connections_are_shared_between_the_workers(blog, server):
    """asyncio accepts as many waiting connections at once as its backlog allows: a proxy's
    kept-alive connections went to the worker that woke first (16 of 16, or 15), and two
    answered as one. Each now takes one at a time: over 5 pools of 16 connections, the
    worker with fewer gets about 4 to 8 of each (before: 0 to 3, now and then 5)."""
    wait_until(lambda: len(server.workers()) == WORKERS)
    workers = sorted(server.workers())
    smaller = 0
    for _ in range(5):
        before = {pid: sockets_of(pid) for pid in workers}
        connections = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                       for _ in range(16)]
        try:
            for connection in connections:
                connection.connect()  # all waiting to be accepted, as a proxy's pool opens
            for connection in connections:  # then each used once, and kept alive
                connection.request("GET", "/form?thread=" + OPEN, headers=client())
                assert connection.getresponse().read()
            held = [sockets_of(pid) - before[pid] for pid in workers]
        finally:
            for connection in connections:
                connection.close()
        assert sum(held) == 16, held
        smaller += min(held)
        closed = list(before.values())
        wait_until(lambda: [sockets_of(pid) for pid in workers] == closed)  # noqa: B023
    assert smaller >= 15, smaller


def test_a_worker_that_dies_is_replaced(blog, server):
    wait_until(lambda: len(server.workers()) == WORKERS)
    first = server.workers()
    victim = min(first)
    subprocess.run(["kill", "-KILL", str(victim)], check=True)
    wait_until(lambda: len(server.workers()) == WORKERS and victim not in server.workers())
    assert len(server.workers() & first) == WORKERS - 1
    answers = at_once(6, lambda n: server.post(comment(blog.root, f"Après la relève {n}."),
                                               client()))
    assert [status for status, _ in answers] == [200] * 6
    assert len(stored(blog.root, "Après la relève ")) == 6


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_worker_cleanly(tmp_path, stop):
    intake = Workers(write_site(tmp_path / "site").root)
    wait_until(lambda: len(intake.workers()) == WORKERS)
    assert intake.post(comment(intake.root, "Avant l'arrêt."), client())[0] == 200
    intake.process.send_signal(stop)
    assert intake.process.wait(timeout=30) == 0
    assert intake.stop() == 0
    wait_until(lambda: in_group(intake.process.pid) == [])  # no orphan left behind
    assert intake.output.count("intake stopped") == 1
    assert "Traceback" not in intake.output, intake.output


def test_a_broken_site_is_said_once_before_any_worker_starts(tmp_path):
    site = write_site(tmp_path / "site")
    site.write({"content/posts/casse.md": "---\ntitle: [\n---\n"})
    done = subprocess.run(command(site.root), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "casse.md" in errors[0], done.stderr
    assert "listening" not in done.stderr and "Traceback" not in done.stderr
