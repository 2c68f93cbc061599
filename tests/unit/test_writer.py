"""Writing staged files: folders are made as needed, once per process when it keeps a set."""

from __future__ import annotations

import os

from reflexgen.render.writer import make_folder, write_file


def test_a_file_is_written_with_its_folders(tmp_path):
    write_file(tmp_path, "a/b/index.html", b"one")
    assert (tmp_path / "a/b/index.html").read_bytes() == b"one"
    write_file(tmp_path, "a/b/index.html", b"two")  # replaced
    assert (tmp_path / "a/b/index.html").read_bytes() == b"two"


def test_folders_made_are_remembered(tmp_path):
    made: set[str] = set()
    write_file(tmp_path, "posts/x/index.html", b"x", made)
    write_file(tmp_path, "posts/x/comments.atom", b"y", made)
    write_file(tmp_path, "feed.xml", b"z", made)
    assert made == {f"{tmp_path}/posts/x", str(tmp_path)}
    assert (tmp_path / "posts/x/comments.atom").read_bytes() == b"y"
    assert (tmp_path / "feed.xml").read_bytes() == b"z"


def test_a_folder_another_process_made_is_fine(tmp_path):
    os.makedirs(tmp_path / "a/b")
    made: set[str] = set()
    make_folder(f"{tmp_path}/a/b", made)
    make_folder(f"{tmp_path}/c/d/e", made)  # parents made too
    assert (tmp_path / "c/d/e").is_dir()
    assert made == {f"{tmp_path}/a/b", f"{tmp_path}/c/d/e"}


def test_a_remembered_folder_removed_since_is_made_again(tmp_path):
    made = {f"{tmp_path}/gone"}
    write_file(tmp_path, "gone/index.html", b"x", made)
    assert (tmp_path / "gone/index.html").read_bytes() == b"x"
