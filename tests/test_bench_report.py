"""report.json / report.html: self-contained SVG plots, and dataset + scale merged."""

from __future__ import annotations

import json
import xml.dom.minidom
from pathlib import Path

from engramdb import Memory
from engramdb.bench._html import bar_chart, line_chart, render_html
from engramdb.bench.harness import BenchConfig, run_benchmark, strip_per_question
from engramdb.bench.report import write_report
from engramdb.bench.scale import run_scale
from engramdb.formats import load_locomo

LOCOMO = Path(__file__).parent / "data" / "formats" / "locomo_mini.json"


def test_line_chart_is_valid_svg_with_gaps() -> None:
    svg = line_chart({"bm25": [(1, 0.1), (5, None), (10, 0.5)], "engram <x>": [(1, 0.2)]},
                     title="a & b", x_log=True, y_range=(0, 1))
    doc = xml.dom.minidom.parseString(svg)  # well-formed, names escaped
    assert doc.documentElement.tagName == "svg"
    assert len(doc.getElementsByTagName("polyline")) == 3  # bm25 split by the gap, + engram
    assert "engram &lt;x&gt;" in svg
    bars = bar_chart({"p50": {"bm25": 1.0, "dense": None}}, title="t")
    xml.dom.minidom.parseString(bars)


def _dataset_report(tmp_path: Path) -> dict:
    with Memory(tmp_path / "r.db", embedder="fake") as m:
        return run_benchmark(load_locomo(LOCOMO), m, BenchConfig(methods=("bm25", "engram")),
                             embedder="fake")


def test_html_is_self_contained(tmp_path: Path) -> None:
    report = _dataset_report(tmp_path)
    page = render_html(strip_per_question(report))
    # overall + 5 categories, sessions, latency, and the abstention curve of engram
    assert page.count("<svg") == 6 + 1 + 1 + 1
    assert "<h2>Abstention</h2>" in page
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert "5 adversarial" in page


def test_scale_and_dataset_reports_merge(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_report(out, strip_per_question(_dataset_report(tmp_path)))
    write_report(out, run_scale([100, 200], embedder="fake", queries=6, isolate=False,
                                methods=("hybrid", "engram")))
    merged = json.loads((out / "report.json").read_text())
    assert merged["dataset"] == "locomo" and "methods" in merged
    assert [r["n_turns"] for r in merged["scale"]["runs"]] == [100, 200]
    page = (out / "report.html").read_text()
    assert "Recall@k by category" in page and "latency vs corpus size" in page
    # a later dataset run keeps the scale section
    write_report(out, strip_per_question(_dataset_report(tmp_path / "again")))
    assert "scale" in json.loads((out / "report.json").read_text())
