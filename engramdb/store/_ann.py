"""Approximate dense search (HNSW, usearch) for users with many records.

Below ``threshold`` rows a user's dense search stays exact (one matrix-vector
product: ~1 ms per 10k rows). Above it, an HNSW graph (Malkov & Yashunin 2018,
arXiv:1603.09320; the usearch library, the ``ann`` extra) proposes candidates
and the exact cached matrix scores them, so every returned score is the exact
cosine and only *which* rows are found is approximate.

* **Filters.** Candidates are over-fetched (``oversample`` x k, at least
  ``min_candidates``, divided by the share of rows the filter admits) and filtered against the same mask exact search uses
  (archived, validity, metadata/session/time narrowing); if fewer than k pass,
  the fetch grows 4x. A filter that admits under ``exact_share`` of the user's
  rows skips the graph: exact search over the admitted rows is then cheaper.
* **Twins.** The graph holds each distinct vector once (``_ann_keys``: identical
  vectors form cliques an HNSW search cannot enter); a key found expands to every
  row holding that vector.
* **Consistency.** The state follows the records' rowids. The index follows the cached
  matrix lazily: rows added or removed since it was synced are applied at the
  next search; rows this connection rewrote are re-added (the store reports
  them through :meth:`advance`). A sample of rows is compared with the matrix
  at every sync, so vectors rewritten elsewhere (``engram reembed`` in another
  process) trigger a rebuild. More than half the rows changed: rebuild.
* **Persistence.** One file per user in ``<database>.ann/`` (name: a hash of the
  user id) with a JSON sidecar (generation, row count, a checksum of the keys).
  A missing, unreadable or mismatching file is rebuilt from the stored vectors.
  Erasure deletes the user's file at once (the in-memory graph drops the rows
  at the next search); ``compact`` (VACUUM may renumber rowids) deletes all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._ann_keys import RowGroups, content_keys
from ._vectors import ExactVectorIndex, VectorBlock, scores_of, top_k

__all__ = ["AnnVectorIndex", "DEFAULT_ANN_THRESHOLD", "row_mask"]

log = logging.getLogger("engramdb.store")

#: users with at least this many vectors are searched through the HNSW graph
DEFAULT_ANN_THRESHOLD = 20_000
_FORMAT = 2  # 2: keys are content hashes of distinct vectors (1: rowids)
_SAMPLE = 16  # rows compared with the matrix at each sync


def row_mask(block: VectorBlock, allowed: np.ndarray | None, include_archived: bool,
             visible_at: float | None) -> np.ndarray | None:
    """Which rows a search may return (None: all), as :class:`ExactVectorIndex` decides."""
    mask = None if include_archived else ~block.archived
    if visible_at is not None and block.hidden_after is not None:
        visible = block.hidden_after > visible_at
        mask = visible if mask is None else mask & visible
    if allowed is not None:
        inside = np.isin(block.rowids, allowed)
        mask = inside if mask is None else mask & inside
    return mask


@dataclass(slots=True)
class _State:
    index: Any  # usearch.index.Index, keyed by content_keys
    generation: int
    keys: np.ndarray  # sorted int64 rowids the graph covers
    hashes: np.ndarray  # each of those rows' content key, aligned with ``keys``
    groups: RowGroups  # the same rows by content key
    removed: int = 0  # removals since the graph was built (they degrade it)
    unsaved: int = 0


class AnnVectorIndex(ExactVectorIndex):
    """:class:`ExactVectorIndex` that answers large users from an HNSW graph."""

    def __init__(self, directory: str | os.PathLike[str] | None, *,
                 threshold: int = DEFAULT_ANN_THRESHOLD, oversample: int = 4,
                 min_candidates: int = 100, exact_share: float = 0.05,
                 build_threads: int = 0) -> None:
        super().__init__()
        #: threads for graph inserts (0: every core); 1 makes a build repeatable
        self.build_threads = build_threads
        self.directory = Path(directory) if directory is not None else None
        self.threshold = threshold
        self.oversample = oversample
        self.min_candidates = min_candidates
        self.exact_share = exact_share
        self._states: dict[str, _State] = {}
        self._dirty: dict[str, set[int]] = {}
        self._ann_lock = threading.RLock()
        self._usearch: Any = None  # usearch's Index class, imported by the first large user
        self._imported = False

    # ------------------------------------------------------------------ search
    def search(self, block: VectorBlock, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None, include_archived: bool = False,
               visible_at: float | None = None, *, user_id: str | None = None,
               generation: int | None = None) -> list[tuple[int, float]]:
        n = block.rowids.size
        if user_id is None or generation is None or n < self.threshold or \
                self._index_class() is None:
            return super().search(block, query, k, allowed, include_archived, visible_at)
        mask = row_mask(block, allowed, include_archived, visible_at)
        query = query.astype(np.float32)
        if mask is not None and mask.sum() < self.exact_share * n:
            rows = np.flatnonzero(mask)
            return _ranked(block, rows, scores_of(block.matrix[rows], query), k)
        with self._ann_lock:
            state = self._synced(user_id, generation, block)
            rows = self._candidates(state, block, query, k, mask)
        return _ranked(block, rows, scores_of(block.matrix[rows], query), k)

    def _index_class(self) -> Any:
        if not self._imported:
            self._usearch, self._imported = _import_usearch(), True
        return self._usearch

    def _candidates(self, state: _State, block: VectorBlock, query: np.ndarray, k: int,
                    mask: np.ndarray | None) -> np.ndarray:
        n = block.rowids.size
        want = max(k * self.oversample, self.min_candidates)
        if mask is not None:  # a filter passing a share s of rows: fetch 1/s times more
            want = int(want * n / max(int(mask.sum()), 1))
        while True:
            keys = np.asarray(state.index.search(query, min(want, len(state.index))).keys,
                              dtype=np.int64)
            rows = _positions(block.rowids, state.groups.rows_of(keys))
            if mask is not None:
                rows = rows[mask[rows]]
            if rows.size >= k or want >= len(state.index):
                return np.sort(rows)  # file order, as exact search breaks ties
            want *= 4

    # ------------------------------------------------------------ keeping in sync
    def advance(self, user_id: str, before: int | None, after: int | None,
                touched: np.ndarray, fresh: VectorBlock | None) -> None:
        super().advance(user_id, before, after, touched, fresh)
        if touched.size == 0:
            return
        with self._ann_lock:
            self._dirty.setdefault(user_id, set()).update(int(r) for r in touched)
        kept = fresh.rowids if fresh is not None else np.empty(0, np.int64)
        if np.setdiff1d(touched, kept).size:  # rows removed: no copy of them stays on disk
            self._unlink(user_id)

    def forget(self, user_id: str) -> None:
        super().forget(user_id)
        with self._ann_lock:
            self._states.pop(user_id, None)
            self._dirty.pop(user_id, None)
        self._unlink(user_id)

    def clear(self) -> None:
        """Drop every graph and file (after VACUUM, rowids may have been renumbered)."""
        super().clear()
        with self._ann_lock:
            self._states.clear()
            self._dirty.clear()
            files = list(self.directory.glob("*.usearch*")) if self._has_dir() else []
        for path in files:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        """Save the graphs changed since they were last written."""
        with self._ann_lock:
            for user_id, state in self._states.items():
                if state.unsaved:
                    self._save(user_id, state)

    def _synced(self, user_id: str, generation: int, block: VectorBlock) -> _State:
        state = self._states.get(user_id) or self._load(user_id, block)
        dirty = self._dirty.pop(user_id, set())
        if state is not None and state.generation == generation and not dirty:
            return state  # nothing written since the last sync: the graph is current
        if state is None or not self._catch_up(state, block, dirty):
            state = self._build(user_id, block)
        state.generation = generation
        self._states[user_id] = state
        if state.unsaved > max(1000, state.keys.size // 10):
            self._save(user_id, state)
        return state

    def _catch_up(self, state: _State, block: VectorBlock, dirty: set[int]) -> bool:
        """Apply the block's changes to the graph; False if it must be rebuilt."""
        now = block.rowids
        if state.index.ndim != block.matrix.shape[1]:
            return False
        gone, new = _changes(state.keys, now, np.fromiter(dirty, np.int64, len(dirty)))
        if gone.size + new.size > now.size // 2 or state.removed + gone.size > now.size // 3:
            return False
        gone_hashes = state.hashes[_positions(state.keys, gone)]
        new_hashes = content_keys(block.matrix[_positions(now, new)])
        state.groups.remove(gone, gone_hashes)
        fresh, at = np.unique(new_hashes, return_index=True)
        fresh, at = fresh[~state.groups.present(fresh)], at[~state.groups.present(fresh)]
        state.groups.add(new, new_hashes)
        dropped = np.unique(gone_hashes)
        dropped = dropped[~state.groups.present(dropped)]  # no row holds that vector now
        if dropped.size:
            state.index.remove(dropped)
        if fresh.size:
            state.index.add(fresh, block.matrix[_positions(now, new[at])],
                            threads=self.build_threads)
        state.keys, state.hashes = _merged(state, gone, new, new_hashes)
        state.removed += int(dropped.size)
        state.unsaved += int(dropped.size + fresh.size)
        return _sample_matches(state, block, new)

    def _build(self, user_id: str, block: VectorBlock) -> _State:
        index = self._usearch(ndim=block.matrix.shape[1], metric="cos", dtype="f16",
                              connectivity=16, expansion_add=128,
                              expansion_search=_EXPANSION_SEARCH)
        hashes = content_keys(block.matrix)
        distinct, first = np.unique(hashes, return_index=True)
        index.add(distinct, block.matrix[first], threads=self.build_threads)
        state = _State(index, 0, block.rowids.copy(), hashes, RowGroups.of(block.rowids, hashes))
        self._save(user_id, state)
        return state

    # ------------------------------------------------------------------ files
    def _has_dir(self) -> bool:
        return self.directory is not None and self.directory.is_dir()

    def _paths(self, user_id: str) -> tuple[Path, Path] | None:
        if self.directory is None:
            return None
        name = hashlib.sha256(user_id.encode()).hexdigest()[:32]
        return self.directory / f"{name}.usearch", self.directory / f"{name}.usearch.json"

    def _unlink(self, user_id: str) -> None:
        paths = self._paths(user_id)
        for path in paths or ():
            path.unlink(missing_ok=True)

    def _save(self, user_id: str, state: _State) -> None:
        paths = self._paths(user_id)
        if paths is None:
            return
        graph, meta = paths
        try:
            graph.parent.mkdir(parents=True, exist_ok=True)
            state.index.save(str(graph) + ".tmp")
            os.replace(str(graph) + ".tmp", graph)
            keys = np.sort(np.asarray(state.index.keys, dtype=np.int64))
            meta.write_text(json.dumps({"format": _FORMAT, "count": int(keys.size),
                                        "keys": _checksum(keys)}), encoding="utf-8")
            state.unsaved = 0
        except (OSError, RuntimeError) as exc:  # a read-only folder: the graph lives in memory
            log.warning("engramdb: cannot save the ANN index %s (%s)", graph, exc)

    def _load(self, user_id: str, block: VectorBlock) -> _State | None:
        paths = self._paths(user_id)
        if paths is None or not paths[0].is_file():
            return None
        graph, meta = paths
        try:
            self._index_class()
            info = json.loads(meta.read_text(encoding="utf-8"))
            index = self._usearch.restore(str(graph))
            if index is not None:  # the file keeps the graph, not this search-time setting
                index.expansion_search = _EXPANSION_SEARCH
            keys = np.sort(np.asarray(index.keys, dtype=np.int64))  # one C call; list() is O(n^2)
            if index is None or info.get("format") != _FORMAT or \
                    info.get("keys") != _checksum(keys) or len(index) != keys.size:
                raise ValueError("does not match its sidecar")
        except (OSError, ValueError, RuntimeError, AttributeError, TypeError) as exc:
            log.warning("engramdb: ANN index %s is unusable (%s); rebuilding it from the "
                        "stored vectors", graph, exc)
            return None
        hashes = content_keys(block.matrix)
        state = _State(index, -1, block.rowids.copy(), hashes, RowGroups.of(block.rowids, hashes))
        return state if _reconciled(state, keys, block, self.build_threads) else None


#: candidates visited per search (usearch's restore() resets it to 64: recall dropped).
#: One user of 100k turns of the scale corpus (38,979 distinct vectors), tie-aware
#: recall@10 vs exact over 200 needle questions: 0.945 at 64, 0.995 at 128 and 256,
#: 1.000 at 512, at about half the search time of 512 (BENCHMARKS.md). Before twins
#: were one node, 512 gave 0.990 at 50k rows and 0.881 at 100k.
_EXPANSION_SEARCH = 256


def _import_usearch() -> Any:
    # onnxruntime (the embedder) segfaults on import once usearch's extension is loaded
    # (usearch 2.26 / onnxruntime 1.32 on Linux); the other order is fine: load it first.
    with contextlib.suppress(ImportError):
        import onnxruntime  # noqa: F401
    try:
        from usearch.index import Index
    except ImportError:  # the ann extra is optional: exact search for everyone
        return None
    return Index


def _positions(rowids: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Positions in the sorted ``rowids`` of those ``keys`` present there."""
    pos = np.searchsorted(rowids, keys)
    pos = np.minimum(pos, max(rowids.size - 1, 0))
    return pos[rowids[pos] == keys] if rowids.size else np.empty(0, np.int64)


def _ranked(block: VectorBlock, rows: np.ndarray, scores: np.ndarray,
            k: int) -> list[tuple[int, float]]:
    best = top_k(scores, min(k, scores.size))
    return [(int(block.rowids[rows[i]]), float(scores[i])) for i in best]


def _reconciled(state: _State, saved: np.ndarray, block: VectorBlock, threads: int) -> bool:
    """Bring a loaded graph (keys ``saved``) to the vectors the block holds now; False
    when too much differs (a rebuild makes a better graph) or a sampled vector differs."""
    distinct, first = np.unique(state.hashes, return_index=True)
    extra, missing = saved[~_member(saved, distinct)], ~_member(distinct, saved)
    if extra.size + int(missing.sum()) > distinct.size // 2:
        return False
    if extra.size:
        state.index.remove(extra)
        state.removed += int(extra.size)
    if missing.any():
        state.index.add(distinct[missing], block.matrix[first[missing]], threads=threads)
    state.unsaved += int(extra.size + missing.sum())
    return _sample_matches(state, block, block.rowids[first[missing]])


def _merged(state: _State, gone: np.ndarray, new: np.ndarray, new_hashes: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """(rowids, their content keys) after dropping ``gone`` and adding ``new``, sorted."""
    keep = ~_member(state.keys, gone) if gone.size else slice(None)
    keys = np.concatenate([state.keys[keep], new])
    hashes = np.concatenate([state.hashes[keep], new_hashes])
    if new.size and keys.size > new.size and new[0] <= keys[-new.size - 1]:
        order = np.argsort(keys, kind="stable")  # rewrites, not appends: re-sort
        keys, hashes = keys[order], hashes[order]
    return keys, hashes


def _checksum(keys: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(keys, dtype="<i8").tobytes()).hexdigest()


def _changes(keys: np.ndarray, now: np.ndarray, dirty: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """(rows to drop from the graph, rows to (re-)add): ``keys`` in the graph and ``now``
    in the matrix are sorted and unique; ``dirty`` rows were rewritten in place.

    Sorted-array merges (searchsorted, isin), never ``np.unique``: on 50k rows its hashing
    cost ~25 ms a call, more than the whole search. The usual change, rows appended after
    the last key, takes one comparison of the old prefix."""
    dirty = np.sort(dirty[np.isin(dirty, now)])
    if now.size >= keys.size and np.array_equal(now[:keys.size], keys):
        gone, new = np.empty(0, np.int64), now[keys.size:]
    else:
        gone, new = keys[~_member(keys, now)], now[~_member(now, keys)]
    touched = dirty[_member(dirty, keys)]  # rewritten rows the graph holds: drop, re-add
    return np.union1d(gone, touched), np.union1d(new, dirty)


def _member(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which ``values`` occur in the sorted ``sorted_keys``."""
    if sorted_keys.size == 0:
        return np.zeros(values.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), sorted_keys.size - 1)
    return sorted_keys[pos] == values


def _sample_matches(state: _State, block: VectorBlock, skip: np.ndarray) -> bool:
    """Whether a few graph vectors still equal the matrix rows (f16: cosine > 0.999)."""
    rowids = block.rowids
    if rowids.size == 0:
        return True
    picks = rowids[np.linspace(0, rowids.size - 1, min(_SAMPLE, rowids.size), dtype=np.int64)]
    picks = picks[~np.isin(picks, skip)]  # rows just (re-)added are equal by construction
    if picks.size == 0:
        return True
    hashes = state.hashes[_positions(state.keys, picks)]
    stored = np.asarray(state.index.get(hashes), dtype=np.float32).reshape(picks.size, -1)
    current = block.matrix[_positions(block.rowids, picks)]
    norms = np.linalg.norm(stored, axis=1) * np.linalg.norm(current, axis=1)
    cosines = (stored * current).sum(axis=1) / np.maximum(norms, 1e-12)
    return bool(((cosines > 0.999) | (norms == 0)).all())
