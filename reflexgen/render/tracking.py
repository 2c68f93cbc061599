"""What a page read: view objects report every field a template (or a helper) reads of them.

This is the one source of truth for incremental builds: a page depends on exactly the fields
it read, named by the identity of the view they belong to (`article:posts/x.md`, `author:claire`)
and the field name. Nothing lists by hand what a template shows; a theme that reads a new field
is followed as soon as it reads it.

A view class is made by `tracked`: each public field is a small descriptor (`Field`) that notes
the read in the capture under way, and each worked-out field (`derived`) notes itself and
what its computation read; nothing else a view holds costs anything to read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
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
        outer = self.start()
        try:
            yield self.reads  # type: ignore[misc]
        finally:
            self.stop(outer)

    def start(self) -> Reads | None:
        """`capture` without a context manager (cheaper, for the hottest callers): start
        recording afresh, and give what to hand to `stop`."""
        outer, self.reads = self.reads, {}
        return outer

    def stop(self, outer: Reads | None) -> Reads:
        """End the capture `start` began: the reads made since, also added to `outer`."""
        inner, self.reads = self.reads, outer
        assert inner is not None
        if outer is not None:
            merge(outer, inner)
        return inner

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


def note(reads: Reads, identity: str, name: str) -> None:
    """Add one read to `reads`."""
    names = reads.get(identity)
    if names is None:
        reads[identity] = {name}
    else:
        names.add(name)


class Tracked:
    """A view whose public fields report their reads to `_recorder` under `_identity`.

    Subclasses are made with `tracked` (a dataclass with `repr=False`: a view's repr is its
    identity, so that the fingerprint of a value holding views names them instead of copying
    them). Reading a field runs one small descriptor (`Field`, `derived`); the view's own
    attributes (`_views`, `_record`…) are read at no cost."""

    _identity: str
    _recorder: Recorder

    def __getattr__(self, name: str) -> Any:
        """A field the view does not have is read all the same (its fingerprint says
        "missing"): a template may test it with `is defined`."""
        if name[0] != "_":
            values = self.__dict__
            recorder = values.get("_recorder")
            if recorder is not None and recorder.reads is not None:
                note(recorder.reads, values["_identity"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"<{self.__dict__['_identity']}>"


class Field:
    """A public field of a view: its value is kept in the view's `__dict__`, each read of
    it is recorded."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        values = view.__dict__
        reads = values["_recorder"].reads
        if reads is not None:  # `note`, written out: the hottest path of a render
            names = reads.get(values["_identity"])
            if names is None:
                reads[values["_identity"]] = {self.name}
            else:
                names.add(self.name)
        return values[self.name]

    def __set__(self, view: Any, value: Any) -> None:
        view.__dict__[self.name] = value


V = TypeVar("V", bound=type)


def tracked(cls: V) -> V:
    """Make a view class (a subclass of `Tracked`): a dataclass whose public fields record
    their reads. `Views` gives each view its identity and recorder before any read."""
    cls = dataclass(repr=False, eq=False)(cls)
    for item in fields(cls):
        if not item.name.startswith("_"):
            setattr(cls, item.name, Field(item.name))
    cls._tracked = True  # type: ignore[attr-defined]
    return cls


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
        values = view.__dict__
        recorder: Recorder = values["_recorder"]
        if recorder.reads is not None:
            note(recorder.reads, values["_identity"], self.name)
        if self.body:
            outer = recorder.start()
            try:
                return self.compute(view)
            finally:
                recorder.stop(outer)
        key = "_derived_" + self.name
        hit = values.get(key)
        if hit is None:
            outer = recorder.start()
            try:
                value = self.compute(view)
            finally:
                reads = recorder.stop(outer)
            hit = values[key] = (value, reads)
        elif hit[1]:
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
