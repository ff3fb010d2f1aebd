"""Fit the on-topic model of ``recall.current`` (latest statement first), leave-one-set-out.

For every ``current`` question of the update benchmark's sets (turns only: no
extractor), the search's fused hits with the step off give the candidates
(``recall.current.candidates``); a candidate is on topic when it is a turn where the
persona states the asked attribute (the generator's labels). A logistic model (L2 1.0
on the weights) over ``FEATURES`` is fitted on every set but one, ``cut`` and
``depth`` are the ones that put the current value first most often on those sets,
and the left-out set is scored: the leave-one-set-out figure is what the model is
worth on phrasing it was not fitted on. ``--write`` stores the fit on all sets in
``engramdb/recall/data/current.json`` under the embedder's name.

    python -m engramdb.bench.current_fit --sets dev,heldout,fresh,fresh2 --write
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..recall.current import FEATURES, MODELS_PATH, candidates, question_tense
from . import update_convs as uc

__all__ = ["Question", "collect", "fit", "main"]

DEPTHS = (10, 20, 30)
CUTS = tuple(round(c, 2) for c in np.arange(0.1, 0.91, 0.05))
L2 = 1.0


@dataclass(frozen=True, slots=True)
class Question:
    """One current question at one depth: its candidates, on-topic labels, right answers."""

    split: str
    depth: int
    x: np.ndarray  # one row per candidate: 1 (bias), then FEATURES
    on_topic: np.ndarray  # 0/1 per candidate
    holds: np.ndarray  # the candidate holds the current value
    when: np.ndarray  # its timestamp (seconds)
    top_holds: bool  # the pool's first hit holds it (what happens when nothing is on topic)
    read: bool  # the engine reads it as a current question (else the step leaves it)


def collect(splits: Sequence[str], embedder: str = "minilm") -> list[Question]:
    """Ingest each set (turns only) and read every current question's candidates."""
    from .._memory import Memory
    from ..recall.pipeline import RecallConfig
    from ..recall.query import analyze

    out: list[Question] = []
    for split in splits:
        personas = uc.generate(split)
        with tempfile.TemporaryDirectory(prefix="engram-current-") as tmp, \
                Memory(Path(tmp) / "c.db", embedder=embedder, extractor=None,
                       reinforce=False, recall=RecallConfig(latest_first=False)) as m:
            for p in personas:
                uc.ingest(m, p)
            for p in personas:
                out.extend(_questions(m, p, analyze))
    return out


def _questions(m: Any, p: uc.Persona, analyze: Any) -> list[Question]:
    from .._models import Scope

    user = f"{p.split}-{p.name.lower()}"
    scope = Scope(user)
    stated = {c.turn_id: c.attribute for c in p.changes}
    out = []
    for q in p.questions:
        if q.kind != "current":
            continue
        pool = list(m.search(q.question, user_id=user, limit=max(DEPTHS)))
        analysis = analyze(q.question, m._retriever._speakers(scope))
        read = question_tense(analysis) == "current"
        if not read:
            print(f"not read as a current question: {q.question!r}", file=sys.stderr)
        vec = m._embed_query(q.question)
        for depth in DEPTHS:
            found = candidates(m.store, scope, pool, analysis, lambda v=vec: v, depth)
            out.append(Question(
                p.split, depth,
                np.array([[1.0, *(c.features[f] for f in FEATURES)] for c in found]).reshape(
                    -1, len(FEATURES) + 1),
                np.array([stated.get(c.hit.record.metadata.get("turn_id")) == q.attribute
                          for c in found], dtype=float),
                np.array([uc._holds(c.hit, q.expect or "") for c in found]),
                np.array([c.hit.record.timestamp.timestamp() for c in found]),
                bool(pool) and uc._holds(pool[0], q.expect or ""), read))
    return out


def _logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    w = np.zeros(x.shape[1])
    penalty = np.diag([0.0] + [L2] * (x.shape[1] - 1))
    for _ in range(50):  # Newton steps
        p = 1.0 / (1.0 + np.exp(-x @ w))
        grad = x.T @ (p - y) + penalty @ w
        hess = x.T @ (x * (p * (1 - p))[:, None]) + penalty
        w -= np.linalg.solve(hess, grad)
    return w


def _right(q: Question, w: np.ndarray, cut: float) -> bool:
    if not len(q.x) or not q.read:
        return q.top_holds
    p = 1.0 / (1.0 + np.exp(-q.x @ w))
    on = np.flatnonzero(p >= cut)
    if not len(on):
        return q.top_holds
    best = max(on, key=lambda i: (q.when[i], p[i]))
    return bool(q.holds[best])


def _share(qs: Sequence[Question], w: np.ndarray, cut: float) -> float:
    return sum(_right(q, w, cut) for q in qs) / max(len(qs), 1)


def fit(questions: Sequence[Question]) -> tuple[np.ndarray, float, int]:
    """Weights, cut and depth that put the current value first most often."""
    best: tuple[float, np.ndarray, float, int] | None = None
    for depth in DEPTHS:
        qs = [q for q in questions if q.depth == depth]
        rows = [q for q in qs if len(q.x)]
        w = _logistic(np.vstack([q.x for q in rows]), np.concatenate([q.on_topic for q in rows]))
        for cut in CUTS:
            share = _share(qs, w, cut)
            if best is None or share > best[0] + 1e-9:
                best = (share, w, cut, depth)
    assert best is not None
    return best[1], best[2], best[3]


def leave_one_set_out(questions: Sequence[Question], splits: Sequence[str]
                      ) -> dict[str, dict[str, Any]]:
    report = {}
    for held in splits:
        w, cut, depth = fit([q for q in questions if q.split != held])
        test = [q for q in questions if q.split == held and q.depth == depth]
        base = sum(q.top_holds for q in test) / max(len(test), 1)
        report[held] = {"current@1_off": round(base, 4),
                        "current@1_loso": round(_share(test, w, cut), 4),
                        "cut": cut, "depth": depth, "questions": len(test)}
    return report


def _model(w: np.ndarray, cut: float, depth: int) -> dict[str, Any]:
    weights = {"bias": round(float(w[0]), 4)}
    weights.update({f: round(float(v), 4) for f, v in zip(FEATURES, w[1:])})
    return {"weights": weights, "cut": cut, "depth": depth}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.current_fit",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="dev,heldout,fresh,fresh2")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--write", action="store_true",
                        help=f"store the fit on all sets in {MODELS_PATH.name}")
    args = parser.parse_args(argv)
    splits = [s.strip() for s in args.sets.split(",") if s.strip()]
    questions = collect(splits, args.embedder)
    w, cut, depth = fit(questions)
    report = {"embedder": args.embedder, "leave_one_set_out": leave_one_set_out(questions, splits),
              "fit_on_all": _model(w, cut, depth)}
    print(json.dumps(report, indent=1))
    if args.write:
        models = json.loads(MODELS_PATH.read_text()) if MODELS_PATH.exists() else {}
        models[args.embedder.split(":")[0].lower()] = report["fit_on_all"]
        MODELS_PATH.write_text(json.dumps(models, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
