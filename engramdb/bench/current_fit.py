"""Fit the on-topic model of ``recall.current`` (latest statement first), leave-one-set-out.

Every set is ingested twice: turns only (no extractor) and with the rule extractor's
fact records. For every ``current`` question, the search's fused hits with the step
off give the candidates (``recall.current.candidates``); a candidate is on topic when
it is a turn where the persona states the asked attribute (the generator's labels). A
logistic model (L2 1.0 on the weights) over ``FEATURES`` is fitted on the turns-only
candidates of every set but one; ``cut``, ``depth`` and ``override`` (the cut a later
statement must pass to go before a current fact record on the asked attribute; None:
the fact always stands) are the ones that put the current value first most often on
those sets, both ways of ingesting; the left-out set is scored: the leave-one-set-out
figure is what the model is worth on phrasing it was not fitted on. ``--write`` stores
the fit on all sets in ``engramdb/recall/data/current.json`` under the embedder's name.
The ``sense`` features come from ``text/data/slot_sense.json``, fitted on the sets
that fit names (``python -m engramdb.bench.slot_sense``): for those sets they are
in-sample even when the set is left out here.

    python -m engramdb.bench.current_fit --sets dev,heldout,fresh,fresh2,fresh3 --write
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

from ..recall._topics import asked_families
from ..recall.current import (FEATURES, MODELS_PATH, candidates, question_tense, read_facts,
                              may_override, source_features)
from ..text._slot_sense import load_sense
from . import update_convs as uc

__all__ = ["Question", "collect", "fit", "main"]

DEPTHS = (10, 20, 30)
CUTS = tuple(round(c, 2) for c in np.arange(0.1, 0.91, 0.05))
#: the override cut: a statement said after a current fact record goes before it when
#: its probability reaches this; None: the fact always stands (tried first: ties keep it)
OVERRIDES: tuple[float | None, ...] = (None, *reversed(CUTS))
EXTRACTORS = ("none", "rules")
L2 = 1.0


@dataclass(frozen=True, slots=True)
class Question:
    """One current question at one depth: its candidates, on-topic labels, right answers."""

    split: str
    extractor: str  # "none" (turns only) or "rules" (fact records in the pool)
    depth: int
    x: np.ndarray  # one row per candidate: 1 (bias), then FEATURES
    on_topic: np.ndarray  # 0/1 per candidate
    holds: np.ndarray  # the candidate holds the current value
    when: np.ndarray  # its timestamp (seconds)
    top_holds: bool  # the pool's first hit holds it (what happens when nothing is on topic)
    read: bool  # the engine reads it as a current question (else the step leaves it)
    facts: bool  # a current fact record on the asked attribute is among the first depth hits
    after: np.ndarray  # the candidate may go before those facts (recall.current.may_override)
    sources: np.ndarray  # one row per turn those facts were read from: 1, then FEATURES
    fact_holds: bool  # the latest of those facts holds the current value


def collect(splits: Sequence[str], embedder: str = "minilm",
            extractors: Sequence[str] = EXTRACTORS) -> list[Question]:
    """Ingest each set (turns only, then with the rules' facts) and read every current
    question's candidates."""
    from .._memory import Memory
    from ..recall.pipeline import RecallConfig
    from ..recall.query import analyze

    out: list[Question] = []
    for split in splits:
        personas = uc.generate(split)
        for extractor in extractors:
            with tempfile.TemporaryDirectory(prefix="engram-current-") as tmp, \
                    Memory(Path(tmp) / "c.db", embedder=embedder,
                           extractor=None if extractor == "none" else extractor,
                           reinforce=False, recall=RecallConfig(latest_first=False)) as m:
                for p in personas:
                    uc.ingest(m, p)
                sense = load_sense(m.embedder.name)
                for p in personas:
                    out.extend(_questions(m, p, analyze, extractor, sense))
    return out


def _questions(m: Any, p: uc.Persona, analyze: Any, extractor: str, sense: Any) -> list[Question]:
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
            found = candidates(m.store, scope, pool, analysis, lambda v=vec: v, depth, sense)
            subject = analysis.speakers[0] if len(analysis.speakers) == 1 else (
                None if not analysis.speakers else False)
            facts = read_facts(pool[:depth], asked_families(analysis.text), subject)
            latest = max(facts, key=lambda h: h.record.timestamp) if facts else None
            out.append(Question(
                p.split, extractor, depth,
                np.array([[1.0, *(c.features[f] for f in FEATURES)] for c in found]).reshape(
                    -1, len(FEATURES) + 1),
                np.array([stated.get(c.hit.record.metadata.get("turn_id")) == q.attribute
                          for c in found], dtype=float),
                np.array([uc._holds(c.hit, q.expect or "") for c in found]),
                np.array([c.hit.record.timestamp.timestamp() for c in found]),
                bool(pool) and uc._holds(pool[0], q.expect or ""), read, bool(facts),
                np.array(may_override(m.store, scope, found, facts,
                                      asked_families(analysis.text)), dtype=bool),
                np.array([[1.0, *(f[k] for k in FEATURES)] for f in source_features(
                    m.store, scope, pool, facts, found, lambda v=vec: v,
                    asked_families(analysis.text), sense)]).reshape(-1, len(FEATURES) + 1),
                latest is not None and uc._holds(latest, q.expect or "")))
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


def _right(q: Question, p: np.ndarray, cut: float, override: float | None,
           bar: float = 0.0, promote: bool = False) -> bool:
    if not q.read:
        return q.top_holds
    stands = q.fact_holds if q.facts and promote else q.top_holds
    if not len(q.x):
        return stands
    if q.facts:  # what the extractor read stands unless a later statement passes override
        if override is None:  # and is as on topic as the turn it was read from (bar)
            return stands
        on = np.flatnonzero((p >= override) & q.after & (p >= bar))
    else:
        on = np.flatnonzero(p >= cut)
    if not len(on):
        return stands
    best = max(on, key=lambda i: (q.when[i], p[i]))
    return bool(q.holds[best])


def _share(qs: Sequence[Question], w: np.ndarray, cut: float, override: float | None,
           promote: bool = False) -> float:
    return sum(_right(q, _prob(q, w), cut, override, _bar(q, w), promote)
               for q in qs) / max(len(qs), 1)


def _prob(q: Question, w: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-q.x @ w)) if len(q.x) else np.zeros(0)


def _bar(q: Question, w: np.ndarray) -> float:
    return float(np.max(1.0 / (1.0 + np.exp(-q.sources @ w)))) if len(q.sources) else 0.0


def fit(questions: Sequence[Question], promote: bool = False
        ) -> tuple[np.ndarray, float, int, float | None]:
    """Weights (on the turns-only questions' labels), then the cut, depth and override
    cut that put the current value first most often over all questions (turns only and
    with facts). Ties keep the smaller depth, the smaller cut and the stricter override
    (None, a fact always stands, first)."""
    best: tuple[float, np.ndarray, float, int, float | None] | None = None
    for depth in DEPTHS:
        qs = [q for q in questions if q.depth == depth]
        rows = [q for q in qs if len(q.x) and q.extractor == "none"] or \
            [q for q in qs if len(q.x)]
        w = _logistic(np.vstack([q.x for q in rows]), np.concatenate([q.on_topic for q in rows]))
        probs, bars = [_prob(q, w) for q in qs], [_bar(q, w) for q in qs]
        for cut in CUTS:
            for override in OVERRIDES:
                share = sum(_right(q, p, cut, override, b, promote)
                            for q, p, b in zip(qs, probs, bars)) / len(qs)
                if best is None or share > best[0] + 1e-9:
                    best = (share, w, cut, depth, override)
    assert best is not None
    return best[1], best[2], best[3], best[4]


def leave_one_set_out(questions: Sequence[Question], splits: Sequence[str],
                      promote: bool = False) -> dict[str, dict[str, Any]]:
    """Per set left out: the fit on the others, scored on it, per extractor."""
    report = {}
    for held in splits:
        w, cut, depth, override = fit([q for q in questions if q.split != held], promote)
        row: dict[str, Any] = {"cut": cut, "depth": depth, "override": override}
        for extractor in sorted({q.extractor for q in questions}):
            test = [q for q in questions if q.split == held and q.depth == depth
                    and q.extractor == extractor]
            base = sum(q.top_holds for q in test) / max(len(test), 1)
            row[extractor] = {"current@1_off": round(base, 4),
                              "current@1_fact_stands": round(_share(test, w, cut, None,
                                                                    promote), 4),
                              "current@1_loso": round(_share(test, w, cut, override,
                                                             promote), 4),
                              "questions": len(test)}
        report[held] = row
    return report


def _model(w: np.ndarray, cut: float, depth: int, override: float | None,
           promote: bool) -> dict[str, Any]:
    weights = {"bias": round(float(w[0]), 4)}
    weights.update({f: round(float(v), 4) for f, v in zip(FEATURES, w[1:])})
    return {"weights": weights, "cut": cut, "depth": depth, "override": override,
            "promote": promote}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.current_fit",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="dev,heldout,fresh,fresh2,fresh3")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--extractors", default=",".join(EXTRACTORS),
                        help="none (turns only) and/or rules (fact records in the pool)")
    parser.add_argument("--write", action="store_true",
                        help=f"store the fit on all sets in {MODELS_PATH.name}")
    args = parser.parse_args(argv)
    splits = [s.strip() for s in args.sets.split(",") if s.strip()]
    if blind := sorted(set(splits) & set(uc.BLIND)):
        parser.error(f"{', '.join(blind)} is the blind set: no fit reads it")
    extractors = [e.strip() for e in args.extractors.split(",") if e.strip()]
    questions = collect(splits, args.embedder, extractors)
    # the latest fact put first, or the fused order left, when no statement goes before
    # it: whichever puts the current value first more often over all sets
    fits = {promote: fit(questions, promote) for promote in (False, True)}
    scores = {promote: _share([q for q in questions if q.depth == depth], w, cut, override,
                              promote) for promote, (w, cut, depth, override) in fits.items()}
    promote = scores[True] > scores[False]
    w, cut, depth, override = fits[promote]
    report = {"embedder": args.embedder,
              "leave_one_set_out": leave_one_set_out(questions, splits, promote),
              "leave_one_set_out_other": leave_one_set_out(questions, splits, not promote),
              "fit_on_all": _model(w, cut, depth, override, promote)}
    print(json.dumps(report, indent=1))
    if args.write:
        models = json.loads(MODELS_PATH.read_text()) if MODELS_PATH.exists() else {}
        models[args.embedder.split(":")[0].lower()] = report["fit_on_all"]
        MODELS_PATH.write_text(json.dumps(models, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
