"""Candidate generation of the full ``engram`` method.

On top of the plain lexical and dense rankings it adds, each as its own signal
for fusion (so each can be weighted, switched off and measured):

* ``keys`` – BM25 (Porter-stemmed) over expanded keys: the turn and its preceding
  turns, resolved dates — the key-expansion design of LongMemEval (Wu et al.,
  2025, §5), see :mod:`engramdb.recall.expand`;
* ``…@speaker`` – the same rankings restricted to a speaker the question names
  ("What did Caroline ...": in LoCoMo 97% of evidence turns are hers);
* ``time`` – candidates whose event time falls in a span the question names
  ("in March 2023"): time-aware query expansion (ibid.);
* ``prf`` – a second, dense round seeded by the first round's best hits
  (pseudo-relevance feedback, Rocchio 1971) for evidence that shares no words
  with the question;
* ``graph`` – personalized PageRank over the entity graph from the question's
  entities and the first round's best hits (HippoRAG 2; ``recall.graph``).

A signal whose fusion weight is zero is not computed at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timezone
from functools import cache

import numpy as np

from .._models import Filters, Scope
from ..store import Match, Store
from .fusion import rrf
from .graph import GraphCache, personalized_pagerank
from .query import QueryAnalysis

__all__ = ["EngramOptions", "engram_candidates"]


@dataclass(frozen=True, slots=True)
class EngramOptions:
    """Switches for each technique (the ablation in BENCHMARKS.md turns them off)."""

    speaker: bool = True
    keys: bool = True
    time: bool = True
    prf: bool = True
    prf_seeds: int = 3
    graph: bool = True
    graph_seeds: int = 5
    graph_damping: float = 0.5


def engram_candidates(store: Store, scope: Scope, q: QueryAnalysis,
                      qvec: Callable[[], np.ndarray], k: int, filters: Filters,
                      opts: EngramOptions, weights: Mapping[str, float],
                      graphs: GraphCache | None = None) -> dict[str, list[Match]]:
    vec = cache(qvec)  # embed the query only if a dense signal runs
    on = {s for s, w in weights.items() if w > 0}
    out: dict[str, list[Match]] = {}
    _plain(out, on, store, scope, _unnamed(q), vec, k, filters, opts, suffix="")
    if opts.speaker and len(q.speakers) == 1 and filters.speaker is None:
        narrowed = replace(filters, speaker=q.speakers[0], speaker_keeps_facts=True)
        _plain(out, on, store, scope, _unnamed(q), vec, k, narrowed, opts, suffix="@speaker")
    span = q.time.span if q.time is not None else None
    if opts.time and span is not None and "time" in on:
        out["time"] = store.lexical(scope, q.terms, k, _within(filters, span), index="keys")
    if opts.prf and "prf" in on:
        out.update(_feedback(store, scope, q, out, k, filters, opts, weights))
    if opts.graph and "graph" in on and graphs is not None:
        out["graph"] = _graph_walk(store, scope, q, out, k, filters, opts, weights, graphs)
    return out


def _graph_walk(store: Store, scope: Scope, q: QueryAnalysis, first: dict[str, list[Match]],
                k: int, filters: Filters, opts: EngramOptions, weights: Mapping[str, float],
                graphs: GraphCache) -> list[Match]:
    """Personalized PageRank from the question's entities and the first round's best
    records (HippoRAG 2): records two hops away that share entities with them."""
    graph = graphs.get(scope.user_id, store.generation(scope), lambda: store.mentions(scope))
    if not graph.records:
        return []
    fused = rrf({s: [m.record_id for m in ms] for s, ms in first.items()}, weights=weights)
    index = {r: i for i, r in enumerate(graph.records)}
    rec_seeds = np.zeros(len(graph.records))
    for rank, (doc, _, _) in enumerate(fused[:opts.graph_seeds]):
        if doc in index:
            rec_seeds[index[doc]] = 1.0 / (rank + 1)
    ent_seeds = np.zeros(len(graph.entities))
    names = graphs.analyzer.entities([q.text], q.speakers)[0] | set(q.terms)
    ent_seeds[graph.entity_ids(names)] = 1.0
    scores = personalized_pagerank(graph, rec_seeds, ent_seeds, damping=opts.graph_damping)
    best = [i for i in np.argsort(-scores)[:k * 3] if scores[i] > 0]
    allowed = store.admit(scope, [graph.records[i] for i in best], filters)
    best = [i for i in best if graph.records[i] in allowed][:k]
    return [Match(graph.records[i], float(scores[i]), rank) for rank, i in enumerate(best)]


def _plain(out: dict[str, list[Match]], on: set[str], store: Store, scope: Scope,
           q: QueryAnalysis, vec: Callable[[], np.ndarray], k: int, filters: Filters,
           opts: EngramOptions, suffix: str) -> None:
    if "bm25" + suffix in on:
        out["bm25" + suffix] = store.lexical(scope, q.terms, k, filters)
    if "dense" + suffix in on:
        out["dense" + suffix] = store.dense(scope, vec(), k, filters)
    if opts.keys and "keys" + suffix in on:
        out["keys" + suffix] = store.lexical(scope, q.terms, k, filters, index="keys")


def _unnamed(q: QueryAnalysis) -> QueryAnalysis:
    """The query without the names of the speakers it names: every turn of theirs
    is keyed "Name: ...", so the name matches them all and only adds noise."""
    names = {w.lower() for s in q.speakers for w in s.split()}
    names |= {n + "'s" for n in names}
    kept = tuple(t for t in q.terms if t not in names)
    return replace(q, terms=kept) if kept else q


def _within(filters: Filters, span: object) -> Filters:
    start = datetime.combine(span.start, time.min, timezone.utc)  # type: ignore[attr-defined]
    end = datetime.combine(span.end, time.max, timezone.utc)  # type: ignore[attr-defined]
    return replace(filters, since=max(filters.since or start, start),
                   until=min(filters.until or end, end))


def _feedback(store: Store, scope: Scope, q: QueryAnalysis, first: dict[str, list[Match]],
              k: int, filters: Filters, opts: EngramOptions,
              weights: Mapping[str, float]) -> dict[str, list[Match]]:
    """Turns like the first round's best hits, from anywhere in the memory."""
    fused = rrf({s: [m.record_id for m in ms] for s, ms in first.items()}, weights=weights)
    vecs = store.vectors(scope, [doc for doc, _, _ in fused[:opts.prf_seeds]])
    if not vecs:
        return {}
    narrowed = replace(filters, speaker=q.speakers[0]) if len(q.speakers) == 1 else filters
    centroid = np.mean(list(vecs.values()), axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    return {"prf": store.dense(scope, centroid, k, narrowed)}
