"""`engram bench scale`: the synthetic corpus is deterministic and realistic, and a
tiny run reports every figure."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from engramdb import InvalidInputError
from engramdb.bench.scale import ScaleCorpus, parse_sizes, run_scale, run_scale_size
from engramdb.cli import main


def _dump(corpus: ScaleCorpus) -> list[tuple]:
    return [(s.user_id, s.session_id, s.started_at, [(t.speaker, t.text, t.metadata["turn_id"])
                                                     for t in s.turns])
            for s in corpus.sessions()]


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    a, b = ScaleCorpus(3000, seed=7), ScaleCorpus(3000, seed=7)
    assert _dump(a) == _dump(b)
    assert a.needles == b.needles and a.queries(40) == b.queries(40)
    assert _dump(ScaleCorpus(3000, seed=8)) != _dump(a)


def test_corpus_shape() -> None:
    corpus = ScaleCorpus(10_000, seed=0)
    sessions = list(corpus.sessions())
    turns = [t for s in sessions for t in s.turns]
    assert len(turns) == 10_000
    per_user = Counter(s.user_id for s in sessions for _ in s.turns)
    assert per_user[corpus.heavy_user] == 1000  # 10% heavy user
    assert len(per_user) == 1 + 18  # 9000 others / 500 per user
    assert all(1 <= len(s.turns) <= 30 for s in sessions)
    assert len({s.session_id for s in sessions}) == len(sessions)
    assert len({t.metadata["turn_id"] for t in turns}) == len(turns)
    words = [len(t.text.split()) for t in turns]
    assert 12 <= sum(words) / len(words) <= 25  # chat-like turn lengths
    assert min(words) >= 2 and max(words) <= 80
    # users interleave (sessions arrive round-robin), and each user's sessions move forward
    assert len({s.user_id for s in sessions[:19]}) == 19
    by_user: dict[str, list] = {}
    for s in sessions:
        by_user.setdefault(s.user_id, []).append(s.started_at)
    assert all(d == sorted(d) for d in by_user.values())
    # needles name a real turn of their user, and queries split between heavy and others
    ids = {t.metadata["turn_id"]: s.user_id for s in sessions for t in s.turns}
    assert corpus.needles and all(ids[n.turn_id] == n.user_id for n in corpus.needles)
    queries = corpus.queries(100)
    assert sum(q.user_id == corpus.heavy_user for q in queries) == 50


def test_small_corpus_without_heavy_user() -> None:
    corpus = ScaleCorpus(40, heavy_share=0.0)
    assert corpus.heavy_user is None and sum(n for _, n in corpus.users) == 40
    assert sum(len(s.turns) for s in corpus.sessions()) == 40
    with pytest.raises(InvalidInputError):
        ScaleCorpus(0)


def test_parse_sizes() -> None:
    assert parse_sizes("10000,100k") == [10_000, 100_000]
    assert parse_sizes(["2k", "1e3"]) == [2000, 1000]
    for bad in ("", "ten", "-5"):
        with pytest.raises(InvalidInputError):
            parse_sizes(bad)


def test_tiny_scale_run_in_process(tmp_path: Path) -> None:
    run = run_scale_size(200, embedder="fake", queries=20, db_path=tmp_path / "s.db")
    assert run["n_turns"] == 200 and run["embedder"] == "fake"
    assert run["ingest"]["turns_per_s"] > 0 and run["db_bytes"] > 0
    assert run["peak_rss_mb"] > 0
    assert set(run["methods"]) == {"bm25", "dense", "hybrid", "engram"}
    for entry in run["methods"].values():
        assert entry["latency_ms"]["p50"] > 0 and set(entry["latency_ms"]) >= {"p50", "p95"}
        assert 0.0 <= entry["needle_recall@10"] <= 1.0
    assert (tmp_path / "s.db").exists()  # kept when a path is given
    with pytest.raises(InvalidInputError, match="exists"):
        run_scale_size(200, embedder="fake", queries=5, db_path=tmp_path / "s.db")


def test_scale_in_a_child_process() -> None:
    report = run_scale([150], embedder="fake", queries=10, methods=("hybrid", "engram"))
    assert report["dataset"] == "scale" and report["scale"]["isolated_processes"]
    (run,) = report["scale"]["runs"]
    assert run["n_turns"] == 150 and set(run["methods"]) == {"hybrid", "engram"}
    assert "cpu" in report["machine"] and report["date"]


def test_scale_cli_json_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENGRAM_EMBEDDER", raising=False)
    out = tmp_path / "r"
    code = main(["bench", "scale", "--n", "120,240", "--embedder", "fake", "--queries", "8",
                 "--no-isolate", "--json", "--no-progress", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert [r["n_turns"] for r in data["scale"]["runs"]] == [120, 240]
    assert data["scale"]["embedder"] == "fake"
    page = (out / "report.html").read_text()
    assert "latency vs corpus size" in page and "<svg" in page


def test_a_corpus_built_once_is_searched_by_a_later_phase(tmp_path: Path) -> None:
    """--phase ingest builds the corpus at --db; --phase search only queries it, with
    the needles of the same corpus; synthetic vectors at the dimension asked."""
    db = tmp_path / "built.db"
    opts = {"embedder": "fake:48", "queries": 6, "methods": ("hybrid",), "db_path": db,
            "isolate": False}
    built = run_scale([300], phase="ingest", **opts)["scale"]["runs"][0]
    assert (tmp_path / "built-300.db").exists()  # x.db holds the size: x-300.db
    assert built["ingest"]["turns_per_s"] > 0 and "methods" not in built
    assert built["n_turns"] == 300 and built["sessions"] > 0
    searched = run_scale([300], phase="search", **opts)["scale"]["runs"][0]
    assert searched["ingest"]["seconds"] is None  # nothing ingested: the corpus was there
    assert searched["methods"]["hybrid"]["latency_ms"]["n"] == 6
    assert searched["methods"]["hybrid"]["needle_recall@10"] > 0
    with pytest.raises(InvalidInputError, match="exists"):
        run_scale([300], phase="ingest", **opts)
    with pytest.raises(InvalidInputError, match="--db"):
        run_scale([300], phase="search", **{**opts, "db_path": None})
    with pytest.raises(InvalidInputError, match="does not exist"):
        run_scale([300], phase="search", **{**opts, "db_path": tmp_path / "none.db"})


def test_embed_once_builds_the_same_corpus(tmp_path: Path) -> None:
    """--embed-once embeds each distinct sentence once: the same vectors, so the same hits,
    and the search phase of the corpus it built finds what a plain run finds."""
    opts = {"queries": 12, "methods": ("dense", "engram"), "isolate": False}
    run_scale([300], embedder="fake", phase="ingest", embed_once=True,
              db_path=tmp_path / "once.db", **opts)
    searched = run_scale([300], embedder="fake", phase="search", db_path=tmp_path / "once.db",
                         **opts)["scale"]["runs"][0]
    plain = run_scale([300], embedder="fake", **opts)["scale"]["runs"][0]
    for m in ("dense", "engram"):
        assert searched["methods"][m]["needle_recall@10"] == plain["methods"][m]["needle_recall@10"]


def test_tie_aware_ann_recall_counts_ties_at_the_cut() -> None:
    from engramdb.bench.scale import _tie_aware_hits
    from engramdb.store import Match

    want = [Match("a", 0.9, 0), Match("b", 0.8, 1), Match("c", 0.7, 2)]
    tie = [Match("a", 0.9, 0), Match("b", 0.8, 1), Match("c2", 0.7, 2)]  # same score as "c"
    worse = [Match("a", 0.9, 0), Match("b", 0.8, 1), Match("d", 0.69, 2)]
    assert _tie_aware_hits(tie, want) == 3
    assert _tie_aware_hits(worse, want) == 2
    assert _tie_aware_hits([], want) == 0 and _tie_aware_hits(tie, []) == 0
