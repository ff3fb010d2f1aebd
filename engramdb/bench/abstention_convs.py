"""Confidence on conversations: fit and measure abstention where questions are asked.

The shipped confidence (:mod:`engramdb.recall.confidence`) is a logistic model of hit
features. This module collects the features of every hit of every question from:

* ``standalone`` – the hand-written labelled set of stand-alone memories
  (``bench/data/abstention.jsonl``, one group per user);
* ``updates-dev`` / ``updates-heldout`` / ``updates-fresh`` – the update benchmark's
  conversations (``bench.update_convs``; one group per persona): current- and
  previous-value questions are answerable (a hit is relevant when it holds the value),
  the never-said ones are not;
* ``locomo-dev`` – LoCoMo dev (one group per conversation): categories 1-4 answerable
  (a hit is relevant when it is an evidence turn), category 5 not.

It fits the model on the ``--fit-on`` sources (default: standalone, updates-dev and
locomo-dev), and reports abstention AUROC (answerable scored above unanswerable;
update sets: current-value questions against never-said ones, as
``engram bench updates`` does) twice: with the model fitted on everything
(tuned: in-sample for the fit sources) and leave-one-group-out (each conversation,
persona or user scored by a model fitted without it: the honest figure). Sources not
fitted on are out of sample either way. ``--write`` stores the fitted coefficients
for the embedder in ``engramdb/recall/data/confidence.json``.

    python -m engramdb.bench.abstention_convs --embedder minilm \\
        --locomo ../shared/benchdata/locomo/locomo-dev.json --write
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..recall.confidence import (
    FEATURES,
    LEXICAL_FEATURES,
    MODELS_PATH,
    ABSENCE_ZEROES,
    PREMISE_SCALES,
    abstention_curve,
    fit_logistic,
)
from .abstain_report import auroc

__all__ = ["Asked", "collect_all", "evaluate", "fit_models", "main"]

LIMIT = 10  # hits per question, as `search` returns by default
FIT_ON = ("standalone", "updates-dev", "locomo-dev")
THRESHOLDS = tuple(round(0.1 * i, 1) for i in range(1, 10))


@dataclass(slots=True)
class Asked:
    """One question, its hits' features and whether each hit answers it."""

    source: str
    group: str
    kind: str  # answerable | unanswerable | history (update sets) | category (LoCoMo)
    answerable: bool
    features: list[dict[str, float]]
    relevant: list[bool]


# ------------------------------------------------------------------ collect
def _standalone(embedder: str) -> list[Asked]:
    from .abstention import collect, load_set

    return [Asked("standalone", ex.user, "answerable" if ex.answerable else "unanswerable",
                  ex.answerable, ex.features, ex.relevant)
            for ex in collect(load_set(), embedder, limit=LIMIT)]


def _updates(embedder: str, split: str) -> list[Asked]:
    from .. import Memory
    from .update_convs import generate, ingest

    out: list[Asked] = []
    with Memory(":memory:", embedder=embedder) as memory:
        for p in generate(split):
            ingest(memory, p)
            user = f"{p.split}-{p.name.lower()}"
            for q in p.questions:
                if q.kind == "when":  # names the new value: answerable by construction
                    continue
                hits = memory.search(q.question, user_id=user, limit=LIMIT)
                want = (q.expect or "").lower()
                out.append(Asked(f"updates-{split}", user, q.kind, q.kind != "unanswerable",
                                 [dict(h.features) for h in hits],
                                 [bool(want) and want in h.record.text.lower() for h in hits]))
    return out


def _locomo(embedder: str, path: str) -> list[Asked]:
    from .. import Memory
    from ..formats.locomo import load_locomo
    from .harness import ingest, turn_id_of

    data = load_locomo(path)
    out: list[Asked] = []
    with Memory(":memory:", embedder=embedder) as memory:
        ingest(memory, data)
        for conv, q in data.questions():
            hits = memory.search(q.question, user_id=conv.conv_id, limit=LIMIT)
            gold = set(q.evidence_turns)
            out.append(Asked("locomo-dev", conv.conv_id, q.category, q.category != "5",
                             [dict(h.features) for h in hits],
                             [turn_id_of(h) in gold for h in hits]))
    return out


def collect_all(embedder: str, locomo: str | None,
                splits: Sequence[str] = ("dev", "heldout", "fresh")) -> list[Asked]:
    out = _standalone(embedder)
    for split in splits:
        out += _updates(embedder, split)
    if locomo:
        out += _locomo(embedder, locomo)
    return out


# ---------------------------------------------------------------------- fit
def _matrix(asked: Sequence[Asked], names: Sequence[str], per_question: bool = False
            ) -> tuple[np.ndarray, np.ndarray]:
    """One row per returned hit labelled "it holds the answer" (what ships), or with
    ``per_question`` one per question: its best hit's features, labelled answerable."""
    if per_question:
        rows = [[a.features[0].get(n, 0.0) for n in names] for a in asked if a.features]
        labels = [float(a.answerable) for a in asked if a.features]
    else:
        rows = [[f.get(n, 0.0) for n in names] for a in asked for f in a.features]
        labels = [float(r) for a in asked for r in a.relevant]
    return np.array(rows, dtype=float).reshape(-1, len(names)), np.array(labels)


def fit_models(asked: Sequence[Asked], features: Sequence[str] = FEATURES,
               l2: float = 1.0, per_question: bool = False) -> dict[str, dict[str, float]]:
    """The full and lexical-only models (see :func:`_matrix` for the examples)."""
    out: dict[str, dict[str, float]] = {}
    for model, names in (("full", features), ("lexical", LEXICAL_FEATURES)):
        x, y = _matrix(asked, names, per_question)
        bias, weights = fit_logistic(x, y, l2=l2)
        out[model] = {"bias": round(bias, 3), **{n: round(float(w), 3)
                                                  for n, w in zip(names, weights)}}
    return out


def score(a: Asked, model: dict[str, float], premise_scales: bool = PREMISE_SCALES,
          absence_zeroes: bool = ABSENCE_ZEROES) -> float:
    """The question's confidence as the engine computes it: its best hit's probability
    times the rules of ``recall.confidence.context_factor``."""
    best = 0.0
    for f in a.features:
        z = model["bias"] + sum(w * f.get(n, 0.0) for n, w in model.items() if n != "bias")
        p = 1.0 / (1.0 + np.exp(-z))
        if absence_zeroes and f.get("absent", 0.0) >= 1.0:  # nothing asked was ever said
            p = 0.0
        elif premise_scales:
            p *= f.get("premise", 1.0)
        best = max(best, float(p))
    return best


# ----------------------------------------------------------------- evaluate
def _measured(a: Asked) -> bool:
    """Whether an AUROC is taken over the question: update sets compare current-value
    questions with never-said ones (as `engram bench updates`); others take all."""
    return not a.source.startswith("updates") or a.kind in ("current", "unanswerable")


def evaluate(asked: Sequence[Asked], fit_on: Sequence[str] = FIT_ON,
             features: Sequence[str] = FEATURES, premise_scales: bool = PREMISE_SCALES,
             absence_zeroes: bool = ABSENCE_ZEROES) -> dict[str, Any]:
    """Per source: AUROC tuned and leave-one-group-out, and the threshold curves."""
    train = [a for a in asked if a.source in fit_on]
    tuned_model = fit_models(train, features)["full"]
    rules = (premise_scales, absence_zeroes)
    tuned = [score(a, tuned_model, *rules) for a in asked]
    held = list(tuned)
    for group in sorted({a.group for a in train}):
        model = fit_models([a for a in train if a.group != group], features)["full"]
        for i, a in enumerate(asked):
            if a.group == group and a.source in fit_on:
                held[i] = score(a, model, *rules)
    report: dict[str, Any] = {"fit_on": list(fit_on), "features": list(features),
                              "premise_scales": premise_scales,
                              "absence_zeroes": absence_zeroes, "sources": {}}
    for source in dict.fromkeys(a.source for a in asked):
        idx = [i for i, a in enumerate(asked) if a.source == source and _measured(a)]
        labels = [asked[i].answerable for i in idx]
        report["sources"][source] = {
            "questions": len(idx), "unanswerable": labels.count(False),
            "auroc_tuned": _r(auroc([tuned[i] for i in idx], labels)),
            "auroc_leave_one_out": _r(auroc([held[i] for i in idx], labels)),
            "in_fit": source in fit_on,
            "curve_leave_one_out": abstention_curve([held[i] for i in idx], labels, THRESHOLDS)}
    return report


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.abstention_convs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--locomo", metavar="FILE", help="LoCoMo dev JSON (fit and measure)")
    parser.add_argument("--fit-on", default=",".join(FIT_ON), metavar="SOURCES")
    parser.add_argument("--cache", metavar="FILE",
                        help="collected features: read if it exists, else written")
    parser.add_argument("--write", action="store_true",
                        help="store the model fitted on --fit-on for this embedder in "
                             f"{MODELS_PATH.name} (what search uses)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    asked = _load_or_collect(args)
    fit_on = tuple(s for s in args.fit_on.split(",") if s)
    report = evaluate(asked, fit_on)
    if args.write:
        from ..recall.confidence import load_models
        from .abstention import write_models

        fitted = fit_models([a for a in asked if a.source in fit_on])
        write_models({**load_models(), args.embedder: fitted})
        report["written"] = fitted
    _print(report, args.json)
    return 0


def _load_or_collect(args: argparse.Namespace) -> list[Asked]:
    from pathlib import Path

    if args.cache and Path(args.cache).exists():
        return [Asked(**row) for row in json.loads(Path(args.cache).read_text())]
    asked = collect_all(args.embedder, args.locomo)
    if args.cache:
        Path(args.cache).write_text(json.dumps([asdict(a) for a in asked]))
    return asked


def _print(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=1))
        return
    print(f"fit on {', '.join(report['fit_on'])}; premise scales: {report['premise_scales']}, "
          f"absence zeroes: {report['absence_zeroes']}")
    print("| source | questions | unanswerable | AUROC tuned | AUROC leave-one-out |")
    print("|---|---|---|---|---|")
    for name, s in report["sources"].items():
        print(f"| {name} | {s['questions']} | {s['unanswerable']} | {s['auroc_tuned']} | "
              f"{s['auroc_leave_one_out']} |")
    for name, s in report["sources"].items():
        print(f"\n{name}, leave-one-out:\n| threshold | abstained | precision | recall | "
              "answer recall |\n|---|---|---|---|---|")
        for r in s["curve_leave_one_out"]:
            print(f"| {r['threshold']} | {r['abstained']} | {r['precision']} | {r['recall']} "
                  f"| {r['answer_recall']} |")


if __name__ == "__main__":
    raise SystemExit(main())
