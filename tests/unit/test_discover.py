import os

from reflexgen.content.discover import discover, markdown_stem, restamp, sidecar_for


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


def test_markdown_sources_in_any_usual_extension_are_sources(tmp_path):
    tree(tmp_path, {"posts/a.md": "a", "posts/b.markdown": "b", "posts/c.MD": "c",
                    "posts/d.mdown": "d", "posts/e.mkd": "e", "posts/f.mkdn": "f",
                    "posts/g.mdwn": "g", "posts/h.Markdown": "h",
                    "pages/about.markdown": "p", "authors/claire.mkd": "c",
                    "images/x.png": "x"})
    inventory, warnings = discover(tmp_path)
    assert inventory.posts == ("posts/a.md", "posts/b.markdown", "posts/c.MD", "posts/d.mdown",
                               "posts/e.mkd", "posts/f.mkdn", "posts/g.mdwn",
                               "posts/h.Markdown")
    assert inventory.pages == ("pages/about.markdown",)
    assert inventory.authors == ("authors/claire.mkd",)
    assert inventory.static == ("images/x.png",) and warnings == []


def test_comment_files_go_with_articles_of_any_extension(tmp_path):
    tree(tmp_path, {"posts/a.markdown": "a", "posts/a.comments.yaml": "[]",
                    "posts/b.MD": "b", "posts/b.comments.yml": "[]"})
    inventory, warnings = discover(tmp_path)
    assert inventory.sidecars == ("posts/a.comments.yaml", "posts/b.comments.yml")
    assert sidecar_for("posts/a.markdown") == ("posts/a.comments.yaml", "posts/a.comments.yml")
    assert inventory.post_stamps["posts/b.MD"][2] == inventory.stamps["posts/b.comments.yml"]
    assert inventory.static == () and warnings == []


def test_a_comment_file_is_restamped_with_its_article_whatever_its_extension(tmp_path):
    tree(tmp_path, {"posts/a.markdown": "a", "posts/a.comments.yaml": "[]"})
    inventory, _ = discover(tmp_path)
    bump(tmp_path / "posts/a.comments.yaml", "[1]")
    again = restamp(inventory, tmp_path, ["posts/a.comments.yaml"])
    assert again is not None
    assert again.post_stamps == discover(tmp_path)[0].post_stamps != inventory.post_stamps


def test_sources_and_comment_files_are_never_static_files(tmp_path):
    """The safety net: whatever their place or name, they are reported, not published."""
    tree(tmp_path, {"notes.markdown": "n", "docs/README.MD": "r", "docs/a.comments.yaml": "[]",
                    "posts/x.comments.YML": "[]", "authors/x.comments.yml": "[]",
                    "docs/lettre.txt": "---\ntitle: x\nemail: a@b.c\n---\nTexte",
                    "docs/bom.html": "\ufeff+++ \ntitle = 'x'\n+++\n",
                    "docs/ok.txt": "--- pas une clôture\n", "docs/rule.txt": "texte\n---\n",
                    "img/photo.jpg": "---\n", "img/vide.txt": ""})
    inventory, warnings = discover(tmp_path)
    assert inventory.static == ("docs/ok.txt", "docs/rule.txt", "img/photo.jpg", "img/vide.txt")
    assert inventory.posts == () and inventory.sidecars == ("posts/x.comments.YML",)
    named = {str(p.path.relative_to(tmp_path)): p.message for p in warnings}
    assert set(named) == {"notes.markdown", "docs/README.MD", "docs/a.comments.yaml",
                          "posts/x.comments.YML", "authors/x.comments.yml", "docs/lettre.txt",
                          "docs/bom.html"}
    assert "not published" in named["docs/lettre.txt"]
    assert "no article beside it" in named["posts/x.comments.YML"]


def test_a_static_file_that_gains_front_matter_needs_a_walk(tmp_path):
    tree(tmp_path, {"docs/a.txt": "texte"})
    inventory, _ = discover(tmp_path)
    bump(tmp_path / "docs/a.txt", "---\ntitle: x\n---\n")
    assert restamp(inventory, tmp_path, ["docs/a.txt"]) is None
    assert discover(tmp_path)[0].static == ()


def test_two_articles_that_would_share_a_comment_file_warn(tmp_path):
    tree(tmp_path, {"posts/a.md": "a", "posts/a.markdown": "b"})
    _, warnings = discover(tmp_path)
    assert len(warnings) == 1 and "share the name 'a'" in warnings[0].message


def test_markdown_stem():
    assert [markdown_stem(n) for n in ("a.md", "a.MD", "b.markdown", "c.mkdn", "x.txt",
                                       ".md", "md")] == ["a", "a", "b", "c", None, None, None]


def test_a_yaml_data_file_opening_a_document_is_published(tmp_path):
    """`---` opens a YAML document: a data file is not mistaken for front matter."""
    tree(tmp_path, {"data/villes.yaml": "---\n- Paris\n", "data/notes.txt": "---\nx: 1\n---\n"})
    inventory, warnings = discover(tmp_path)
    assert inventory.static == ("data/villes.yaml",)
    assert [w.path.name for w in warnings] == ["notes.txt"]
