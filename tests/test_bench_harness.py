"""The benchmark harness: hand-computed measures on a forced ranking, and end-to-end
runs on the mini fixtures through the real Memory (fake embedder)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from engramdb import InvalidInputError, Memory
from engramdb._models import Hit, Record, Turn, new_id
from engramdb.bench.harness import (
    BenchConfig,
    depth_ks,
    parse_methods,
    run_benchmark,
    select,
    strip_per_question,
)
from engramdb.formats import load_locomo, load_longmemeval

DATA = Path(__file__).parent / "data" / "formats"
LOCOMO = DATA / "locomo_mini.json"
LME = DATA / "longmemeval_mini.json"


class StubMemory:
    """Stores turns like Memory.add_session; search returns a forced ranking per method
    (the same ranking for every question of a conversation), as dataset turn ids."""

    def __init__(self, rankings: dict[str, dict[str, list[str]]]) -> None:
        self.rankings = rankings  # method -> conv id -> turn ids, best first
        self.records: dict[tuple[str, str], Record] = {}
        self.searches: list[tuple[str, str, int, str]] = []

    def add_session(self, turns: list[Turn], *, user_id: str, session_id: str | None = None,
                    started_at: Any = None) -> list[Record]:
        out = []
        for i, t in enumerate(turns):
            r = Record(id=new_id(), kind="turn", text=t.text, user_id=user_id,
                       session_id=session_id, speaker=t.speaker, position=i,
                       timestamp=t.timestamp, metadata=dict(t.metadata))
            self.records[(user_id, t.metadata["dia_id"])] = r
            out.append(r)
        return out

    def search(self, query: str, *, user_id: str, limit: int = 10,
               method: str = "engram") -> list[Hit]:
        self.searches.append((query, user_id, limit, method))
        ids = self.rankings.get(method, {}).get(user_id, [])
        return [Hit(self.records[(user_id, tid)], 1.0 / (i + 1))
                for i, tid in enumerate(ids[:limit])]


BM25_RANK = {"conv-mini-1": ["D1:1", "D2:1", "D1:3", "D2:2", "D2:3", "D2:4", "D1:2"],
             "conv-mini-2": ["D1:1", "D1:2"]}
DENSE_RANK = {c: list(reversed(r)) for c, r in BM25_RANK.items()}


@pytest.fixture
def stub_report() -> dict[str, Any]:
    stub = StubMemory({"bm25": BM25_RANK, "dense": DENSE_RANK})
    config = BenchConfig(methods=("bm25", "dense"), ks=(1, 2, 5))
    report = run_benchmark(load_locomo(LOCOMO), stub, config)
    report["_stub"] = stub
    return report


def test_forced_ranking_turn_measures_by_hand(stub_report: dict[str, Any]) -> None:
    # Gold (after the loader): conv-mini-1 q0 {D1:3} (cat 2), q1 {D1:1, D2:2} (cat 1),
    # q2 {D2:1} (cat 4), q3 {D2:1, D2:3} (cat 3; D9:99 skipped), q4 {D1:3} (cat 5),
    # q5 {D2:4} (cat 5), q6 no evidence (cat 4); conv-mini-2 q0 {D1:2} (cat 4).
    # bm25 ranks: conv 1: D1:1, D2:1, D1:3, D2:2, D2:3, D2:4, D1:2; conv 2: D1:1, D1:2.
    overall = stub_report["methods"]["bm25"]["overall"]
    assert overall["n"] == 6 and overall["n_scored"] == 5  # cats 1-4; q6 has no gold
    # gold ranks in overall: q0 3; q1 1,4; q2 2; q3 2,5; c2 2
    assert overall["recall_all@1"] == 0.0
    assert overall["recall_any@1"] == pytest.approx(1 / 5)  # q1 only
    assert overall["recall_all@2"] == pytest.approx(2 / 5)  # q2, c2
    assert overall["recall_any@2"] == pytest.approx(4 / 5)  # all but q0
    assert overall["recall_all@5"] == 1.0
    assert overall["recall_frac@2"] == pytest.approx((0 + .5 + 1 + .5 + 1) / 5)
    d = lambda r: 1 / math.log2(r + 1)
    ndcg5 = [d(3), (d(1) + d(4)) / (d(1) + d(2)), d(2), (d(2) + d(5)) / (d(1) + d(2)), d(2)]
    assert overall["ndcg_any@5"] == pytest.approx(sum(ndcg5) / 5, abs=1e-4)


def test_forced_ranking_sessions_categories_and_methods(stub_report: dict[str, Any]) -> None:
    bm25 = stub_report["methods"]["bm25"]
    # sessions by first appearance: conv 1 -> session_1, session_2; conv 2 -> session_1
    # gold sessions: q0 {s1}, q1 {s1, s2}, q2 {s2}, q3 {s2}, c2 {s1}
    assert bm25["overall"]["session_recall_all@1"] == pytest.approx(2 / 5)
    assert bm25["overall"]["session_recall_all@2"] == 1.0
    # category 5 is reported, but not in overall: q4 gold at rank 3, q5 at rank 6
    cat5 = bm25["by_category"]["5"]
    assert cat5["n"] == 2 and cat5["recall_all@2"] == 0.0 and cat5["recall_all@5"] == 0.5
    cat4 = bm25["by_category"]["4"]
    assert cat4["n"] == 3 and cat4["n_scored"] == 2 and cat4["recall_all@2"] == 1.0
    assert set(bm25["by_category"]) == {"1", "2", "3", "4", "5"}
    # the reversed ranking, side by side: only conv 2's gold D1:2 is in dense's top 2
    assert stub_report["methods"]["dense"]["overall"]["recall_all@2"] == pytest.approx(1 / 5)
    # context cost: whitespace tokens of "speaker: text" of the top-k turns
    stub = stub_report["_stub"]
    top5 = [stub.records[("conv-mini-1", t)] for t in BM25_RANK["conv-mini-1"][:5]]
    tokens = sum(len(f"{r.speaker}: {r.text}".split()) for r in top5)
    rows = [r for r in stub_report["per_question"]
            if r["method"] == "bm25" and r["conversation"] == "conv-mini-1"]
    assert all(r["context_tokens@5"] == tokens for r in rows)


def test_each_question_asked_once_per_method_for_top_50(stub_report: dict[str, Any]) -> None:
    searches = stub_report["_stub"].searches
    asked = [s for s in searches if s[1] != "engram-bench-warmup"]
    assert len(asked) == 8 * 2
    assert {s[2] for s in asked} == {50}
    assert [s[3] for s in asked[:4]] == ["bm25", "dense", "bm25", "dense"]
    latency = stub_report["methods"]["bm25"]["latency_ms"]
    assert set(latency) >= {"p50", "p95", "p99"} and latency["n"] == 8


def test_locomo_end_to_end_with_memory(tmp_path: Path) -> None:
    with Memory(tmp_path / "b.db", embedder="fake") as m:
        report = run_benchmark(load_locomo(LOCOMO), m, BenchConfig(), embedder="fake")
        assert m.users() == ["conv-mini-1", "conv-mini-2"]  # one scope per conversation
    assert list(report["methods"]) == ["bm25", "dense", "hybrid", "engram"]
    assert report["ingest"]["turns"] == 9 and report["ingest"]["sessions"] == 3
    assert report["questions"]["total"] == 8
    assert report["questions"]["skipped_evidence_ids"] == 1
    assert report["overall_categories"] == ["1", "2", "3", "4"]
    for entry in report["methods"].values():
        o = entry["overall"]
        for k in (1, 5, 10, 20, 50):
            assert 0.0 <= o[f"recall_all@{k}"] <= o[f"recall_any@{k}"] <= 1.0
        # nine turns in all: every gold turn is in the top 50 of dense (it ranks them all)
        assert entry["latency_ms"]["p50"] > 0
        assert entry["context_tokens@10"] > 0
    assert report["methods"]["dense"]["overall"]["recall_all@50"] == 1.0
    assert report["resources"]["peak_rss_mb"] > 0


def test_longmemeval_abstention_excluded_and_ndcg_variant(tmp_path: Path) -> None:
    with Memory(tmp_path / "b.db", embedder="fake") as m:
        report = run_benchmark(load_longmemeval(LME), m, BenchConfig(methods=("dense",)))
    assert report["config"]["ndcg_variant"] == "longmemeval"
    cats = report["methods"]["dense"]["by_category"]
    assert set(cats) == {"single-session-user", "multi-session", "single-session-assistant"}
    assert cats["single-session-user"]["n"] == 2  # q_mini_01 and q_mini_01_abs
    assert cats["single-session-user"]["n_scored"] == 1  # the _abs one is left out
    assert report["methods"]["dense"]["overall"]["n_scored"] == 3
    # every haystack is tiny: dense ranks all turns, so all gold sessions are in the top 50
    assert report["methods"]["dense"]["overall"]["session_recall_all@50"] == 1.0
    assert report["questions"]["abstention"] == 1


def test_select_conversations_and_limit() -> None:
    ds = load_locomo(LOCOMO)
    assert [c.conv_id for c in select(ds, ["conv-mini-2"]).conversations] == ["conv-mini-2"]
    limited = select(ds, None, 3)
    # spread over the conversations, then over each one's categories (not the first 3)
    assert limited.question_count == 3
    assert len(limited.conversations) == min(3, len(ds.conversations))
    first = select(ds, ["conv-mini-1"], 4).conversations[0].questions
    categories = {q.category for q in ds.conversations[0].questions}
    assert len({q.category for q in first}) == min(4, len(categories))
    assert select(ds, None, 8).question_count == 8
    with pytest.raises(InvalidInputError, match="no conversation conv-404"):
        select(ds, ["conv-404"])


def test_parse_methods() -> None:
    assert parse_methods(None) == ("bm25", "dense", "hybrid", "engram")
    assert parse_methods(["bm25,dense", "engram", "bm25"]) == ("bm25", "dense", "engram")
    assert parse_methods("all") == ("bm25", "dense", "hybrid", "engram")
    with pytest.raises(InvalidInputError, match="unknown method 'bm52'"):
        parse_methods(["bm52"])


def test_config_checks() -> None:
    with pytest.raises(InvalidInputError):
        BenchConfig(ks=(1, 100))
    with pytest.raises(InvalidInputError):
        BenchConfig(limit_questions=0)


def test_depth_ks() -> None:
    assert depth_ks(50) == (1, 5, 10, 20, 50)
    assert depth_ks(20) == (1, 5, 10, 20)
    assert depth_ks(100) == (1, 5, 10, 20, 50, 100)
    assert depth_ks(300) == (1, 5, 10, 20, 50, 100, 300)
    assert BenchConfig(retrieve=300, ks=depth_ks(300)).ks[-1] == 300


def test_strip_per_question(stub_report: dict[str, Any]) -> None:
    assert "per_question" in stub_report
    assert "per_question" not in strip_per_question(stub_report)
