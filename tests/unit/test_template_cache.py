"""Compiled templates are kept per reflexgen and Jinja release: a template compiled by
another release calls other helpers (an upgrade with a kept cache, as in CI)."""

from __future__ import annotations

from reflexgen.incremental import cache as cache_module
from reflexgen.incremental.cache import Cache


def test_another_release_compiles_its_templates_elsewhere(tmp_path, monkeypatch):
    folder = Cache(tmp_path).templates
    assert Cache(tmp_path).templates == folder  # the same release finds its own again
    monkeypatch.setattr(cache_module, "code_id", lambda: "another release")
    assert Cache(tmp_path).templates != folder
