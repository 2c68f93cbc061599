"""`[hosting] precompress`: `name.gz` and `name.br` beside every text output, the same bytes
for the same site, made again only for what a build wrote, gone with their original or with
the setting."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli
import pytest

from conftest import SITE_TOML, Site, article
from reflexgen.build import BuildOptions, BuildResult, build, compare_trees
from reflexgen.errors import Reporter
from reflexgen.incremental import compress as compress_module
from reflexgen.site.compression import MIN_SIZE, compressible

PRECOMPRESS = '\n[hosting]\nprecompress = ["gzip", "br"]\n'
LONG = "\n\n".join(f"Paragraphe {i} : un texte assez long pour être compressé." for i in range(40))
DECODE = {".gz": gzip.decompress, ".br": brotli.decompress}


def full(site: Site, **options) -> BuildResult:
    return build(BuildOptions(site_dir=site.root, **{"jobs": 1, **options}),
                 Reporter(verbosity=-1))


@pytest.fixture
def blog(site: Site) -> Site:
    site.write({
        "site.toml": SITE_TOML + PRECOMPRESS,
        "content/posts/a.md": article("Premier", "2024-03-01", LONG, slug="a", tags='["x"]',
                                      aliases='["/ancien/"]'),
        "content/posts/b.md": article("Second", "2024-02-01", LONG, slug="b", tags='["x"]'),
        "content/images/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg">'
                                   + "<rect/>" * 200 + "</svg>",
        "content/images/pixel.png": "not compressed",
        "themes/default/static/fonts/x.woff2": "wOF2" * 400,
    })
    assert full(site).written
    return site


def files(output: Path) -> dict[str, Path]:
    return {p.relative_to(output).as_posix(): p for p in output.rglob("*") if p.is_file()}


def copies(output: Path) -> set[str]:
    return {rel for rel in files(output) if rel.endswith((".gz", ".br"))}


def test_every_large_text_output_has_copies_that_decompress_to_it(blog):
    output = blog.root / "output"
    found = files(output)
    originals = {rel for rel in found if not rel.endswith((".gz", ".br"))}
    expected = {rel + suffix for rel in originals for suffix in DECODE
                if compressible(rel) and found[rel].stat().st_size >= MIN_SIZE}
    assert copies(output) == expected
    for rel in ("index.html", "2024/03/a/index.html", "feed.xml", "atom.xml", "feed.xsl",
                "images/logo.svg", "pagefind/pagefind.js", "pagefind/pagefind-worker.js"):
        assert rel + ".gz" in expected and rel + ".br" in expected, rel
    theme = [rel for rel in expected if rel.startswith("theme/")]
    assert {rel.split("/")[1].split(".")[0] for rel in theme} >= {"style", "search", "share"}
    assert not any(rel.endswith((".png.gz", ".woff2.gz")) or ".pf_" in rel for rel in expected)
    assert "robots.txt.gz" not in expected and "ancien/index.html.gz" not in expected  # tiny
    for rel in expected:
        assert DECODE[rel[-3:]](found[rel].read_bytes()) == found[rel[:-3]].read_bytes(), rel


def test_the_same_site_gives_the_same_copies(blog, tmp_path):
    fresh = tmp_path / "fresh"
    full(blog, output_dir=fresh, clean=True, cache_dir=tmp_path / "cache")
    assert copies(fresh) and compare_trees(blog.root / "output", fresh) == []


def test_an_edit_compresses_again_what_it_wrote_and_nothing_else(blog, tmp_path, monkeypatch):
    compressed: list[str] = []
    made = compress_module.compress_one
    monkeypatch.setattr(compress_module, "compress_one",
                        lambda root, task: compressed.append(task[0]) or made(root, task))
    path = blog.root / "content/posts/b.md"
    path.write_text(path.read_text().replace("Paragraphe 3 :", "Paragraphe trois :"))
    result = full(blog)
    written = set(result.written)
    originals = {rel for rel in written if not rel.endswith((".gz", ".br"))}
    assert "2024/02/b/index.html" in originals
    output = blog.root / "output"
    assert set(compressed) == {rel for rel in originals if compressible(rel)
                               and (output / rel).stat().st_size >= MIN_SIZE}
    assert written - originals == {rel + s for rel in compressed for s in DECODE}
    fresh = tmp_path / "fresh"
    full(blog, output_dir=fresh, clean=True, cache_dir=tmp_path / "cache")
    assert compare_trees(output, fresh) == []


def test_copies_go_with_their_original(blog):
    output = blog.root / "output"
    assert (output / "2024/02/b/index.html.gz").is_file()
    blog.remove("content/posts/b.md")
    result = full(blog)
    assert {"2024/02/b/index.html.gz", "2024/02/b/index.html.br"} <= set(result.removed)
    assert not (output / "2024/02/b").exists()


def test_turning_the_setting_off_removes_every_copy_and_on_makes_them_again(blog, tmp_path):
    output = blog.root / "output"
    made = copies(output)
    toml = blog.root / "site.toml"
    toml.write_text(SITE_TOML)
    result = full(blog)
    assert copies(output) == set() and set(result.removed) == made
    toml.write_text(SITE_TOML + '\n[hosting]\nprecompress = ["gzip"]\n')
    full(blog)
    assert copies(output) == {rel for rel in made if rel.endswith(".gz")}
    fresh = tmp_path / "fresh"
    full(blog, output_dir=fresh, clean=True, cache_dir=tmp_path / "cache")
    assert compare_trees(output, fresh) == []


def test_a_copy_deleted_by_hand_is_made_again(blog):
    output = blog.root / "output"
    (output / "index.html.br").unlink()
    (blog.root / "content/posts/c.md").write_text(article("Troisième", "2024-01-01", slug="c"))
    full(blog)
    assert (output / "index.html.br").is_file()


def test_a_cold_build_compresses_in_worker_processes(site, monkeypatch):
    site.write({"site.toml": SITE_TOML + "search = false\n" + PRECOMPRESS})
    site.write({f"content/posts/p{n}.md": article(f"Billet {n}", f"2024-01-{n % 28 + 1:02d}",
                                                  LONG * 10, slug=f"p{n}") for n in range(30)})
    pids = site.root / "pids"
    pids.mkdir()
    monkeypatch.setattr(compress_module, "compress_one", noting_pid)
    monkeypatch.setitem(NOTED, "folder", pids)
    full(site, jobs=2)
    workers = {int(p.name) for p in pids.iterdir()}
    assert workers and os.getpid() not in workers
    assert copies(site.root / "output")


NOTED: dict[str, Path] = {}
COMPRESS_ONE = compress_module.compress_one


def noting_pid(root: Path, task) -> None:
    """`compress_one`, noting which process ran it (a function of a module: workers are sent
    it by name)."""
    (NOTED["folder"] / str(os.getpid())).touch()
    COMPRESS_ONE(root, task)


def test_the_index_a_preview_commits_after_the_pages_gets_its_copies(blog, tmp_path):
    """With `on_commit` (as `serve` builds), the search index is committed after the pages:
    its copies are made then, and the output is what a full build gives."""
    path = blog.root / "content/posts/b.md"
    path.write_text(path.read_text().replace("Paragraphe 3 :", "Paragraphe trois :"))
    told: list[tuple[str, ...]] = []
    result = build(BuildOptions(site_dir=blog.root, jobs=1), Reporter(verbosity=-1),
                   on_commit=lambda written, *_: told.append(written))
    assert told and "2024/02/b/index.html.gz" in told[0]
    late = set(result.written) - set(told[0])
    assert any(rel.startswith("pagefind/") and rel.endswith(".gz") for rel in late), late
    fresh = tmp_path / "fresh"
    full(blog, output_dir=fresh, clean=True, cache_dir=tmp_path / "cache")
    assert compare_trees(blog.root / "output", fresh) == []
