"""The Memory facade: scoped writes and reads, dedupe, versions, sessions, bad input."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engramdb import (EmptyTextError, InvalidIdError, InvalidInputError, Memory,
                      MissingScopeError, NotFoundError, PayloadTooLargeError, Turn)

TURNS = [
    {"speaker": "Ana", "text": "I adopted a puppy called Biscuit last week."},
    {"speaker": "Bot", "text": "Congratulations! What breed is Biscuit?"},
    {"speaker": "Ana", "text": "A beagle. She loves the park near my flat in Berlin."},
    {"speaker": "Bot", "text": "Beagles are energetic, long walks will help."},
]


@pytest.fixture
def mem(db_target):
    """The Memory API suite runs on both backends (conftest: ``backend``)."""
    m = Memory(db_target, embedder="fake")
    yield m
    m.close()


def test_add_and_search_finds_it(mem):
    rec = mem.add("I moved to Berlin last May.", user_id="ana")
    mem.add("My favourite food is ramen.", user_id="ana")
    hits = mem.search("where did I move?", user_id="ana", limit=2)
    assert hits[0].id == rec.id
    assert set(hits[0].signals) <= {"bm25", "dense", "keys"} and hits[0].score > 0


def test_same_content_twice_is_one_record(mem):
    a = mem.add("I like tea", user_id="ana")
    b = mem.add("  i like TEA ", user_id="ana")
    assert a.id == b.id and mem.stats().records == 1


def test_session_turns_are_ordered_and_timed(mem):
    start = datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc)
    recs = mem.add_session(TURNS, user_id="ana", session_id="s1", started_at=start)
    assert [r.position for r in recs] == [0, 1, 2, 3]
    assert recs[0].timestamp == start and recs[0].speaker == "Ana"
    again = mem.add_session(TURNS, user_id="ana", session_id="s1", started_at=start)
    assert [r.id for r in again] == [r.id for r in recs]  # re-import is idempotent
    session, = mem.sessions(user_id="ana")
    assert session.participants == ("Ana", "Bot") and session.turn_count == 4


def test_context_brings_neighbouring_turns(mem):
    mem.add_session(TURNS, user_id="ana", session_id="s1")
    hit = mem.search("beagle park Berlin", user_id="ana", limit=1, context=1)[0]
    assert hit.record.position == 2
    assert [c.position for c in hit.context] == [1, 3]


def test_methods_are_all_available(mem):
    mem.add_session(TURNS, user_id="ana", session_id="s1")
    for method in ("bm25", "dense", "hybrid", "engram"):
        hits = mem.search("puppy Biscuit", user_id="ana", method=method, limit=3)
        assert hits, method
    with pytest.raises(InvalidInputError):
        mem.search("x", user_id="ana", method="magic")


def test_filters_by_session_and_time(mem):
    mem.add_session(TURNS[:2], user_id="ana", session_id="old",
                    started_at="2023-01-01T10:00:00Z")
    mem.add_session(TURNS[2:], user_id="ana", session_id="new",
                    started_at="2024-01-01T10:00:00Z")
    hits = mem.search("Biscuit beagle", user_id="ana", session_id="old")
    assert {h.record.session_id for h in hits} == {"old"}
    hits = mem.search("Biscuit beagle", user_id="ana", since="2023-06-01")
    assert {h.record.session_id for h in hits} == {"new"}


def test_metadata_filter(mem):
    mem.add("buy milk", user_id="ana", metadata={"topic": "errands"})
    mem.add("buy a house", user_id="ana", metadata={"topic": "life"})
    hits = mem.search("buy", user_id="ana", metadata={"topic": "life"})
    assert [h.text for h in hits] == ["buy a house"]


def test_update_and_history(mem):
    rec = mem.add("My manager is Tom", user_id="ana")
    mem.update(rec.id, "My manager is Sara", user_id="ana", reason="Tom left")
    assert mem.get(rec.id, user_id="ana").text == "My manager is Sara"
    versions = mem.history(rec.id, user_id="ana")
    assert [(v.version, v.text, v.reason) for v in versions] == [
        (1, "My manager is Tom", None), (2, "My manager is Sara", "Tom left")]
    assert mem.search("manager", user_id="ana")[0].text == "My manager is Sara"


def test_delete_and_delete_all(mem):
    a = mem.add("one fact", user_id="ana")
    mem.add("two fact", user_id="ana")
    mem.add("bob fact", user_id="bob")
    mem.delete(a.id, user_id="ana")
    with pytest.raises(NotFoundError):
        mem.get(a.id, user_id="ana")
    assert mem.delete_all(user_id="ana") == 1
    assert mem.search("fact", user_id="ana") == []
    assert [h.text for h in mem.search("fact", user_id="bob")] == ["bob fact"]


@pytest.mark.parametrize("text", ["", "   ", None, 42])
def test_empty_text_is_refused(mem, text):
    with pytest.raises(EmptyTextError):
        mem.add(text, user_id="ana")  # type: ignore[arg-type]
    assert mem.stats().records == 0


@pytest.mark.parametrize("user", ["", "  ", None])
def test_missing_user_is_refused(mem, user):
    with pytest.raises(MissingScopeError):
        mem.add("hello", user_id=user)  # type: ignore[arg-type]
    with pytest.raises(MissingScopeError):
        mem.search("hello", user_id=user)  # type: ignore[arg-type]


def test_search_requires_user_id_by_signature(mem):
    with pytest.raises(TypeError):
        mem.search("hello")  # type: ignore[call-arg]


def test_bad_ids_and_unknown_ids(mem):
    with pytest.raises(InvalidIdError):
        mem.get("nope", user_id="ana")
    with pytest.raises(NotFoundError):
        mem.get("0" * 24, user_id="ana")
    with pytest.raises(NotFoundError):
        mem.update("0" * 24, "x", user_id="ana")


def test_oversized_payloads(tmp_path):
    m = Memory(tmp_path / "m.db", embedder="fake", max_text_chars=100, max_metadata_bytes=50)
    with pytest.raises(PayloadTooLargeError):
        m.add("x" * 101, user_id="ana")
    with pytest.raises(PayloadTooLargeError):
        m.add("ok", user_id="ana", metadata={"blob": "y" * 100})
    with pytest.raises(InvalidInputError):
        m.add("ok", user_id="ana", metadata={"bad": object()})
    assert m.stats().records == 0


def test_a_bad_turn_stores_nothing_of_the_session(mem):
    turns = [*TURNS[:2], {"speaker": "Ana", "text": ""}]
    with pytest.raises(EmptyTextError, match="turn 2"):
        mem.add_session(turns, user_id="ana", session_id="s1")
    assert mem.stats().records == 0 and mem.sessions(user_id="ana") == []


def test_turn_objects_and_chat_dicts_are_accepted(mem):
    recs = mem.add_session([Turn("hi", speaker="user"), {"role": "assistant", "content": "hello"}],
                           user_id="ana")
    assert [(r.speaker, r.text) for r in recs] == [("user", "hi"), ("assistant", "hello")]


def test_embedder_mismatch_is_refused(db_target):
    path = db_target
    with Memory(path, embedder="fake") as m:
        m.add("hello", user_id="ana")
    from engramdb.embed import FakeEmbedder
    with Memory(path, embedder=FakeEmbedder(dim=32)) as m:
        with pytest.raises(InvalidInputError, match="embedder"):
            m.add("again", user_id="ana")


def test_reopen_keeps_everything(db_target):
    path = db_target
    with Memory(path, embedder="fake") as m:
        rec = m.add("persistent fact", user_id="ana")
    with Memory(path, embedder="fake") as m:
        assert m.get(rec.id, user_id="ana").text == "persistent fact"
        assert m.search("persistent", user_id="ana")[0].id == rec.id


def test_add_many_stores_like_add_in_a_loop(tmp_path):
    items = ["I like tea", {"text": "My sister is Lena", "importance": 0.9,
                            "metadata": {"src": "chat"}, "timestamp": "2024-01-02T03:04:05Z"},
             "i like TEA"]  # a duplicate of the first: stored once
    with Memory(tmp_path / "a.db", embedder="fake") as a, \
            Memory(tmp_path / "b.db", embedder="fake") as b:
        many = a.add_many(items, user_id="ana")
        loop = [b.add(i, user_id="ana") if isinstance(i, str) else b.add(user_id="ana", **i)
                for i in items]
        assert [r.text for r in many] == [r.text for r in loop]
        assert many[0].id == many[2].id and a.stats().records == 2
        assert many[1].importance == 0.9 and many[1].metadata == {"src": "chat"}
        assert many[1].timestamp.year == 2024
        assert a.search("sister", user_id="ana")[0].text == "My sister is Lena"


def test_add_many_validates_everything_before_writing(mem):
    with pytest.raises(EmptyTextError):
        mem.add_many(["fine", "", "also fine"], user_id="ana")
    with pytest.raises(InvalidInputError, match="item 1"):
        mem.add_many(["fine", {"text": "x", "colour": "red"}], user_id="ana")
    with pytest.raises(InvalidInputError, match="item 0"):
        mem.add_many([42], user_id="ana")  # type: ignore[list-item]
    assert mem.stats().records == 0 and mem.add_many([], user_id="ana") == []


@pytest.mark.parametrize("metadata", [{"a": float("nan")}, {"a": float("inf")}])
def test_metadata_that_is_not_json_is_refused(mem, metadata):
    # NaN/Infinity stored would break export and metadata-filtered search for the user
    with pytest.raises(InvalidInputError, match="JSON"):
        mem.add("a note", user_id="ana", metadata=metadata)
    with pytest.raises(InvalidInputError, match="JSON"):
        mem.add_session(TURNS[:1], user_id="ana", session_id="s1", metadata=metadata)
    assert mem.stats().records == 0


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
                                  1e20])
def test_timestamps_out_of_range_are_input_errors(mem, when):
    with pytest.raises(InvalidInputError, match="out of range"):
        mem.add("a note", user_id="ana", timestamp=when)
    with pytest.raises(InvalidInputError, match="out of range"):
        mem.search("note", user_id="ana", as_of=when)
    with pytest.raises(InvalidInputError, match="turn 0"):
        mem.add_session([{"text": "hi", "timestamp": when}], user_id="ana", session_id="s1")
    assert mem.stats().records == 0


def test_a_bad_turn_timestamp_is_an_input_error(mem):
    with pytest.raises(InvalidInputError, match="turn 1: not an ISO-8601"):
        mem.add_session([{"text": "hi"}, {"text": "there", "timestamp": "yesterday"}],
                        user_id="ana", session_id="s1")


def test_text_with_a_lone_surrogate_is_refused(mem):
    # what Python makes of non-UTF-8 bytes in argv: no store or embedder can take it
    with pytest.raises(InvalidInputError, match="surrogate"):
        mem.add("caf\udcff", user_id="ana")
    with pytest.raises(InvalidInputError, match="surrogate"):
        mem.search("caf\udcff", user_id="ana")
    with pytest.raises(MissingScopeError):
        mem.add("ok", user_id="ana\udcff")
    assert mem.stats().records == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"min_confidence": -1.0}, "min_confidence"), ({"min_confidence": 2.0}, "min_confidence"),
    ({"limit": 0}, "limit"), ({"limit": 100_000}, "limit")])
def test_forget_checks_its_bounds_like_search(mem, kwargs, message):
    mem.add("My phone is a Nokia.", user_id="ana")
    with pytest.raises(InvalidInputError, match=message):
        mem.forget("Nokia phone", user_id="ana", **kwargs)
    assert mem.stats().records == 1


def test_speakers_added_later_are_known_to_the_next_search(mem):
    mem.add_session([{"speaker": "Ana", "text": "I play the cello"}], user_id="u")
    first = mem.search("what does Bo play?", user_id="u")
    assert not any("@speaker" in s for h in first for s in h.signals)  # Bo unknown yet
    mem.add_session([{"speaker": "Bo", "text": "I play the drums"}], user_id="u")
    hit = mem.search("what does Bo play?", user_id="u", limit=1)[0]
    assert hit.text == "I play the drums" and "keys@speaker" in hit.signals


def test_bad_limits_and_invisible_text_are_clear_errors():
    from engramdb import EmptyTextError, InvalidInputError
    with Memory(":memory:", embedder="fake") as mem:
        mem.add("I like tea.", user_id="u")
        for bad in ("3", 0, 1001, True, 2.5):
            with pytest.raises(InvalidInputError, match="limit must be an integer"):
                mem.search("tea", user_id="u", limit=bad)
        with pytest.raises(InvalidInputError, match="context must be an integer"):
            mem.search("tea", user_id="u", context="1")
        for invisible in ("\u200b", "\u200b \ufeff\u2060", "\u00ad\n"):
            with pytest.raises(EmptyTextError):
                mem.add(invisible, user_id="u")
        assert mem.add("tea\u200bcup", user_id="u").text == "tea\u200bcup"  # visible: kept


def test_ids_are_accepted_in_upper_case():
    with Memory(":memory:", embedder="fake") as mem:
        rec = mem.add("I like tea.", user_id="u")
        assert mem.get(rec.id.upper(), user_id="u").id == rec.id
        assert [v.text for v in mem.history(rec.id.upper(), user_id="u")] == ["I like tea."]
        mem.delete(rec.id.upper(), user_id="u")
        assert mem.list(user_id="u") == []


def test_errors_do_not_echo_oversized_input():
    from engramdb import InvalidIdError, MissingScopeError
    with Memory(":memory:", embedder="fake") as mem:
        for call, error in ((lambda: mem.add("hi", user_id="u" * 5000), MissingScopeError),
                            (lambda: mem.get("x" * 5000, user_id="u"), InvalidIdError),
                            (lambda: mem.add("hi", user_id="u", timestamp="9" * 5000),
                             InvalidInputError)):
            with pytest.raises(error) as info:
                call()
            assert len(str(info.value)) < 200, str(info.value)[:300]


def test_a_speakerless_turn_is_indexed_the_same_after_an_update():
    with Memory(":memory:", embedder="fake") as mem:
        turn = mem.add("We talked about the garden.", user_id="u", kind="turn")
        mem.update(turn.id, "We talked about the orchard.", user_id="u")
        assert mem.search("None", user_id="u", method="bm25") == []  # no "None: ..." prefix
        assert [h.id for h in mem.search("orchard", user_id="u", method="bm25")] == [turn.id]


def test_limit_errors_do_not_echo_huge_values():
    with Memory(":memory:", embedder="fake") as mem:
        mem.add("I like tea.", user_id="u")
        with pytest.raises(InvalidInputError) as info:
            mem.search("tea", user_id="u", limit="9" * 100_000)
        assert len(str(info.value)) < 200
