#!/usr/bin/env python3
"""Time `reflexgen deploy` on the shared French blog corpus, for each kind of target.

    python benchmarks/deploy.py [--first 1000] [--edit 10000] [--runs 3]
                                [--targets rsync-local,rsync-ssh,git]

Needs ../shared/bench beside the repository (see bench.py; the sites are made the same way,
in $REFLEXGEN_DEPLOY_BENCH_WORK, default /tmp/reflexgen-deploy-bench) and, for rsync-ssh,
Debian's openssh-server (an sshd is started on 127.0.0.1 with throw-away keys, as the tests
do). Two scenarios, `--runs` times each, medians printed:
  first   the --first site built, deployed to an empty target (the deploy's cache and the
          output's digests dropped before each run)
  edit    the --edit site built and deployed once; then one line appended to the middle
          article, the site built again, and deployed again (only the deploy is timed)
Seconds are the wall time of the `reflexgen deploy` process; files and bytes are those it
reports sent. A target kind is one entry of TARGETS: a function that makes an empty target
and returns its `[deploy.NAME]` table's lines. Results go to benchmarks/results/deploy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests")]
import bench  # noqa: E402 (the corpus and site makers of the build benchmark)

bench.WORK = Path(os.environ.get("REFLEXGEN_DEPLOY_BENCH_WORK", "/tmp/reflexgen-deploy-bench"))
RESULTS = REPO / "benchmarks" / "results"
OUTPUT = "public"


@dataclass
class Context:
    """What target makers share in one benchmark run: a scratch folder and the servers they
    started (stopped at the end, through `stack`)."""

    scratch: Path
    stack: ExitStack
    servers: dict


def fresh(context: Context, name: str) -> Path:
    folder = context.scratch / f"{name}-{time.time_ns()}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def rsync_local(context: Context) -> list[str]:
    return ['type = "rsync"', f'destination = "{fresh(context, "www")}"']


def rsync_ssh(context: Context) -> list[str]:
    import getpass

    from conftest import local_sshd

    if "sshd" not in context.servers:
        context.servers["sshd"] = context.stack.enter_context(
            local_sshd(context.scratch / "sshd"))
    sshd = context.servers["sshd"]
    return ['type = "rsync"',
            f'destination = "{getpass.getuser()}@127.0.0.1:{fresh(context, "ssh-www")}"',
            f"port = {sshd.port}", f'identity = "{sshd.key}"',
            f"ssh_options = {json.dumps(sshd.ssh_options)}"]


def git_bare(context: Context) -> list[str]:
    remote = fresh(context, "pages.git")
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    return ['type = "git"', f'remote = "{remote}"']


def s3_moto(context: Context) -> list[str]:
    """A new bucket on moto's S3 server (the tests' stand-in; no S3 server installs here)."""
    import boto3

    from conftest import local_s3

    for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ[name] = value  # for this process and the `reflexgen deploy` it runs
    if "s3" not in context.servers:
        context.servers["s3"] = context.stack.enter_context(local_s3())
    url = context.servers["s3"]
    bucket = fresh(context, "bucket").name.replace("_", "-").lower()
    boto3.client("s3", endpoint_url=url).create_bucket(Bucket=bucket)
    return ['type = "s3"', f'bucket = "{bucket}"', f'endpoint_url = "{url}"']


TARGETS: dict[str, Callable[[Context], list[str]]] = {
    "rsync-local": rsync_local, "rsync-ssh": rsync_ssh, "git": git_bare, "s3": s3_moto}


def configure(site: Path, name: str, lines: list[str]) -> None:
    """site.toml with one deploy table, `[deploy.bench]`, replacing any earlier one."""
    toml = site / "site.toml"
    text = toml.read_text(encoding="utf-8").split("\n[deploy.bench]\n")[0]
    toml.write_text(text.rstrip("\n") + "\n\n[deploy.bench]\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")


def forget(site: Path) -> None:
    """Drop what a deploy keeps between runs (digests, git's work repository)."""
    shutil.rmtree(site / ".reflexgen-cache" / "deploy", ignore_errors=True)


def deploy(site: Path) -> dict:
    """One `reflexgen deploy` as a user runs it: seconds, files and bytes sent."""
    command = [sys.executable, "-m", "reflexgen", "deploy", "bench", "-v", "-o",
               str(site / OUTPUT), "--site", str(site)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"deploy failed in {site}:\n{done.stderr}")
    sent = [line[19:] for line in done.stderr.splitlines() if line.startswith("send    ")]
    deleted = sum(1 for line in done.stderr.splitlines() if line.startswith("delete  "))
    size = sum((site / OUTPUT / rel).stat().st_size for rel in sent
               if (site / OUTPUT / rel).is_file())  # not git's .nojekyll
    return dict(seconds=seconds, files=len(sent), bytes=size, deleted=deleted)


def built(n: int) -> Path:
    site = bench.site(n)
    bench.run(bench.BUILD, site)
    return site


def median_row(kind: str, scenario: str, n: int, runs: list[dict], **extra) -> dict:
    return dict(target=kind, scenario=scenario, n=n,
                seconds=statistics.median(r["seconds"] for r in runs),
                files=statistics.median(r["files"] for r in runs),
                bytes=statistics.median(r["bytes"] for r in runs),
                runs=[round(r["seconds"], 3) for r in runs], **extra)


def first(kind: str, n: int, runs: int, context: Context) -> dict:
    site = built(n)
    results = []
    for _ in range(runs):
        configure(site, kind, TARGETS[kind](context))
        forget(site)
        results.append(deploy(site))
    return median_row(kind, "first", n, results)


def edit(kind: str, n: int, runs: int, context: Context) -> dict:
    site = built(n)
    configure(site, kind, TARGETS[kind](context))
    forget(site)
    initial = deploy(site)
    posts = sorted((site / "content/posts").glob("*.md"))
    middle = posts[len(posts) // 2]
    results, builds = [], []
    for k in range(runs):
        with open(middle, "a", encoding="utf-8") as file:
            file.write(f"\n\nMARQUEUR-{k}-{time.time_ns()} modifié.\n")
        builds.append(bench.run(bench.BUILD, site)[0])
        results.append(deploy(site))
    return median_row(kind, "edit", n, results, build_s=statistics.median(builds),
                      first_s=initial["seconds"], first_files=initial["files"],
                      first_bytes=initial["bytes"])


def table(rows: list[dict]) -> str:
    lines = ["| target | scenario | articles | files sent | MB sent | median s | runs s |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['target']} | {r['scenario']} | {r['n']} | {r['files']:.0f} | "
              f"{r['bytes'] / 1e6:.2f} | {r['seconds']:.2f} | "
              f"{', '.join(f'{s:.2f}' for s in r['runs'])} |" for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--first", type=int, default=1000, help="articles, first deploy")
    parser.add_argument("--edit", type=int, default=10000, help="articles, one edit")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    if not bench.SHARED.is_dir():
        raise SystemExit(f"{bench.SHARED} not found: the benchmark needs ../shared/bench")
    kinds = args.targets.split(",")
    unknown = set(kinds) - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets: {', '.join(unknown)} (known: {', '.join(TARGETS)})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    with ExitStack() as stack:
        scratch = bench.WORK / "targets"
        shutil.rmtree(scratch, ignore_errors=True)
        context = Context(scratch, stack, {})
        for kind in kinds:
            for scenario, n in ((first, args.first), (edit, args.edit)):
                if n:
                    rows.append(scenario(kind, n, args.runs, context))
                    print("\n".join(table(rows[-1:]).splitlines()[2:]), flush=True)
        shutil.rmtree(scratch, ignore_errors=True)
    (RESULTS / "deploy.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
