"""Rank fusion: pure functions over ranked id lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["rrf", "RRF_K"]

#: Cormack, Clarke & Buettcher (2009) found k=60 robust across collections.
RRF_K = 60


def rrf(rankings: Mapping[str, Sequence[str]], *, k: int = RRF_K,
        weights: Mapping[str, float] | None = None) -> list[tuple[str, float, dict[str, float]]]:
    """Reciprocal rank fusion: ``score(d) = sum_s w_s / (k + rank_s(d))``, ranks from 1.

    Cormack, Clarke & Buettcher, "Reciprocal Rank Fusion outperforms Condorcet and
    individual Rank Learning Methods", SIGIR 2009. Returns (id, score, per-signal
    contributions), best first; ties keep first-seen order.
    """
    scores: dict[str, float] = {}
    parts: dict[str, dict[str, float]] = {}
    for signal, ranked in rankings.items():
        weight = 1.0 if weights is None else weights.get(signal, 1.0)
        for rank, doc in enumerate(ranked, start=1):
            contribution = weight / (k + rank)
            scores[doc] = scores.get(doc, 0.0) + contribution
            parts.setdefault(doc, {})[signal] = contribution
    order = sorted(scores, key=lambda d: -scores[d])
    return [(d, scores[d], parts[d]) for d in order]
