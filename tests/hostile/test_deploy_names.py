"""Output file names a deploy must carry as they are: spaces, accents, a leading dash, quotes,
shell characters; and a symbolic link, which it must not follow."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import add_target, cli, deployable, digests

NAMES = ["un fichier avec espaces.html", "été/ça.txt", "-rf.html", "it's \"quoted\".html",
         "$(touch pwned)/x.css", "a;b|c&d.txt", "*.html"]


@pytest.mark.skipif(shutil.which("rsync") is None, reason="needs rsync")
def test_rsync_carries_odd_names_and_leaves_links(blog, tmp_path):
    for rel in NAMES:
        (blog / "output" / rel).parent.mkdir(parents=True, exist_ok=True)
        (blog / "output" / rel).write_text(rel)
    os.symlink("/etc/passwd", blog / "output/passwd.txt")
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www dir"')
    run = cli("deploy", "--site", str(blog))
    assert run.code == 0, run.stderr
    assert "passwd.txt" in run.stderr and "symbolic link" in run.stderr
    www = tmp_path / "www dir"
    expected = deployable(blog)
    expected.pop("passwd.txt")
    assert digests(www) == expected
    assert not (www / "passwd.txt").exists() and not (tmp_path / "pwned").exists()
    for rel in NAMES[:3]:
        (blog / "output" / rel).unlink()
    assert cli("deploy", "--site", str(blog)).code == 0
    assert not any((www / rel).exists() for rel in NAMES[:3])
    assert (www / NAMES[3]).exists()


def test_git_carries_odd_names(blog, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    for rel in NAMES:
        (blog / "output" / rel).parent.mkdir(parents=True, exist_ok=True)
        (blog / "output" / rel).write_text(rel)
    remote = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    assert cli("deploy", "--site", str(blog)).code == 0
    listed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "-z",
                             "--name-only", "gh-pages"], capture_output=True, check=True
                            ).stdout.decode().split("\0")
    assert set(NAMES) <= set(listed)
    assert set(listed) - {""} == set(deployable(blog)) | {".nojekyll"}
