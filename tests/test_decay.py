"""Forgetting and reinforcement: the retention curve, recall strengthening, archive, capacity."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engramdb import Hit, InvalidInputError, Memory, Record
from engramdb.lifecycle.decay import (
    DecayPolicy,
    importance_signal,
    plan_archive,
    record_retention,
    reinforcement_gain,
    rescore,
    retention,
    stability,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
days = st.floats(min_value=0.001, max_value=10_000, allow_nan=False)
strengths = st.floats(min_value=0.01, max_value=10_000, allow_nan=False)


# ------------------------------------------------------------ pure function
def test_retention_is_ebbinghaus() -> None:
    assert retention(0, 5) == 1.0
    assert retention(5, 5) == pytest.approx(math.exp(-1))
    assert retention(-3, 5) == 1.0  # a memory from the future has not faded
    with pytest.raises(ValueError):
        retention(1, 0)


@given(t=days, s1=strengths, s2=strengths)
def test_a_stronger_memory_always_fades_more_slowly(t: float, s1: float, s2: float) -> None:
    weak, strong = sorted((s1, s2))
    if strong > weak:
        assert retention(t, strong) >= retention(t, weak)
        # not both saturated, and apart by more than rounding (10000 vs 9999.999999999998
        # days give the same float)
        if retention(t, weak) > 0 and retention(t, strong) < 1 and strong > weak * (1 + 1e-6):
            assert retention(t, strong) > retention(t, weak)


@given(t1=days, t2=days, s=strengths)
def test_retention_never_grows_with_time(t1: float, t2: float, s: float) -> None:
    early, late = sorted((t1, t2))
    assert 0.0 <= retention(late, s) <= retention(early, s) <= 1.0


@given(i1=st.floats(0, 1), i2=st.floats(0, 1), strength=st.floats(0.1, 100))
def test_importance_and_recalls_grow_stability(i1: float, i2: float, strength: float) -> None:
    low, high = sorted((i1, i2))
    assert stability(strength, high) >= stability(strength, low)
    assert stability(strength + 1, low) > stability(strength, low)


def _record(rid: str, *, when: datetime, strength: float = 1.0, importance: float = 0.5,
            recalled: datetime | None = None, valid_to: datetime | None = None) -> Record:
    return Record(id=rid, kind="memory", text=rid, user_id="u", timestamp=when, valid_from=when,
                  created_at=when, strength=strength, importance=importance,
                  last_recalled_at=recalled, valid_to=valid_to)


def test_recall_resets_the_clock_and_gain_shows_the_spacing_effect() -> None:
    old = _record("a" * 24, when=NOW - timedelta(days=365))
    fresh = _record("b" * 24, when=NOW - timedelta(days=365), recalled=NOW)
    assert record_retention(fresh, NOW) == 1.0 > record_retention(old, NOW)
    assert reinforcement_gain(fresh, NOW) == 0.0  # recalled just now: nothing to add
    assert 0.9 < reinforcement_gain(old, NOW) <= 1.0  # nearly forgotten: almost a full step


def test_rescore_prefers_fresh_and_current_but_only_mildly() -> None:
    fresh = _record("a" * 24, when=NOW - timedelta(days=1))
    faded = _record("b" * 24, when=NOW - timedelta(days=900))
    superseded = _record("c" * 24, when=NOW - timedelta(days=1), valid_to=NOW - timedelta(1))
    hits = [Hit(faded, 1.0), Hit(superseded, 1.0), Hit(fresh, 1.0)]
    ranked = rescore(hits, NOW)
    assert [h.record for h in ranked] == [fresh, faded, superseded]
    assert ranked[1].score >= 1.0 - DecayPolicy().rank_weight  # decay is a tie-breaker
    # a clearly better old hit stays ahead of a slightly worse fresh one
    ranked = rescore([Hit(_record("d" * 24, when=NOW - timedelta(days=900)), 1.0),
                      Hit(_record("e" * 24, when=NOW), 0.95)], NOW)
    assert ranked[0].record.id == "d" * 24
    # recalls help through stability, not by resetting the ranking clock
    recalled = _record("f" * 24, when=NOW - timedelta(days=20), strength=4.0, recalled=NOW)
    plain = _record("g" * 24, when=NOW - timedelta(days=20))
    assert [h.record for h in rescore([Hit(plain, 1.0), Hit(recalled, 1.0)], NOW)] == [
        recalled, plain]
    stale = _record("h" * 24, when=NOW - timedelta(days=3000), strength=2.0, recalled=NOW)
    older = _record("i" * 24, when=NOW - timedelta(days=3000))
    ranked = rescore([Hit(older, 1.0), Hit(stale, 1.0)], NOW)
    assert ranked[0].score == pytest.approx(ranked[1].score, abs=1e-6)  # both long faded
    # as of a past time nothing is re-ranked
    hits = [Hit(faded, 1.0), Hit(fresh, 1.0)]
    assert rescore(hits, NOW, historical=True) == hits


def test_importance_signal_weighs_facts_over_chitchat() -> None:
    fact = importance_signal("I'm allergic to peanuts and my wife is vegan.", "ana")
    plain = importance_signal("I went for a walk this morning.", "ana")
    chat = importance_signal("haha thanks!", "ana")
    assert fact > plain > chat
    assert importance_signal("I love Berlin, I live there.", "assistant") <= 0.5
    for text in ("ok", "I moved to Berlin.", "The weather is nice today."):
        assert 0.0 <= importance_signal(text) <= 1.0


def test_plan_archive_threshold_then_capacity_weakest_first() -> None:
    records = [
        _record("a" * 24, when=NOW - timedelta(days=3000)),  # faded
        _record("b" * 24, when=NOW - timedelta(days=10), importance=0.9),
        _record("c" * 24, when=NOW - timedelta(days=10), importance=0.1),
        _record("d" * 24, when=NOW - timedelta(days=1)),
        _record("e" * 24, when=NOW - timedelta(days=1), valid_to=NOW - timedelta(days=1)),
    ]
    plan = plan_archive(records, NOW, threshold=0.05, capacity=2)
    assert plan.faded == ["a" * 24]
    # superseded first, then the weakest of the current ones
    assert plan.over_capacity == ["e" * 24, "c" * 24]


# ------------------------------------------------------------ through Memory
def test_search_reinforces_its_top_hits(mem: Memory) -> None:
    rec = mem.add("My favourite tea is sencha.", user_id="ana", timestamp="2023-01-01")
    assert mem.get(rec.id, user_id="ana").last_recalled_at is None
    mem.search("favourite tea", user_id="ana")
    after = mem.get(rec.id, user_id="ana")
    assert after.last_recalled_at is not None and after.strength > rec.strength
    mem.search("favourite tea", user_id="ana")  # right away again: spacing effect
    assert mem.get(rec.id, user_id="ana").strength == pytest.approx(after.strength, abs=1e-3)


def test_reinforcement_can_be_turned_off(tmp_path) -> None:
    with Memory(tmp_path / "r.db", embedder="fake", reinforce=False) as mem:
        rec = mem.add("My favourite tea is sencha.", user_id="ana")
        mem.search("favourite tea", user_id="ana")
        same = mem.get(rec.id, user_id="ana")
        assert same.last_recalled_at is None and same.strength == rec.strength


def test_as_of_search_does_not_reinforce(mem: Memory) -> None:
    rec = mem.add("My favourite tea is sencha.", user_id="ana", timestamp="2023-01-01")
    mem.search("favourite tea", user_id="ana", as_of="2024-01-01")
    assert mem.get(rec.id, user_id="ana").last_recalled_at is None



def test_forget_preview_does_not_reinforce(mem: Memory) -> None:
    """forget's own search (dry run or not) must not strengthen what it is about to
    delete: a preview is not a recall."""
    keep = mem.add("My favourite tea is sencha.", user_id="ana", timestamp="2023-01-01")
    gone = mem.add("My old phone number is 555 0199.", user_id="ana", timestamp="2023-01-01")
    found = mem.forget("favourite tea", user_id="ana", dry_run=True, min_confidence=0.0)
    assert keep.id in [r.id for r in found]
    for rec in (keep, gone):
        same = mem.get(rec.id, user_id="ana")
        assert same.last_recalled_at is None and same.strength == rec.strength
    assert [r.id for r in mem.forget("phone number", user_id="ana", min_confidence=0.0,
                                     purge=False)] == [gone.id]
    same = mem.get(keep.id, user_id="ana")
    assert same.last_recalled_at is None and same.strength == keep.strength
    mem.search("favourite tea", user_id="ana")  # the control: a search does reinforce
    assert mem.get(keep.id, user_id="ana").last_recalled_at is not None


def test_decay_archives_faded_memories_without_deleting(mem: Memory) -> None:
    old = mem.add("I once tried skydiving.", user_id="ana", timestamp=NOW - timedelta(days=2000))
    new = mem.add("I'm learning the cello.", user_id="ana", timestamp=NOW - timedelta(days=2))
    preview = mem.decay(user_id="ana", now=NOW, dry_run=True)
    assert preview.faded == [old.id] and not mem.get(old.id, user_id="ana").archived
    plan = mem.decay(user_id="ana", now=NOW)
    assert plan.faded == [old.id]
    archived = mem.get(old.id, user_id="ana")
    assert archived.archived and mem.stats().records == 2  # kept
    assert old.id not in [h.id for h in mem.search("skydiving", user_id="ana")]
    assert new.id in [h.id for h in mem.search("cello", user_id="ana")]
    entry, = mem.audit(user_id="ana", actions="archive")
    assert entry.record_id == old.id and "retention" in entry.reason
    assert "retention" in entry.detail
    mem.restore(old.id, user_id="ana")
    assert old.id in [h.id for h in mem.search("skydiving", user_id="ana")]
    assert mem.audit(user_id="ana", limit=1)[0].action == "restore"


def test_decay_threshold_is_validated(mem: Memory) -> None:
    with pytest.raises(InvalidInputError):
        mem.decay(user_id="ana", threshold=2.0)
    with pytest.raises(InvalidInputError):
        mem.decay(user_id="ana", capacity=0)


def test_capacity_archives_the_weakest_first(tmp_path) -> None:
    with Memory(tmp_path / "c.db", embedder="fake", capacity=3, merge=False) as mem:
        texts = ["I collect stamps.", "I play chess on Sundays.", "I grow tomatoes.",
                 "I run marathons.", "I bake sourdough bread."]
        recs = [mem.add(t, user_id="ana", timestamp=NOW - timedelta(days=400 - 90 * i),
                        importance=0.5) for i, t in enumerate(texts)]
        active = [r for r in mem.list(user_id="ana")]
        assert len(active) == 3
        assert {r.id for r in active} == {r.id for r in recs[2:]}  # the oldest two went
        assert mem.stats().records == 5  # archived, not deleted
        assert len(mem.audit(user_id="ana", actions="archive")) == 2
        assert mem.add("I knit scarves.", user_id="bob").archived is False  # per user


def test_explicit_importance_is_kept_and_signal_fills_the_default(mem: Memory) -> None:
    assert mem.add("hello there", user_id="ana", importance=0.9).importance == 0.9
    assert mem.add("haha ok", user_id="ana").importance < 0.5
    assert mem.add("I'm allergic to shellfish.", user_id="ana").importance > 0.5
