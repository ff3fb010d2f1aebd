"""The HNSW graph's keys: one per distinct vector, not one per row.

Chat memories repeat themselves ("Thanks!", a template a bot sends every day, a
fact restated): identical texts get identical vectors. In an HNSW graph a set of
identical vectors is a clique at distance zero; every node's few links go to its
twins, so the clique has almost no edges out and a search that does not start
near it never enters it (on the scale corpus, recall@10 against exact fell from
0.99 at a 50k-row user to 0.88 at 100k as the cliques grew). So the graph holds
each distinct vector once, keyed by a hash of its bytes, and :class:`RowGroups`
maps a key back to every row holding that vector; a search expands each key it
finds into all of its rows, which exact cosine then scores (so ties among twins
are broken in file order, exactly as exact search breaks them).

Keys are 63-bit BLAKE2b digests of the float32 row, stable across processes (the
graph is saved). Two different vectors with one digest (odds ~2^-63 a pair) would
share a graph entry: only which rows are *proposed* could suffer, never a score.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

__all__ = ["RowGroups", "content_keys"]


def content_keys(matrix: np.ndarray) -> np.ndarray:
    """A 63-bit key per row of ``matrix`` (int64 >= 0), equal iff the rows' bytes are."""
    rows = np.ascontiguousarray(matrix, dtype=np.float32)
    digests = b"".join(hashlib.blake2b(row, digest_size=8).digest() for row in rows)
    return (np.frombuffer(digests, dtype="<u8") >> np.uint64(1)).astype(np.int64)


@dataclass(slots=True)
class RowGroups:
    """Rows by key: ``keys`` sorted, ``rowids`` in the same order (twins adjacent)."""

    keys: np.ndarray  # int64
    rowids: np.ndarray  # int64

    @classmethod
    def of(cls, rowids: np.ndarray, keys: np.ndarray) -> RowGroups:
        order = np.lexsort((rowids, keys))
        return cls(keys[order], rowids[order])

    def rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Rowids of every row whose key is among ``keys`` (distinct keys: no repeats)."""
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.searchsorted(self.keys, keys, side="right")
        return self.rowids[_spans(lo, hi)]

    def present(self, keys: np.ndarray) -> np.ndarray:
        """Which ``keys`` some row still holds."""
        if self.keys.size == 0:
            return np.zeros(keys.size, dtype=bool)
        pos = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        return self.keys[pos] == keys

    def add(self, rowids: np.ndarray, keys: np.ndarray) -> None:
        order = np.lexsort((rowids, keys))
        at = np.searchsorted(self.keys, keys[order])
        self.keys = np.insert(self.keys, at, keys[order])
        self.rowids = np.insert(self.rowids, at, rowids[order])

    def remove(self, rowids: np.ndarray, keys: np.ndarray) -> None:
        """Drop rows ``rowids`` (``keys``: the key each was added under)."""
        if rowids.size == 0:
            return
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.searchsorted(self.keys, keys, side="right")
        span = _spans(lo, hi)
        drop = span[np.isin(self.rowids[span], rowids)]
        self.keys = np.delete(self.keys, drop)
        self.rowids = np.delete(self.rowids, drop)


def _spans(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The positions lo[i]..hi[i]-1 of every i, concatenated (no Python loop)."""
    sizes = hi - lo
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.repeat(lo - np.cumsum(sizes) + sizes, sizes)
    return starts + np.arange(total)
