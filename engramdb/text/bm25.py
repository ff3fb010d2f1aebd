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

**Bounded work** (:class:`Ranking`). When at most :data:`EXACT_UP_TO` documents
hold the question's terms (every question of an ordinary memory), every one is
looked up and ranked exactly, frequencies included. Past that (a user of 100k
records asking about a common word), each term counts once per document, and a
score factors: ``W(d) * g(dl(d))``, where ``W(d)`` is the summed idf of the query
terms ``d`` holds (the posting lists alone give it) and ``g`` falls with the
length from ``g(0) = (k1 + 1) / (1 + k1 (1 - b))``. Documents are then taken in
order of ``W``, their lengths asked for a batch at a time, and a scored document
is final once its score is at least ``W * g(0)`` of the next unseen one (Fagin,
Lotem & Naor's threshold algorithm, 2003); a ``budget`` caps the documents looked
up, past it the rest follow in order of ``W`` as if of mean length. Such a user
pays for the keys that can reach the top, not for every key sharing a common word
with the question.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

__all__ = ["K1", "B", "IDF_FLOOR", "EXACT_UP_TO", "idf", "rank", "Ranking", "Details"]

K1, B = 1.2, 0.75
#: FTS5 floors idf here: a term in more than half the documents still counts a little
IDF_FLOOR = 1e-6
#: documents looked up at once while ranking
BATCH = 512
#: a question whose terms at most this many documents hold is ranked exactly
EXACT_UP_TO = 2048

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
                      lambda ids, _: {d: known[d] for d in ids}, exact_up_to=None, k1=k1, b=b)
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
    """Documents best first (see the module docstring), looking documents up with
    ``details(doc ids, frequencies)``: their lengths, and term frequencies when
    ``frequencies`` is true (else each term the document holds counts once).

    ``hits``: term -> ids of the documents holding it."""

    def __init__(self, hits: Mapping[str, Sequence[int]], df: Mapping[str, int], docs: int,
                 avgdl: float, details: Callable[[list[int], bool], Details], *,
                 budget: int | None = None, exact_up_to: int | None = EXACT_UP_TO,
                 k1: float = K1, b: float = B) -> None:
        self.idf = {t: idf(docs, df[t]) for t, ids in hits.items() if len(ids)}
        self._hits = hits
        self.ids, self.weights = _by_weight(hits, self.idf)
        self._details, self._avgdl, self._k1, self._b = details, max(avgdl, 1e-9), k1, b
        self.budget = budget
        #: exact (frequencies, every document) when so few documents hold the terms
        self.exact = exact_up_to is None or len(self.ids) <= exact_up_to
        #: how many documents were looked up (what the ranking cost)
        self.looked_up = 0

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return self._exact() if self.exact else self._bounded()

    def _exact(self) -> Iterator[tuple[int, float]]:
        ids = self.ids.tolist()
        found = self._details(ids, True)
        self.looked_up += len(ids)
        docs = np.array([d for d in ids if d in found], dtype=np.int64)  # gone meanwhile: out
        if docs.size == 0:
            return iter(())
        k1, b = self._k1, self._b
        lengths = np.array([found[d][0] for d in docs.tolist()], dtype=np.float64)
        norm = k1 * (1 - b + b * lengths / self._avgdl)
        score = np.zeros(docs.size)
        repeated = [(i, tfs) for i, d in enumerate(docs.tolist()) if (tfs := found[d][1])]
        for term, weight in self.idf.items():  # per document, terms add up in this order
            held = np.isin(docs, np.asarray(self._hits[term], dtype=np.int64))
            tf = np.ones(docs.size, dtype=np.int64)
            for i, tfs in repeated:
                tf[i] = max(tfs.get(term, 1), 1)
            part = weight * tf * (k1 + 1) / (tf + norm)
            score[held] += part[held]
        return _best_first(score, docs)

    def _bounded(self) -> Iterator[tuple[int, float]]:
        """Fagin's threshold order over ``W * g(dl)`` (each term once per document).

        Scored documents wait in two arrays; after each batch those scoring at least the
        bound go out best first, ties by doc (the order a heap of (-score, doc) pops)."""
        gmax = (self._k1 + 1) / (1 + self._k1 * (1 - self._b))  # g of a document of length 0
        scores, docs = np.zeros(0), np.zeros(0, dtype=np.int64)  # scored, not given out yet
        seen = 0
        while seen < len(self.ids) and (self.budget is None or self.looked_up < self.budget):
            batch = self.ids[seen:seen + BATCH]
            found = self._details(batch.tolist(), False)
            self.looked_up += len(batch)
            keep = [i for i, d in enumerate(batch.tolist()) if d in found]  # gone: left out
            lengths = np.array([found[int(batch[i])][0] for i in keep], dtype=np.float64)
            scores = np.concatenate([scores, self.weights[seen:seen + BATCH][keep] * _norm(
                lengths, self._avgdl, self._k1, self._b)])
            docs = np.concatenate([docs, batch[keep]])
            seen = min(seen + BATCH, len(self.ids))
            bound = self.weights[seen] * gmax if seen < len(self.ids) else -math.inf
            final = scores >= bound
            if final.any():
                yield from _best_first(scores[final], docs[final])
                scores, docs = scores[~final], docs[~final]
        yield from _best_first(scores, docs)
        yield from zip(self.ids[seen:].tolist(), self.weights[seen:].tolist())  # g(avgdl) = 1


def _best_first(scores: np.ndarray, docs: np.ndarray) -> Iterator[tuple[int, float]]:
    """(doc, score) by score, best first, ties by doc."""
    order = np.lexsort((docs, -scores))
    return zip(docs[order].tolist(), scores[order].tolist())


def _norm(lengths: np.ndarray, avgdl: float, k1: float, b: float) -> np.ndarray:
    """g(dl): what a term held once is worth in a document of this length, per idf."""
    return (k1 + 1) / (1 + k1 * (1 - b + b * lengths / avgdl))
