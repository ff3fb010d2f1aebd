"""Fit context recall's weights on MADial-Bench dev (``engram bench madial --fit``).

The model is linear in :data:`engramdb.recall.context.FEATURES` (the sub-queries'
exact scores of each candidate), fitted as a pairwise logistic ranker (RankNet with
a linear scorer): for every dialogue, every (gold, non-gold) pair of candidates,
``P(gold above) = sigmoid(w . (x_gold - x_other))``, each dialogue weighing the same,
an L2 penalty, Newton steps. A smooth objective over all pairs moves less with
one dialogue than a grid search of recall@10 does, so the leave-one-out figures
stay near the tuned ones.

The L2 penalty is not fitted by the ranker: it is chosen by :data:`FOLDS`-fold
cross-validation over dialogues (objective recall@10 + MRR). Beside the tuned
figures (penalty and weights from all dialogues) it reports leave-one-dialogue-out
ones: each dialogue ranked by a model whose penalty *and* weights were chosen on
the other dialogues only. ``--write`` stores the weights as
``engramdb/recall/data/context.json``, the defaults every ``Memory`` loads.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._models import Filters, Scope
from ..recall.context import FEATURES, ContextWeights, context_query, parse_messages
from .madial import KS, USER, MadialData, ingest_archive

__all__ = ["fit_context", "fit_pairwise", "write_weights", "WEIGHTS_PATH", "PENALTIES",
           "FOLDS", "Ranked"]

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "recall" / "data" / "context.json"

PENALTIES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
FOLDS = 5
COMMAND = "engram bench madial --fit --write"


@dataclass(frozen=True, slots=True)
class Ranked:
    """One dialogue's candidates: their features (rows) and which are gold."""
    features: np.ndarray  # candidates x FEATURES
    gold: np.ndarray  # bool per candidate
    wanted: int  # gold memories of the dialogue (some may not be candidates)

    @property
    def pairs(self) -> np.ndarray:
        """One row per (gold, non-gold) pair of candidates: their feature difference."""
        pos, neg = self.features[self.gold], self.features[~self.gold]
        return (pos[:, None, :] - neg[None, :, :]).reshape(-1, self.features.shape[1])


def fit_pairwise(dialogues: list[Ranked], penalty: float, steps: int = 30) -> np.ndarray:
    """Weights of the pairwise logistic ranker over ``dialogues`` (Newton's method)."""
    k = len(FEATURES)
    pairs = [p for p in (d.pairs for d in dialogues) if len(p)]
    w = np.zeros(k)
    for _ in range(steps):
        grad, hess = penalty * w, penalty * np.eye(k)
        for diff in pairs:
            p = 1.0 / (1.0 + np.exp(np.clip(diff @ w, -50, 50)))  # P(wrong order)
            grad -= (diff * p[:, None]).sum(0) / len(diff)
            hess += (diff * (p * (1 - p))[:, None]).T @ diff / len(diff)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def fit_context(memory: Any, data: MadialData) -> dict[str, Any]:
    """Tuned weights with their dev figures and the leave-one-dialogue-out figures."""
    ids = ingest_archive(memory, data)
    ranked = _candidates(memory, data, ids)
    everyone = list(range(len(data.dialogues)))
    penalty = _choose(ranked, everyone)
    w = fit_pairwise([ranked[i] for i in everyone], penalty)
    tuned = [_measure(ranked[i], w) for i in everyone]
    loo = []
    for held in everyone:
        rest = [i for i in everyone if i != held]
        w_ = fit_pairwise([ranked[i] for i in rest], _choose(ranked, rest))
        loo.append(_measure(ranked[held], w_))
    weights = {f: round(float(v), 4) for f, v in zip(FEATURES, w)}
    return {"weights": weights, "penalty": penalty, "embedder": memory.embedder.name,
            "dialogues": len(data.dialogues), "tuned": _figures(np.array(tuned)),
            "leave_one_dialogue_out": _figures(np.array(loo)),
            "model": f"pairwise logistic ranker; penalty by {FOLDS}-fold cross-validation",
            "command": COMMAND}


def _candidates(memory: Any, data: MadialData, ids: dict[str, str]) -> list[Ranked]:
    """Every dialogue's candidates and features, as ``search(messages=...)`` forms them."""
    retriever, scope, out = memory._context, Scope(USER), []
    for dialogue in data.dialogues:
        q = context_query(parse_messages(list(dialogue.messages)))
        found = retriever.features(scope, q, Filters())
        matrix = np.stack([found.features[f] for f in FEATURES], 1)
        gold = np.array([ids.get(c, "") in set(dialogue.gold) for c in found.ids], dtype=bool)
        out.append(Ranked(matrix.reshape(len(found.ids), len(FEATURES)), gold,
                          len(dialogue.gold)))
    return out


def _choose(ranked: list[Ranked], among: list[int]) -> float:
    """The penalty with the best cross-validated recall@10 + MRR on ``among``."""
    folds = [among[i::FOLDS] for i in range(FOLDS)]
    best, chosen = -1.0, PENALTIES[0]
    for penalty in PENALTIES:
        rows = []
        for fold in folds:
            w = fit_pairwise([ranked[i] for i in among if i not in fold], penalty)
            rows += [_measure(ranked[i], w) for i in fold]
        value = float(np.mean([r[len(KS) - 1] + r[len(KS)] for r in rows]))
        if value > best + 1e-12:
            best, chosen = value, penalty
    return chosen


def _measure(d: Ranked, w: np.ndarray) -> list[float]:
    """recall@k and reciprocal rank of one dialogue under weights ``w``."""
    order = np.argsort(-(d.features @ w), kind="stable")[:max(KS)]
    hit = d.gold[order]
    recall = [float(hit[:k].sum()) / d.wanted for k in KS]
    return recall + [1.0 / (int(np.argmax(hit)) + 1) if hit.any() else 0.0]


def _figures(rows: np.ndarray) -> dict[str, float]:
    means = 100 * rows.mean(0)
    names = [f"recall@{k}" for k in KS] + ["mrr"]
    return {name: round(float(v), 1) for name, v in zip(names, means)}


def write_weights(result: dict[str, Any], path: Path = WEIGHTS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    keep = {k: result[k] for k in ("weights", "penalty", "embedder", "dialogues", "tuned",
                                   "leave_one_dialogue_out", "model", "command")}
    path.write_text(json.dumps(keep, indent=1) + "\n", encoding="utf-8")
    return path


def defaults() -> dict[str, float]:
    return asdict(ContextWeights())
