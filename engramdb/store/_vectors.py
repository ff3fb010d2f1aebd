"""Exact dense search over cached per-user matrices.

At the sizes of one user's memory (thousands to low millions of rows) a single
matrix-vector product is both exact and fast; an approximate index (HNSW,
pgvector) can replace this class behind the same two calls.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["ExactVectorIndex", "VectorBlock", "top_k"]


@dataclass(frozen=True, slots=True)
class VectorBlock:
    """One user's vectors: row keys, the matrix (unit rows) and an archived mask."""

    rowids: np.ndarray  # int64 (n,)
    matrix: np.ndarray  # float32 (n, dim)
    archived: np.ndarray  # bool (n,)
    #: float64 (n,): when each row stops being current (+inf: never; turns are never hidden)
    hidden_after: np.ndarray | None = None


Loader = Callable[[], VectorBlock]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first (argpartition, then a small sort)."""
    if k <= 0 or scores.size == 0:
        return np.empty(0, dtype=np.int64)
    if k < scores.size:
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(scores.size)
    return part[np.argsort(-scores[part], kind="stable")]


class ExactVectorIndex:
    """Cache of per-user matrices, invalidated by a generation number from the store."""

    def __init__(self) -> None:
        self._blocks: dict[str, tuple[int, VectorBlock]] = {}
        self._lock = threading.Lock()

    def block(self, user_id: str, generation: int, loader: Loader) -> VectorBlock:
        with self._lock:
            cached = self._blocks.get(user_id)
            if cached is not None and cached[0] == generation:
                return cached[1]
        fresh = loader()
        with self._lock:
            self._blocks[user_id] = (generation, fresh)
        return fresh

    def search(self, block: VectorBlock, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None, include_archived: bool = False,
               visible_at: float | None = None) -> list[tuple[int, float]]:
        """Cosine top-k (rows are unit vectors); ``allowed`` is an array of permitted rowids;
        ``visible_at`` (a unix time) masks rows whose validity ended by then."""
        if block.rowids.size == 0:
            return []
        scores = block.matrix @ query.astype(np.float32)
        mask = np.ones(scores.shape, dtype=bool) if include_archived else ~block.archived
        if visible_at is not None and block.hidden_after is not None:
            mask &= block.hidden_after > visible_at
        if allowed is not None:
            mask &= np.isin(block.rowids, allowed)
        scores = np.where(mask, scores, -np.inf)
        best = top_k(scores, min(k, int(mask.sum())))
        return [(int(block.rowids[i]), float(scores[i])) for i in best]

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._blocks.pop(user_id, None)
