"""`type = "rsync"` to a local folder and over SSH to a real sshd on 127.0.0.1: the whole
site first, then only what an edit changed, in passes (assets, pages, feeds, deletions)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import (
    SSHD,
    add_target,
    cli,
    deploy_with,
    deployable,
    digests,
    edit_and_build,
    free_port,
    keygen,
    local_sshd,
)
from reflexgen.deploy.rsync import PASSES
from reflexgen.site.caching import kind

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="needs rsync")


def test_first_deploy_then_one_edit_sends_only_what_changed(blog, tmp_path):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    run = cli("deploy", "--site", str(blog))
    assert run.code == 0, run.stderr
    www = tmp_path / "www"
    before = deployable(blog)
    assert digests(www) == before
    assert f"deployed to copy: {len(before)} files" in run.stderr

    edit_and_build(blog)
    after = deployable(blog)
    summary = deploy_with(blog)
    changed = {rel for rel, d in after.items() if before.get(rel) != d}
    assert changed and len(changed) < len(after) / 4
    assert {c.rel for c in summary.sent} == changed
    assert {c.rel for c in summary.deleted} == set(before) - set(after)
    assert summary.unchanged == len(after) - len(changed)
    assert summary.bytes == sum((blog / "output" / rel).stat().st_size for rel in changed)
    assert digests(www) == after

    again = cli("deploy", "--site", str(blog))
    assert again.code == 0 and "copy is up to date: nothing to deploy" in again.stderr


def test_sends_assets_then_pages_then_feeds_and_deletes_last(blog, tmp_path):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    www = tmp_path / "www"
    (www / "old").mkdir(parents=True)
    (www / "old/index.html").write_text("stale")
    summary = deploy_with(blog)
    passes = {kind: rank for rank, (_, kinds) in enumerate(PASSES) for kind in kinds}
    ranks = [passes[kind(change.rel)] for change in summary.sent]
    assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2}
    assert [c.rel for c in summary.deleted] == ["old/index.html", "old"]
    # On disk: every asset was in place before the first page, every page before any feed.
    written = {rank: [(www / c.rel).stat().st_ctime_ns for c in summary.sent
                      if passes[kind(c.rel)] == rank] for rank in set(ranks)}
    assert max(written[0]) <= min(written[1]) and max(written[1]) <= min(written[2])
    run = cli("deploy", "--site", str(blog), "-v", "--force")
    passes = [line.split(": ", 1)[1] for line in run.stderr.splitlines()
              if line.startswith("deploy copy: ")]
    assert [p.split(",")[0] for p in passes] == ["assets", "pages", "feeds",
                                                 "deleting what the site no longer has"]


def test_deletes_only_with_delete_and_never_server_files(blog, tmp_path):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    www = tmp_path / "www"
    kept = ["reflexgen.nginx.conf", ".well-known/acme-challenge/token"]
    for rel in ["stale.html", "vieux/page/index.html", *kept]:
        (www / rel).parent.mkdir(parents=True, exist_ok=True)
        (www / rel).write_text("x")
    for name in ("reflexgen.nginx.conf", "_headers"):  # a server-only file and a host one
        (blog / "output" / name).write_text("from the build")
    assert cli("deploy", "--site", str(blog), "--no-delete").code == 0
    assert (www / "_headers").read_text() == "from the build"
    assert (www / "stale.html").exists() and (www / "vieux/page/index.html").exists()
    assert cli("deploy", "--site", str(blog)).code == 0
    assert not (www / "stale.html").exists() and not (www / "vieux").exists()
    assert all((www / rel).read_text() == "x" for rel in kept)


def test_dry_run_changes_nothing_and_lists_with_sizes(blog, tmp_path, capsys):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    assert cli("deploy", "--site", str(blog)).code == 0
    www = tmp_path / "www"
    (www / "stale.html").write_text("x")
    edit_and_build(blog)
    state = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in www.rglob("*") if p.is_file()}
    capsys.readouterr()
    run = cli("deploy", "--site", str(blog), "--dry-run")
    listed = capsys.readouterr().out.splitlines()
    assert run.code == 0 and "dry run, nothing changed" in run.stderr
    assert state == {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in www.rglob("*")
                     if p.is_file()}
    page = next(line for line in listed if line.startswith("send") and "index.html" in line)
    assert page.split()[2] in ("B", "kB")
    assert any(line.startswith("delete") and line.endswith(" stale.html") for line in listed)
    assert not any(line.startswith("send") for line in listed[listed.index(next(
        line for line in listed if line.startswith("delete"))):])  # deletions listed last


def test_a_deploy_stopped_halfway_is_finished_by_the_next(blog, tmp_path):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    assert cli("deploy", "--site", str(blog)).code == 0
    www = tmp_path / "www"
    files = sorted(digests(www))
    for rel in files[::2]:  # half the files never arrived
        (www / rel).unlink()
    page = next(rel for rel in files[1::2] if rel.endswith(".html"))
    (www / page).write_bytes((www / page).read_bytes()[:100])  # one cut short
    (www / Path(page).parent / f".{Path(page).name}.Xy12Zt").write_text("rsync's temp file")
    run = cli("deploy", "--site", str(blog))
    assert run.code == 0, run.stderr
    assert digests(www) == deployable(blog)


def test_a_folder_the_site_replaced_by_a_file_is_replaced(blog, tmp_path):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    (blog / "output/notes").mkdir()
    (blog / "output/notes/a.txt").write_text("a\n")
    assert cli("deploy", "--site", str(blog)).code == 0
    shutil.rmtree(blog / "output/notes")
    (blog / "output/notes").write_text("now a file\n")
    run = cli("deploy", "--site", str(blog))
    assert run.code == 0, run.stderr
    assert (tmp_path / "www/notes").read_text() == "now a file\n"


def test_a_name_that_is_not_utf8_is_left_out_with_a_warning(blog, tmp_path):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    (blog / "output").joinpath(os.fsdecode(b"caf\xe9.txt")).write_bytes(b"x")
    run = cli("deploy", "--site", str(blog))
    assert run.code == 0, run.stderr
    assert "not UTF-8" in run.stderr
    bad = os.fsdecode(b"caf\xe9.txt")
    assert not (tmp_path / "www" / bad).exists()
    assert digests(tmp_path / "www") == {rel: d for rel, d in deployable(blog).items()
                                         if rel != bad}


def test_force_sends_every_file(blog):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    assert cli("deploy", "--site", str(blog)).code == 0
    summary = deploy_with(blog, force=True)
    assert len(summary.sent) == len(deployable(blog)) and summary.unchanged == 0


@pytest.mark.parametrize("destination", ["..", "output/copy", "content"])
def test_refuses_a_destination_holding_the_site(blog, destination):
    add_target(blog, f'[deploy.copy]\ntype = "rsync"\ndestination = "{destination}"')
    before = digests(blog / "content")
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "deploy copy:" in run.stderr
    assert "would delete the site's own files" in run.stderr
    assert digests(blog / "content") == before


def test_refuses_a_missing_half_written_or_empty_output(blog):
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    journal = blog / ".output.commit"
    journal.write_text(json.dumps({"staging": str(blog / ".output.staging-1"), "written": [],
                                   "stale": []}))
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "a build was stopped while writing" in run.stderr
    assert "run `reflexgen build`" in run.stderr
    journal.unlink()
    shutil.rmtree(blog / "output")
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "no built site here" in run.stderr
    assert "run `reflexgen build` first" in run.stderr
    (blog / "output").mkdir()
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "empty" in run.stderr
    assert not (blog.parent / "www").exists()


def test_digests_are_read_again_only_for_changed_files(blog):
    from reflexgen.deploy.listing import list_output
    from reflexgen.errors import Reporter

    hour_ago = os.stat(blog / "output/index.html").st_mtime - 3600
    for path in (blog / "output").rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    cache = blog / ".reflexgen-cache/deploy"
    first = {f.rel: f.md5 for f in list_output(blog / "output", cache, Reporter(-1))}
    assert first == deployable(blog)
    [store] = cache.glob("digests-*.json")
    stamps = json.loads(store.read_text())
    assert set(stamps) == set(first)
    stamps["index.html"][4] = "0" * 32  # proof that the kept digest is used
    store.write_text(json.dumps(stamps))
    assert {f.rel: f.md5 for f in list_output(blog / "output", cache,
                                              Reporter(-1))}["index.html"] == "0" * 32
    (blog / "output/index.html").write_text("changed")
    again = {f.rel: f.md5 for f in list_output(blog / "output", cache, Reporter(-1))}
    assert again["index.html"] == digests(blog / "output")["index.html"]
    # Same size and time, other bytes (cp -p of another file): its inode and ctime differ.
    feed = blog / "output/feed.xml"
    kept = os.stat(feed)
    replacement = blog / "feed.new"
    replacement.write_bytes(feed.read_bytes().replace(b"<", b">", 1))
    os.utime(replacement, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    os.replace(replacement, feed)
    last = {f.rel: f.md5 for f in list_output(blog / "output", cache, Reporter(-1))}
    assert last["feed.xml"] == digests(blog / "output")["feed.xml"] != first["feed.xml"]


needs_sshd = pytest.mark.skipif(not SSHD.exists(), reason="needs openssh-server")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    with local_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def ssh_table(sshd, destination: str, **overrides: str) -> str:
    import getpass

    options = {"port": str(sshd.port), "identity": f'"{sshd.key}"',
               "ssh_options": json.dumps(sshd.ssh_options)} | overrides
    lines = [f"{k} = {v}" for k, v in options.items() if v]
    return ("[deploy.vps]\ntype = \"rsync\"\n"
            f'destination = "{getpass.getuser()}@127.0.0.1:{destination}"\n' + "\n".join(lines))


@needs_sshd
def test_over_ssh_first_deploy_then_only_the_edit(blog, tmp_path, sshd):
    www = tmp_path / "remote www"
    add_target(blog, ssh_table(sshd, str(www)))
    run = cli("deploy", "--site", str(blog))
    assert run.code == 0, run.stderr
    before = deployable(blog)
    assert digests(www) == before
    edit_and_build(blog)
    after = deployable(blog)
    summary = deploy_with(blog)
    assert {c.rel for c in summary.sent} == {r for r, d in after.items() if before.get(r) != d}
    assert digests(www) == after


@needs_sshd
def test_ssh_refused_is_one_clear_error(blog, tmp_path, sshd):
    add_target(blog, ssh_table(sshd, str(tmp_path / "www"), port=str(free_port())))
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1
    assert "error: deploy vps: 127.0.0.1 refused the SSH connection" in run.stderr
    assert "hint:" in run.stderr and "Traceback" not in run.stderr


@needs_sshd
def test_ssh_login_refused(blog, tmp_path, sshd):
    keygen(tmp_path / "stranger")
    add_target(blog, ssh_table(sshd, str(tmp_path / "www"), identity=f'"{tmp_path}/stranger"'))
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "refused the SSH login" in run.stderr
    assert not (tmp_path / "www").exists()


@needs_sshd
def test_unknown_host_key_is_not_accepted_silently(blog, tmp_path, sshd):
    (tmp_path / "empty_known_hosts").write_text("")
    options = json.dumps([f"UserKnownHostsFile={tmp_path}/empty_known_hosts",
                          "StrictHostKeyChecking=yes"])
    add_target(blog, ssh_table(sshd, str(tmp_path / "www"), ssh_options=options))
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "does not know 127.0.0.1's host key" in run.stderr
    assert "StrictHostKeyChecking=accept-new" in run.stderr


@needs_sshd
def test_rsync_missing_on_the_server(blog, tmp_path):
    with local_sshd(tmp_path / "sshd", "SetEnv PATH=/nowhere\n") as server:
        add_target(blog, ssh_table(server, str(tmp_path / "www")))
        run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "rsync is not installed on 127.0.0.1" in run.stderr
    assert "sudo apt install rsync" in run.stderr
