"""The write pipeline: named steps every entry point runs; the extractor seam; facts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import numpy as np

from engramdb import InvalidInputError, Memory, Scope
from engramdb.write import STEPS, ExtractedFact, RuleExtractor, TurnInput
from engramdb.write.pipeline import WritePipeline, session_batch

T1 = datetime(2025, 1, 14, tzinfo=UTC)
T2 = datetime(2025, 8, 5, tzinfo=UTC)


def test_the_steps_are_named_and_ordered() -> None:
    assert STEPS == ("validate", "redact", "expand", "extract", "embed", "merge", "store",
                     "supersede")


@pytest.mark.parametrize("call", ["add", "add_many", "add_session", "import"])
def test_every_entry_point_runs_the_pipeline(mem: Memory, monkeypatch, call: str) -> None:
    ran: list[str] = []
    original = WritePipeline.steps

    def spy(self):
        return {name: (lambda b, n=name, f=fn: (ran.append(n), f(b))[1])
                for name, fn in original(self).items()}

    monkeypatch.setattr(WritePipeline, "steps", spy)
    if call == "add":
        mem.add("I live in Berlin.", user_id="u")
    elif call == "add_many":
        mem.add_many(["I live in Berlin.", "I like tea."], user_id="u")
    elif call == "add_session":
        mem.add_session([{"speaker": "u", "text": "I live in Berlin."}], user_id="u")
    else:
        from engramdb._models import ExportedRecord
        rec = Memory(":memory:", embedder="fake").add("hello", user_id="u")
        mem.add_exported([ExportedRecord(rec)])
    assert [s for s in STEPS if s in ran] == [s for s in ran if s in STEPS][:len(set(ran))]
    assert set(ran) == set(STEPS)


def test_validation_refuses_before_anything_is_written(mem: Memory) -> None:
    with pytest.raises(InvalidInputError):
        mem.add_many(["fine", ""], user_id="u")
    with pytest.raises(InvalidInputError):
        mem.add_session([{"speaker": "u", "text": "I live in Rome."}, {"text": 3}], user_id="u")
    assert mem.stats().records == 0


class _Fixed:
    """An extractor is one method: turns in, facts out."""

    name = "fixed"

    def __init__(self) -> None:
        self.seen: list[list[TurnInput]] = []

    def extract(self, turns):
        self.seen.append(list(turns))
        return [ExtractedFact("user", "employer", "Acme", (turns[0].id,), 0.9),
                ExtractedFact("user", "employer", "Nowhere", ("not-a-turn",), 0.9)]


def test_a_custom_extractor_plugs_in(tmp_path) -> None:
    fixed = _Fixed()
    with Memory(tmp_path / "m.db", embedder="fake", extractor=fixed) as m:
        turns = m.add_session([{"speaker": "ana", "text": "Hello there."},
                               {"speaker": "bot", "text": "Hi!"}], user_id="ana")
        assert [t.text for t in fixed.seen[0]] == ["Hello there.", "Hi!"]
        assert fixed.seen[0][0].owner == "user" and fixed.seen[0][1].owner is None
        fact, = m.list(user_id="ana", kinds=["fact"])  # the invented turn id is dropped
        assert fact.text == "ana works at Acme." and fact.metadata["extractor"] == "fixed"
        assert fact.metadata["source_turns"] == [turns[0].id]
        assert fact.timestamp == turns[0].timestamp


class _Broken:
    name = "broken"

    def extract(self, turns):
        raise RuntimeError("boom")


def test_a_failing_extractor_never_loses_the_turns(tmp_path) -> None:
    with Memory(tmp_path / "m.db", embedder="fake", extractor=_Broken()) as m:
        turns = m.add_session([{"speaker": "ana", "text": "I live in Oslo."}], user_id="ana")
        assert [r.id for r in m.list(user_id="ana")] == [turns[0].id]
        assert m.search("Oslo", user_id="ana")[0].id == turns[0].id


def test_without_an_extractor_turns_state_no_facts(tmp_path) -> None:
    with Memory(tmp_path / "m.db", embedder="fake", extractor=None) as m:
        m.add_session([{"speaker": "ana", "text": "I live in Oslo."}], user_id="ana")
        assert m.list(user_id="ana", kinds=["fact"]) == []
    with pytest.raises(InvalidInputError):
        Memory(":memory:", embedder="fake", extractor="magic")


def test_rule_extractor_reads_real_conversation_phrasing() -> None:
    said = {
        "I've been at Helio Health for a month now.": ("employer", "Helio Health"),
        "I'm writing from my new apartment in Highland, Denver.": ("location",
                                                                   "Highland, Denver"),
        "I got the Helio Health offer and I accepted!": ("employer", "Helio Health"),
        "My new manager, Priya, is great.": ("manager", "Priya"),
        # a pet's value keeps the kind of animal as said
        "He's a two-year-old beagle mix called Biscuit.": ("pet", "beagle Biscuit"),
        "I've been vegetarian for six years.": ("diet", "vegetarian"),
    }
    for text, (attribute, value) in said.items():
        turn = TurnInput("t1", text, "Maya", T1, "user")
        facts = RuleExtractor().extract([turn])
        assert (attribute, value, True) in {(f.attribute, f.value, f.polarity)
                                            for f in facts}, text
    ended = RuleExtractor().extract([TurnInput("t2", "I gave Fernwood my notice on Friday.",
                                               "Maya", T1, "user")])
    assert [(f.attribute, f.value, f.polarity) for f in ended] == [
        ("employer", "Fernwood", False)]


def test_a_turn_edit_reads_its_facts_again(mem: Memory) -> None:
    turn, = mem.add_session([{"speaker": "ana", "text": "I live in Lisbon."}], user_id="ana",
                            started_at=T1)
    mem.update(turn.id, "I live in Coimbra.", user_id="ana")
    facts = mem.list(user_id="ana", kinds=["fact"], include_superseded=True)
    assert [f.text for f in facts] == ["ana lives in Coimbra."]
    mem.delete(turn.id, user_id="ana")
    assert mem.list(user_id="ana", kinds=["fact"], include_superseded=True) == []


def test_profile_follows_conversation_updates(mem: Memory) -> None:
    mem.add_session([{"speaker": "Maya", "text": "I live in Portland and I work as a data "
                      "analyst at Fernwood Analytics."}], user_id="maya", started_at=T1)
    assert mem.profile(user_id="maya").location == "Portland"
    mem.add_session([{"speaker": "Maya", "text": "Hi again! I'm writing from my new apartment "
                      "in Highland, Denver. I've been at Helio Health for a month now."}],
                    user_id="maya", started_at=T2)
    profile = mem.profile(user_id="maya")
    assert profile.location == "Highland, Denver"
    assert profile.values("employer") == ["Helio Health"]
    reasons = sorted(e.reason.split()[0] for e in mem.audit(user_id="maya",
                                                            actions="supersede"))
    assert reasons == ["employer", "location"]


def _sessions(n: int) -> list[dict]:
    lines = ["I moved to Lisbon in March.", "We adopted a cat called Miso, she is two.",
             "Work is busy; I started as a nurse at the city hospital.", "ok thanks!",
             "My sister Ana lives in Porto and teaches maths at a school there."]
    return [{"user_id": f"u{i % 2}", "session_id": f"s{i}",
             "started_at": datetime(2025, 1, 1 + i, tzinfo=UTC),
             "turns": [{"speaker": "Maya" if j % 2 == 0 else "assistant",
                        "text": lines[(i + j) % len(lines)]} for j in range(3 + i % 4)]}
            for i in range(n)]


@pytest.mark.parametrize("embedder", ["minilm", "minilm-int8"])
def test_add_sessions_writes_what_add_session_writes_with_vectors_embedded_together(
        tmp_path, embedder: str) -> None:
    """A bulk write (add_sessions, engram import) embeds many sessions' turns in shared
    batches; what it stores equals one add_session per session: turns, facts, vectors
    (real model). fp32 vectors do not depend on what a text is batched with; int8's do a
    little (dynamic quantisation scales each batch by its own range: cosine >= 0.99)."""
    one, many = (Memory(tmp_path / f"{n}.db", embedder=embedder) for n in ("one", "many"))
    calls: list[int] = []
    real = many.embedder.embed_batch
    many.embedder.embed_batch = lambda texts: calls.append(len(texts)) or real(texts)
    with one, many:
        for s in _sessions(12):
            one.add_session(**s)
        for user in ("u0", "u1"):
            mine = [{k: v for k, v in s.items() if k != "user_id"}
                    for s in _sessions(12) if s["user_id"] == user]
            written = many.add_sessions(mine, user_id=user)
            assert [len(w) for w in written] == [len(s["turns"]) for s in mine]
        # 12 sessions of 2 users: one call for the first user's turns, one for the facts
        # found in them; the second user's texts are the same ones, found in the memory's
        # cache of record passages (MemoryVectors.passages)
        assert len(calls) == 2
        for user in ("u0", "u1"):
            a, b = (_stored(m, user) for m in (one, many))
            assert sorted(a) == sorted(b)
            cosines = [float(a[k] @ b[k]) for k in a]
            assert min(cosines) >= (0.99999 if embedder == "minilm" else 0.99)
            if embedder != "minilm":
                continue
            for q in ("where does Maya live?", "what is the cat's name?"):
                x, y = (m.search(q, user_id=user, method="dense", limit=5) for m in (one, many))
                assert [h.text for h in x] == [h.text for h in y]
                assert [h.score for h in x] == pytest.approx([h.score for h in y], abs=1e-5)


def _stored(m: Memory, user: str) -> dict[tuple, np.ndarray]:
    """Each turn and fact of ``user`` by (kind, session, position, text): its vector."""
    records = m.list(user_id=user, kinds=("turn", "fact"), limit=1000)
    vectors = m.store.vectors(Scope(user), [r.id for r in records])
    return {(r.kind, r.session_id, r.position, r.text): vectors[r.id] for r in records}


@pytest.mark.parametrize("call", ["add", "add_many", "add_session", "add_sessions"])
def test_every_write_goes_through_run_many(mem: Memory, monkeypatch, call: str) -> None:
    seen: list[int] = []
    original = WritePipeline.run_many
    monkeypatch.setattr(WritePipeline, "run_many",
                        lambda self, batches: seen.append(len(batches)) or original(self,
                                                                                   batches))
    turns = [{"speaker": "u", "text": "I live in Berlin."}]
    if call == "add":
        mem.add("I live in Berlin.", user_id="u")
    elif call == "add_many":
        mem.add_many(["I live in Berlin.", "I like tea."], user_id="u")
    elif call == "add_session":
        mem.add_session(turns, user_id="u")
    else:
        mem.add_sessions([{"turns": turns}, {"turns": turns, "session_id": "s2"}], user_id="u")
    assert seen == [2 if call == "add_sessions" else 1]


def test_import_writes_each_users_sessions_with_one_add_sessions(mem: Memory, tmp_path,
                                                                  monkeypatch) -> None:
    import json

    from engramdb._importer import import_file

    calls: list[tuple[str, list[str]]] = []
    original = Memory.add_sessions
    monkeypatch.setattr(Memory, "add_sessions", lambda self, sessions, **kw: calls.append(
        (kw["user_id"], [s["session_id"] for s in sessions])) or original(self, sessions, **kw))
    conv = {"speaker_a": "Al", "speaker_b": "Bo",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [{"speaker": "Al", "dia_id": "D1:1", "text": "I got a puppy!"}],
            "session_2_date_time": "10:00 am on 9 June, 2023",
            "session_2": [{"speaker": "Al", "dia_id": "D2:1", "text": "Rex is one now."}]}
    path = tmp_path / "l.json"
    path.write_text(json.dumps([{"sample_id": c, "conversation": conv, "qa": []}
                                for c in ("conv-1", "conv-2")]), encoding="utf-8")
    assert import_file(mem, path).records == 4
    assert calls == [("conv-1", ["session_1", "session_2"]),
                     ("conv-2", ["session_1", "session_2"])]


def test_add_sessions_refuses_bad_sessions_before_writing(mem: Memory) -> None:
    good = {"turns": [{"speaker": "u", "text": "I live in Rome."}]}
    for bad in ([good, {"turns": [{"text": " "}]}], [good, {"text": "no turns"}],
                [good, {"turns": [{"text": "hi"}], "user_id": "other"}], good,
                [good, {"turns": "hello"}]):
        with pytest.raises(InvalidInputError):
            mem.add_sessions(bad, user_id="u")  # type: ignore[arg-type]
    assert mem.stats().records == 0
    assert mem.add_sessions([], user_id="u") == []


def test_run_many_continues_a_session_and_refuses_before_writing(mem: Memory) -> None:
    first, later = _sessions(2)
    later["session_id"] = first["session_id"] = "same"
    later["user_id"] = first["user_id"]
    mem._pipeline.run_many([session_batch(**first), session_batch(**later)])
    turns = mem.list(user_id=first["user_id"], session_id="same", kinds=("turn",), limit=100)
    assert sorted(t.position for t in turns) == list(range(len(first["turns"])
                                                            + len(later["turns"])))
    before = mem.stats().records
    bad = _sessions(3)
    bad[2]["turns"][1]["text"] = "   "
    with pytest.raises(InvalidInputError):
        mem._pipeline.run_many([session_batch(**s) for s in bad])
    assert mem.stats().records == before  # the good sessions before it were not written
