"""Re-keying (`Memory.rekey`, `engram rekey`), derived records keyed with the memory's
key kinds, and the one definition of the graph's key kinds."""

from __future__ import annotations

import json

from engramdb import Memory, RecallConfig, Scope
from engramdb.recall.expand import BUILTIN_KINDS
from engramdb.recall.signals import SIGNALS
from engramdb.store import GRAPH_KEY_KINDS

SESSIONS = [
    ("s1", "2023-05-08T13:00:00Z", [
        {"speaker": "Mel", "text": "We took the kids to Riverfront Park last Saturday."},
        {"speaker": "Ana", "text": "Fun! Did Toby come along?"},
        {"speaker": "Mel", "text": "Yes, Toby loved the lake."}]),
    ("s2", "2023-06-01T09:00:00Z", [
        {"speaker": "Ana", "text": "How is the pottery going?"},
        {"speaker": "Mel", "text": "I made a bowl for Toby's water at the Clay Studio."}]),
]
QUESTIONS = ["Where did Mel take the kids?", "what did Mel make for Toby?", "pottery",
             "What happened on 6 May 2023?"]


def _fill(m: Memory) -> None:
    for sid, start, turns in SESSIONS:
        m.add_session(turns, user_id="u", session_id=sid, started_at=start)
    m.add("My sister lives in Porto.", user_id="u")


def _edges(m: Memory) -> set[tuple[str, str]]:
    texts = {r.id: r.text for r in m.list(user_id="u", include_superseded=True)}
    return {(texts[r], e) for r, e in m.store.mentions(Scope("u"))}


def _answers(m: Memory) -> list[list[tuple[str, float]]]:
    # reinforce=False where this is read: a search would strengthen what it returned
    return [[(h.text, round(h.score, 9)) for h in m.search(q, user_id="u", limit=5)]
            for q in QUESTIONS]


def test_rekey_writes_the_edges_a_graph_ingest_writes(tmp_path):
    graph = RecallConfig().with_signal("graph")
    with Memory(tmp_path / "g.db", embedder="fake", recall=graph, reinforce=False) as built:
        _fill(built)
        want_edges, want = _edges(built), _answers(built)
    with Memory(tmp_path / "d.db", embedder="fake") as plain:
        _fill(plain)
        assert _edges(plain) == set()  # the graph is off: no entity edges written
    with Memory(tmp_path / "d.db", embedder="fake", recall=graph, reinforce=False) as later:
        seen: list[tuple[int, int]] = []
        done = later.rekey(progress=lambda d, t: seen.append((d, t)))
        assert done == len(later.list(user_id="u", include_superseded=True)) and seen[-1] == (
            done, done)
        assert want_edges and _edges(later) == want_edges
        assert _answers(later) == want  # every key, lexical and graph, as an ingest builds it


def test_rekey_twice_with_the_defaults_changes_no_ranking(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake", reinforce=False) as m:
        _fill(m)
        before = _answers(m)
        assert m.rekey(user_id="u") == m.rekey(user_id="u") > 0
        assert _answers(m) == before
        assert m.rekey(user_id="nobody") == 0


def test_summaries_are_keyed_with_the_memorys_key_kinds(tmp_path):
    with Memory(tmp_path / "g.db", embedder="fake",
                recall=RecallConfig().with_signal("graph")) as m:
        _fill(m)
        m.consolidate(user_id="u")
        derived = {r.id for r in m.list(user_id="u", kinds=["summary"])}
        assert derived and derived & {r for r, _ in m.store.mentions(Scope("u"))}
    with Memory(tmp_path / "d.db", embedder="fake") as m:
        _fill(m)
        m.consolidate(user_id="u")
        assert m.store.mentions(Scope("u")) == []


def test_graph_key_kinds_are_the_non_lexical_key_kinds():
    kinds = {k for k in BUILTIN_KINDS} | {k for s in SIGNALS for k in s.needs}
    assert {k.name for k in kinds if not k.lexical} == GRAPH_KEY_KINDS


def test_cli_rekey(tmp_path, capsys, monkeypatch):
    from engramdb.cli import main

    monkeypatch.delenv("ENGRAM_USER", raising=False)
    db = str(tmp_path / "c.db")
    with Memory(db, embedder="fake") as m:
        _fill(m)
    assert main(["--db", db, "--embedder", "fake", "rekey", "--signal", "graph", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["records"] > 0 and "entity" in out["kinds"]
    with Memory(db, embedder="fake") as m:
        assert ("Yes, Toby loved the lake.", "toby") in _edges(m)
    assert main(["--db", db, "--embedder", "fake", "rekey", "--signal", "nonsense"]) != 0
    assert "unknown recall signal 'nonsense'" in capsys.readouterr().err
    assert main(["rekey", "--help"]) == 0
    assert "engram rekey --signal graph" in capsys.readouterr().out
