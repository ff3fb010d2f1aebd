"""Abstention through the benchmark harness: Recall.confidence per question, labels from
the datasets (LoCoMo category 5, LongMemEval _abs), the curve in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engramdb import Memory
from engramdb.bench.abstain_report import THRESHOLDS as REPORTED
from engramdb.bench.abstain_report import abstention_summary, auroc, is_unanswerable
from engramdb.bench.harness import BenchConfig, run_benchmark
from engramdb.bench.report import render_terminal
from engramdb.cli import main
from engramdb.formats import load_locomo, load_longmemeval
from engramdb.recall.confidence import DEFAULT_ABSTAIN_BELOW, abstention_curve

DATA = Path(__file__).parent / "data" / "formats"
LOCOMO = DATA / "locomo_mini.json"
LME = DATA / "longmemeval_mini.json"
# every tenth and the fitted default threshold (marked in the terminal table)
THRESHOLDS = sorted({0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, DEFAULT_ABSTAIN_BELOW})


def test_auroc_by_hand() -> None:
    assert auroc([0.9, 0.8], [True, False]) == 1.0
    assert auroc([0.1, 0.8], [True, False]) == 0.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5  # a tie counts half
    # answerable 0.6, 0.4; unanswerable 0.5, 0.2: pairs won 2 + 1 of 4
    assert auroc([0.6, 0.4, 0.5, 0.2], [True, True, False, False]) == 0.75
    assert auroc([0.3], [True]) is None


def test_labels() -> None:
    assert is_unanswerable({"category": "5", "abstention": False}, locomo=True)
    assert not is_unanswerable({"category": "4", "abstention": False}, locomo=True)
    assert is_unanswerable({"category": "multi-session", "abstention": True}, locomo=False)
    assert not is_unanswerable({"category": "5", "abstention": False}, locomo=False)


def _rows(pairs: list[tuple[str, float]], method: str = "engram") -> list[dict[str, Any]]:
    return [{"method": method, "category": c, "abstention": False, "confidence": s}
            for c, s in pairs]


def test_summary_by_hand() -> None:
    rows = _rows([("1", 0.8), ("4", 0.35), ("2", 0.25), ("5", 0.2), ("5", 0.6)])
    rows += _rows([("1", 0.1), ("5", 0.9)], method="bm25")
    rows.append({"method": "engram", "variant": "no-dates", "category": "5",
                 "abstention": False, "confidence": 0.0})  # ablation rows are not counted
    s = abstention_summary(rows, locomo=True, methods=("bm25", "engram"))
    assert s is not None
    assert (s["n"], s["n_answerable"], s["n_unanswerable"]) == (5, 3, 2)
    assert s["curve"] == abstention_curve([0.8, 0.35, 0.25, 0.2, 0.6],
                                          [True, True, True, False, False], THRESHOLDS)
    at3 = next(r for r in s["curve"] if r["threshold"] == 0.3)
    # abstains on 0.25 (answerable) and 0.2 (unanswerable)
    assert at3["abstained"] == 2 and at3["precision"] == 0.5 and at3["recall"] == 0.5
    assert at3["answer_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["mean_confidence"] == {"answerable": pytest.approx(0.4667, abs=1e-4),
                                    "unanswerable": 0.4}
    assert list(s["mean_confidence_by_category"]) == ["1", "2", "4", "5"]
    # answerable 0.8, 0.35, 0.25 vs unanswerable 0.2, 0.6: won 2 + 1 + 1 of 6
    assert s["auroc"] == pytest.approx(4 / 6, abs=1e-4)
    assert s["by_method"]["bm25"]["auroc"] == 0.0
    assert s["default_threshold"] == DEFAULT_ABSTAIN_BELOW and list(REPORTED) == THRESHOLDS
    assert s["positive_class"] == "unanswerable"


def test_top_hit_separation_by_hand() -> None:
    rows = _rows([("1", 0.9), ("4", 0.7), ("4", 0.2), ("2", 0.4), ("5", 0.5)])
    for row, at1 in zip(rows, [1.0, 0.0, 0.0, None, 1.0]):
        row["recall_any@1"] = at1
    top = abstention_summary(rows, locomo=True)["top_hit"]  # type: ignore[index]
    # scored: 0.9 (evidence), 0.7 and 0.2 (not); the question without gold and category 5
    # are left out
    assert (top["n"], top["evidence_at_1"], top["auroc"]) == (3, 1, 1.0)
    assert top["mean_confidence"] == {"evidence": 0.9, "not_evidence": 0.45}


def test_summary_needs_engram_confidences_and_both_classes() -> None:
    assert abstention_summary(_rows([("1", 0.5), ("5", 0.1)], "bm25"), locomo=True,
                              methods=("bm25",)) is None
    assert abstention_summary(_rows([("1", 0.5), ("2", 0.1)]), locomo=True) is None
    plain = [{"method": "engram", "category": "5", "confidence": None},
             {"method": "engram", "category": "1", "confidence": None}]
    assert abstention_summary(plain, locomo=True) is None


def test_locomo_mini_end_to_end(tmp_path: Path) -> None:
    with Memory(tmp_path / "b.db", embedder="fake") as m:
        report = run_benchmark(load_locomo(LOCOMO), m, BenchConfig(), embedder="fake")
    ab = report["abstention"]
    assert ab["method"] == "engram" and "category 5" in ab["unanswerable"]
    assert (ab["n"], ab["n_answerable"], ab["n_unanswerable"]) == (8, 6, 2)
    assert [r["threshold"] for r in ab["curve"]] == THRESHOLDS
    for row in ab["curve"]:
        assert set(row) == {"threshold", "abstained", "precision", "recall", "answer_recall"}
    assert set(ab["by_method"]) == {"bm25", "dense", "hybrid", "engram"}
    # the curve is exactly the per-question confidences of engram, labelled by category
    mine = [r for r in report["per_question"] if r["method"] == "engram"]
    assert all(isinstance(r["confidence"], float) and 0 <= r["confidence"] <= 1 for r in mine)
    assert ab["curve"] == abstention_curve([r["confidence"] for r in mine],
                                           [r["category"] != "5" for r in mine], THRESHOLDS)
    top = ab["top_hit"]  # answerable questions with gold evidence (5 of the 6)
    assert top["n"] == 5 and 0 <= top["evidence_at_1"] <= 5
    assert top["evidence_at_1"] == sum(r["recall_any@1"] for r in mine
                                       if r["category"] != "5" and r["recall_any@1"] is not None)
    # a threshold above every confidence abstains on everything
    top = max(r["confidence"] for r in mine)
    expected = abstention_curve([r["confidence"] for r in mine],
                                [r["category"] != "5" for r in mine], [top + 1e-6])[0]
    assert expected["abstained"] == 8 and expected["recall"] == 1.0


def test_longmemeval_abs_questions_are_the_unanswerable(tmp_path: Path) -> None:
    with Memory(tmp_path / "b.db", embedder="fake") as m:
        report = run_benchmark(load_longmemeval(LME), m,
                               BenchConfig(methods=("hybrid", "engram")))
    ab = report["abstention"]
    assert (ab["n_answerable"], ab["n_unanswerable"]) == (3, 1)
    assert "_abs" in ab["unanswerable"]


def test_without_engram_no_abstention_block(tmp_path: Path) -> None:
    with Memory(tmp_path / "b.db", embedder="fake") as m:
        report = run_benchmark(load_locomo(LOCOMO), m, BenchConfig(methods=("bm25",)))
    assert "abstention" not in report


def test_terminal_and_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    assert main(["bench", "locomo", str(LOCOMO), "--json", "--no-progress",
                 "--method", "hybrid,engram"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["abstention"]["n_unanswerable"] == 2
    assert len(data["abstention"]["curve"]) == len(THRESHOLDS)
    console = Console(record=True, width=120)
    render_terminal(data, console)
    text = console.export_text()
    assert "abstention (engram)" in text and "AUROC" in text
    assert f"{DEFAULT_ABSTAIN_BELOW:g} *" in text
