"""Confidence on conversations: fit and measure abstention where questions are asked.

The shipped confidence (:mod:`engramdb.recall.confidence`) is a logistic model of hit
features. This module collects the features of every hit of every question from:

* ``standalone`` – the hand-written labelled set of stand-alone memories
  (``bench/data/abstention.jsonl``, one group per user);
* ``updates-dev`` / ``updates-heldout`` / ``updates-fresh`` / ``updates-fresh2`` – the update benchmark's
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
from .abstention_threshold import THRESHOLD_ON, Scored, fit_threshold, threshold_report

__all__ = ["Asked", "collect_all", "evaluate", "fit_cut", "fit_models", "fit_shipped", "main"]

LIMIT = 10  # hits per question, as `search` returns by default
FIT_ON = ("standalone", "updates-dev", "locomo-dev")
#: cuts tried for ``never_said_below`` (1.0: the never-said rule blind to paraphrase)
NEAR_GRID = (*(round(0.2 + 0.02 * i, 2) for i in range(26)), 1.0)
#: One example per returned hit labelled "it holds the answer" (False), or one per
#: question, its best hit labelled "answerable" (True). Chosen by leave-one-out
#: AUROC (BENCHMARKS.md, "On conversations").
PER_QUESTION = False
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
                splits: Sequence[str] = ("dev", "heldout", "fresh", "fresh2")) -> list[Asked]:
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


def _probability(model: dict[str, float], f: dict[str, float]) -> float:
    z = model["bias"] + sum(w * f.get(n, 0.0) for n, w in model.items() if n != "bias")
    return float(1.0 / (1.0 + np.exp(-z)))


def _never_said(a: Asked) -> tuple[bool, float]:
    """Whether no asked word of the question is ever said, and ``near`` (question-level:
    the same on every hit)."""
    f = a.features[0] if a.features else {}
    return f.get("absent", 0.0) >= 1.0, f.get("near", 0.0)


def score(a: Asked, model: dict[str, float], premise_scales: bool = PREMISE_SCALES,
          absence_zeroes: bool = ABSENCE_ZEROES, never_said_below: float = 1.0) -> float:
    """The question's confidence as the engine computes it: its best hit's probability
    times the rules of ``recall.confidence.context_factor``."""
    never, near = _never_said(a)
    if absence_zeroes and never and near < never_said_below:  # nothing asked was ever said
        return 0.0
    return max((_probability(model, f) * (f.get("premise", 1.0) if premise_scales else 1.0)
                for f in a.features), default=0.0)


def fit_cut(asked: Sequence[Asked], model: dict[str, float],
            premise_scales: bool = PREMISE_SCALES) -> float:
    """``never_said_below``: the cosine from which a never-said question's nearest
    asked word counts as said in other words, chosen on ``asked`` (mean AUROC over its
    sources; ties go to the higher cut, i.e. to the rule as it was)."""
    best_of = [score(a, model, premise_scales, False) for a in asked]
    sources = sorted({a.source for a in asked})
    best_cut, best_value = 1.0, -1.0
    for cut in sorted(NEAR_GRID, reverse=True):
        scores = [0.0 if _never_said(a)[0] and _never_said(a)[1] < cut else b
                  for a, b in zip(asked, best_of)]
        value = float(np.mean([_auroc_of(asked, scores, s) or 0.5 for s in sources]))
        if value > best_value + 1e-9:
            best_cut, best_value = cut, value
    return best_cut


def _auroc_of(asked: Sequence[Asked], scores: Sequence[float], source: str) -> float | None:
    idx = [i for i, a in enumerate(asked) if a.source == source and _measured(a)]
    return auroc([scores[i] for i in idx], [asked[i].answerable for i in idx])


def fit_shipped(asked: Sequence[Asked], features: Sequence[str] = FEATURES,
                per_question: bool = PER_QUESTION, fit_on: Sequence[str] | None = None,
                threshold_on: Sequence[str] = THRESHOLD_ON) -> dict[str, Any]:
    """What ``--write`` stores for an embedder: the models and the never-said cut, fitted
    on the ``fit_on`` sources of ``asked`` (None: all), and the default abstention
    threshold ``abstain_below``, fitted on the shipped scores of the ``threshold_on``
    sources (:mod:`engramdb.bench.abstention_threshold`; absent when none is there)."""
    train = [a for a in asked if fit_on is None or a.source in fit_on]
    models: dict[str, Any] = fit_models(train, features, per_question=per_question)
    models["never_said_below"] = fit_cut(train, models["full"]) if ABSENCE_ZEROES else 1.0
    pool = _scored([a for a in asked if a.source in threshold_on],
                   [score(a, models["full"], never_said_below=models["never_said_below"])
                    for a in asked if a.source in threshold_on])
    if pool:
        models["abstain_below"] = fit_threshold(pool)
    return models


def _scored(asked: Sequence[Asked], scores: Sequence[float]) -> list[Scored]:
    """The questions an abstention figure is taken over, with their confidence."""
    return [Scored(a.source, a.group, a.answerable, s) for a, s in zip(asked, scores)
            if _measured(a)]


# ----------------------------------------------------------------- evaluate
def _measured(a: Asked) -> bool:
    """Whether an AUROC is taken over the question: update sets compare current-value
    questions with never-said ones (as `engram bench updates`); others take all."""
    return not a.source.startswith("updates") or a.kind in ("current", "unanswerable")


def evaluate(asked: Sequence[Asked], fit_on: Sequence[str] = FIT_ON,
             features: Sequence[str] = FEATURES, premise_scales: bool = PREMISE_SCALES,
             absence_zeroes: bool = ABSENCE_ZEROES, per_question: bool = PER_QUESTION,
             paraphrase: bool = True) -> dict[str, Any]:
    """Per source: AUROC tuned and leave-one-group-out, and the threshold curves.
    ``paraphrase=False`` keeps the never-said rule blind to paraphrase (cut 1.0)."""
    train = [a for a in asked if a.source in fit_on]

    def fitted(on: Sequence[Asked]) -> tuple[dict[str, float], float]:
        model = fit_models(on, features, per_question=per_question)["full"]
        cut = fit_cut(on, model, premise_scales) if absence_zeroes and paraphrase else 1.0
        return model, cut

    rules = (premise_scales, absence_zeroes)
    tuned_model, tuned_cut = fitted(train)
    tuned = [score(a, tuned_model, *rules, tuned_cut) for a in asked]
    held = list(tuned)
    for group in sorted({a.group for a in train}):
        model, cut = fitted([a for a in train if a.group != group])
        for i, a in enumerate(asked):
            if a.group == group and a.source in fit_on:
                held[i] = score(a, model, *rules, cut)
    report: dict[str, Any] = {"fit_on": list(fit_on), "features": list(features),
                              "premise_scales": premise_scales,
                              "absence_zeroes": absence_zeroes, "per_question": per_question,
                              "never_said_below": tuned_cut, "sources": {}}
    for source in dict.fromkeys(a.source for a in asked):
        idx = [i for i, a in enumerate(asked) if a.source == source and _measured(a)]
        labels = [asked[i].answerable for i in idx]
        report["sources"][source] = {
            "questions": len(idx), "unanswerable": labels.count(False),
            "auroc_tuned": _r(auroc([tuned[i] for i in idx], labels)),
            "auroc_leave_one_out": _r(auroc([held[i] for i in idx], labels)),
            "in_fit": source in fit_on,
            "curve_leave_one_out": abstention_curve([held[i] for i in idx], labels, THRESHOLDS)}
    report["threshold"] = threshold_report(_scored(asked, tuned), _scored(asked, held))
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
    parser.add_argument("--per-question", action=argparse.BooleanOptionalAction,
                        default=PER_QUESTION,
                        help="fit one example per question (best hit, label answerable) "
                             f"instead of one per hit (default {PER_QUESTION})")
    parser.add_argument("--no-paraphrase", action="store_true",
                        help="measure the never-said rule blind to paraphrase (cut 1.0)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    asked = _load_or_collect(args)
    fit_on = tuple(s for s in args.fit_on.split(",") if s)
    report = evaluate(asked, fit_on, per_question=args.per_question,
                      paraphrase=not args.no_paraphrase)
    if args.write:
        from ..recall.confidence import load_models
        from .abstention import write_models

        fitted = fit_shipped(asked, per_question=args.per_question, fit_on=fit_on)
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
          f"absence zeroes: {report['absence_zeroes']}, per question: "
          f"{report['per_question']}, never said below: {report['never_said_below']}")
    print("| source | questions | unanswerable | AUROC tuned | AUROC leave-one-out |")
    print("|---|---|---|---|---|")
    for name, s in report["sources"].items():
        print(f"| {name} | {s['questions']} | {s['unanswerable']} | {s['auroc_tuned']} | "
              f"{s['auroc_leave_one_out']} |")
    _print_threshold(report["threshold"])
    for name, s in report["sources"].items():
        print(f"\n{name}, leave-one-out:\n| threshold | abstained | precision | recall | "
              "answer recall |\n|---|---|---|---|---|")
        for r in s["curve_leave_one_out"]:
            print(f"| {r['threshold']} | {r['abstained']} | {r['precision']} | {r['recall']} "
                  f"| {r['answer_recall']} |")


def _print_threshold(t: dict[str, Any]) -> None:
    print(f"\ndefault abstention threshold: {t['abstain_below']} (fitted on "
          f"{', '.join(t['on'])}; {t['criterion']})\n| source | in fit | balanced accuracy "
          "tuned | leave-one-group-out | leave-one-set-out (its threshold) |\n|---|---|---|---|---|")
    for name, r in t["sources"].items():
        own = f" ({r['threshold_set_out']})" if "threshold_set_out" in r else ""
        print(f"| {name} | {r['in_fit']} | {r['tuned']} | {r['leave_one_group_out']} | "
              f"{r['leave_one_set_out']}{own} |")


if __name__ == "__main__":
    raise SystemExit(main())
