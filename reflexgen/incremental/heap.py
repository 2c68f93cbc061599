"""The cyclic garbage collector around a build's bulk work.

A build walks content/ and loads or assembles a large graph of objects that all live on to
its end (the inventory, the index, the site, its pages), and makes next to no cyclic garbage
while doing so. Python's collector does not know that: every few hundred allocations it
scans the young objects, and each time the heap grows by a quarter it scans all of it, so
loading the index of 10,000 articles paid for several full scans. The collector is paused
over that work (`collector_paused`), and the result then frozen (`settle`) until the build
returns (`thawed_after`): it is never scanned, nor by the workers forked meanwhile, which so
never copy the memory pages that hold what they inherit.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection meanwhile (nested or not, as the collector was before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settle() -> None:
    """Every object that exists now left out of the collections to come, in this process
    and in those it forks, until the `thawed_after` function returns."""
    gc.freeze()


def thawed_after(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, with what it `settle`d collected normally again once it returns: a
    long-lived caller (a server, a test run) keeps no garbage frozen."""

    @functools.wraps(function)
    def thawing(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = gc.get_freeze_count() > 0  # settled by a caller: theirs to thaw
        try:
            return function(*args, **kwargs)
        finally:
            if not outer:
                gc.unfreeze()

    return thawing
