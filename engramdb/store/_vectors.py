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

__all__ = ["ExactVectorIndex", "VectorBlock", "scores_of", "top_k"]


@dataclass(frozen=True, slots=True)
class VectorBlock:
    """One user's vectors: row keys, the matrix (unit rows) and an archived mask."""

    rowids: np.ndarray  # int64 (n,)
    matrix: np.ndarray  # float32 (n, dim)
    archived: np.ndarray  # bool (n,)
    #: float64 (n,): when each row stops being current (+inf: never; turns are never hidden)
    hidden_after: np.ndarray | None = None
    #: object (n,): each row's record id (None: not loaded, the store looks them up)
    ids: np.ndarray | None = None

    def ids_of(self, rowids: list[int]) -> list[str] | None:
        """The record ids of these rows (all in the block), or None if the block has none."""
        if self.ids is None or not rowids:
            return None if self.ids is None else []
        at = np.searchsorted(self.rowids, rowids)
        return self.ids[at].tolist()


Loader = Callable[[], VectorBlock]


def scores_of(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``matrix @ query`` on one BLAS thread. OpenBLAS splits a product of more than a few
    thousand cells over its threads, which then spin for the next call: at 100k turns the
    process burnt ~9 ms of CPU per search that way (23.4 vs 14.4 ms, paired), on the core
    the question's embedding runs on meanwhile (``Retriever.overlap``), to save ~0.1 ms on
    the product. (The threaded split rounds a few rows' last float bit differently.)"""
    from ..embed._blas import single_threaded_blas  # here: `import engramdb.embed` stays lean

    with single_threaded_blas():
        return matrix @ query


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
    """Cache of per-user matrices, keyed by a generation number from the store.

    A write the store made itself is patched in (:meth:`advance`): rows appended,
    replaced or removed, the block moved to the new generation; any other
    generation (another connection's write) reloads the block. Blocks are never
    changed in place where a reader could see it, so a search holding an older
    block keeps a consistent one.
    """

    def __init__(self) -> None:
        self._blocks: dict[str, tuple[int, VectorBlock, _Spare | None]] = {}
        self._lock = threading.Lock()

    def block(self, user_id: str, generation: int, loader: Loader, *,
              keep: bool = True) -> VectorBlock:
        with self._lock:
            cached = self._blocks.get(user_id)
            if cached is not None and cached[0] == generation:
                return cached[1]
        fresh = loader()
        if keep:
            with self._lock:
                self._blocks[user_id] = (generation, fresh, None)
        return fresh

    def advance(self, user_id: str, before: int | None, after: int | None,
                touched: np.ndarray, fresh: VectorBlock | None) -> None:
        """Move the user's cached block from generation ``before`` to ``after``: rows
        ``touched`` are replaced by ``fresh`` (their current state; absent rows are gone).
        A block cached at another generation, or ``before is None``, is dropped."""
        with self._lock:
            cached = self._blocks.pop(user_id, None)
            if cached is None or before is None or after is None or cached[0] != before:
                return
            patched = _patch(cached[1], cached[2], touched, fresh)
            if patched is not None:
                self._blocks[user_id] = (after, *patched)

    def search(self, block: VectorBlock, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None, include_archived: bool = False,
               visible_at: float | None = None, *, user_id: str | None = None,
               generation: int | None = None) -> list[tuple[int, float]]:
        """Cosine top-k (rows are unit vectors); ``allowed`` is an array of permitted rowids;
        ``visible_at`` (a unix time) masks rows whose validity ended by then. ``user_id``
        and ``generation`` name the block (an approximate index, ``_ann``, keys on them)."""
        if block.rowids.size == 0:
            return []
        scores = scores_of(block.matrix, query.astype(np.float32))
        mask = np.ones(scores.shape, dtype=bool) if include_archived else ~block.archived
        if visible_at is not None and block.hidden_after is not None:
            mask &= block.hidden_after > visible_at
        if allowed is not None:
            mask &= np.isin(block.rowids, allowed)
        scores = np.where(mask, scores, -np.inf)
        best = top_k(scores, min(k, int(mask.sum())))
        # tolist: Python ints and floats in one call, not two numpy scalars per row
        return list(zip(block.rowids[best].tolist(), scores[best].tolist()))

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._blocks.pop(user_id, None)

    def clear(self) -> None:
        with self._lock:
            self._blocks.clear()

    def close(self) -> None:
        """Nothing to release here (an approximate index saves its files)."""


class _Spare:
    """Room after a block's rows, so that appending rows does not copy the matrix: the
    new block is a longer view of the same buffers (older blocks view a prefix, whose
    rows never change)."""

    __slots__ = ("rowids", "matrix", "archived", "hidden_after", "ids")

    def __init__(self, block: VectorBlock, extra: int) -> None:
        n, cap = block.rowids.size, block.rowids.size + extra
        self.rowids = np.empty(cap, np.int64)
        self.matrix = np.empty((cap, block.matrix.shape[1]), np.float32)
        self.archived = np.empty(cap, bool)
        self.hidden_after = np.empty(cap, np.float64)
        self.ids = np.empty(cap, object) if block.ids is not None else None
        self.rowids[:n], self.matrix[:n], self.archived[:n] = (block.rowids, block.matrix,
                                                               block.archived)
        self.hidden_after[:n] = _hidden(block)
        if self.ids is not None:
            self.ids[:n] = block.ids

    def view(self, n: int) -> VectorBlock:
        return VectorBlock(self.rowids[:n], self.matrix[:n], self.archived[:n],
                           self.hidden_after[:n], None if self.ids is None else self.ids[:n])


def _hidden(block: VectorBlock) -> np.ndarray:
    if block.hidden_after is None:
        return np.full(block.rowids.size, np.inf)
    return block.hidden_after


def _ids(block: VectorBlock) -> np.ndarray:
    return block.ids if block.ids is not None else np.full(block.rowids.size, None, object)


def _patch(block: VectorBlock, spare: _Spare | None, touched: np.ndarray,
           fresh: VectorBlock | None) -> tuple[VectorBlock, _Spare | None] | None:
    """The block with rows ``touched`` replaced by ``fresh``; None if it cannot be patched
    (a different dimension: the caller reloads)."""
    new = fresh if fresh is not None and fresh.rowids.size else None
    n = block.rowids.size
    if n == 0:
        return (new, None) if new is not None else (block, spare)
    if new is not None and new.matrix.shape[1] != block.matrix.shape[1]:
        return None
    if new is not None and (block.ids is None) != (new.ids is None):
        return None  # ids known on one side only: reload
    last = block.rowids[-1]
    if new is not None and (touched.size == 0 or touched[0] > last) and new.rowids[0] > last:
        return _append(block, spare, new)  # the common write: new rows after all others
    keep = ~np.isin(block.rowids, touched) if touched.size else np.ones(n, bool)
    parts = [(block.rowids[keep], block.matrix[keep], block.archived[keep],
              _hidden(block)[keep], _ids(block)[keep])]
    if new is not None:
        parts.append((new.rowids, new.matrix, new.archived, _hidden(new), _ids(new)))
    rowids, matrix, archived, hidden, ids = (np.concatenate(col) for col in zip(*parts))
    order = np.argsort(rowids, kind="stable")
    return VectorBlock(rowids[order], matrix[order], archived[order], hidden[order],
                       ids[order] if block.ids is not None else None), None


def _append(block: VectorBlock, spare: _Spare | None, new: VectorBlock
            ) -> tuple[VectorBlock, _Spare]:
    n, m = block.rowids.size, new.rowids.size
    if spare is None or spare.rowids.size < n + m:  # a cached spare is the block's own
        spare = _Spare(block, max(m, n // 4, 64))  # amortized: grows by a quarter
    spare.rowids[n:n + m], spare.matrix[n:n + m] = new.rowids, new.matrix
    spare.archived[n:n + m], spare.hidden_after[n:n + m] = new.archived, _hidden(new)
    if spare.ids is not None:
        spare.ids[n:n + m] = new.ids
    return spare.view(n + m), spare
