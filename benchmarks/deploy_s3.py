#!/usr/bin/env python3
"""Time the s3 deploy target on the shared corpus, against moto's S3 server on 127.0.0.1.

    python benchmarks/deploy_s3.py [--sizes 1000,10000] [--workers 8]

For each size, the corpus site (see bench.py) is copied to a folder of its own and built;
then, to a new bucket: the first deploy (seconds, files, bytes), a deploy with nothing
changed, and the deploy after one line was appended to the middle article and the site
rebuilt (files and bytes sent, seconds; the rebuild is not counted). moto keeps its objects
in memory and answers on the loopback: the seconds count reflexgen's work and moto's, not a
network's. `time_s3` is what benchmarks/deploy.py calls for its s3 row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import boto3
from bench import BUILD, REPO, WORK, site

from reflexgen.config.deploy import DeployTarget
from reflexgen.deploy.base import DeployOptions
from reflexgen.deploy.s3 import S3Target
from reflexgen.deploy.s3_plan import MANIFEST
from reflexgen.errors import Reporter

sys.path.insert(0, str(REPO / "tests"))
from conftest import local_files, local_s3  # noqa: E402  (the tests' server, the deploy listing)


def time_s3(output: Path, edit: Callable[[], None], url: str, bucket: str,
            workers: int = 8) -> dict:
    """First deploy of `output` to a new `bucket` at `url`, a deploy with nothing changed,
    then `edit()` (change a source and rebuild) and the deploy after it: their figures."""
    client = boto3.session.Session().client("s3", endpoint_url=url, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    target = S3Target(DeployTarget("bench", "s3", {"bucket": bucket, "endpoint_url": url,
                                                   "workers": workers}), output.parent)
    reporter = Reporter(verbosity=-1)

    def deploy():
        return target.deploy(local_files(output), DeployOptions(), reporter)

    start = time.perf_counter()
    first = deploy()
    first_s = time.perf_counter() - start  # with the listing of the output folder
    start = time.perf_counter()
    noop = deploy()
    noop_s = time.perf_counter() - start
    assert noop.sent == [] and noop.deleted == [], "a deploy of the same output sent files"
    edit()
    start = time.perf_counter()
    after = deploy()
    edit_s = time.perf_counter() - start
    manifest = client.head_object(Bucket=bucket, Key=MANIFEST)["ContentLength"]
    # Where the time of a deploy that sends little goes: the output folder's MD5s, and the
    # bucket's listing (moto is slow to list: most of the rest).
    start = time.perf_counter()
    local_files(output)
    local_s = time.perf_counter() - start
    start = time.perf_counter()
    target._remote(target._client(), reporter, with_manifest=True)
    listing_s = time.perf_counter() - start
    return dict(files=first.unchanged + len(first.sent), first_s=first_s,
                local_s=local_s, listing_s=listing_s,
                first_files=len(first.sent), first_bytes=first.bytes, noop_s=noop_s,
                edit_s=edit_s, edit_files=len(after.sent), edit_bytes=after.bytes,
                edit_deleted=len(after.deleted), edit_sent=[c.rel for c in after.sent],
                manifest_bytes=manifest)


def built(n: int) -> Path:
    """A built copy of the corpus site of `n` articles, in a folder of its own."""
    folder = WORK / f"s3-site-{n}"
    if not (folder / "site.toml").exists():
        source = site(n)
        shutil.copytree(source / "content", folder / "content")
        shutil.copy(source / "site.toml", folder)
    subprocess.run(BUILD, cwd=folder, check=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1")
    with local_s3() as url:
        for n in map(int, args.sizes.split(",")):
            folder = built(n)
            posts = sorted((folder / "content/posts").glob("*.md"))
            middle = posts[len(posts) // 2]

            def edit(middle: Path = middle, folder: Path = folder) -> None:
                with open(middle, "a", encoding="utf-8") as file:
                    file.write(f"\n\nMARQUEUR-{time.time_ns()} modifié.\n")
                subprocess.run(BUILD, cwd=folder, check=True,
                               env=dict(os.environ, PYTHONPATH=str(REPO)))

            row = time_s3(folder / "public", edit, url, f"bench-{n}-{time.time_ns()}",
                          args.workers)
            sent = row.pop("edit_sent")
            print(f"{n} articles, {row['files']} files: first deploy {row['first_s']:.1f} s, "
                  f"{row['first_bytes'] / 1e6:.1f} MB; nothing changed {row['noop_s']:.2f} s; "
                  f"one article edited: {row['edit_files']} files, "
                  f"{row['edit_bytes'] / 1e3:.0f} kB, {row['edit_deleted']} deleted, "
                  f"{row['edit_s']:.2f} s (manifest {row['manifest_bytes'] / 1e3:.0f} kB); "
                  f"of a deploy, the output's MD5s take {row['local_s']:.1f} s and the "
                  f"bucket's listing and manifest {row['listing_s']:.1f} s")
            print("  sent after the edit:", ", ".join(sent[:12]) + (" …" if len(sent) > 12
                                                                     else ""))


if __name__ == "__main__":
    main()
