"""Showing a benchmark report: rich tables on a terminal, ``report.json`` and a
self-contained ``report.html`` (inline SVG plots, no script, no external file)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ._html import render_html

__all__ = [
    "TABLE_METRICS",
    "category_label",
    "render_ablation_terminal",
    "render_abstention_terminal",
    "render_scale_terminal",
    "render_terminal",
    "write_report",
]

#: the rows of the terminal table (and of the HTML one), per category
TABLE_METRICS: tuple[str, ...] = (
    "recall_all@5", "recall_all@10", "recall_all@20", "recall_any@10", "ndcg_any@10",
    "session_recall_all@5", "session_recall_all@10",
)


def category_label(report: Mapping[str, Any], category: str) -> str:
    names = report.get("categories") or {}
    name = names.get(category)
    return f"{category} {name}" if name else category.replace("_", " ")


def _overall_label(report: Mapping[str, Any]) -> str:
    cats = report.get("overall_categories")
    if isinstance(cats, list) and cats:
        return f"overall ({cats[0]}-{cats[-1]})" if len(cats) > 1 else f"overall ({cats[0]})"
    return "overall"


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _blocks(report: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(label, category or None for overall) in display order."""
    methods = report["methods"]
    first = next(iter(methods.values()))
    out: list[tuple[str, str | None]] = [(_overall_label(report), None)]
    out += [(category_label(report, c), c) for c in first["by_category"]]
    return out


def _cell(entry: Mapping[str, Any], category: str | None) -> Mapping[str, Any]:
    return entry["overall"] if category is None else entry["by_category"].get(category, {})


def render_terminal(report: Mapping[str, Any], console: Console) -> None:
    """Methods side by side, per category: turn- and session-level recall, then cost."""
    methods = list(report["methods"])
    ingest = report.get("ingest", {})
    questions = report.get("questions", {})
    head = (f"[bold]{escape(str(report['dataset']))}[/] · {escape(str(report.get('file', '')))}"
            f" · {ingest.get('conversations', '?')} conversations, {ingest.get('turns', '?')} "
            f"turns, {questions.get('total', '?')} questions · embedder "
            f"{escape(str(report.get('embedder')))}")
    console.print(head)
    if report.get("categories"):
        names = ", ".join(f"{k} {v}" for k, v in report["categories"].items())
        console.print(f"categories: {names}; overall = categories "
                      f"{', '.join(report.get('overall_categories', []))} (5 reported apart)")
    table = Table(title="retrieval (turn level unless marked session; top-"
                        f"{report.get('config', {}).get('retrieve', 50)} per question)",
                  title_justify="left")
    table.add_column("category", style="bold")
    table.add_column("metric")
    for m in methods:
        table.add_column(m, justify="right")
    for label, category in _blocks(report):
        cells = {m: _cell(report["methods"][m], category) for m in methods}
        n = next(iter(cells.values())).get("n_scored", 0)
        for i, metric in enumerate(TABLE_METRICS):
            values = [cells[m].get(metric) for m in methods]
            best = max((v for v in values if isinstance(v, (int, float))), default=None)
            shown = [f"[bold green]{_fmt(v)}[/]" if v is not None and v == best and
                     len(methods) > 1 else _fmt(v) for v in values]
            name = metric.replace("session_", "session ")
            table.add_row(escape(label) if i == 0 else (f"[dim]n={n}[/]" if i == 1 else ""),
                          name, *shown)
        table.add_section()
    console.print(table)
    cost = Table(title="cost", title_justify="left")
    cost.add_column("")
    for m in methods:
        cost.add_column(m, justify="right")
    entries = [report["methods"][m] for m in methods]
    for p in ("p50", "p95", "p99"):
        cost.add_row(f"search latency {p} (ms)", *[_fmt(e["latency_ms"].get(p), 1)
                                                  for e in entries])
    ck = report.get("config", {}).get("context_k", 10)
    cost.add_row(f"context tokens@{ck} (whitespace)",
                 *[_fmt(e.get(f"context_tokens@{ck}"), 0) for e in entries])
    if any("qa" in e for e in entries):
        qa = [e.get("qa", {}) for e in entries]
        cost.add_row("QA F1 (LoCoMo scorer)", *[_fmt(q.get("qa_f1")) for q in qa])
        cost.add_row("QA LLM judge", *[_fmt(q.get("qa_judge")) for q in qa])
    console.print(cost)
    res = report.get("resources", {})
    console.print(
        f"ingest: {ingest.get('turns')} turns in {_fmt(ingest.get('seconds'), 2)} s "
        f"({_fmt(ingest.get('turns_per_s'), 1)} turns/s; model warm-up "
        f"{_fmt(ingest.get('warmup_seconds'), 2)} s apart) · peak RSS "
        f"{_fmt(res.get('peak_rss_mb'), 0)} MB · wall {_fmt(res.get('wall_seconds'), 1)} s · "
        f"skipped evidence ids {questions.get('skipped_evidence_ids', 0)}")
    if report.get("abstention"):
        render_abstention_terminal(report, console)
    if report.get("ablation"):
        render_ablation_terminal(report, console)


def _delta(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    if value == 0:
        return "[dim]±0[/]"
    return f"[green]{value:+.3f}[/]" if value > 0 else f"[red]{value:+.3f}[/]"


def render_abstention_terminal(report: Mapping[str, Any], console: Console) -> None:
    """The abstention curve of the ``engram`` method (positive class: unanswerable)."""
    ab = report["abstention"]
    mean = ab.get("mean_confidence", {})
    table = Table(title=f"abstention ({escape(str(ab['method']))}): abstain when confidence < "
                        f"threshold; unanswerable = {escape(str(ab['unanswerable']))}",
                  title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
                  collapse_padding=True)
    for col in ("threshold", "abstained", "abstain precision", "abstain recall",
                "answer recall"):
        table.add_column(col, justify="right")
    for row in ab["curve"]:
        mark = " *" if row["threshold"] == ab.get("default_threshold") else ""
        table.add_row(f"{row['threshold']:g}{mark}", str(row["abstained"]),
                      _fmt(row["precision"]), _fmt(row["recall"]), _fmt(row["answer_recall"]))
    console.print(table)
    others = ", ".join(f"{m} {_fmt(v.get('auroc'))}" for m, v in ab.get("by_method", {}).items()
                       if m != ab["method"])
    console.print(
        f"{ab['n_answerable']} answerable, {ab['n_unanswerable']} unanswerable · mean "
        f"confidence {_fmt(mean.get('answerable'))} vs {_fmt(mean.get('unanswerable'))} · "
        f"AUROC {_fmt(ab.get('auroc'))} (0.5 = chance)"
        + (f" · other methods' AUROC: {others}" if others else "")
        + " · * = Recall.abstained's default threshold")
    top = ab.get("top_hit")
    if top:
        tm = top.get("mean_confidence", {})
        console.print(
            f"answerable questions with evidence: best hit is an evidence turn for "
            f"{top['evidence_at_1']} of {top['n']}; confidence tells them apart with AUROC "
            f"{_fmt(top.get('auroc'))} (mean {_fmt(tm.get('evidence'))} vs "
            f"{_fmt(tm.get('not_evidence'))})", highlight=False)


_SHORT = {"single-session-user": "ss-user", "single-session-assistant": "ss-asst",
          "single-session-preference": "ss-pref", "multi-session": "multi",
          "temporal-reasoning": "temporal", "knowledge-update": "update"}


def _short(category: str) -> str:
    """A column-wide name for a long category (LongMemEval's question types)."""
    return _SHORT.get(category, category if len(category) <= 10 else category[:9] + "…")


def render_ablation_terminal(report: Mapping[str, Any], console: Console) -> None:
    """One row per variant: the measure overall (with its change against the full
    method) and per category, then cost. Per-category changes are in the JSON/HTML."""
    ab = report["ablation"]
    metric = ab["metric"]
    cats = ab["table_categories"]
    ck = f"context_tokens@{report.get('config', {}).get('context_k', 10)}"
    table = Table(title=f"ablation: {metric} (Δ against engram with the defaults)",
                  title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 0), pad_edge=False,
                  collapse_padding=True)
    table.add_column("variant", style="bold", no_wrap=True)
    table.add_column(metric.replace("recall_", ""), justify="right", no_wrap=True)
    table.add_column("Δ", justify="right", no_wrap=True)
    table.add_column("+/-", justify="right", no_wrap=True)
    for c in cats:
        table.add_column(f"cat {c}" if c.isdigit() else escape(_short(c)), justify="right",
                         no_wrap=True)
    table.add_column("tok", justify="right", no_wrap=True)
    table.add_column("p50", justify="right", no_wrap=True)
    table.add_column("p95", justify="right", no_wrap=True)
    stage = None
    for row in ab["rows"]:
        if stage is not None and row["stage"] != stage:
            table.add_section()
        stage = row["stage"]
        lat = row.get("latency_ms", {})
        table.add_row(escape(row["name"]), _fmt(row.get(metric)),
                      "" if row["stage"] == "full" else _delta(row.get("delta")),
                      f"+{row['questions']['gained']}/-{row['questions']['lost']}"
                      if row.get("questions") else "",
                      *[_fmt(row["by_category"].get(c, {}).get(metric)) for c in cats],
                      _fmt(row.get(ck), 0), _fmt(lat.get("p50"), 1), _fmt(lat.get("p95"), 1))
    console.print(table)
    names = report.get("categories") or {}
    legend = [f"{c} {names[c]}" for c in cats if c in names] + [
        f"{_short(c)} = {c}" for c in cats if c not in names and _short(c) != c]
    console.print((f"categories: {', '.join(legend)}; " if legend else "")
                  + f"+/- = questions gained/lost against engram; tok = {escape(ck)}; "
                  "p50/p95 = search latency, ms", highlight=False)
    for row in ab["rows"]:
        if row["stage"] in ("search", "ingest"):
            console.print(f"[bold]{escape(row['name'])}[/] ({row['stage']}): "
                          f"{escape(row['label'])}: {escape(row['what'])}", highlight=False)
    console.print("search-stage variants search the same database as engram; ingest-stage "
                  "variants have their own (vectors reused); every memory runs with "
                  "reinforce=False", highlight=False)


def render_scale_terminal(report: Mapping[str, Any], console: Console) -> None:
    scale = report["scale"]
    console.print(f"[bold]scale[/] · embedder {escape(str(scale['embedder']))} · seed "
                  f"{scale['seed']} · {scale['queries_per_size']} queries per size, "
                  f"half on the heavy user ({int(scale['heavy_share'] * 100)}% of turns)")
    table = Table(title="ingest and footprint", title_justify="left", box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False, collapse_padding=True)
    for col in ("turns", "backend", "users", "sessions", "heavy", "ingest s", "turns/s",
                "db MB", "B/turn", "RSS MB"):
        table.add_column(col, justify="right", no_wrap=True)
    for run in scale["runs"]:
        table.add_row(f"{run['n_turns']:,}", run.get("backend", "sqlite"), str(run["users"]), _fmt(run.get("sessions")),
                      _fmt(run.get("heavy_user_turns")), _fmt(run["ingest"]["seconds"], 1),
                      _fmt(run["ingest"]["turns_per_s"], 1), _fmt(run["db_mb"], 1),
                      str(run["bytes_per_turn"]), _fmt(run["peak_rss_mb"], 0))
    console.print(table)
    console.print("heavy = turns of the heavy user; B/turn = bytes on disk per turn; RSS = peak "
                  "resident memory of the process that ran the size")
    lat = Table(title="search latency (ms, warm) and needle recall@10", title_justify="left",
                box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    for col in ("turns", "backend", "method", "p50", "p95", "p99", "heavy p50", "heavy p95",
                "needle@10"):
        lat.add_column(col, justify="right", no_wrap=True)
    for run in scale["runs"]:
        for i, (m, e) in enumerate(run.get("methods", {}).items()):
            lat.add_row(f"{run['n_turns']:,}" if i == 0 else "",
                        run.get("backend", "sqlite") if i == 0 else "", m,
                        _fmt(e["latency_ms"].get("p50"), 1), _fmt(e["latency_ms"].get("p95"), 1),
                        _fmt(e["latency_ms"].get("p99"), 1),
                        _fmt(e["heavy_user_latency_ms"].get("p50"), 1),
                        _fmt(e["heavy_user_latency_ms"].get("p95"), 1),
                        _fmt(e.get("needle_recall@10")))
        lat.add_section()
    console.print(lat)
    cold = ", ".join(f"{r['n_turns']:,}: p50 {_fmt(r['cold_first_search_ms'].get('p50'), 1)} ms"
                     for r in scale["runs"] if "cold_first_search_ms" in r)
    console.print(f"first search of a user (loads its vectors; not in the table): {cold}")


def write_report(directory: str | Path, report: Mapping[str, Any],
                 per_question: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Path]:
    """Write ``report.json`` and ``report.html`` (and ``questions.jsonl``) into
    ``directory``. A scale report and a dataset report in the same directory are
    merged: the HTML then shows recall and latency-versus-size together."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    merged = dict(report)
    old_path = out / "report.json"
    if old_path.exists():
        try:
            old = json.loads(old_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if isinstance(old, dict):
            if "scale" in report and "methods" not in report and "methods" in old:
                merged = {**old, "scale": report["scale"]}
            elif "methods" in report and "scale" in old:
                merged["scale"] = old["scale"]
    paths = {"json": old_path, "html": out / "report.html"}
    old_path.write_text(json.dumps(merged, indent=2, ensure_ascii=False, default=str) + "\n",
                        encoding="utf-8")
    paths["html"].write_text(render_html(merged), encoding="utf-8")
    if per_question is not None:
        paths["questions"] = out / "questions.jsonl"
        with paths["questions"].open("w", encoding="utf-8") as fh:
            for row in per_question:
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    return paths
