"""BM25 as SQLite's FTS5 computes it, as one pure ranking over postings.

Okapi BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and
Beyond", 2009) with FTS5's constants and idf (``fts5_aux.c``, ``fts5Bm25Function``):

    idf(t)      = max(ln((N - df(t) + 0.5) / (df(t) + 0.5)), 1e-6)
    score(d)    = sum over query terms t in d of
                  idf(t) * f * (k1 + 1) / (f + k1 * (1 - b + b * dl(d) / avgdl))

with k1 = 1.2, b = 0.75. ``N``, ``df`` and ``avgdl`` are the statistics the index
reports (a backend says over which documents), ``f`` the term's frequency in the
document and ``dl`` its length in tokens. Both backends rank with this one
function, so on the same statistics they give the same scores.

**Bounded work** (:class:`Ranking`). A term's part of a score is at most
``idf(t) * (k1 + 1)``, so a document scores at most ``W(d) * (k1 + 1)``, where
``W(d)`` is the summed idf of the query terms it holds, which the posting lists
alone give. Documents are taken in order of ``W`` and their lengths and
frequencies asked for a batch at a time; a scored document is final once no
unseen one can beat it (Fagin, Lotem & Naor's threshold algorithm, 2003). A
``budget`` caps the documents looked at: past it, the rest follow in order of
``W``, scored as if of mean length with each term once. A user of 100k records
then pays for the few thousand keys that can rank, not for every key sharing a
common word with the question; a small memory is ranked exactly.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

__all__ = ["K1", "B", "IDF_FLOOR", "idf", "rank", "Ranking", "Details"]

K1, B = 1.2, 0.75
#: FTS5 floors idf here: a term in more than half the documents still counts a little
IDF_FLOOR = 1e-6
#: documents looked up at once while ranking
BATCH = 512

#: doc -> (length, term -> frequency); a term the document holds but the map leaves out
#: is there once
Details = Mapping[int, tuple[int, Mapping[str, int]]]


def idf(docs: int, df: int) -> float:
    """FTS5's idf of a term held by ``df`` of ``docs`` documents."""
    return max(math.log((docs - df + 0.5) / (df + 0.5)), IDF_FLOOR)


def rank(hits: Mapping[str, Sequence[tuple[int, int, int]]], df: Mapping[str, int], docs: int,
         avgdl: float, *, k1: float = K1, b: float = B) -> list[tuple[int, float]]:
    """(doc, score) of every document holding a term of ``hits`` (term -> (doc, tf, dl)),
    best first, ties by doc (the order documents were written)."""
    known: dict[int, tuple[int, dict[str, int]]] = {}
    for term, triples in hits.items():
        for doc, tf, dl in triples:
            known.setdefault(doc, (dl, {}))[1][term] = tf
    ranking = Ranking({t: [d for d, _, _ in v] for t, v in hits.items()}, df, docs, avgdl,
                      lambda ids: {d: known[d] for d in ids}, k1=k1, b=b)
    return list(ranking)


def _by_weight(hits: Mapping[str, Sequence[int]],
               weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(doc ids, W = summed idf of the terms each holds), best W first, ties by doc."""
    if not weights:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids = np.concatenate([np.asarray(hits[t], dtype=np.int64) for t in weights])
    w = np.concatenate([np.full(len(hits[t]), weights[t]) for t in weights])
    uniq, where = np.unique(ids, return_inverse=True)
    total = np.bincount(where, weights=w, minlength=len(uniq))
    order = np.lexsort((uniq, -total))
    return uniq[order], total[order]


class Ranking:
    """Documents best first, with exact scores, looking up (``details(doc ids)``) only
    the documents that may still reach the next place (see the module docstring).

    ``hits``: term -> ids of the documents holding it."""

    def __init__(self, hits: Mapping[str, Sequence[int]], df: Mapping[str, int], docs: int,
                 avgdl: float, details: Callable[[list[int]], Details], *,
                 budget: int | None = None, k1: float = K1, b: float = B) -> None:
        self.idf = {t: idf(docs, df[t]) for t, ids in hits.items() if len(ids)}
        self._holders = {t: set(hits[t]) for t in self.idf}
        self.ids, self.weights = _by_weight(hits, self.idf)
        self._details, self._avgdl, self._k1, self._b = details, max(avgdl, 1e-9), k1, b
        self.budget = budget
        #: how many documents were looked up (what the ranking cost)
        self.looked_up = 0

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[tuple[int, float]]:
        heap: list[tuple[float, int]] = []  # (-score, doc): scored, not given out yet
        seen = 0
        while seen < len(self.ids) and (self.budget is None or self.looked_up < self.budget):
            self._score(self.ids[seen:seen + BATCH].tolist(), heap)
            seen = min(seen + BATCH, len(self.ids))
            bound = self.weights[seen] * (self._k1 + 1) if seen < len(self.ids) else -math.inf
            while heap and -heap[0][0] >= bound:
                score, doc = heapq.heappop(heap)
                yield doc, -score
        yield from ((doc, -score) for score, doc in sorted(heap))
        yield from zip(self.ids[seen:].tolist(), self.weights[seen:].tolist())  # g(avgdl) = 1

    def _score(self, ids: list[int], heap: list[tuple[float, int]]) -> None:
        found = self._details(ids)
        self.looked_up += len(ids)
        k1, b = self._k1, self._b
        for doc in ids:
            if doc not in found:  # gone meanwhile
                continue
            dl, tfs = found[doc]
            norm = k1 * (1 - b + b * dl / self._avgdl)
            score = 0.0
            for term in (t for t, held in self._holders.items() if doc in held):
                tf = max(tfs.get(term, 1), 1)
                score += self.idf[term] * tf * (k1 + 1) / (tf + norm)
            heapq.heappush(heap, (-score, doc))
