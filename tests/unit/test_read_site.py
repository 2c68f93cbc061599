"""`build.read_site`: the site assembled from its sources without rendering or writing (what
the comment intake needs), sharing the records of `reflexgen build`'s cache."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import reflexgen.build as pipeline
from conftest import Site, article
from reflexgen.build import CACHE_DIR, BuildOptions, read_site
from reflexgen.comments.site import SiteReader
from reflexgen.errors import BuildError, Reporter
from reflexgen.incremental import workers
from reflexgen.incremental.cache import Cache


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*") if p.is_file()}


def options(site: Site) -> BuildOptions:
    return BuildOptions(site_dir=site.root, now=datetime.now(UTC))


@pytest.fixture
def blog(site: Site) -> Site:
    return site.write({"content/posts/a.md": article("Premier", "2024-03-01"),
                       "content/posts/b.md": article("Second", "2024-03-02")})


def titles(blueprint) -> list[str]:
    return sorted(a.title for a in blueprint.site.articles)


def test_a_site_never_built_is_read_without_writing_an_output(blog):
    cache = Cache(blog.root / CACHE_DIR)
    config, blueprint = read_site(options(blog), cache)
    assert config.title and titles(blueprint) == ["Premier", "Second"]
    assert not (blog.root / "output").exists()
    # Only read: no index, no summary, no bodies are left for the builds.
    assert not {"summary.pickle", "outputs.pickle"} & set(files_of(cache.folder))
    assert not any(name.startswith("sources/") for name in files_of(cache.folder))


def test_the_records_of_the_last_build_are_reused_and_left_as_they_are(blog, monkeypatch):
    assert blog.build().code == 0
    before, output = files_of(blog.root / CACHE_DIR), files_of(blog.root / "output")

    def parse(*args):
        raise AssertionError("an unchanged article was parsed again")

    monkeypatch.setattr(workers, "read_one", parse)
    _, blueprint = read_site(options(blog), Cache(blog.root / CACHE_DIR))
    assert titles(blueprint) == ["Premier", "Second"]
    assert files_of(blog.root / CACHE_DIR) == before
    assert files_of(blog.root / "output") == output


def test_the_same_site_comes_back_until_a_source_changes(blog):
    cache = Cache(blog.root / CACHE_DIR)
    _, first = read_site(options(blog), cache)
    _, again = read_site(options(blog), cache)
    assert again is first
    blog.write({"content/posts/a.md": article("Premier, corrigé", "2024-03-01")})
    _, edited = read_site(options(blog), cache)
    assert titles(edited) == ["Premier, corrigé", "Second"]


def test_a_broken_source_is_a_build_error_naming_it(blog):
    blog.write({"content/posts/c.md": "---\ntitle: [unclosed\n---\nTexte\n"})
    with pytest.raises(BuildError) as caught:
        read_site(options(blog), Cache(blog.root / CACHE_DIR))
    assert any(p.path and Path(p.path).name == "c.md" for p in caught.value.problems)


def test_a_build_by_another_process_is_seen_by_a_long_lived_cache(blog):
    held = Cache(blog.root / CACHE_DIR)
    assert held.summary.inputs == ""
    assert blog.build().code == 0  # its own Cache object, as another process would have
    assert held.summary.inputs != ""
    blog.write({"content/posts/b.md": article("Second, revu", "2024-03-02")})
    assert blog.build().code == 0
    # A build with the held cache then starts from the index on disk, not from its memory.
    result = pipeline.build(options(blog), Reporter(verbosity=-1), held)
    assert result.up_to_date


def test_the_publishers_build_is_the_readers_next_site(blog, monkeypatch):
    """The intake publishes with `SiteReader.build`: the site that build assembled is then
    the one the intake reads, not assembled a second time."""
    reader = SiteReader(blog.root)
    reader()
    blog.write({"content/posts/a.md": article("Premier, commenté", "2024-03-01")})
    reader.build(BuildOptions(site_dir=blog.root), Reporter(verbosity=-1))
    assert "Premier, commenté" in (blog.root / "output/2024/03/a/index.html").read_text()

    def assemble(*args, **kwargs):
        raise AssertionError("assembled twice")

    monkeypatch.setattr(pipeline, "assemble", assemble)
    _, blueprint = reader()
    assert blueprint is reader.cache.blueprint
    assert titles(blueprint) == ["Premier, commenté", "Second"]


def test_a_long_lived_cache_never_trusts_what_pages_read_before_another_build(blog):
    """A reader's cache (the intake's) builds, another process builds after an edit, the
    reader reads the site again, then builds after the edit is undone: what its pages read
    must come from the other build's record, else the undone edit looks like no change."""
    held, quiet = Cache(blog.root / CACHE_DIR), Reporter(verbosity=-1)
    pipeline.build(options(blog), quiet, held)
    blog.write({"content/posts/b.md": article("Second, renommé", "2024-03-02")})
    assert blog.build().code == 0  # its own Cache object, as another process would have
    read_site(options(blog), held)
    blog.write({"content/posts/b.md": article("Second", "2024-03-02")})
    pipeline.build(options(blog), quiet, held)
    assert pipeline.verify(options(blog), quiet) == []
