"""The s3 deploy target against a real S3 server on 127.0.0.1 (moto's, started for this
module): objects, headers, the manifest, changed files only, deletions last, interrupted
deploys finished by the next one, dry runs, and errors that say what to fix."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import time
import uuid
from pathlib import Path

import boto3
import pytest

from conftest import (
    REPO,
    Site,
    built_demo,
    free_port,
    local_files,
    local_s3,
    published,
    static_server,
)
from reflexgen.config.deploy import DeployTarget
from reflexgen.deploy import s3 as s3_module
from reflexgen.deploy.base import DeployOptions, Summary
from reflexgen.deploy.s3 import S3Target
from reflexgen.deploy.s3_plan import MANIFEST, Record, read_manifest
from reflexgen.errors import BuildError, Reporter
from reflexgen.site import caching
from reflexgen.site.caching import SERVER_ONLY

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def s3_url():
    with local_s3() as url:
        yield url


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def output(demo: Path, tmp_path: Path) -> Path:
    """A copy of the built demo's output, for this test to change."""
    copy = tmp_path / "output"
    shutil.copytree(demo, copy)
    return copy


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test keys in the environment, and no AWS configuration of the machine's user."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_S3", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def client(url: str, service: str = "s3"):
    """A client of the server at `url`, with the keys the environment has now (boto3's
    default session would keep the first ones it found)."""
    return boto3.session.Session().client(service, endpoint_url=url, region_name="us-east-1")


@pytest.fixture
def s3(s3_url: str, credentials: None):
    return client(s3_url)


@pytest.fixture
def bucket(s3) -> str:
    name = f"blog-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def target(s3_url: str, bucket: str, **options: object) -> S3Target:
    return S3Target(DeployTarget("prod", "s3", {"bucket": bucket, "endpoint_url": s3_url,
                                                **options}), Path("site"))


def deploy(s3_url: str, bucket: str, output: Path, reporter: Reporter | None = None,
           prefix: str = "", **options: bool) -> Summary:
    return target(s3_url, bucket, prefix=prefix).deploy(
        local_files(output), DeployOptions(**options),
        reporter or Reporter(stream=io.StringIO()))


def objects(s3, bucket: str) -> dict[str, str]:
    """Key → ETag (without quotes) of every object of the bucket."""
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", ()):
            found[item["Key"]] = item["ETag"].strip('"')
    return found


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def rels(output: Path) -> set[str]:
    """The files a deploy publishes: all but the server's own configuration."""
    return {p.relative_to(output).as_posix() for p in output.rglob("*")
            if p.is_file() and p.name not in SERVER_ONLY}


def style(output: Path) -> str:
    """The theme's stylesheet, by its content-named address."""
    return published(output, "theme/style.css")


def test_first_deploy_sends_every_file_with_its_bytes_and_headers(s3_url, s3, bucket, output):
    summary = deploy(s3_url, bucket, output)
    sent = {change.rel for change in summary.sent}
    assert sent == rels(output)
    assert summary.bytes == sum((output / rel).stat().st_size for rel in sent)
    assert (summary.deleted, summary.unchanged, summary.dry_run) == ([], 0, False)
    assert set(objects(s3, bucket)) == sent | {MANIFEST}
    for rel in sent:
        body = s3.get_object(Bucket=bucket, Key=rel)["Body"].read()
        assert body == (output / rel).read_bytes(), rel

    def head(key: str) -> tuple[str, str, str | None]:
        found = s3.head_object(Bucket=bucket, Key=key)
        return found["ContentType"], found["CacheControl"], found.get("ContentEncoding")

    page = "public, max-age=0, must-revalidate"
    assert head("index.html") == ("text/html; charset=utf-8", page, None)
    assert head("a-propos/index.html") == ("text/html; charset=utf-8", page, None)
    assert head(style(output)) == ("text/css; charset=utf-8", IMMUTABLE, None)
    assert head(published(output, "theme/comments.js")) == (
        "text/javascript; charset=utf-8", IMMUTABLE, None)
    assert head(published(output, "theme/favicon.svg")) == (
        "image/svg+xml; charset=utf-8", IMMUTABLE, None)
    assert head("feed.xml") == ("application/xml; charset=utf-8", "public, max-age=900", None)
    assert head("atom.xml")[1] == head("sitemap.xml")[1] == "public, max-age=900"
    assert head("feed.xsl")[0] == "text/xsl; charset=utf-8"
    assert head("abonnements.opml")[0] == "text/x-opml; charset=utf-8"
    assert head("robots.txt")[0] == "text/plain; charset=utf-8"
    fragment = next(rel for rel in sent if rel.endswith(".pf_fragment"))
    assert head(fragment) == ("application/octet-stream", IMMUTABLE, None)
    photo = next(rel for rel in sent if rel.endswith(".jpg"))
    assert head(photo)[0] == "image/jpeg"
    assert head(MANIFEST)[1] == "no-store"


def manifest(s3, bucket: str, prefix: str = "") -> dict[str, Record]:
    found = read_manifest(s3.get_object(Bucket=bucket, Key=prefix + MANIFEST)["Body"].read())
    assert found is not None
    return found


def test_the_manifest_records_each_object(s3_url, s3, bucket, output):
    deploy(s3_url, bucket, output, prefix="blog")
    records = manifest(s3, bucket, "blog/")
    listing = objects(s3, bucket)
    assert set(records) == rels(output)
    for rel, record in records.items():
        # Sent in one part: its ETag is the MD5 of its bytes, which the manifest need not keep.
        assert listing["blog/" + rel] == md5((output / rel).read_bytes())
        assert (record.md5, record.etag, record.encoding) == ("", "", "")
        assert record.cache_control == caching.kind(rel).cache_control
    assert records["index.html"].content_type == "text/html; charset=utf-8"
    assert records["feed.xml"].content_type == "application/xml; charset=utf-8"


@pytest.fixture
def compressed(tmp_path: Path) -> Path:
    """The demo built with `[hosting] precompress = ["gzip", "br"]`: its output."""
    toml = (REPO / "site.toml").read_text(encoding="utf-8")
    return built_demo(tmp_path, {"site.toml": toml + '\n[hosting]\nprecompress = ["gzip", "br"]\n'})


def test_a_precompressed_copy_is_sent_under_its_original_name(s3_url, s3, bucket, compressed):
    output = compressed
    copies = {rel for rel in rels(output) if rel.endswith((".gz", ".br"))}
    (output / "downloads").mkdir()
    (output / "downloads/archive.csv.gz").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    summary = deploy(s3_url, bucket, output)
    keys = set(objects(s3, bucket))
    assert not any(key.endswith(".br") for key in keys)
    assert {key for key in keys if key.endswith(".gz")} == {"downloads/archive.csv.gz", MANIFEST}
    for rel in ("index.html", style(output), "feed.xml"):
        found = s3.get_object(Bucket=bucket, Key=rel)
        body = found["Body"].read()
        assert body == (output / (rel + ".gz")).read_bytes()
        assert gzip.decompress(body) == (output / rel).read_bytes()
        assert found["ContentEncoding"] == "gzip"
        assert found["ContentType"].endswith("; charset=utf-8")
    assert "ContentEncoding" not in s3.head_object(Bucket=bucket, Key="robots.txt")
    archive = s3.head_object(Bucket=bucket, Key="downloads/archive.csv.gz")
    assert archive["ContentType"] == "application/gzip"
    assert "ContentEncoding" not in archive
    # The bytes counted and recorded are those sent: the gzip copy's.
    sizes = {change.rel: change.size for change in summary.sent}
    assert sizes["index.html"] == (output / "index.html.gz").stat().st_size
    assert objects(s3, bucket)["index.html"] == md5((output / "index.html.gz").read_bytes())
    assert manifest(s3, bucket)["index.html"].encoding == "gzip"
    assert len(copies) > 60 and "index.html.br" in copies
    assert deploy(s3_url, bucket, output).sent == []


def test_the_next_deploy_sends_only_what_changed(s3_url, s3, bucket, output):
    deploy(s3_url, bucket, output)
    before = objects(s3, bucket)
    again = deploy(s3_url, bucket, output)
    assert (again.sent, again.deleted, again.unchanged) == ([], [], len(rels(output)))
    assert objects(s3, bucket) == before  # not even the manifest written again
    page = output / "a-propos/index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- corrigé -->", encoding="utf-8")
    summary = deploy(s3_url, bucket, output)
    assert [(c.rel, c.size) for c in summary.sent] == [("a-propos/index.html",
                                                        page.stat().st_size)]
    assert s3.get_object(Bucket=bucket, Key="a-propos/index.html")["Body"].read() == \
        page.read_bytes()
    assert objects(s3, bucket)["a-propos/index.html"] == md5(page.read_bytes())
    assert "a-propos/index.html" in manifest(s3, bucket)


def test_a_rebuilt_article_sends_the_files_the_edit_changed(s3_url, s3, bucket, tmp_path):
    output = built_demo(tmp_path / "site")
    deploy(s3_url, bucket, output)
    before = {f.rel: f.md5 for f in local_files(output)}
    article = next((tmp_path / "site/content").rglob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nUne phrase de plus.\n",
                       encoding="utf-8")
    assert Site(tmp_path / "site").build().code == 0
    after = {f.rel: f.md5 for f in local_files(output)}
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    removed = set(before) - set(after)
    summary = deploy(s3_url, bucket, output)
    assert changed and {c.rel for c in summary.sent} == changed
    assert {c.rel for c in summary.deleted} == removed
    assert summary.unchanged == len(after) - len(changed)


def test_stale_objects_are_deleted_last_and_only_under_the_prefix(s3_url, s3, bucket, output,
                                                                   monkeypatch):
    for key in ("blog/old-article/index.html", "blog/theme/style.0ld.css", "other/index.html",
                "blogroll.html", "index.html"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"old")
    calls = watch(monkeypatch)
    # Never deployed there by reflexgen (no manifest): --force to delete what is not the site.
    summary = deploy(s3_url, bucket, output, prefix="/blog/", force=True)
    assert [c.rel for c in summary.deleted] == ["old-article/index.html",
                                                "theme/style.0ld.css"]
    keys = set(objects(s3, bucket))
    assert {"other/index.html", "blogroll.html", "index.html"} <= keys
    assert not keys & {"blog/old-article/index.html", "blog/theme/style.0ld.css"}
    assert keys - {"other/index.html", "blogroll.html", "index.html"} == \
        {"blog/" + rel for rel in rels(output)} | {"blog/" + MANIFEST}
    # Each group of the deploy order is sent in full before the next starts; then the
    # deletions; the manifest comes last.
    puts = [(i, key) for i, (_, op, key) in enumerate(calls) if op == "PutObject"]
    assert puts[-1][1] == "blog/" + MANIFEST
    manifest_put = min(i for i, key in puts if key == "blog/" + MANIFEST)
    puts = [(i, key) for i, key in puts if key != "blog/" + MANIFEST]
    group = {}
    for i, (_, op, key) in enumerate(calls):
        if op == "PutObject" and key != "blog/" + MANIFEST:
            rank = caching.ORDER[caching.kind(key.removeprefix("blog/"))]
            first, last = group.get(rank, (i, i))
            group[rank] = (min(first, i), max(last, i))
    ranks = sorted(group)
    assert len(ranks) >= 4
    for earlier, later in zip(ranks, ranks[1:], strict=False):
        assert group[earlier][1] < group[later][0]
    deletions = [i for i, (_, op, _key) in enumerate(calls) if op == "DeleteObjects"]
    assert deletions and max(i for i, _ in puts) < min(deletions) < manifest_put


def test_objects_reflexgen_did_not_put_there_are_kept(s3_url, s3, bucket, output):
    s3.put_object(Bucket=bucket, Key="downloads/report.pdf", Body=b"someone else's")
    reporter = Reporter(stream=io.StringIO())
    summary = deploy(s3_url, bucket, output, reporter)
    assert summary.deleted == [] and "downloads/report.pdf" in objects(s3, bucket)
    assert "1 objects under s3://" in reporter.stream.getvalue()
    assert "--force" in reporter.stream.getvalue()
    (output / "robots.txt").unlink()  # one of reflexgen's own, now stale: deleted
    summary = deploy(s3_url, bucket, output)
    assert [c.rel for c in summary.deleted] == ["robots.txt"]
    assert "downloads/report.pdf" in objects(s3, bucket)


def watch(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """The calls of the next deploys to the server, as (start|end, operation, key), in the
    order they started and ended (an observer on the real client; nothing replaced)."""
    calls: list[tuple[str, str, str]] = []
    real = S3Target._client

    def observed(self: S3Target):
        client = real(self)

        def build(params, model, context, **_):
            context["key"] = params.get("Key", "")

        def start(model, context, **_):
            calls.append(("start", model.name, context.get("key", "")))

        def end(model, context, **_):
            calls.append(("end", model.name, context.get("key", "")))

        client.meta.events.register("before-parameter-build.s3", build)
        client.meta.events.register("before-call.s3", start)
        client.meta.events.register("after-call.s3", end)
        return client

    monkeypatch.setattr(S3Target, "_client", observed)
    return calls


def test_no_delete_keeps_stale_objects(s3_url, s3, bucket, output):
    deploy(s3_url, bucket, output)
    (output / "robots.txt").unlink()
    summary = deploy(s3_url, bucket, output, delete=False)
    assert summary.deleted == []
    assert "robots.txt" in objects(s3, bucket)
    assert [c.rel for c in deploy(s3_url, bucket, output).deleted] == ["robots.txt"]


def test_a_dry_run_says_what_would_change_and_changes_nothing(s3_url, s3, bucket, output):
    s3.put_object(Bucket=bucket, Key="old/index.html", Body=b"old")
    summary = deploy(s3_url, bucket, output, dry_run=True, force=True)
    assert summary.dry_run
    assert {(c.rel, c.size) for c in summary.sent} == \
        {(rel, (output / rel).stat().st_size) for rel in rels(output)}
    assert [(c.rel, c.deleted) for c in summary.deleted] == [("old/index.html", True)]
    assert set(objects(s3, bucket)) == {"old/index.html"}
    deploy(s3_url, bucket, output)
    before = objects(s3, bucket)
    page = output / "index.html"
    page.write_bytes(page.read_bytes() + b"\n")
    (output / "robots.txt").unlink()
    summary = deploy(s3_url, bucket, output, dry_run=True)
    assert [(c.rel, c.size) for c in summary.sent] == [("index.html", page.stat().st_size)]
    assert [c.rel for c in summary.deleted] == ["robots.txt"]
    assert objects(s3, bucket) == before


def test_objects_changed_or_deleted_by_hand_are_sent_again(s3_url, s3, bucket, output):
    deploy(s3_url, bucket, output)
    time.sleep(1)  # the storage dates objects to the second: a change is seen from the next
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"defaced")
    s3.put_object(Bucket=bucket, Key="feed.xml", Body=(output / "feed.xml").read_bytes(),
                  ContentType="text/plain")  # the same bytes (and ETag), a wrong header
    s3.delete_object(Bucket=bucket, Key=style(output))
    summary = deploy(s3_url, bucket, output)
    assert {c.rel for c in summary.sent} == {"index.html", style(output), "feed.xml"}
    assert s3.get_object(Bucket=bucket, Key="index.html")["Body"].read() == \
        (output / "index.html").read_bytes()
    assert s3.head_object(Bucket=bucket, Key="feed.xml")["ContentType"] == \
        "application/xml; charset=utf-8"
    forced = deploy(s3_url, bucket, output, force=True)
    assert {c.rel for c in forced.sent} == rels(output)


def test_a_deploy_that_fails_half_way_deletes_nothing_and_the_next_finishes(
        s3_url, s3, bucket, output):
    s3.put_object(Bucket=bucket, Key="old/index.html", Body=b"old")
    files = local_files(output)
    vanished = output / "a-propos/index.html"  # gone between the listing and its upload
    kept = vanished.read_bytes()
    vanished.unlink()
    with pytest.raises(BuildError) as failed:
        target(s3_url, bucket).deploy(files, DeployOptions(), Reporter(stream=io.StringIO()))
    assert "a-propos/index.html" in str(failed.value)
    assert "deploy prod: cannot read the file to send" in str(failed.value)
    there = objects(s3, bucket)
    assert "old/index.html" in there and MANIFEST not in there
    assert style(output) in there  # the groups before the pages went through
    assert not any(rel.endswith((".xml", ".atom", ".opml")) for rel in there)  # feeds: not
    vanished.write_bytes(kept)
    summary = deploy(s3_url, bucket, output)
    assert {c.rel for c in summary.sent} == rels(output) - set(there)
    assert summary.deleted == []  # no manifest yet: not known to be reflexgen's
    assert set(objects(s3, bucket)) == rels(output) | {MANIFEST, "old/index.html"}
    assert deploy(s3_url, bucket, output).sent == []


class Interrupting(Reporter):
    """A terminal whose user presses Ctrl-C once `after` files are sent."""

    def __init__(self, after: int) -> None:
        super().__init__(stream=io.StringIO())
        self.after = after

    def progress(self, label: str, total: int):
        def show(done: int) -> None:
            if done >= self.after:
                raise KeyboardInterrupt

        return show


def test_a_deploy_interrupted_after_an_edit_is_finished_by_the_next(s3_url, s3, bucket,
                                                                     output):
    deploy(s3_url, bucket, output)
    edited = sorted(rel for rel in rels(output) if rel.endswith((".html", ".xml")))
    for rel in edited:
        (output / rel).write_bytes((output / rel).read_bytes() + b"<!-- v2 -->")
    with pytest.raises(KeyboardInterrupt):  # while the pages are sent
        deploy(s3_url, bucket, output, reporter=Interrupting(after=10))
    listing = objects(s3, bucket)
    arrived = {rel for rel in edited if listing[rel] == md5((output / rel).read_bytes())}
    assert len(arrived) >= 10
    assert not any(rel.endswith(".xml") for rel in arrived)  # the feeds' turn never came
    summary = deploy(s3_url, bucket, output)
    assert {c.rel for c in summary.sent} == set(edited) - arrived
    for rel in edited:
        assert s3.get_object(Bucket=bucket, Key=rel)["Body"].read() == \
            (output / rel).read_bytes()
    assert deploy(s3_url, bucket, output).sent == []


def test_a_manifest_not_written_by_reflexgen_is_replaced(s3_url, s3, bucket, output):
    deploy(s3_url, bucket, output)
    s3.put_object(Bucket=bucket, Key=MANIFEST, Body=gzip.compress(b'{"format": 1, "objects": [1'))
    reporter = Reporter(stream=io.StringIO())
    summary = deploy(s3_url, bucket, output, reporter=reporter)
    assert summary.sent == []  # every object checked (HEAD), none sent again
    assert "is not a reflexgen manifest" in reporter.stream.getvalue()
    assert set(manifest(s3, bucket)) == rels(output)


def test_awkward_file_names_are_sent_and_found_again(s3_url, s3, bucket, output):
    names = ["fichiers/résumé d'été.txt", "fichiers/a+b=c.txt", "fichiers/100%?.txt",
             "fichiers/& <x>.txt", "fichiers/sans-suffixe"]
    for name in names:
        (output / name).parent.mkdir(exist_ok=True)
        (output / name).write_text(name, encoding="utf-8")
    deploy(s3_url, bucket, output)
    for name in names:
        assert s3.get_object(Bucket=bucket, Key=name)["Body"].read() == name.encode()
    assert s3.head_object(Bucket=bucket, Key=names[0])["ContentType"] == \
        "text/plain; charset=utf-8"
    assert s3.head_object(Bucket=bucket, Key=names[-1])["ContentType"] == \
        "application/octet-stream"
    assert deploy(s3_url, bucket, output).sent == []


def failure(s3_url: str, bucket: str, output: Path, **options: object) -> str:
    with pytest.raises(BuildError) as failed:
        target(s3_url, bucket, **options).deploy(local_files(output), DeployOptions(),
                                                 Reporter(stream=io.StringIO()))
    return str(failed.value)


def test_no_credentials(s3_url, bucket, output, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    message = failure(s3_url, bucket, output)
    assert "deploy prod" in message and "no S3 credentials found" in message
    assert "AWS_ACCESS_KEY_ID" in message and "never go in site.toml" in message


def test_a_missing_bucket(s3_url, s3, output):
    message = failure(s3_url, "no-such-bucket", output)
    assert "deploy prod (s3://no-such-bucket/" in message
    assert "the bucket 'no-such-bucket' does not exist" in message
    assert "correct bucket in [deploy.prod] of site.toml" in message


def test_an_endpoint_nobody_answers(credentials, output):
    endpoint = f"http://127.0.0.1:{free_port()}"
    message = failure(endpoint, "blog", output)
    assert f"cannot reach {endpoint}" in message
    assert "check endpoint_url in [deploy.prod]" in message


def test_an_endpoint_that_is_no_s3_storage(credentials, output):
    with static_server(output) as url:
        message = failure(url, "blog", output)
    assert "it does not look like an S3 storage" in message
    assert "check endpoint_url and bucket" in message


def test_an_endpoint_that_is_no_address(credentials, output):
    message = failure("s3.example.org:9000", "blog", output)
    assert "Invalid endpoint: s3.example.org:9000" in message
    assert "must be a full address" in message


def test_an_invalid_region(s3_url, bucket, output):
    message = failure(s3_url, bucket, output, region="eu west 3")
    assert "'eu west 3' is not a region name" in message
    assert "set region in [deploy.prod]" in message


def test_an_empty_output_is_not_deployed(s3_url, s3, bucket, output):
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"online")
    with pytest.raises(BuildError, match="output folder is empty"):
        target(s3_url, bucket).deploy([], DeployOptions(), Reporter(stream=io.StringIO()))
    assert set(objects(s3, bucket)) == {"index.html"}


@pytest.fixture(scope="module")
def checked_s3(tmp_path_factory: pytest.TempPathFactory):
    """A second S3 server that checks keys and permissions: bucket `blog` holds one object,
    and the user `reader` may list and read it, not write (its keys are yielded)."""
    with local_s3(checked_after=5) as url, pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        s3 = client(url)
        s3.create_bucket(Bucket="blog")
        s3.put_object(Bucket="blog", Key="old/index.html", Body=b"old")
        iam = client(url, "iam")
        iam.create_user(UserName="reader")
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
                "Resource": ["arn:aws:s3:::blog", "arn:aws:s3:::blog/*"]}]}))
        yield url, key["AccessKeyId"], key["SecretAccessKey"]


def test_keys_the_storage_does_not_know(checked_s3, credentials, output, monkeypatch):
    url, reader, secret = checked_s3
    message = failure(url, "blog", output)
    assert "the storage refuses the access key (InvalidAccessKeyId)" in message
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in message
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", reader)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret[:-1] + "x")
    message = failure(url, "blog", output)
    assert "the storage refuses the secret key (SignatureDoesNotMatch)" in message


def test_keys_that_may_not_write(checked_s3, credentials, output, monkeypatch):
    url, reader, secret = checked_s3
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", reader)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    message = failure(url, "blog", output)
    assert "deploy prod (s3://blog/" in message and "access denied" in message
    assert "s3:PutObject" in message
    assert set(objects(client(url), "blog")) == {"old/index.html"}  # nothing deleted


def test_the_listing_read_by_lxml_is_the_one_botocore_reads(s3_url, s3, bucket):
    keys = ["a+b.html", "été/à l'ombre.txt", "x&y<z>.txt", "100%.txt", "n\u00e9.html", "p q"]
    for number, key in enumerate(keys * 2):
        s3.put_object(Bucket=bucket, Key=f"{number}/{key}", Body=key.encode() * number)
    prod = target(s3_url, bucket)
    fast = prod._remote(prod._client(), Reporter(stream=io.StringIO()), True)
    plain = prod._client()
    plain.meta.events.unregister("before-parse.s3.ListObjectsV2", s3_module._read_listing)
    assert fast == prod._remote(plain, Reporter(stream=io.StringIO()), True)
    assert sorted(fast.listing) == sorted(f"{n}/{key}" for n, key in enumerate(keys * 2))
