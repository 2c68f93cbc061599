"""Publication's bookkeeping (comments/publish.py): a build owed is never forgotten."""

from __future__ import annotations

from conftest import INTAKE_TOML, Site, article
from reflexgen.build import build
from reflexgen.comments.publish import NEEDS_BUILD, owe_build, publish
from reflexgen.comments.store import SQLiteStore
from reflexgen.config import load_config
from reflexgen.errors import Reporter


def test_a_change_made_while_building_is_built_by_the_next_publication(tmp_path):
    site = Site(tmp_path / "site").write({
        "site.toml": INTAKE_TOML,
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier")})
    config, _ = load_config(site.root)
    store = SQLiteStore(site.root / "comments.sqlite3")
    builds = []

    def builder(options, reporter):
        builds.append(options)
        if len(builds) == 1:
            owe_build(store)  # a comment file changes (another process) during this build
        return build(options, reporter)

    owe_build(store)
    quiet = Reporter(verbosity=-1)
    assert publish(site.root, config, store, quiet, builder).built
    assert store.meta(NEEDS_BUILD) is not None  # still owed: that change is not built yet
    assert publish(site.root, config, store, quiet, builder).built
    assert store.meta(NEEDS_BUILD) is None and len(builds) == 2
    assert not publish(site.root, config, store, quiet, builder).built  # nothing owed
    store.close()
