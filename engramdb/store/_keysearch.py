"""Lexical search over the expanded keys, written once above three backend primitives.

A backend lists postings (:meth:`KeySearch._postings`: the index's statistics and,
per query term, the user's keys holding it, with their lengths and term frequencies
if it reads them anyway), gives those on demand (:meth:`KeySearch._key_details`)
and resolves keys to records (:meth:`KeySearch._key_records`: owner and text of the keys whose record
passes the filters). Ranking is :class:`engramdb.text.bm25.Ranking`, the same pure
BM25 on both backends, which looks up only the keys that can still reach the top; only the best keys are resolved, a batch at a time. The cost of a
search is the posting lists of its terms, the details of the keys that can rank and
one lookup per key kept: never a join of every matching key with its record, nor
FTS5's walk over all of the user's keys (what made a user of 100k records slow).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from .._models import Filters, Scope
from ..text.bm25 import Details, Ranking
from ._protocol import Match

__all__ = ["KeySearch", "Postings", "EXACT_UP_TO", "LOOKUP_BUDGET"]

#: keys looked at per record asked for (a record has several: its turn, windows, facts)
KEYS_PER_RECORD = 4
#: keys resolved per record asked for in the first batch (then 4x more per batch)
FIRST_KEYS_PER_RECORD = 2
#: a question whose terms at most this many keys hold is ranked exactly (frequencies too)
EXACT_UP_TO = 2048
#: keys a search may look up; past it keys follow by their terms' idf alone
LOOKUP_BUDGET = 1024


@dataclass(frozen=True, slots=True)
class Postings:
    """What a lexical index holds for a query's terms.

    ``docs``, ``avgdl`` and ``df`` are the index's statistics over the documents a
    backend counts them on (SQLite: the file, as FTS5 does; PostgreSQL: the user's);
    ``hits`` maps each term to the ids of the user's documents holding it; ``details``
    (doc -> (length counting every token as the statistics do, term -> frequency))
    when the backend read them with the postings, else None (then
    :meth:`KeySearch._key_details` is asked, or ``lengths`` read when frequencies are
    not needed)."""

    docs: int
    avgdl: float
    df: dict[str, int] = field(default_factory=dict)
    hits: dict[str, Sequence[int] | np.ndarray] = field(default_factory=dict)
    details: dict[int, tuple[int, dict[str, int]]] | None = None
    #: (doc ids sorted, their lengths) when the backend read lengths but not frequencies
    lengths: tuple[np.ndarray, np.ndarray] | None = None


class KeySearch:
    """``lexical(..., index="keys")`` composed from the primitives below."""

    def _postings(self, scope: Scope, terms: Sequence[str]) -> Postings:
        raise NotImplementedError

    def _key_details(self, scope: Scope, key_ids: Sequence[int], terms: Sequence[str],
                     frequencies: bool = True) -> Details:
        """key id -> (length, term -> frequency) of these keys, as :class:`Postings`
        (without ``frequencies``, the lengths alone: the frequency maps may be empty)."""
        raise NotImplementedError

    def _key_records(self, scope: Scope, key_ids: Sequence[int],
                     filters: Filters) -> dict[int, tuple[str, str]]:
        """key id -> (record id, key text) for those keys whose record passes ``filters``."""
        raise NotImplementedError

    def _key_ranking(self, scope: Scope, terms: Sequence[str]) -> Ranking:
        terms = list(dict.fromkeys(terms))
        p = self._postings(scope, terms)
        known, lengths = p.details, p.lengths

        def details(ids: list[int], frequencies: bool) -> Details:
            if known is not None:
                return {d: known[d] for d in ids if d in known}
            if lengths is not None and not frequencies:
                return _lengths_of(lengths, ids)
            return self._key_details(scope, ids, list(p.hits), frequencies)

        return Ranking(p.hits, p.df, p.docs, p.avgdl, details, budget=LOOKUP_BUDGET,
                       exact_up_to=EXACT_UP_TO)

    def _lexical_keys(self, scope: Scope, terms: Sequence[str], k: int,
                      filters: Filters) -> list[Match]:
        """The ``k`` best records by their best key: BM25 over the keys, then the best
        ``4k`` keys that pass the filters, each record once (its best key).

        Keys are resolved to records a batch at a time, from ``2k``: once ``k`` records
        are found, later keys could only add records after them, so the search stops
        (a heavy user's 200 records came from ~400 of the 800 keys it resolved)."""
        wanted = k * KEYS_PER_RECORD
        best: dict[str, tuple[float, str]] = {}
        kept = 0
        for part in _batches(iter(self._key_ranking(scope, terms)), k * FIRST_KEYS_PER_RECORD):
            owners = self._key_records(scope, [doc for doc, _ in part], filters)
            for doc, score in part:
                if doc in owners and kept < wanted:
                    kept += 1
                    rid, text = owners[doc]
                    best.setdefault(rid, (score, text))
            if kept >= wanted or len(best) >= k:
                break
        return [Match(rid, score, i, text)
                for i, (rid, (score, text)) in enumerate(list(best.items())[:k])]


def _lengths_of(lengths: tuple[np.ndarray, np.ndarray], ids: list[int]) -> Details:
    docs, dls = lengths
    at = np.minimum(np.searchsorted(docs, ids), max(len(docs) - 1, 0))
    return {d: (int(dls[i]), {}) for d, i in zip(ids, at.tolist()) if len(docs) and docs[i] == d}


def _batches(ranked: Iterator[tuple[int, float]],
             size: int) -> Iterator[list[tuple[int, float]]]:
    """The ranking in growing batches (few keys pass a narrow filter: look further at once)."""
    while part := list(islice(ranked, size)):
        yield part
        size *= 4
