"""What a page read: view objects report every field a template (or a helper) reads of them.

This is the one source of truth for incremental builds: a page depends on exactly the fields
it read, named by the identity of the view they belong to (`article:posts/x.md`, `author:claire`)
and the field name. Nothing lists by hand what a template shows; a theme that reads a new field
is followed as soon as it reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Reads = dict[str, set[str]]  # view identity → names of the fields read


class Recorder:
    """Collects the reads of the render under way; `reads` is None when nothing records."""

    def __init__(self) -> None:
        self.reads: Reads | None = None

    @contextmanager
    def capture(self) -> Iterator[Reads]:
        """Record into a fresh set for the duration; the reads are also added to any capture
        that encloses this one (a fragment inside a page)."""
        outer, self.reads = self.reads, {}
        try:
            yield self.reads
        finally:
            inner, self.reads = self.reads, outer
            if outer is not None:
                merge(outer, inner)

    def replay(self, reads: Reads) -> None:
        """Report reads made earlier (a cached fragment or field) as made again now."""
        if self.reads is not None:
            merge(self.reads, reads)


def merge(into: Reads, reads: Reads) -> None:
    for identity, names in reads.items():
        known = into.get(identity)
        if known is None:
            into[identity] = set(names)
        else:
            known |= names


_get = object.__getattribute__


class Tracked:
    """A view whose public fields report their reads to `_recorder` under `_identity`.

    Subclasses are dataclasses with `repr=False`: a view's repr is its identity, so that the
    fingerprint of a value holding views names them instead of copying them."""

    _identity: str
    _recorder: Recorder

    def __getattribute__(self, name: str) -> Any:
        if name[0] != "_":
            reads = _get(self, "_recorder").reads
            if reads is not None:
                identity = _get(self, "_identity")
                names = reads.get(identity)
                if names is None:
                    reads[identity] = {name}
                else:
                    names.add(name)
        return _get(self, name)

    def __repr__(self) -> str:
        return f"<{object.__getattribute__(self, '_identity')}>"


class derived(Generic[T]):  # noqa: N801 - used as a decorator, like cached_property
    """A field worked out on first read and kept; what its computation read is recorded with
    it and reported again at every later read. `body=True` marks a field made from the
    article's body: it is worked out again at each read rather than kept (bodies are large
    and read once, by the article's page), and its fingerprint is the source digest, so that
    checking it never loads the body."""

    def __init__(self, compute: Callable[[Any], T] | None = None, *, body: bool = False):
        self.compute = compute
        self.body = body
        self.name = ""

    def __call__(self, compute: Callable[[Any], T]) -> derived[T]:
        self.compute = compute
        return self

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        assert self.compute is not None
        recorder: Recorder = view._recorder
        if self.body:
            with recorder.capture():
                return self.compute(view)
        cache, key = view.__dict__, "_derived_" + self.name
        hit = cache.get(key)
        if hit is None:
            with recorder.capture() as reads:
                value = self.compute(view)
            hit = cache[key] = (value, reads)
        else:
            recorder.replay(hit[1])
        return hit[0]


def body_fields(cls: type) -> frozenset[str]:
    """The fields of a view class made from the article body (see `derived`)."""
    return frozenset(name for klass in cls.__mro__ for name, value in vars(klass).items()
                     if isinstance(value, derived) and value.body)


def public_fields(cls: type) -> list[str]:
    """Every field a template can read of a view class, for the theme reference."""
    names = [f.name for f in fields(cls)] if is_dataclass(cls) else []
    names += [name for klass in cls.__mro__ for name, value in vars(klass).items()
              if isinstance(value, derived)]
    return [name for name in names if not name.startswith("_")]
