"""Candidate generation of the full ``engram`` method: every signal of
:data:`engramdb.recall.signals.SIGNALS` whose fusion weight is above zero, each its
own ranking for fusion (so each can be weighted, switched off and measured).

The signals themselves (plain and expanded-key BM25, dense, their ``…@speaker``
forms, the time span, pseudo-relevance feedback, the entity graph) are described
and registered in :mod:`engramdb.recall.signals`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

import numpy as np

from .._models import Filters, Scope
from ..store import Match, Store
from .graph import GraphCache
from .multivec import TurnVectors
from .query import QueryAnalysis
from .signals import EngramOptions, Probe, fold_flags, run_signals

__all__ = ["EngramOptions", "engram_candidates"]


def engram_candidates(store: Store, scope: Scope, q: QueryAnalysis,
                      qvec: Callable[[], np.ndarray], k: int, filters: Filters,
                      opts: EngramOptions, weights: Mapping[str, float],
                      graphs: GraphCache | None = None,
                      turn_vectors: TurnVectors | None = None,
                      lexical_first: bool = False) -> dict[str, list[Match]]:
    """The rankings of the signals that are on (weight > 0), by signal name;
    ``lexical_first``: those not reading ``qvec`` first (it is being embedded)."""
    probe = Probe(store=store, scope=scope, query=q, vector=cache(qvec), k=k,
                  filters=filters, weights=fold_flags(weights, opts), options=opts, graphs=graphs, found={},
                  turn_vectors=turn_vectors)
    return run_signals(probe, lexical_first=lexical_first)
