"""Fit context recall's weights on MADial-Bench dev (``engram bench madial --fit``).

A grid over the recency decay and the four feature weights of :class:`engramdb.recall.context.ContextWeights`; the objective is
recall@10 + MRR. Beside the tuned figures it reports leave-one-dialogue-out ones:
for each dialogue the weights are chosen on the other dialogues and scored on it,
so a weight that only fits a few dialogues shows. ``--write`` stores the weights
as ``engramdb/recall/data/context.json``, the defaults every ``Memory`` loads.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .._models import Filters, Scope
from ..recall.context import FEATURES, ContextWeights, context_query, parse_messages
from .madial import KS, USER, MadialData, ingest_archive

__all__ = ["fit_context", "write_weights", "WEIGHTS_PATH", "GRID"]

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "recall" / "data" / "context.json"

GRID: dict[str, tuple[float, ...]] = {
    "decay": (0.3, 0.5, 0.7, 1.0),
    "recent": (0.0, 0.5, 1.0),
    "turns": (0.0, 0.5, 1.0),
    "lexical": (0.0, 0.05, 0.1, 0.2, 0.3),
    "person": (0.0, 0.1, 0.2, 0.4),
}


def fit_context(memory: Any, data: MadialData) -> dict[str, Any]:
    """Tuned weights with their dev figures and the leave-one-dialogue-out figures."""
    ids = ingest_archive(memory, data)
    retriever, scope = memory._context, Scope(USER)
    combos = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]
    # rows: one per weight combination; columns: dialogues; last axis: R@1..R@10, MRR
    table = np.zeros((len(combos), len(data.dialogues), len(KS) + 1))
    for decay in GRID["decay"]:
        base = ContextWeights(decay=decay)
        rows = [i for i, c in enumerate(combos) if c["decay"] == decay]
        matrix = np.array([[combos[i][f] for f in FEATURES] for i in rows])
        for d, dialogue in enumerate(data.dialogues):
            q = context_query(parse_messages(list(dialogue.messages)), base)
            found = retriever.features(scope, q, Filters())
            stack = np.stack([found.features[f] for f in FEATURES])
            table[rows, d] = [_measure(score, found.ids, ids, dialogue.gold)
                              for score in matrix @ stack]
    objective = table[:, :, len(KS) - 1] + table[:, :, len(KS)]
    best = int(np.argmax(objective.mean(1)))
    loo = [table[int(np.argmax(objective.sum(1) - objective[:, d])), d]
           for d in range(len(data.dialogues))]
    return {"weights": combos[best], "embedder": memory.embedder.name,
            "dialogues": len(data.dialogues), "tuned": _figures(table[best]),
            "leave_one_dialogue_out": _figures(np.array(loo)), "grid": GRID,
            "command": "engram bench madial --fit --write"}


def _measure(score: np.ndarray, cand: list[str], ids: dict[str, str],
             gold: tuple[str, ...]) -> list[float]:
    ranked = [ids.get(cand[i], "") for i in np.argsort(-score, kind="stable")[:10]]
    want = set(gold)
    recall = [len(want & set(ranked[:k])) / len(want) for k in KS]
    return recall + [next((1 / (i + 1) for i, r in enumerate(ranked) if r in want), 0.0)]


def _figures(rows: np.ndarray) -> dict[str, float]:
    means = 100 * rows.mean(0)
    names = [f"recall@{k}" for k in KS] + ["mrr"]
    return {name: round(float(v), 1) for name, v in zip(names, means)}


def write_weights(result: dict[str, Any], path: Path = WEIGHTS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    keep = {k: result[k] for k in ("weights", "embedder", "dialogues", "tuned",
                                   "leave_one_dialogue_out", "command")}
    path.write_text(json.dumps(keep, indent=1) + "\n", encoding="utf-8")
    return path


def defaults() -> dict[str, float]:
    return asdict(ContextWeights())
