"""The recall pipeline: analyse the query, generate candidates, fuse, assemble hits.

``method`` selects what runs, so that the plain baselines and the full pipeline
are measured through the same public call:

* ``bm25``   – FTS5 BM25 over each record's own text;
* ``dense``  – exact cosine over the default embedder's vectors;
* ``hybrid`` – reciprocal rank fusion of the two (Cormack et al., 2009);
* ``engram`` – the full pipeline (hybrid plus expanded keys and later stages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Mapping, Sequence

import numpy as np

from .._errors import InvalidInputError
from .._models import Filters, Hit, Record, Scope
from ..store import Match, Store
from ._text import terms
from .fusion import rrf

__all__ = ["Method", "METHODS", "RecallConfig", "Retriever"]

Method = Literal["bm25", "dense", "hybrid", "engram"]
METHODS: tuple[str, ...] = ("bm25", "dense", "hybrid", "engram")


@dataclass(frozen=True, slots=True)
class RecallConfig:
    """Tunable knobs of the pipeline (defaults are the best measured configuration)."""

    candidates: int = 50  # per signal, before fusion
    rrf_k: int = 60
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "bm25": 1.0, "dense": 1.0, "keys": 0.5})


Embed = Callable[[str], np.ndarray]


class Retriever:
    """Runs one search for one scope. Knows the store only through its protocol."""

    def __init__(self, store: Store, embed_query: Embed, config: RecallConfig | None = None):
        self.store = store
        self.embed_query = embed_query
        self.config = config or RecallConfig()

    def search(self, scope: Scope, query: str, *, limit: int, filters: Filters,
               method: str = "engram", context: int = 0) -> list[Hit]:
        if method not in METHODS:
            raise InvalidInputError(f"unknown method {method!r}; choose one of {METHODS}")
        rankings = self._candidates(scope, query, filters, method, max(limit, 1))
        fused = rrf({s: [m.record_id for m in ms] for s, ms in rankings.items()},
                    k=self.config.rrf_k, weights=self.config.weights)[:limit]
        return self._hits(scope, fused, rankings, context)

    def _candidates(self, scope: Scope, query: str, filters: Filters, method: str,
                    limit: int) -> dict[str, list[Match]]:
        k = max(self.config.candidates, limit)
        out: dict[str, list[Match]] = {}
        if method in ("bm25", "hybrid", "engram"):
            out["bm25"] = self.store.lexical(scope, terms(query), k, filters)
        if method in ("dense", "hybrid", "engram"):
            out["dense"] = self.store.dense(scope, self.embed_query(query), k, filters)
        if method == "engram":
            out["keys"] = self.store.lexical(scope, terms(query), k, filters, index="keys")
        return out

    def _hits(self, scope: Scope, fused: Sequence[tuple[str, float, dict[str, float]]],
              rankings: Mapping[str, list[Match]], context: int) -> list[Hit]:
        records = {r.id: r for r in self.store.get(scope, [doc for doc, _, _ in fused])}
        ranks = {s: {m.record_id: m.rank + 1 for m in ms} for s, ms in rankings.items()}
        keys = {m.record_id: m.key for m in rankings.get("keys", []) if m.key}
        hits = []
        for doc, score, parts in fused:
            record = records.get(doc)
            if record is None:  # deleted between ranking and fetching
                continue
            hit = Hit(record=record, score=score, signals=parts,
                      ranks={s: r[doc] for s, r in ranks.items() if doc in r},
                      keys=[keys[doc]] if doc in keys else [])
            hit.context = self._context(scope, record, context)
            hits.append(hit)
        return hits

    def _context(self, scope: Scope, record: Record, n: int) -> list[Record]:
        return self.store.neighbours(scope, record, n, n) if n > 0 else []
