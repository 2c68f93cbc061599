"""What a render reads of views is recorded field by field (render.tracking), and turned into
entries (incremental.dependencies.Recording) the same whatever the order of the reads."""

from __future__ import annotations

from dataclasses import fields

import pytest

from reflexgen.incremental.dependencies import Recording, entry_id
from reflexgen.render.tracking import Recorder, Tracked, derived, public_fields, tracked


@tracked
class Card(Tracked):
    """A view with two fields, one private, and two derived fields."""

    title: str
    count: int
    _hidden: str

    @derived
    def shout(self) -> str:
        return self.title.upper()

    @derived(body=True)
    def body(self) -> str:
        return self._hidden + str(self.count)


def card(recorder: Recorder, identity: str = "card:a") -> Card:
    view = Card("Title", 3, "secret")
    object.__setattr__(view, "_identity", identity)
    object.__setattr__(view, "_recorder", recorder)
    return view


def test_public_fields_are_recorded_private_ones_not():
    recorder = Recorder()
    view = card(recorder)
    with recorder.capture() as reads:
        assert (view.title, view.count, view._hidden) == ("Title", 3, "secret")
    assert reads == {"card:a": {"title", "count"}}


def test_nothing_is_recorded_outside_a_capture():
    recorder = Recorder()
    view = card(recorder)
    assert view.title == "Title" and view.shout == "TITLE"
    assert recorder.reads is None


def test_a_derived_field_records_itself_and_what_it_read_at_every_read():
    recorder = Recorder()
    view = card(recorder)
    with recorder.capture() as first:
        assert view.shout == "TITLE"
    with recorder.capture() as second:  # kept: not worked out again, its reads replayed
        assert view.shout == "TITLE"
    assert first == second == {"card:a": {"shout", "title"}}


def test_a_body_field_is_worked_out_at_each_read_and_records_what_it_read():
    recorder = Recorder()
    view = card(recorder)
    with recorder.capture() as reads:
        assert view.body == "secret3"
    assert reads == {"card:a": {"body", "count"}}
    assert "_derived_body" not in view.__dict__


def test_a_field_the_view_lacks_is_recorded_as_read():
    recorder = Recorder()
    view = card(recorder)
    with recorder.capture() as reads:
        with pytest.raises(AttributeError):
            view.subtitle  # noqa: B018 - a template testing `is defined`
        with pytest.raises(AttributeError):
            view._private  # noqa: B018
    assert reads == {"card:a": {"subtitle"}}


def test_inner_captures_add_to_the_outer_one():
    recorder = Recorder()
    a, b = card(recorder), card(recorder, "card:b")
    with recorder.capture() as outer:
        assert a.title
        with recorder.capture() as inner:
            assert b.count
        assert inner == {"card:b": {"count"}}
    assert outer == {"card:a": {"title"}, "card:b": {"count"}}


def test_start_and_stop_are_capture_without_a_context_manager():
    recorder = Recorder()
    view = card(recorder)
    outer = recorder.start()
    assert outer is None
    assert view.title
    assert recorder.stop(outer) == {"card:a": {"title"}}
    assert recorder.reads is None


def test_a_tracked_view_is_still_a_dataclass_with_its_identity_as_repr():
    recorder = Recorder()
    assert [f.name for f in fields(Card)] == ["title", "count", "_hidden"]
    assert public_fields(Card) == ["title", "count", "shout", "body"]
    assert repr(card(recorder)) == "<card:a>"
    assert repr((card(recorder),)) == "(<card:a>,)"


class Reads:
    """What Recording asks of the views: a fingerprint per view and fields."""

    def fingerprint(self, identity: str, names: tuple[str, ...]) -> str:
        return f"{identity}/{','.join(names)}"


def test_recording_names_the_same_entry_whatever_the_order_of_the_reads():
    recording = Recording(Reads())  # type: ignore[arg-type]
    one = recording.record({"b:1": {"y", "x"}, "a:1": {"z"}}, lambda eid: False)
    two = recording.record({"a:1": {"z"}, "b:1": {"x", "y"}}, lambda eid: False)
    assert one == two
    reads, entries = one
    ids = [entry_id("a:1", ("z",)), entry_id("b:1", ("x", "y"))]
    assert reads == b"".join(eid[:4] for eid in ids)
    assert entries == {ids[0]: ("a:1", ("z",), "a:1/z"), ids[1]: ("b:1", ("x", "y"), "b:1/x,y")}


def test_recording_leaves_out_the_entries_known_already():
    recording = Recording(Reads())  # type: ignore[arg-type]
    known = entry_id("a:1", ("z",))
    reads, entries = recording.record({"a:1": {"z"}, "b:1": {"x"}}, lambda eid: eid == known)
    assert len(reads) == 8
    assert list(entries) == [entry_id("b:1", ("x",))]
