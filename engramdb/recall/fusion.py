"""Rank fusion: pure functions over ranked id lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["rrf", "RRF_K"]

#: Cormack, Clarke & Buettcher (2009) found k=60 robust across collections.
RRF_K = 60


def rrf(rankings: Mapping[str, Sequence[str]], *, k: int = RRF_K,
        weights: Mapping[str, float] | None = None,
        top: int | None = None) -> list[tuple[str, float, dict[str, float]]]:
    """Reciprocal rank fusion: ``score(d) = sum_s w_s / (k + rank_s(d))``, ranks from 1.

    Cormack, Clarke & Buettcher, "Reciprocal Rank Fusion outperforms Condorcet and
    individual Rank Learning Methods", SIGIR 2009. Returns (id, score, per-signal
    contributions), best first; ties keep first-seen order. ``top``: only the best
    ``top`` (a search reads a few dozen of several hundred candidates).
    """
    scores: dict[str, float] = {}
    shares: list[tuple[str, Sequence[str], list[float]]] = []
    for signal, ranked in rankings.items():
        weight = 1.0 if weights is None else weights.get(signal, 1.0)
        contributions = [weight / (k + rank) for rank in range(1, len(ranked) + 1)]
        shares.append((signal, ranked, contributions))
        for doc, contribution in zip(ranked, contributions):
            scores[doc] = scores.get(doc, 0.0) + contribution
    # sorted() is stable, also with reverse=True: ties keep first-seen order
    order = sorted(scores, key=scores.__getitem__, reverse=True)[:top]
    parts: dict[str, dict[str, float]] = {doc: {} for doc in order}
    for signal, ranked, contributions in shares:
        for doc, contribution in zip(ranked, contributions):
            if doc in parts:
                parts[doc][signal] = contribution
    return [(d, scores[d], parts[d]) for d in order]
