#!/usr/bin/env python3
"""Throughput of the comment intake (`reflexgen comments serve`), over HTTP on 127.0.0.1.

    python benchmarks/comment_intake.py [--requests 2000] [--clients 8] [--rounds 3]

Starts a real server process on a small site (SQLite store, WAL) and, from `--clients`
threads with keep-alive connections, sends: accepted submissions (each from a client of its
own, with a valid token issued 30 s earlier: the server checks, stores and answers the
thank-you page), then spam (the honeypot filled: judged and answered with the neutral page).
Prints, per kind, the median over `--rounds` of requests per second and of the 99th
percentile latency. Then a flood: `--flood` requests from one client (all but its rate
limit's worth refused) while another client comments, with that client's p99, what the
flood stored and how much the server's memory grew. The client shares the machine's cores
with the server: the figures are a floor.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from spam_corpus import Server  # beside this script

from reflexgen.comments import tokens
from reflexgen.comments.store import SQLiteStore

SITE_TOML = """\
title = "Banc d'essai"
base_url = "https://blog.example.org"
language = "fr"
timezone = "Europe/Paris"

[comments]
endpoint = "https://blog.example.org/commentaires/"
trusted_proxies = ["127.0.0.1"]
"""
ARTICLE = "---\ntitle: \"Un billet\"\ndate: 2024-03-01\nslug: billet\n---\nDu texte.\n"
THREAD = "posts/billet.md"
BODY = ("Je ne partage pas tout à fait votre analyse : le *vrai* levier reste la durée de vie "
        "des appareils. Merci pour ce billet, {n}.")


def run(port: int, bodies: list[tuple[bytes, dict[str, str]]], clients: int
        ) -> tuple[float, float, dict[int, int]]:
    """Send every body from `clients` threads: (requests/s, p99 ms, count by status)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    shares = [bodies[i::clients] for i in range(clients)]

    def worker(share: list[tuple[bytes, dict[str, str]]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, seen = [], {}
        for body, headers in share:
            began = time.perf_counter()
            connection.request("POST", "/", body, headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            seen[response.status] = seen.get(response.status, 0) + 1
            if response.getheader("connection") == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return len(bodies) / elapsed, latencies[int(len(latencies) * 0.99) - 1] * 1000, statuses


def resident(pid: int) -> int:
    """A process's resident memory, in KiB."""
    return int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:", 1)[1].split()[0])


def flood(pid: int, port: int, root: Path, secret: bytes, issued: datetime, count: int,
          clients: int) -> None:
    """`count` submissions from one client, meanwhile another one's, one at a time."""
    before = resident(pid)
    one = [form({"thread": THREAD, "author": "Flot", "body": f"Flot {n}",
                 "token": tokens.issue(secret, THREAD, issued)}, 999_999) for n in range(count)]
    result: list = []
    flooding = threading.Thread(target=lambda: result.append(run(port, one, clients)))
    flooding.start()
    others = [form({"thread": THREAD, "author": f"Autre {n}", "body": BODY.format(n=-n),
                    "token": tokens.issue(secret, THREAD, issued)}, 500_000 + n)
              for n in range(300)]
    _, other_p99, other_statuses = run(port, others, 1)
    flooding.join()
    rate, _, statuses = result[0]
    store = SQLiteStore(root / "comments.sqlite3")
    kept = len(store.find(search="Flot "))
    store.close()
    print(f"   flood: {count} requests at {rate:.0f}/s {statuses}; {kept} stored; "
          f"another client's p99 {other_p99:.1f} ms {other_statuses}; "
          f"memory +{(resident(pid) - before) / 1024:.1f} MiB")


def form(fields: dict[str, str], client: int) -> tuple[bytes, dict[str, str]]:
    return urlencode(fields).encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": f"10.{client // 250 % 250}.{client % 250}.{1 + client // 62500}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flood", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reflexgen-intake-") as temp:
        root = Path(temp) / "site"
        (root / "content/posts").mkdir(parents=True)
        (root / "site.toml").write_text(SITE_TOML)
        (root / "content/posts/billet.md").write_text(ARTICLE)
        server = Server(root)
        port = server.port
        try:
            store = SQLiteStore(root / "comments.sqlite3")
            secret = store.secret()
            store.close()
            issued = datetime.now(UTC) - timedelta(seconds=30)
            results: dict[str, list[tuple[float, float]]] = {"accepted": [], "spam": []}
            counter = 0
            for _ in range(args.rounds):
                kinds: dict[str, Callable[[int], dict[str, str]]] = {
                    "accepted": lambda n: {"thread": THREAD, "author": f"Lectrice {n}",
                                           "body": BODY.format(n=n),
                                           "token": tokens.issue(secret, THREAD, issued)},
                    "spam": lambda n: {"thread": THREAD, "author": "Cheap pills",
                                       "body": f"Buy now {n} http://spam.example",
                                       "website": "http://spam.example"},
                }
                for kind, make in kinds.items():
                    bodies = []
                    for _ in range(args.requests):
                        counter += 1
                        bodies.append(form(make(counter), counter))
                    rate, p99, statuses = run(port, bodies, args.clients)
                    print(f"{kind:>8}: {rate:7.0f} requests/s, p99 {p99:6.1f} ms  {statuses}")
                    results[kind].append((rate, p99))
            for kind, found in results.items():
                print(f"median {kind:>8}: {statistics.median(r for r, _ in found):.0f} "
                      f"requests/s, p99 {statistics.median(p for _, p in found):.1f} ms")
            flood(server.process.pid, port, root, secret, issued, args.flood, args.clients)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
