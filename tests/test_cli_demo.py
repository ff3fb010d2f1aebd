"""`engram demo`: the packaged conversation, its questions, and a run under a minute."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engramdb import Memory
from engramdb.cli import main
from engramdb.demo import ingest_demo, load_demo


def test_packaged_conversation_is_consistent() -> None:
    demo = load_demo()
    assert len(demo.sessions) == 6 and 60 <= demo.turn_count <= 80
    assert 6 <= len(demo.questions) <= 8
    ids = {t.metadata["turn_id"] for s in demo.sessions for t in s.turns}
    assert all(e in ids for q in demo.questions for e in q.evidence)
    starts = [s.started_at for s in demo.sessions]
    assert starts == sorted(starts) and all(d.year == 2025 for d in starts)
    categories = {q.category for q in demo.questions}
    assert {"temporal", "knowledge_update", "multi_session", "abstention",
            "information_extraction"} <= categories


def test_ingest_is_idempotent(tmp_path: Path) -> None:
    with Memory(tmp_path / "d.db", embedder="fake") as m:
        assert ingest_demo(m) == ingest_demo(m) == m.stats().turns


def _demo_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    capsys.readouterr()
    assert main(["demo", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_json_answers_every_question(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ENGRAM_DB", raising=False)
    out = _demo_json(capsys, "--embedder", "fake", "--db", str(tmp_path / "demo.db"))
    demo = load_demo()
    assert [q["question"] for q in out["questions"]] == [q.question for q in demo.questions]
    assert all(len(q["hits"]) == 3 for q in out["questions"])
    assert out["turns"] == demo.turn_count and out["db"] == str(tmp_path / "demo.db")
    with Memory(tmp_path / "demo.db", embedder="fake") as m:  # --db keeps it to explore
        assert m.stats().turns == demo.turn_count


def test_demo_human_output(capsys, monkeypatch) -> None:
    monkeypatch.setenv("ENGRAM_DB", "/nonexistent/dir/never-written.db")  # demo ignores it
    assert main(["demo", "--embedder", "fake"]) == 0
    shown = capsys.readouterr().out
    assert "Where does Maya live now?" in shown and "2025-06-16" in shown
    assert "engram demo --db" in shown


@pytest.mark.slow
def test_demo_with_the_default_embedder(capsys, monkeypatch) -> None:
    """The newcomer's run: real minilm, offline, and useful hits (its speed is measured
    by running it, not asserted here: tests assert behaviour, never wall-clock time)."""
    monkeypatch.delenv("ENGRAM_EMBEDDER", raising=False)
    out = _demo_json(capsys)
    assert "minilm" in out["embedder"] and out["db"] is None
    answerable = [q for q in out["questions"] if q["evidence"]]
    assert [q["question"] for q in answerable if not q["evidence_in_top"]] == []
    assert "Denver" in out["profile"]["location"] and out["profile"]["employer"] == "Helio Health"
    unanswerable, = [q for q in out["questions"] if not q["evidence"]]
    assert unanswerable["abstained"] is True
    assert unanswerable["confidence"] < min(q["confidence"] for q in answerable)
    work = next(q for q in answerable if q["question"] == "Where does Maya work?")
    assert work["hits"][0]["text"] == "Maya works at Helio Health."  # the current fact first
