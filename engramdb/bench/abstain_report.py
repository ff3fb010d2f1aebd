"""Abstention through the benchmark harness: does ``Recall.confidence`` tell answerable
questions from unanswerable ones?

Each question's score is the ``Recall.confidence`` of the harness's own search (the
best hit's calibrated confidence, :mod:`engramdb.recall.confidence`). Labels come
from the dataset: LoCoMo category 5 (adversarial: the question names the wrong
person, so memory holds no answer) and LongMemEval's ``_abs`` questions are
*unanswerable*; every other question is *answerable*. At threshold t the engine
abstains when the score is below t; :func:`engramdb.recall.confidence.abstention_curve`
gives abstention precision, abstention recall and answer recall at each t.

>>> rows = [{"method": "engram", "category": "4", "abstention": False, "confidence": 0.8},
...         {"method": "engram", "category": "5", "abstention": False, "confidence": 0.2}]
>>> s = abstention_summary(rows, locomo=True, methods=("engram",))
>>> s["auroc"], s["curve"][2]["precision"], s["curve"][2]["answer_recall"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

from ..recall.confidence import DEFAULT_ABSTAIN_BELOW, abstention_curve

__all__ = ["ABSTENTION_METHOD", "THRESHOLDS", "abstention_summary", "auroc", "is_unanswerable"]

#: the method whose confidence is the reported curve (the others get AUROC and means)
ABSTENTION_METHOD = "engram"
#: every tenth, and the default threshold (fitted: where ``Recall.abstained`` flips)
THRESHOLDS: tuple[float, ...] = tuple(sorted({round(0.1 * i, 1) for i in range(1, 10)}
                                             | {DEFAULT_ABSTAIN_BELOW}))
#: LoCoMo's adversarial category: the answer is not in memory
LOCOMO_UNANSWERABLE = "5"


def is_unanswerable(row: Mapping[str, Any], *, locomo: bool) -> bool:
    """LoCoMo: category 5; LongMemEval (and others): the question's abstention flag."""
    if locomo:
        return str(row.get("category")) == LOCOMO_UNANSWERABLE
    return bool(row.get("abstention"))


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """P(an answerable question scores higher than an unanswerable one), ties counted
    half (the Mann-Whitney U statistic over n_pos * n_neg). ``labels[i]`` True =
    answerable. 0.5 is chance; None when either class is empty."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    if not pos or not neg:
        return None
    ordered = sorted(neg)
    wins = 0.0
    for s in pos:
        lo = bisect.bisect_left(ordered, s)
        hi = bisect.bisect_right(ordered, s)
        wins += lo + 0.5 * (hi - lo)
    return round(wins / (len(pos) * len(neg)), 4)


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _scored(rows: Sequence[Mapping[str, Any]], method: str) -> list[Mapping[str, Any]]:
    return [r for r in rows if r.get("method") == method and "variant" not in r
            and isinstance(r.get("confidence"), (int, float))]


def abstention_summary(rows: Sequence[Mapping[str, Any]], *, locomo: bool,
                       methods: Sequence[str] = (ABSTENTION_METHOD,),
                       thresholds: Sequence[float] = THRESHOLDS) -> dict[str, Any] | None:
    """The ``"abstention"`` block of a report, or None when there is nothing to measure
    (no ``engram`` rows with a confidence, or no unanswerable / no answerable question).

    Shape: ``method``, ``score``, ``unanswerable`` (what counts as such), ``n``,
    ``n_answerable``, ``n_unanswerable``, ``mean_confidence`` (answerable /
    unanswerable), ``mean_confidence_by_category``, ``auroc``, ``default_threshold``
    (where ``Recall.abstained`` flips), ``curve`` (one row per threshold: ``threshold``,
    ``abstained``, ``precision``, ``recall``, ``answer_recall``) and ``by_method``
    (every method with confidences: ``auroc`` and ``mean_confidence``).
    """
    mine = _scored(rows, ABSTENTION_METHOD) if ABSTENTION_METHOD in methods else []
    if not mine:
        return None
    labels = [not is_unanswerable(r, locomo=locomo) for r in mine]
    if all(labels) or not any(labels):
        return None
    scores = [float(r["confidence"]) for r in mine]
    by_cat: dict[str, list[float]] = {}
    for r, s in zip(mine, scores):
        by_cat.setdefault(str(r["category"]), []).append(s)
    by_method: dict[str, Any] = {}
    for method in methods:
        theirs = _scored(rows, method)
        if not theirs:
            continue
        ys = [not is_unanswerable(r, locomo=locomo) for r in theirs]
        ss = [float(r["confidence"]) for r in theirs]
        by_method[method] = {
            "auroc": auroc(ss, ys),
            "mean_confidence": {"answerable": _mean([s for s, y in zip(ss, ys) if y]),
                                "unanswerable": _mean([s for s, y in zip(ss, ys) if not y])},
        }
    out = {
        "method": ABSTENTION_METHOD,
        "score": "Recall.confidence of the harness's search (best hit's calibrated "
                 "confidence); abstain when below the threshold",
        "unanswerable": ("LoCoMo category 5 (adversarial)" if locomo
                         else "abstention (_abs) questions"),
        "positive_class": "unanswerable",
        "n": len(mine),
        "n_answerable": sum(labels),
        "n_unanswerable": len(labels) - sum(labels),
        "mean_confidence": {
            "answerable": _mean([s for s, y in zip(scores, labels) if y]),
            "unanswerable": _mean([s for s, y in zip(scores, labels) if not y])},
        "mean_confidence_by_category": {c: _mean(by_cat[c]) for c in sorted(
            by_cat, key=lambda c: (0, int(c)) if c.isdigit() else (1, c))},
        "auroc": auroc(scores, labels),
        "default_threshold": DEFAULT_ABSTAIN_BELOW,
        "curve": abstention_curve(scores, labels, thresholds),
        "by_method": by_method,
    }
    top = _top_hit(mine, labels)
    if top is not None:
        out["top_hit"] = top
    return out


def _top_hit(rows: Sequence[Mapping[str, Any]], answerable: Sequence[bool]
             ) -> dict[str, Any] | None:
    """What the confidence is calibrated for (P(this hit answers the query)): among the
    answerable questions with evidence, does it tell a best hit that is an evidence turn
    (``recall_any@1``) from one that is not?"""
    pairs = [(float(r["confidence"]), bool(r["recall_any@1"])) for r, ok in zip(rows, answerable)
             if ok and isinstance(r.get("recall_any@1"), (int, float))]
    if not pairs:
        return None
    return {
        "what": "answerable questions with evidence: is the best hit an evidence turn "
                "(recall_any@1)?",
        "n": len(pairs),
        "evidence_at_1": sum(1 for _, y in pairs if y),
        "auroc": auroc([s for s, _ in pairs], [y for _, y in pairs]),
        "mean_confidence": {"evidence": _mean([s for s, y in pairs if y]),
                            "not_evidence": _mean([s for s, y in pairs if not y])},
    }
