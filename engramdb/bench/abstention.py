"""Abstention on the hand-written labelled set: features, fitting, precision/recall curve.

``engramdb/bench/data/abstention.jsonl`` holds small users' memories and questions
whose answer is (``evidence`` lists the memories) or is not (``evidence: []``) in
memory, written for this project. For each user a fresh in-memory database gets
the memories; each question is searched (top 5, ``method="engram"``).

    python -m engramdb.bench.abstention --embedder fake            # the curve
    python -m engramdb.bench.abstention --embedder minilm --fit    # refit coefficients
    python -m engramdb.bench.abstention --merge-pairs --embedder minilm

``--fit`` prints the logistic coefficients fitted on this set alone (one example per
returned hit, label 1 when the hit is an evidence memory); ``--conversations`` adds
the update benchmark's dev conversations to the examples. The shipped coefficients
(``engramdb/recall/data/confidence.json``) are fitted on this set, conversations and
LoCoMo together by ``python -m engramdb.bench.abstention_convs --write``.

The curve is reported twice: with the shipped
coefficients (in-sample when they were fitted on this set) and with
leave-one-user-out cross-validated coefficients (each user's questions scored by
a model fitted on the other users), the honest figure.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..recall.confidence import (
    FEATURES,
    MODELS_PATH,
    LEXICAL_FEATURES,
    Calibrator,
    abstention_curve,
    fit_logistic,
)

__all__ = ["collect", "collect_conversations", "curve_report", "fit", "load_set", "main",
           "merge_pairs_report", "write_models"]

THRESHOLDS = tuple(round(0.1 * i, 1) for i in range(1, 10))


@dataclass(slots=True)
class Example:
    user: str
    question: str
    answerable: bool
    features: list[dict[str, float]]  # per returned hit, best first
    lexical: list[dict[str, float]]
    relevant: list[bool]  # per returned hit


def load_set(path: str | None = None) -> list[dict[str, Any]]:
    if path:
        with open(path, encoding="utf-8") as fp:
            lines = fp.read().splitlines()
    else:
        text = resources.files("engramdb.bench").joinpath("data/abstention.jsonl").read_text(
            encoding="utf-8")
        lines = text.splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def collect(data: Sequence[dict[str, Any]], embedder: str, limit: int = 5) -> list[Example]:
    """Search every question and keep each hit's features (full and lexical-only)."""
    from .. import Memory
    from ..recall.confidence import hit_features

    examples: list[Example] = []
    with Memory(":memory:", embedder=embedder, merge=False) as memory:
        for item in data:
            user = item["id"]
            ids = [memory.add(text, user_id=user).id for text in item["memories"]]
            for q in item["questions"]:
                hits = memory.search(q["q"], user_id=user, limit=limit)
                wanted = {ids[i] for i in q["evidence"]}
                examples.append(Example(
                    user, q["q"], bool(q["evidence"]), [dict(h.features) for h in hits],
                    hit_features(q["q"], hits, None), [h.id in wanted for h in hits]))
    return examples


def collect_conversations(embedder: str, split: str = "dev", limit: int = 5) -> list[Example]:
    """Conversation examples: the update benchmark's personas (``bench.update_convs``),
    its current-value and previous-value questions (a hit is relevant when it holds the
    asked value) and its unanswerable ones (nothing is)."""
    from .. import Memory
    from ..recall.confidence import hit_features
    from .update_convs import generate, ingest

    examples: list[Example] = []
    with Memory(":memory:", embedder=embedder) as memory:
        for p in generate(split):
            ingest(memory, p)
            user = f"{p.split}-{p.name.lower()}"
            for q in p.questions:
                if q.kind == "when":
                    continue
                hits = memory.search(q.question, user_id=user, limit=limit)
                want = (q.expect or "").lower()
                examples.append(Example(
                    user, q.question, q.kind != "unanswerable",
                    [dict(h.features) for h in hits], hit_features(q.question, hits, None),
                    [bool(want) and want in h.record.text.lower() for h in hits]))
    return examples


def write_models(models: dict[str, dict[str, dict[str, float]]], path: Path = MODELS_PATH) -> None:
    """Store fitted coefficients as the package default (what Calibrator reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(models, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _matrix(examples: Sequence[Example], names: Sequence[str], lexical: bool
            ) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for ex in examples:
        feats = ex.lexical if lexical else ex.features
        for f, rel in zip(feats, ex.relevant):
            rows.append([f[n] for n in names])
            labels.append(float(rel))
    return np.array(rows), np.array(labels)


def fit(examples: Sequence[Example], l2: float = 1.0) -> dict[str, dict[str, float]]:
    """Coefficients of the full and lexical-only models."""
    out: dict[str, dict[str, float]] = {}
    for model, names, lexical in (("full", FEATURES, False), ("lexical", LEXICAL_FEATURES, True)):
        x, y = _matrix(examples, names, lexical)
        bias, weights = fit_logistic(x, y, l2=l2)
        out[model] = {"bias": round(bias, 3), **{n: round(float(w), 3)
                                                  for n, w in zip(names, weights)}}
    return out


def _scores(examples: Sequence[Example], calibrator: Calibrator) -> list[float]:
    return [max((calibrator.probability(f) for f in ex.features), default=0.0)
            for ex in examples]


def curve_report(examples: Sequence[Example], embedder: str) -> dict[str, Any]:
    labels = [ex.answerable for ex in examples]
    shipped = Calibrator.for_embedder(embedder)
    users = sorted({ex.user for ex in examples})
    cv_scores: dict[int, float] = {}
    for user in users:
        train = [ex for ex in examples if ex.user != user]
        model = fit(train)
        held = Calibrator(embedder, model["full"], model["lexical"])
        for i, ex in enumerate(examples):
            if ex.user == user:
                cv_scores[i] = max((held.probability(f) for f in ex.features), default=0.0)
    cv = [cv_scores[i] for i in range(len(examples))]
    return {"embedder": embedder, "calibration": shipped.name, "questions": len(examples),
            "answerable": sum(labels), "unanswerable": len(labels) - sum(labels),
            "shipped": abstention_curve(_scores(examples, shipped), labels, THRESHOLDS),
            "cross_validated": abstention_curve(cv, labels, THRESHOLDS)}


def merge_pairs_report(embedder: str) -> list[dict[str, Any]]:
    """Cosine and lexical guard on the hand-written merge pairs."""
    from ..embed import get_embedder
    from ..lifecycle.merge import cosine_threshold, lexically_same

    text = resources.files("engramdb.bench").joinpath("data/merge_pairs.jsonl").read_text(
        encoding="utf-8")
    pairs = [json.loads(line) for line in text.splitlines() if line.strip()]
    model = get_embedder(embedder)
    threshold = cosine_threshold(model.name)
    out = []
    for pair in pairs:
        va, vb = model.embed_batch([pair["a"], pair["b"]])
        cosine = float(np.dot(va, vb))
        same, jaccard = lexically_same(pair["a"], pair["b"])
        out.append({"a": pair["a"], "b": pair["b"], "should_merge": pair["merge"],
                    "cosine": round(cosine, 3), "jaccard": round(jaccard, 2),
                    "merged": bool(same and cosine >= threshold)})
    return out


def _print_curve(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    print("| threshold | abstained | abstention precision | abstention recall | answer recall |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['threshold']:.1f} | {r['abstained']} | {r['precision']} | {r['recall']} | "
              f"{r['answer_recall']} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.abstention",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="fake")
    parser.add_argument("--data", default=None, help="labelled set (default: the shipped one)")
    parser.add_argument("--fit", action="store_true", help="print fitted coefficients")
    parser.add_argument("--conversations", action="store_true",
                        help="also the update benchmark's dev conversations (answerable and "
                             "unanswerable questions about multi-session conversations)")
    parser.add_argument("--merge-pairs", action="store_true",
                        help="cosine / guard on the merge pairs instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.merge_pairs:
        rows = merge_pairs_report(args.embedder)
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                print(f"{'MERGE' if r['should_merge'] else 'keep '} cos={r['cosine']:.3f} "
                      f"jac={r['jaccard']:.2f} merged={r['merged']!s:5}  {r['a']} | {r['b']}")
        return 0
    examples = collect(load_set(args.data), args.embedder)
    if args.conversations:
        examples += collect_conversations(args.embedder)
    if args.fit:
        fitted = fit(examples)
        print(json.dumps(fitted, indent=2))
        return 0
    report = curve_report(examples, args.embedder)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"embedder {report['embedder']} (coefficients: {report['calibration']}); "
          f"{report['questions']} questions, {report['answerable']} answerable, "
          f"{report['unanswerable']} not")
    _print_curve("Shipped coefficients (in-sample):", report["shipped"])
    _print_curve("Leave-one-user-out cross-validation:", report["cross_validated"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
