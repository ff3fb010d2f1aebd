"""Ablation: the full ``engram`` method against itself with one technique changed at a time.

Every variant is a public configuration of :class:`engramdb.Memory` (the rows:
``bench/_variants.py``, one per registered recall signal plus the fusion and ingest knobs):

* **search-time** variants (``stage="search"``) pass another
  :class:`~engramdb.recall.pipeline.RecallConfig` (``Memory(path, recall=cfg)``) and
  search the same database as the full method;
* **ingest-time** variants (``stage="ingest"``) pass other
  :class:`~engramdb.recall.expand.ExpandOptions` (``Memory(path, expand=opts)``) and
  get a database of their own, ingested with the same turns.

Variants are built from the *current* defaults (:func:`default_variants`), so the
table always measures "the defaults minus one thing": a technique that is off by
default shows up as "engram plus X". All questions are asked of every variant,
interleaved per question as the four methods are, so load spikes hit all alike.

Two things differ from a plain ``engram bench`` run, both so that only the
technique moves a number: every memory runs with ``reinforce=False`` (a search
strengthening its hits cannot change the next variant's ranking), and ingest
variants reuse the vectors of the first ingest (:class:`SharedVectors`: the
same turn texts give the same vectors; queries are always embedded afresh).

``python -m engramdb.bench.ablation report.json`` prints the ablation and
abstention tables of a written report as Markdown (for ``BENCHMARKS.md``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._errors import InvalidInputError
from ..formats import Dataset
from ._machine import peak_rss_mb
from ._variants import Variant, default_variants, select_variants
from .harness import (
    BenchConfig,
    RowScorer,
    _is_locomo,
    _warm_up,
    categories_of,
    ingest,
    method_entry,
    question_base,
    retrieve,
    select,
    summarise,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from .._memory import Memory
    from ..embed import Embedder

__all__ = [
    "ABLATION_METRIC",
    "REFERENCE",
    "SharedVectors",
    "Variant",
    "ablation_block",
    "default_variants",
    "markdown",
    "run_ablation",
    "select_variants",
]

#: the measure of the table (and of every delta)
ABLATION_METRIC = "recall_all@10"
#: the row every delta is taken against: the full method with the defaults
REFERENCE = "engram"

class SharedVectors:
    """An embedder wrapper: while ``mode == "record"`` it remembers the vector of every
    text it embeds, while ``mode == "reuse"`` it serves remembered texts without
    embedding them again; ``"off"`` (queries) always embeds. Same name and dimension as
    the embedder it wraps, so the vectors are the same space."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.mode: Literal["off", "record", "reuse"] = "off"
        self._vectors: dict[str, np.ndarray] = {}
        self.reused = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if self.mode == "reuse":
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
            if missing:
                self._remember(missing, np.asarray(self.inner.embed_batch(missing)))
            self.reused += len(texts) - len(missing)
            return np.stack([self._vectors[t] for t in texts]) if texts else np.empty(
                (0, self.dim), dtype=np.float32)
        rows = np.asarray(self.inner.embed_batch(texts))
        if self.mode == "record":
            self._remember(texts, rows)
        return rows

    def _remember(self, texts: Sequence[str], rows: np.ndarray) -> None:
        for text, row in zip(texts, rows):
            self._vectors[text] = np.array(row, dtype=np.float32, copy=True)


# ------------------------------------------------------------------ running
def _open(path: Path, embedder: SharedVectors, variant: Variant | None) -> Memory:
    from .._memory import Memory

    return Memory(path, embedder=embedder, reinforce=False,
                  recall=variant.recall if variant is not None else None,
                  expand=variant.expand if variant is not None else None)


def variant_db_path(main_db: Path, name: str) -> Path:
    """Where an ingest variant's database lives: beside the main one."""
    return main_db.with_name(f"{main_db.stem}.ablation-{name}{main_db.suffix or '.db'}")


def run_ablation(dataset: Dataset, main_db: str | Path, embedder: str | Embedder,
                 config: BenchConfig | None = None, variants: Sequence[Variant] | None = None,
                 *, progress: Progress | None = None) -> dict[str, Any]:
    """Ingest ``dataset`` into ``main_db`` (and each ingest variant's database beside it),
    ask every question with every method of ``config`` and every variant, and return the
    usual report plus an ``"ablation"`` block (:func:`ablation_block`). ``engram`` is
    always among the methods: it is the reference row."""
    from ..embed import get_embedder

    config = config or BenchConfig()
    if config.qa is not None:
        raise InvalidInputError("an ablation run does not answer questions (drop --llm-*)")
    if 10 not in config.ks:
        raise InvalidInputError("an ablation run needs k=10 among the ks")
    if REFERENCE not in config.methods:
        config = replace(config, methods=(*config.methods, REFERENCE))
    variants = tuple(default_variants() if variants is None else variants)
    dataset = select(dataset, config.conversations, config.limit_questions)
    main_db = Path(main_db)
    shared = SharedVectors(get_embedder(embedder))
    wall = time.perf_counter()
    memories: dict[str, Memory] = {}
    try:
        main = memories[REFERENCE] = _open(main_db, shared, None)
        warm = _warm_up(main, config.methods)
        shared.mode = "record"
        ingest_summary, stored = ingest(main, dataset, progress)
        ingest_summary["warmup_seconds"] = round(warm, 3)
        stored_of: dict[str, dict[str, set[str]]] = {}
        variant_ingest: dict[str, dict[str, Any]] = {}
        for v in variants:
            if v.stage == "ingest":
                memories[v.name] = mem = _open(variant_db_path(main_db, v.name), shared, v)
                shared.mode = "reuse"
                summary, stored_of[v.name] = ingest(mem, dataset, progress,
                                                    label=f"ingest {v.name}")
                summary["vectors"] = "reused from the first ingest (same texts)"
                variant_ingest[v.name] = summary
            else:
                memories[v.name] = _open(main_db, shared, v)
                stored_of[v.name] = stored
        shared.mode = "off"
        for v in variants:
            _warm_up(memories[v.name], ("engram",))
        rows, variant_rows = _ask(dataset, config, main, memories, variants, stored, stored_of,
                                  progress)
    finally:
        for mem in memories.values():
            mem.close()
    variant_label = "standard" if _is_locomo(dataset) else "longmemeval"
    report = summarise(dataset, rows, config, ingest_summary, ndcg_variant=variant_label)
    report["embedder"] = shared.name
    categories = categories_of(dataset, rows)
    entries = {v.name: method_entry([r for r in variant_rows if r["variant"] == v.name],
                                    categories, locomo=_is_locomo(dataset), ks=config.ks,
                                    context_k=config.context_k) for v in variants}
    for name, summary in variant_ingest.items():
        entries[name]["ingest"] = summary
    report["ablation"] = ablation_block(report, entries, variants, rows + variant_rows)
    report["config"]["ablation"] = {
        "variants": [v.name for v in variants], "reinforce": False,
        "vectors": "ingest variants reuse the first ingest's vectors; queries embedded "
                   "per search"}
    report["resources"] = {"peak_rss_mb": peak_rss_mb(),
                           "wall_seconds": round(time.perf_counter() - wall, 2)}
    report["per_question"] = rows + variant_rows
    return report


def _ask(dataset: Dataset, config: BenchConfig, main: Memory, memories: Mapping[str, Memory],
         variants: Sequence[Variant], stored: Mapping[str, set[str]],
         stored_of: Mapping[str, Mapping[str, set[str]]], progress: Progress | None
         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    score = RowScorer(dataset, config)
    task = progress.add_task("questions", total=dataset.question_count) if progress else None
    rows: list[dict[str, Any]] = []
    variant_rows: list[dict[str, Any]] = []

    for conv, question in dataset.questions():
        base = question_base(conv, question)
        for method in config.methods:
            got = retrieve(main, conv.conv_id, question.question, method, config.retrieve)
            rows.append({**base, "method": method,
                         **score(question, got, stored.get(conv.conv_id))})
        for v in variants:
            got = retrieve(memories[v.name], conv.conv_id, question.question, "engram",
                           config.retrieve)
            variant_rows.append({**base, "method": "engram", "variant": v.name,
                                 **score(question, got, stored_of[v.name].get(conv.conv_id))})
        if progress is not None and task is not None:
            progress.advance(task)
    return rows, variant_rows


# ------------------------------------------------------------------ summary
def _row(name: str, label: str, stage: str, what: str, entry: Mapping[str, Any],
         ref: Mapping[str, Any], categories: Sequence[str], context_k: int) -> dict[str, Any]:
    def delta(a: Any, b: Any) -> float | None:
        return round(a - b, 4) if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            else None

    value = entry["overall"].get(ABLATION_METRIC)
    by_cat = {}
    for c in categories:
        mine = entry["by_category"].get(c, {})
        theirs = ref["by_category"].get(c, {})
        by_cat[c] = {ABLATION_METRIC: mine.get(ABLATION_METRIC),
                     "delta": delta(mine.get(ABLATION_METRIC), theirs.get(ABLATION_METRIC)),
                     "n_scored": mine.get("n_scored", 0)}
    ck = f"context_tokens@{context_k}"
    return {"name": name, "label": label, "stage": stage, "what": what,
            ABLATION_METRIC: value,
            "delta": delta(value, ref["overall"].get(ABLATION_METRIC)),
            "by_category": by_cat, ck: entry.get(ck),
            "latency_ms": dict(entry.get("latency_ms", {})),
            "overall": dict(entry["overall"])}


_BASELINE_WHAT = {"bm25": "plain BM25 over each turn's text",
                  "dense": "plain cosine over the turn embeddings",
                  "hybrid": "reciprocal rank fusion of bm25 and dense (k=60)"}


def _flips(rows: Sequence[Mapping[str, Any]], name: str, ref: Mapping[str, float | None],
           overall: Sequence[str] | None) -> dict[str, int]:
    """Questions of ``overall`` whose ``recall_all@10`` went 0 -> 1 (gained) or 1 -> 0
    (lost) against the full method: the paired count behind a small delta."""
    gained = lost = 0
    for r in rows:
        if _row_name(r) != name or (overall is not None and r["category"] not in overall):
            continue
        mine, theirs = r.get(ABLATION_METRIC), ref.get(r["qid"])
        if mine is None or theirs is None:
            continue
        gained += int(mine > theirs)
        lost += int(mine < theirs)
    return {"gained": gained, "lost": lost}


def _row_name(r: Mapping[str, Any]) -> str:
    return str(r.get("variant") or r["method"])


def ablation_block(report: Mapping[str, Any], entries: Mapping[str, Mapping[str, Any]],
                   variants: Sequence[Variant],
                   per_question: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The ``"ablation"`` block of a report.

    ``rows`` in table order: the plain baselines that ran (``stage="baseline"``), the
    full method (``"full"``), then every variant (``"search"`` / ``"ingest"``). Each
    row: ``name``, ``label``, ``stage``, ``what``, ``recall_all@10`` and ``delta``
    (against the full method), ``by_category`` (``{c: {recall_all@10, delta,
    n_scored}}`` for every category of the report), ``context_tokens@K``,
    ``latency_ms`` (p50/p95/p99/mean/n), ``overall`` (every measure); variants add
    ``settings`` (what differs from the defaults) and ingest variants ``ingest``. With
    ``per_question`` every row but the full one gets ``questions``: ``{gained, lost}``,
    the questions of the table's categories whose ``recall_all@10`` flipped.
    """
    methods = report["methods"]
    ref = methods[REFERENCE]
    context_k = report.get("config", {}).get("context_k", 10)
    first = next(iter(methods.values()))
    categories = list(first["by_category"])
    rows = [_row(m, m, "baseline", _BASELINE_WHAT.get(m, m), methods[m], ref, categories,
                 context_k) for m in methods if m != REFERENCE]
    rows.append(_row(REFERENCE, "engram (full, defaults)", "full",
                     "the full recall pipeline with the default configuration", ref, ref,
                     categories, context_k))
    for v in variants:
        row = _row(v.name, v.label, v.stage, v.what, entries[v.name], ref, categories,
                   context_k)
        row["settings"] = v.settings()
        if "ingest" in entries[v.name]:
            row["ingest"] = dict(entries[v.name]["ingest"])
        rows.append(row)
    overall_cats = report.get("overall_categories")
    table_cats = list(overall_cats) if isinstance(overall_cats, list) else list(categories)
    if per_question is not None:
        ref_of = {r["qid"]: r.get(ABLATION_METRIC) for r in per_question
                  if _row_name(r) == REFERENCE}
        scope = list(overall_cats) if isinstance(overall_cats, list) else None
        for row in rows:
            if row["stage"] != "full":
                row["questions"] = _flips(per_question, row["name"], ref_of, scope)
    return {
        "metric": ABLATION_METRIC,
        "reference": REFERENCE,
        "table_categories": table_cats,
        "rows": rows,
    }


# ----------------------------------------------------------------- markdown
def _f(v: Any, digits: int = 3) -> str:
    return "-" if v is None else (f"{v:.{digits}f}" if isinstance(v, float) else str(v))


def _d(v: Any) -> str:
    return "" if v is None else ("±0" if v == 0 else f"{v:+.3f}")


def markdown(report: Mapping[str, Any]) -> str:
    """The ablation table and the abstention curve of a report, as Markdown."""
    out: list[str] = []
    ab = report.get("ablation")
    if ab:
        cats = ab["table_categories"]
        names = report.get("categories") or {}
        ck = f"context_tokens@{report.get('config', {}).get('context_k', 10)}"
        head = ["variant", "stage", f"{ab['metric']} ({'-'.join([cats[0], cats[-1]])})", "Δ",
                "questions +/-",
                *[f"{c} {names.get(c, '')}".strip() for c in cats], "tokens@10",
                "p50 / p95 ms"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---", "---"] + ["---:"] * (len(head) - 2)) + "|")
        for r in ab["rows"]:
            lat = r.get("latency_ms", {})
            label = f"**{r['label']}**" if r["stage"] == "full" else r["label"]
            flips = r.get("questions")
            cells = [label, r["stage"], _f(r[ab["metric"]]),
                     "" if r["stage"] == "full" else _d(r["delta"]),
                     f"+{flips['gained']} / -{flips['lost']}" if flips else ""]
            for c in cats:
                cell = r["by_category"].get(c, {})
                cells.append(f"{_f(cell.get(ab['metric']))} ({_d(cell.get('delta'))})"
                             if r["stage"] != "full" else _f(cell.get(ab["metric"])))
            cells += [_f(r.get(ck), 0), f"{_f(lat.get('p50'), 1)} / {_f(lat.get('p95'), 1)}"]
            out.append("| " + " | ".join(cells) + " |")
    abst = report.get("abstention")
    if abst:
        if out:
            out.append("")
        out.append(f"{abst['method']}: {abst['n_answerable']} answerable, "
                   f"{abst['n_unanswerable']} unanswerable ({abst['unanswerable']}); AUROC "
                   f"{_f(abst['auroc'])}; mean confidence answerable "
                   f"{_f(abst['mean_confidence']['answerable'])}, unanswerable "
                   f"{_f(abst['mean_confidence']['unanswerable'])}")
        top = abst.get("top_hit")
        if top:
            out.append(f"answerable with evidence: best hit is evidence for "
                       f"{top['evidence_at_1']} of {top['n']}; AUROC {_f(top['auroc'])}")
        out.append("")
        out.append("| threshold | abstained | abstention precision | abstention recall | "
                   "answer recall |")
        out.append("|---:|---:|---:|---:|---:|")
        for row in abst["curve"]:
            out.append(f"| {row['threshold']} | {row['abstained']} | "
                       f"{_f(row['precision'], 4)} | {_f(row['recall'], 4)} | "
                       f"{_f(row['answer_recall'], 4)} |")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engramdb.bench.ablation",
        description="Print the ablation and abstention tables of a report.json as Markdown.")
    parser.add_argument("report", help="report.json written by engram bench --out")
    args = parser.parse_args(argv)
    data = json.loads(Path(args.report).read_text(encoding="utf-8"))
    text = markdown(data)
    if not text:
        print(f"{args.report}: no ablation or abstention block", file=sys.stderr)
        return 1
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
