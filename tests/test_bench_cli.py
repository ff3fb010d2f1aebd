"""`engram bench` through the CLI: JSON shape, reports, bad input, databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_run import Result, run_cli

from engramdb import Memory

DATA = Path(__file__).parent / "data" / "formats"
LOCOMO = DATA / "locomo_mini.json"
LME = DATA / "longmemeval_mini.json"




@pytest.fixture
def engram(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """engram(*argv) with the fake embedder; ENGRAM_DB points at a file that must stay
    untouched (benchmarks use their own database unless --db is given)."""
    monkeypatch.setenv("ENGRAM_DB", str(tmp_path / "users-own.db"))
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    monkeypatch.delenv("ENGRAM_USER", raising=False)

    def run(*argv: str) -> Result:
        return run_cli(capsys, list(argv))

    yield run
    assert not (tmp_path / "users-own.db").exists()


def test_locomo_json_shape(engram) -> None:
    r = engram("bench", "locomo", str(LOCOMO), "--json", "--no-progress")
    assert r.code == 0, r.err
    data = r.json()  # exactly one JSON document on stdout
    assert data["dataset"] == "locomo"
    assert set(data) >= {"dataset", "methods", "ingest", "machine", "date", "questions",
                         "config", "embedder", "resources"}
    assert "per_question" not in data
    assert data["embedder"] == "fake"
    assert list(data["methods"]) == ["bm25", "dense", "hybrid", "engram"]
    for entry in data["methods"].values():
        assert set(entry) >= {"overall", "by_category", "latency_ms", "context_tokens@10"}
        assert isinstance(entry["overall"]["recall_all@10"], float)
        assert set(entry["by_category"]) == {"1", "2", "3", "4", "5"}
        assert set(entry["by_category"]["1"]) >= {"recall_all@10", "recall_any@5",
                                                  "ndcg_any@10", "session_recall_all@10"}
        assert set(entry["latency_ms"]) >= {"p50", "p95", "p99"}
    assert data["categories"]["1"] == "multi-hop"
    assert data["ingest"]["turns"] == 9 and data["ingest"]["turns_per_s"] > 0
    assert data["machine"]["cores"] >= 1


def test_depth_measures_deeper_candidates(engram) -> None:
    """--depth N asks each search for N hits and adds recall@100 and @N: the depth a
    ranking stage would have to reach (default runs stay at k <= 50)."""
    r = engram("bench", "locomo", str(LOCOMO), "--json", "--no-progress",
               "--method", "engram", "--depth", "120")
    assert r.code == 0, r.err
    data = r.json()
    assert data["config"]["retrieve"] == 120
    assert data["config"]["ks"] == [1, 5, 10, 20, 50, 100, 120]
    overall = data["methods"]["engram"]["overall"]
    # deeper cuts of one ranking never lose evidence
    assert overall["recall_all@10"] <= overall["recall_all@100"] <= overall["recall_all@120"]
    r = engram("bench", "locomo", str(LOCOMO), "--json", "--no-progress", "--method", "bm25")
    assert r.json()["config"]["ks"] == [1, 5, 10, 20, 50]
    r = engram("bench", "locomo", str(LOCOMO), "--no-progress", "--depth", "0")
    assert r.code == 2 and "--depth" in r.err


def test_terminal_table_and_methods(engram) -> None:
    r = engram("bench", "locomo", str(LOCOMO), "--method", "bm25,dense", "--method", "engram",
               "--no-progress")
    assert r.code == 0, r.err
    assert "bm25" in r.out and "engram" in r.out and "hybrid" not in r.out
    assert "multi-hop" in r.out and "recall_all@10" in r.out and "latency" in r.out


def test_progress_goes_to_stderr(engram) -> None:
    r = engram("bench", "locomo", str(LOCOMO), "--json", "--method", "bm25")
    assert r.code == 0
    json.loads(r.out)  # stdout stays one clean JSON document


def test_out_dir_writes_report_and_html(engram, tmp_path: Path) -> None:
    out = tmp_path / "report"
    r = engram("bench", "locomo", str(LOCOMO), "--out", str(out), "--no-progress",
               "--limit-questions", "4")
    assert r.code == 0, r.err
    report = json.loads((out / "report.json").read_text())
    assert report["questions"]["total"] == 4
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script" not in page
    assert "recall_all@k" in page
    rows = [json.loads(line) for line in (out / "questions.jsonl").read_text().splitlines()]
    assert len(rows) == 4 * 4 and {"qid", "method", "recall_all@10", "top"} <= set(rows[0])


def test_db_flag_keeps_the_benchmark_database(engram, tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    r = engram("bench", "longmemeval", str(LME), "--db", str(db), "--json", "--no-progress",
               "--conversations", "q_mini_02,q_mini_03")
    assert r.code == 0, r.err
    assert r.json()["db"] == str(db)
    with Memory(db, embedder="fake") as m:
        assert m.users() == ["q_mini_02", "q_mini_03"]


def test_truncated_json_names_the_file(engram, tmp_path: Path) -> None:
    bad = tmp_path / "cut.json"
    bad.write_text(LOCOMO.read_text()[:700])
    r = engram("bench", "locomo", str(bad), "--no-progress")
    assert r.code == 2
    assert str(bad) in r.err and "error" in r.err


def test_missing_field_names_item_and_field(engram, tmp_path: Path) -> None:
    data = json.loads(LOCOMO.read_text())
    del data[1]["qa"][0]["question"]
    bad = tmp_path / "noq.json"
    bad.write_text(json.dumps(data))
    r = engram("bench", "locomo", str(bad), "--no-progress")
    assert r.code == 2
    assert str(bad) in r.err and "item 1" in r.err and "qa[0].question" in r.err


def test_wrong_format_says_which_command(engram) -> None:
    r = engram("bench", "locomo", str(LME), "--no-progress")
    assert r.code == 2
    assert "longmemeval" in r.err and "engram bench longmemeval" in r.err


def test_missing_file_and_unknown_conversation(engram, tmp_path: Path) -> None:
    r = engram("bench", "locomo", str(tmp_path / "nope.json"), "--no-progress")
    assert r.code == 2 and "nope.json" in r.err
    assert "github.com/snap-research/locomo" in r.err  # where the data comes from
    r = engram("bench", "locomo", str(LOCOMO), "--conversations", "conv-404", "--no-progress")
    assert r.code == 2 and "conv-404" in r.err


def test_bad_method_and_half_llm_options(engram) -> None:
    r = engram("bench", "locomo", str(LOCOMO), "--method", "tfidf", "--no-progress")
    assert r.code == 2 and "unknown method 'tfidf'" in r.err
    r = engram("bench", "locomo", str(LOCOMO), "--llm-url", "http://127.0.0.1:9/v1",
               "--no-progress")
    assert r.code == 2 and "--llm-model" in r.err


def test_bench_without_benchmark_prints_usage(engram) -> None:
    r = engram("bench")
    assert r.code == 2 and "locomo" in r.err


def test_locomo_on_postgres_matches_sqlite(engram, pg_url: str) -> None:
    """--backend postgres (or a postgresql:// --db) runs the same benchmark on PostgreSQL;
    on this small file both backends rank the evidence alike."""
    sqlite = engram("bench", "locomo", str(LOCOMO), "--json", "--no-progress",
                    "--method", "engram")
    pg = engram("--db", pg_url, "bench", "locomo", str(LOCOMO), "--json", "--no-progress",
                "--method", "engram", "--backend", "postgres")
    assert sqlite.code == 0 and pg.code == 0, pg.err
    assert pg.json()["db"] == pg_url
    for key in ("recall_all@10", "recall_any@5"):
        assert (pg.json()["methods"]["engram"]["overall"][key]
                == pytest.approx(sqlite.json()["methods"]["engram"]["overall"][key], abs=0.01))


def test_locomo_own_postgres_server(engram) -> None:
    """Without --db, --backend postgres starts (and stops) a throwaway server."""
    r = engram("bench", "locomo", str(LOCOMO), "--json", "--no-progress",
               "--method", "bm25", "--backend", "postgres")
    assert r.code == 0, r.err
    assert r.json()["methods"]["bm25"]["overall"]["recall_all@10"] > 0


def test_backend_mismatch_is_a_clear_error(engram, tmp_path: Path) -> None:
    r = engram("--db", str(tmp_path / "x.db"), "bench", "locomo", str(LOCOMO),
               "--no-progress", "--backend", "postgres")
    assert r.code == 2 and "postgresql://" in r.err and "Traceback" not in r.err
    r = engram("bench", "locomo", str(LOCOMO), "--no-progress", "--backend", "postgres",
               "--ablation")
    assert r.code == 2 and "--ablation" in r.err
