#!/usr/bin/env python3
"""Approve → the article's page rebuilt with the comment, on the 1,000-article corpus site.

    python benchmarks/comment_publish.py [--size 1000] [--runs 10] [--via cli|page]

A copy of the corpus site (see bench.py) is built once; then, `--runs` times, a comment is
queued in the store for an article that already has comments and approved, until the page
holds the comment. Prints the median and the slowest run.

- `--via cli` (default): `reflexgen comments approve ID` runs as a moderator would (a new
  process: Python's start-up included). The goal (issue 14): ≤ 1 s median.
- `--via page`: a running intake (`reflexgen comments serve`), the moderator logged in on its
  moderation page; the time runs from the click (the POST) until the page is rebuilt. The
  comment's author follows the replies with a confirmed address, and the intake sends mail
  to a local SMTP server (aiosmtpd): also timed, from the page rebuilt until the message
  « Votre commentaire est en ligne » is received. The goals (issue 15): ≤ 1 s, and ≤ 5 s.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench import REPO, SHARED, site

from reflexgen.comments.records import Draft
from reflexgen.comments.store import SQLiteStore


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    options.add_argument("--size", type=int, default=1000)
    options.add_argument("--runs", type=int, default=10)
    options.add_argument("--via", choices=("cli", "page"), default="cli")
    args = options.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is missing (the shared corpus tools)")
        return 0
    with tempfile.TemporaryDirectory(prefix="reflexgen-publish-") as temp:
        folder = Path(temp) / "site"
        source = site(args.size)
        shutil.copytree(source / "content", folder / "content")
        shutil.copy(source / "site.toml", folder)
        command = [sys.executable, "-m", "reflexgen"]
        for _ in range(2):  # the second, once the copied files' times have settled, is
            # the steady state: files changed within a build's second are read again
            subprocess.run([*command, "build", "-q", "--site", str(folder)], cwd=REPO,
                           check=True)
            time.sleep(2)
        sidecar = sorted((folder / "content/posts").glob("*.comments.yaml"))[0]
        thread = sidecar.relative_to(folder / "content").as_posix().replace(
            ".comments.yaml", ".md")
        page = folder / "output/posts" / Path(thread).stem / "index.html"
        if args.via == "page":
            return through_the_page(folder, thread, page, args)
        store = SQLiteStore(folder / "comments.sqlite3")
        seconds = []
        for run in range(args.runs):
            draft = Draft(thread, None, "Lectrice", "l@example.org", None,
                          f"Commentaire n° {run} : d'accord avec vous.", "bench")
            cid = store.add(draft, "pending", (), datetime.now(UTC)).id
            start = time.perf_counter()
            subprocess.run([*command, "comments", "approve", "-q", cid, "--site", str(folder)],
                           cwd=REPO, check=True)
            seconds.append(time.perf_counter() - start)
            if f'id="comment-{cid}"' not in page.read_text(encoding="utf-8"):
                raise SystemExit(f"{page} does not show {cid}")
        store.close()
    print(f"approve → page rebuilt, {args.size} articles, {args.runs} runs: "
          f"median {statistics.median(seconds):.3f} s, slowest {max(seconds):.3f} s")
    return 0


PASSWORD = "une phrase de passe pour le banc d'essai"


class Inbox:
    """aiosmtpd's handler: when each message arrived, by recipient."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        for recipient in envelope.rcpt_tos:
            self.arrived[recipient] = time.perf_counter()
        return "250 OK"


def through_the_page(folder: Path, thread: str, page: Path, args: argparse.Namespace) -> int:
    from aiosmtpd.controller import Controller
    from spam_corpus import Server

    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    mail = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    mail.start()
    with (folder / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[comments]\nendpoint = "https://blog.example.org/commentaires/"\n'
                   f'\n[comments.mail]\nhost = "127.0.0.1"\nport = {smtp_port}\n'
                   'security = "none"\nfrom = "blog@blog.example.org"\n')
    subprocess.run([sys.executable, "-m", "reflexgen", "build", "-q", "--site", str(folder)],
                   cwd=REPO, check=True)
    subprocess.run([sys.executable, "-m", "reflexgen", "comments", "set-password", "-q",
                    "--site", str(folder)], input=PASSWORD + "\n", text=True, check=True)
    server = Server(folder)
    clicks, mails = [], []
    try:
        origin = f"http://127.0.0.1:{server.port}"

        def request(method: str, path: str, fields: dict[str, str] | None = None,
                    cookie: str = "") -> tuple[int, dict[str, str], str]:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            headers = {"Origin": origin, **({"Cookie": cookie} if cookie else {})}
            body = None
            if fields is not None:
                body = urlencode(fields).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            found = {k.lower(): v for k, v in response.getheaders()}
            text = response.read().decode()
            connection.close()
            return response.status, found, text

        login = request("GET", "/admin/")[2]
        token = re.search(r'name="token" value="([^"]+)"', login).group(1)  # type: ignore
        _, headers, _ = request("POST", "/admin/login", {"token": token, "password": PASSWORD})
        cookie = headers["set-cookie"].split(";")[0]
        csrf = re.search(r'name="csrf" value="([^"]+)"',  # type: ignore[union-attr]
                         request("GET", "/admin/", cookie=cookie)[2]).group(1)
        store = SQLiteStore(folder / "comments.sqlite3")
        for run in range(args.runs):
            reader = f"lectrice{run}@example.org"
            store.confirm_address(reader, datetime.now(UTC))
            draft = Draft(thread, None, "Lectrice", reader, None,
                          f"Commentaire n° {run} : d'accord avec vous.", "bench")
            cid = store.add(draft, "pending", (), datetime.now(UTC)).id
            store.subscribe(cid, reader, datetime.now(UTC))
            start = time.perf_counter()
            status, _, _ = request("POST", "/admin/act", {"csrf": csrf, "one": f"approve:{cid}"},
                                   cookie)
            if status != 303:
                raise SystemExit(f"the page answered {status}")
            while f'id="comment-{cid}"' not in page.read_text(encoding="utf-8"):
                time.sleep(0.005)
            built = time.perf_counter()
            clicks.append(built - start)
            deadline = time.monotonic() + 60
            while reader not in inbox.arrived and time.monotonic() < deadline:
                time.sleep(0.005)
            if reader not in inbox.arrived:
                raise SystemExit(f"no mail for {reader}:\n" + "".join(server.lines))
            mails.append(inbox.arrived[reader] - built)
        store.close()
    finally:
        server.stop()
        mail.stop()
    print(f"moderation page: click → page rebuilt, {args.size} articles, {args.runs} runs: "
          f"median {statistics.median(clicks):.3f} s, slowest {max(clicks):.3f} s")
    print(f"page rebuilt → « published » mail received: median {statistics.median(mails):.3f} "
          f"s, slowest {max(mails):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
