#!/usr/bin/env python3
"""Throughput of the comment intake (`reflexgen comments serve`), over HTTP on 127.0.0.1.

    python benchmarks/comment_intake.py [--workers 1] [--rounds 3] [--generator auto]
                                        [--seconds 10] [--clients 16] [--requests 2000]

Starts a real server process (`--workers` processes on one port) on a small site (SQLite
store, WAL) and sends: accepted submissions (each from a client of its own, with a valid
token issued 30 s earlier: the server checks, stores and answers the thank-you page), then
spam (the honeypot filled: judged, its hits and record stored, answered with the neutral
page). Every request comes from a client address of its own (`X-Forwarded-For`, believed
from the trusted proxy 127.0.0.1). Prints, per kind, the median over `--rounds` of requests
per second and of the 99th percentile latency.

The load comes from `wrk` when it is installed (`--generator auto`; C, epoll: it leaves the
cores to the server; `--seconds` a round, `--clients` connections, the bodies from a Lua
script generated into a temporary folder), else from `--clients` Python threads
(http.client, keep-alive), which need a good part of the cores themselves: their figures
are a floor. The generator used is printed.

Then a flood: `--flood` requests from one client (all but its rate limit's worth refused)
while another client comments, with that client's p99, what the flood stored and how much
the server's memory (all its processes) grew. Always with the Python client.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
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
    """The resident memory of a process and its children (the workers), in KiB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:
                total += int((stat.parent / "status").read_text()
                             .split("VmRSS:", 1)[1].split()[0])
        except (OSError, IndexError):  # gone meanwhile, or a kernel thread
            continue
    return total


# wrk: the bodies in a file its Lua script reads (each thread its own share), or made by the
# script (spam); `done` prints the statuses counted by the threads.
WRK_SCRIPT = """\
local threads, made = {}, 0
function setup(thread)
  thread:set("id", made)
  made = made + 1
  table.insert(threads, thread)
end
statuses = {}  -- global: `done` reads it with thread:get
local bodies, i, base = {}, 0, 0
function init(args)
  base = %(base)d + id * 400000
  local n = 0
  for line in io.lines("%(bodies)s") do
    if n %% %(threads)d == id then
      local client, body = line:match("^(%%S+) (.*)$")
      table.insert(bodies, {client, body})
    end
    n = n + 1
  end
end
function request()
  i = i + 1
  local client, body
  if #bodies > 0 then
    if i > #bodies then
      wrk.thread:stop()
      i = 1
    end
    client, body = bodies[i][1], bodies[i][2]
  else
    local n = base + i
    client = (20 + math.floor(n / 62500) %% 200) .. "." .. (math.floor(n / 250) %% 250) ..
             "." .. (n %% 250) .. ".7"
    body = "thread=posts%%2Fbillet.md&author=Cheap+pills&body=Buy+now+" .. n ..
           "+http%%3A%%2F%%2Fspam.example&website=http%%3A%%2F%%2Fspam.example"
  end
  return wrk.format("POST", "/", {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["X-Forwarded-For"] = client}, body)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    for status, count in pairs(counted) do
      total[status] = (total[status] or 0) + count
    end
  end
  local words = {}
  for status, count in pairs(total) do
    table.insert(words, status .. "=" .. count)
  end
  io.write("statuses " .. table.concat(words, " ") .. "\\n")
end
"""


def run_wrk(port: int, bodies: list[tuple[bytes, dict[str, str]]] | None, base: int,
            args: argparse.Namespace, folder: Path) -> tuple[float, float, dict[int, int]]:
    """One round of wrk: the given bodies (each sent once; a thread that has sent its
    share stops), or, with None, spam made by the script from client number `base` on:
    (requests/s, p99 ms, count by status)."""
    listed = folder / "bodies.txt"
    listed.write_text("".join(f"{headers['X-Forwarded-For']} {body.decode()}\n"
                              for body, headers in bodies or []))
    script = folder / "intake.lua"
    script.write_text(WRK_SCRIPT % {"base": base, "bodies": listed, "threads": WRK_THREADS})
    output = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{args.clients}", f"-d{args.seconds}s", "--latency",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    counted = re.search(r"^statuses (.*)$", output, re.MULTILINE)
    if not (rate and p99 and counted):
        raise RuntimeError("cannot read wrk's output:\n" + output)
    statuses = {int(status): int(count) for status, count in
                (word.split("=") for word in counted.group(1).split())}
    errors = re.search(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", output)
    if sum(statuses.values()) == 0 or (errors and "Socket" in errors.group(0)):
        print(f"   wrk: {errors.group(0) if errors else 'no answer'}")
    if bodies and sum(statuses.values()) >= len(bodies):
        print("   wrk: the bodies ran out before the end: the rate is too low")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rate.group(1)), float(p99.group(1)) * scale, statuses


WRK_THREADS = 2


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


def address(client: int) -> str:
    """Client number `client`'s address, in a /24 of its own (rate limits count per /24)
    for the first 12.5 million: the same formula as the wrk script's."""
    return f"{20 + client // 62500 % 200}.{client // 250 % 250}.{client % 250}.7"


def form(fields: dict[str, str], client: int) -> tuple[bytes, dict[str, str]]:
    return urlencode(fields).encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": address(client)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1,
                        help="the server's worker processes (default: 1)")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                        help="the load: wrk if installed (auto), or Python threads")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="a round's length with wrk")
    parser.add_argument("--clients", type=int, default=0,
                        help="connections at once (default: wrk 16, Python 8)")
    parser.add_argument("--requests", type=int, default=2000,
                        help="a round's requests with the Python client")
    parser.add_argument("--flood", type=int, default=20000)
    args = parser.parse_args()
    use_wrk = args.generator == "wrk" or (args.generator == "auto" and shutil.which("wrk"))
    if use_wrk and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    args.clients = args.clients or (16 if use_wrk else 8)
    if use_wrk:
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
        print(f"load generator: wrk {version[1] if len(version) > 1 else ''} "
              f"({WRK_THREADS} threads, {args.clients} connections, {args.seconds} s a round)")
    else:
        print(f"load generator: Python http.client ({args.clients} threads, keep-alive, "
              f"{args.requests} requests a round)")
    print(f"server: reflexgen comments serve --workers {args.workers}, on {os.cpu_count()} "
          "cores shared with the load generator")
    with tempfile.TemporaryDirectory(prefix="reflexgen-intake-") as temp:
        root = Path(temp) / "site"
        (root / "content/posts").mkdir(parents=True)
        (root / "site.toml").write_text(SITE_TOML)
        (root / "content/posts/billet.md").write_text(ARTICLE)
        server = Server(root, "--workers", str(args.workers))
        port = server.port
        try:
            store = SQLiteStore(root / "comments.sqlite3")
            secret = store.secret()
            store.close()
            issued = datetime.now(UTC) - timedelta(seconds=30)
            results: dict[str, list[tuple[float, float]]] = {"accepted": [], "spam": []}
            counter = 0  # accepted: clients 1…; the flood's: 500,000 and 999,999
            spam = 2_000_000  # wrk's spam: clients 2,000,000…
            # wrk sends for a given time: enough accepted bodies for 1,500 a second.
            accepted = max(args.requests, 1500 * args.seconds) if use_wrk else args.requests
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
                    if use_wrk and kind == "spam":  # the script makes them: no end
                        rate, p99, statuses = run_wrk(port, None, spam, args, Path(temp))
                        spam += 1_000_000  # clients of its own, WRK_THREADS × 400,000
                    else:
                        bodies = []
                        for _ in range(accepted if kind == "accepted" else args.requests):
                            counter += 1
                            bodies.append(form(make(counter), counter))
                        rate, p99, statuses = (run_wrk(port, bodies, 0, args, Path(temp))
                                               if use_wrk else run(port, bodies, args.clients))
                    print(f"{kind:>8}: {rate:7.0f} requests/s, p99 {p99:6.1f} ms  "
                          f"{dict(sorted(statuses.items()))}")
                    results[kind].append((rate, p99))
            for kind, found in results.items():
                print(f"median {kind:>8}: {statistics.median(r for r, _ in found):.0f} "
                      f"requests/s, p99 {statistics.median(p for _, p in found):.1f} ms")
            if args.flood:
                flood(server.process.pid, port, root, secret, issued, args.flood,
                      min(args.clients, 8))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
