#!/usr/bin/env python3
"""Two intake processes sharing one PostgreSQL database: accepted comments a second, and a
worker killed (SIGKILL) in the middle of the load.

    python benchmarks/intake_postgres.py [--workers 2] [--rounds 3] [--seconds 10]

Starts Debian's PostgreSQL in a temporary folder (as the tests do: tests/conftest.py
`local_postgres`; `./dev test` installs it) and `reflexgen comments serve --workers N` on a
small site whose `[comments] database` is that server. Then:
- accepted submissions from `wrk` (as benchmarks/comment_intake.py sends them): the median
  over `--rounds` of requests a second and of the 99th percentile latency;
- a kill: Python clients send comments, each its own text, while one worker is killed with
  SIGKILL (the supervisor starts another); then every comment that was answered « Merci » must
  be in the database exactly once (a request cut off by the kill may be lost: its reader saw
  an error, not a thank-you page).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from comment_intake import ARTICLE, BODY, SITE_TOML, THREAD, form, run_wrk
from spam_corpus import Server

from reflexgen.comments import tokens
from reflexgen.comments.postgres import PostgresStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import local_postgres, postgres_binaries  # noqa: E402  (the tests' server)


def workers_of(pid: int) -> list[int]:
    """The worker processes of the intake's supervisor (its children that multiprocessing
    spawned, not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in (
                    stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def kill_during_load(port: int, pid: int, secret: bytes, count: int, clients: int
                     ) -> tuple[list[str], int]:
    """`count` comments from `clients` threads; a worker killed after a third of them. The
    texts answered with a thank-you page, and how many requests failed."""
    issued = datetime.now(UTC) - timedelta(seconds=30)
    thanked: list[str] = []
    failed = [0]
    lock = threading.Lock()
    sent = iter(range(count))
    killed = threading.Event()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in sent:
            text = f"Tué en plein vol, commentaire {n}."
            body, headers = form({"thread": THREAD, "author": f"Lecteur {n}", "body": text,
                                  "token": tokens.issue(secret, THREAD, issued)},
                                 3_000_000 + n)
            try:
                connection.request("POST", "/", body, headers)
                response = connection.getresponse()
                page = response.read().decode()
                if response.status == 200 and "attente de modération" in page:
                    with lock:
                        thanked.append(text)
                else:
                    failed[0] += 1
            except (OSError, http.client.HTTPException):
                failed[0] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if n >= count // 3 and not killed.is_set():
                killed.set()
                victims = workers_of(pid)
                os.kill(victims[0], signal.SIGKILL)
                print(f"   killed worker {victims[0]} (of {len(victims)}) after {n} requests")
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return thanked, failed[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kill-requests", type=int, default=3000)
    args = parser.parse_args()
    binaries = postgres_binaries()
    if binaries is None:
        print("skipped: Debian's postgresql is not installed (./dev test installs it)")
        return 0
    with local_postgres(binaries) as server, \
            tempfile.TemporaryDirectory(prefix="reflexgen-intake-pg-") as temp:
        database = server.new_database()
        root = Path(temp) / "site"
        (root / "content/posts").mkdir(parents=True)
        (root / "site.toml").write_text(SITE_TOML + f'database = "{database}"\n')
        (root / "content/posts/billet.md").write_text(ARTICLE)
        store = PostgresStore(database)
        secret = store.secret()
        intake = Server(root, "--workers", str(args.workers))
        try:
            issued = datetime.now(UTC) - timedelta(seconds=30)
            results = []
            counter = 0
            for _ in range(args.rounds):
                bodies = []
                for _ in range(1500 * args.seconds):
                    counter += 1
                    bodies.append(form({"thread": THREAD, "author": f"Lectrice {counter}",
                                        "body": BODY.format(n=counter),
                                        "token": tokens.issue(secret, THREAD, issued)},
                                       counter))
                rate, p99, statuses = run_wrk(intake.port, bodies, 0, args, Path(temp))
                print(f"accepted: {rate:7.0f} requests/s, p99 {p99:6.1f} ms  "
                      f"{dict(sorted(statuses.items()))}")
                results.append((rate, p99))
            print(f"median accepted ({args.workers} workers, PostgreSQL): "
                  f"{statistics.median(r for r, _ in results):.0f} requests/s, p99 "
                  f"{statistics.median(p for _, p in results):.1f} ms")
            started = time.perf_counter()
            thanked, failed = kill_during_load(intake.port, intake.process.pid, secret,
                                               args.kill_requests, 8)
            seconds = time.perf_counter() - started
            stored = [s.body for s in store.find(search="Tué en plein vol")]
            lost = sorted(set(thanked) - set(stored))
            twice = len(stored) - len(set(stored))
            print(f"kill -9 of one worker during {args.kill_requests} comments ({seconds:.1f} s):"
                  f" {len(thanked)} thanked, {failed} cut off; {len(lost)} thanked but lost, "
                  f"{twice} stored twice; workers now {workers_of(intake.process.pid)}")
        finally:
            intake.stop()
            store.close()
    return 1 if lost or twice else 0


if __name__ == "__main__":
    sys.exit(main())
