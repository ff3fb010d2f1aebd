"""The default abstention threshold, fitted: where a search's confidence says "not in memory".

:attr:`engramdb.recall.confidence.Recall.abstained` is True when the best hit's
confidence is below a threshold. This module chooses it on questions whose
answerability is known (:func:`fit_threshold`) and says what it is worth out of
sample (:func:`threshold_report`).

Criterion: **balanced accuracy** of the abstain / answer decision (the mean of the
share of unanswerable questions abstained on and the share of answerable ones
answered), so that neither class wins by being the larger one. It is taken per
source and averaged over two families of equal weight: LoCoMo dev (category 5 against
1-4) and the update benchmark's sets (never-said against current-value questions,
their mean: four phrasings of one generator should not outvote the other data). The
grid is 0.01 to 0.90; of the thresholds that reach the best value, the median.

``fresh3``, ``fresh4`` and ``fresh5`` (the blind sets) are never used here, and the stand-alone memories are
reported at the fitted threshold, not fitted on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..recall.confidence import abstention_curve

__all__ = ["GRID", "THRESHOLD_ON", "Scored", "balanced_accuracy", "fit_threshold",
           "threshold_report"]

#: sources the threshold is chosen on (``abstention_convs`` names); never fresh3 to fresh5
THRESHOLD_ON: tuple[str, ...] = ("locomo-dev", "updates-dev", "updates-heldout",
                                 "updates-fresh", "updates-fresh2")
GRID: tuple[float, ...] = tuple(round(0.01 * i, 2) for i in range(1, 91))


@dataclass(frozen=True, slots=True)
class Scored:
    """One question's confidence and whether memory holds its answer."""

    source: str
    group: str  # conversation, persona or user
    answerable: bool
    score: float


def balanced_accuracy(scores: Sequence[float], labels: Sequence[bool],
                      threshold: float) -> float | None:
    """Mean of abstention recall (unanswerable ``labels`` False, abstained: score below
    ``threshold``) and answer recall; None when a class is empty."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    if y.all() or not y.any():
        return None
    return float(((s[~y] < threshold).mean() + (s[y] >= threshold).mean()) / 2)


def _family(source: str) -> str:
    return "updates" if source.startswith("updates") else source


def _criterion(by_source: Mapping[str, tuple[np.ndarray, np.ndarray]],
               threshold: float) -> float:
    """Balanced accuracy per source, averaged within a family, then over families."""
    families: dict[str, list[float]] = {}
    for source, (s, y) in by_source.items():
        value = balanced_accuracy(s, y, threshold)
        if value is not None:
            families.setdefault(_family(source), []).append(value)
    return float(np.mean([np.mean(v) for v in families.values()])) if families else 0.0


def _by_source(scored: Iterable[Scored]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out: dict[str, tuple[list[float], list[bool]]] = {}
    for q in scored:
        s, y = out.setdefault(q.source, ([], []))
        s.append(q.score)
        y.append(q.answerable)
    return {k: (np.array(s), np.array(y, dtype=bool)) for k, (s, y) in out.items()}


def fit_threshold(scored: Iterable[Scored], grid: Sequence[float] = GRID) -> float:
    """The threshold of ``grid`` with the best :func:`_criterion` on ``scored`` (the
    median of the tied best ones: the middle of the plateau, not its edge)."""
    by_source = _by_source(scored)
    values = np.array([_criterion(by_source, t) for t in grid])
    best = [t for t, v in zip(grid, values) if v >= values.max() - 1e-9]
    return float(best[len(best) // 2])


def _at(scored: Sequence[Scored], thresholds: Sequence[float]) -> float | None:
    """Balanced accuracy of ``scored`` with each question's own threshold."""
    s = np.array([q.score for q in scored])
    y = np.array([q.answerable for q in scored], dtype=bool)
    t = np.array(thresholds, dtype=float)
    if y.all() or not y.any():
        return None
    return round(float(((s[~y] < t[~y]).mean() + (s[y] >= t[y]).mean()) / 2), 4)


def threshold_report(tuned: Sequence[Scored], held: Sequence[Scored],
                     on: Sequence[str] = THRESHOLD_ON) -> dict[str, object]:
    """Per source, balanced accuracy of abstaining: ``tuned`` (the shipped model's scores
    at the threshold fitted on them; ``at_threshold``: abstention precision and recall
    there), ``leave_one_group_out`` (each conversation /
    persona / user's leave-one-out scores at a threshold fitted on the others' ``held``
    scores) and ``leave_one_set_out`` (a source's held scores at the threshold fitted on
    the other sources). Sources outside ``on`` are measured at the fitted threshold."""
    fitted = fit_threshold([q for q in tuned if q.source in on])
    pool = [q for q in held if q.source in on]
    per_group = {g: fit_threshold([q for q in pool if q.group != g])
                 for g in sorted({q.group for q in pool})}
    out: dict[str, object] = {"criterion": "balanced accuracy, mean over families "
                              "(LoCoMo; update sets averaged)", "on": list(on),
                              "abstain_below": fitted, "sources": {}}
    sources: dict[str, object] = {}
    for source in dict.fromkeys(q.source for q in tuned):
        mine_t = [q for q in tuned if q.source == source]
        mine_h = [q for q in held if q.source == source]
        row: dict[str, object] = {"in_fit": source in on,
                                  "tuned": _at(mine_t, [fitted] * len(mine_t)),
                                  "at_threshold": abstention_curve(
                                      [q.score for q in mine_t],
                                      [q.answerable for q in mine_t], [fitted])[0]}
        if source in on:
            row["leave_one_group_out"] = _at(mine_h, [per_group[q.group] for q in mine_h])
            set_out = fit_threshold([q for q in pool if q.source != source])
            row["leave_one_set_out"] = _at(mine_h, [set_out] * len(mine_h))
            row["threshold_set_out"] = set_out
        else:
            row["leave_one_group_out"] = row["leave_one_set_out"] = _at(
                mine_h, [fitted] * len(mine_h))
        sources[source] = row
    out["sources"] = sources
    return out
