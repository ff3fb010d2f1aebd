"""Entity graph and personalized PageRank (HippoRAG 2, Gutiérrez et al., 2025).

Records and the entities they mention form a bipartite graph. A walk that
restarts at the question's seeds — the entities it names and the records the
first retrieval round ranked best — spreads to records that share entities with
them: the second hop of a multi-hop question ("the names of Andrew's dogs":
Toby's turn -> "Toby" -> the turn naming Buddy next to Toby).

Entities are found without an NLP model: capitalised words and phrases that do
not open a sentence, and quoted titles; the speakers' own names and calendar
words are left out (they would connect everything).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from typing import Any

import numpy as np

from ..text.entities import extract_entities
from ..text.nlp import RuleAnalyzer

__all__ = ["Graph", "GraphCache", "extract_entities", "personalized_pagerank", "build_graph"]


@dataclass(frozen=True, slots=True)
class Graph:
    """Bipartite record-entity graph as index arrays (one row per mention)."""

    records: tuple[str, ...]
    entities: tuple[str, ...]
    rec_idx: np.ndarray  # int64, record index of each mention
    ent_idx: np.ndarray  # int64, entity index of each mention

    def entity_ids(self, names: Iterable[str]) -> list[int]:
        lookup = {name: i for i, name in enumerate(self.entities)}
        return [lookup[n] for n in names if n in lookup]


def build_graph(mentions: Sequence[tuple[str, str]]) -> Graph:
    """From (record id, entity name) pairs."""
    records = tuple(dict.fromkeys(r for r, _ in mentions))
    entities = tuple(dict.fromkeys(e for _, e in mentions))
    ri = {r: i for i, r in enumerate(records)}
    ei = {e: i for i, e in enumerate(entities)}
    return Graph(records, entities, np.array([ri[r] for r, _ in mentions], dtype=np.int64),
                 np.array([ei[e] for _, e in mentions], dtype=np.int64))


def personalized_pagerank(graph: Graph, record_seeds: np.ndarray, entity_seeds: np.ndarray,
                          *, damping: float = 0.5, iterations: int = 20) -> np.ndarray:
    """Stationary record scores of a walk on the bipartite graph that restarts at the seeds.

    ``p = (1 - d) * s + d * W p`` (Page et al., 1999; Haveliwala, 2002), with W the
    column-stochastic record->entity->record transition: a record spreads its mass
    evenly over its entities, an entity evenly over its records — so a rare entity
    carries more to each record than a common one. ``damping`` d is the chance to
    keep walking. Seeds are non-negative weights over records and entities.
    Returns one score per record (``graph.records`` order).
    """
    n_r, n_e = len(graph.records), len(graph.entities)
    seed = np.concatenate([record_seeds, entity_seeds]).astype(np.float64)
    if n_r == 0 or seed.sum() <= 0:
        return np.zeros(n_r)
    seed /= seed.sum()
    deg_r = np.bincount(graph.rec_idx, minlength=n_r).astype(np.float64)
    deg_e = np.bincount(graph.ent_idx, minlength=n_e).astype(np.float64)
    p = seed.copy()
    for _ in range(iterations):
        to_e = np.bincount(graph.ent_idx, weights=p[:n_r][graph.rec_idx] / deg_r[graph.rec_idx],
                           minlength=n_e)
        to_r = np.bincount(graph.rec_idx, weights=p[n_r:][graph.ent_idx] / deg_e[graph.ent_idx],
                           minlength=n_r)
        walked = np.concatenate([to_r, to_e])
        lost = p.sum() - walked.sum()  # mass on nodes without edges restarts too
        p = (1 - damping) * seed + damping * (walked + lost * seed)
    return p[:n_r]


class GraphCache:
    """One user's graph, rebuilt when the store's generation for that user moves."""

    def __init__(self, analyzer: Any = None) -> None:
        self._graphs: dict[str, tuple[int, Graph]] = {}
        #: finds a question's entities as ingest found the records' (``text.nlp``)
        self.analyzer: Any = analyzer or RuleAnalyzer()

    def get(self, user_id: str, generation: int,
            mentions: Callable[[], Sequence[tuple[str, str]]]) -> Graph:
        cached = self._graphs.get(user_id)
        if cached is None or cached[0] != generation:
            cached = (generation, build_graph(mentions()))
            self._graphs[user_id] = cached
        return cached[1]
