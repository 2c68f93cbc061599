import os

from reflexgen.content.discover import discover, restamp


def tree(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def bump(path, text):
    path.write_text(text)
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))  # coarse clocks


def test_modified_files_are_restamped_without_a_walk(tmp_path):
    tree(tmp_path, {"posts/a.md": "a", "posts/a.comments.yaml": "[]", "posts/b.md": "b",
                    "img/x.png": "x"})
    inventory, _ = discover(tmp_path)
    bump(tmp_path / "posts/a.comments.yaml", "[1]")
    bump(tmp_path / "img/x.png", "xx")
    again = restamp(inventory, tmp_path, ["posts/a.comments.yaml", "img/x.png"])
    walked, _ = discover(tmp_path)
    assert again is not None
    assert again.stamps == walked.stamps and again.post_stamps == walked.post_stamps
    assert again.post_stamps["posts/a.md"] != inventory.post_stamps["posts/a.md"]
    assert again.post_stamps["posts/b.md"] == inventory.post_stamps["posts/b.md"]
    assert inventory.stamps != walked.stamps  # the old inventory is left as it was


def test_files_that_come_or_go_need_a_walk(tmp_path):
    tree(tmp_path, {"posts/a.md": "a"})
    inventory, _ = discover(tmp_path)
    tree(tmp_path, {"posts/b.md": "b"})
    assert restamp(inventory, tmp_path, ["posts/b.md"]) is None  # new
    (tmp_path / "posts/a.md").unlink()
    assert restamp(inventory, tmp_path, ["posts/a.md"]) is None  # gone
    assert restamp(inventory, tmp_path, ["posts"]) is None  # a folder
    assert restamp(inventory, tmp_path, []) == inventory
