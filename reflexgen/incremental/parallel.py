"""Run a function over many items on every core, with forked worker processes.

Workers are forked after the site is assembled, so they inherit it instead of receiving it
through a pipe; each builds its own state once (`setup`) and then handles chunks of items.
Results come back in input order, so the output never depends on the number of workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, starting processes costs more than it saves.
MIN_PARALLEL = 48
PR_SET_PDEATHSIG = 1

# The per-process state built by `setup`; lives only inside a worker process (or, when work
# runs in-process, for the duration of one `run_all` call).
_worker: Any = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _init(setup: Callable[[], Any], parent: int) -> None:
    global _worker
    die_with(parent)
    gc.enable()  # the parent may have paused it for its own bulk work
    _worker = setup()


def die_with(parent: int) -> None:
    """A worker must not outlive the build that forked it, even one killed by SIGKILL: Linux
    is asked to kill it when its parent goes (`prctl`; not available elsewhere)."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _call(task: tuple[Callable[[Any, T], R], Sequence[T]]) -> list[R]:
    handle, chunk = task
    return [handle(_worker, item) for item in chunk]


def run_all(items: Sequence[T], setup: Callable[[], Any], handle: Callable[[Any, T], R],
            jobs: int, progress: Callable[[int], None] | None = None,
            heavy: bool = False) -> Iterator[R]:
    """`handle(state, item)` for every item, `state = setup()` once per process, in order;
    `heavy` items (an image to encode) go to the workers one by one, from two on."""
    forking = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or len(items) < (2 if heavy else MIN_PARALLEL) or not forking:
        state = setup()
        for done, item in enumerate(items, start=1):
            yield handle(state, item)
            if progress:
                progress(done)
        return
    size = 1 if heavy else max(8, min(256, len(items) // (jobs * 8) or 1))
    chunks = [items[i: i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init,
                             initargs=(setup, os.getpid())) as pool:
        done = 0
        for results in pool.map(_call, [(handle, chunk) for chunk in chunks]):
            yield from results
            done += len(results)
            if progress:
                progress(done)
