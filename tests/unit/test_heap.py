"""The collector around a build: paused over bulk work, settled objects thawed on return."""

from __future__ import annotations

import gc

import pytest

from reflexgen.incremental.heap import collector_paused, settle, thawed_after


@pytest.fixture(autouse=True)
def collector_restored():
    yield
    gc.unfreeze()
    gc.enable()


def test_collector_paused_then_as_it_was():
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one restores the outer pause
    assert gc.isenabled()
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()  # paused by the caller: left paused


def test_paused_even_when_the_work_fails():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_settled_objects_are_thawed_when_the_function_returns():
    kept = []

    @thawed_after
    def work() -> int:
        kept.append([object() for _ in range(100)])
        settle()
        assert gc.get_freeze_count() >= 100
        return 7

    assert work() == 7
    assert gc.get_freeze_count() == 0


def test_thawed_after_a_failure_too():
    @thawed_after
    def work() -> None:
        settle()
        raise RuntimeError

    with pytest.raises(RuntimeError):
        work()
    assert gc.get_freeze_count() == 0


def test_a_callers_settled_objects_stay_frozen():
    @thawed_after
    def inner() -> None:
        settle()

    settle()
    inner()
    assert gc.get_freeze_count() > 0  # the caller thaws its own


def test_a_build_leaves_nothing_frozen_nor_paused(site):
    """A long-lived caller (a server, this test run) keeps collecting what builds left."""
    from conftest import article

    site.write({"content/posts/a.md": article()})
    assert site.build().code == 0
    assert gc.get_freeze_count() == 0 and gc.isenabled()
