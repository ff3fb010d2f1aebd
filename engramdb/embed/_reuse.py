"""Reuse the vectors of texts already embedded: a small LRU keyed by text.

A dialogue used as a query (``search(messages=...)``) grows by a turn or two per
call; re-embedding it as one long sequence costs ~40-70 ms with MiniLM, and
attention grows with the square of its length. Embedding it turn by turn through
:class:`CachedEmbedder` pays only for the turns not seen before: the earlier
turns of the same conversation come from the cache.

>>> from engramdb.embed import CachedEmbedder, get_embedder
>>> cached = CachedEmbedder(get_embedder("fake"), max_entries=128)
>>> _ = cached.embed_batch(["hi there", "how are you?"])
>>> _ = cached.embed_batch(["how are you?", "fine"])      # one miss: "fine"
>>> cached.hits, cached.misses
(1, 3)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .._errors import InvalidInputError
from ._base import Embedder, check_texts, embed_texts

__all__ = ["CachedEmbedder"]


class CachedEmbedder:
    """An :class:`Embedder` that remembers the last ``max_entries`` texts' vectors.

    Same ``name`` and ``dim`` as the wrapped embedder (same vector space), so it
    can stand in for it anywhere. Misses of one call are embedded in one batch.
    Thread-safe; a vector is returned as a copy, so callers may modify it.
    """

    def __init__(self, embedder: Embedder, max_entries: int = 2048) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise InvalidInputError(f"max_entries must be a positive integer, got {max_entries!r}")
        self.embedder = embedder
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def __repr__(self) -> str:
        return f"CachedEmbedder({self.embedder!r}, max_entries={self.max_entries})"

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        items = check_texts(texts)
        out = np.empty((len(items), self.dim), dtype=np.float32)
        missing = self._fill(items, out)
        if missing:
            fresh = embed_texts(self.embedder, list(missing))
            self._store(missing, fresh)
            for text, row in zip(missing, fresh):
                out[missing[text]] = row
        return out

    def clear(self) -> None:
        """Forget every cached vector (e.g. after the texts were erased)."""
        with self._lock:
            self._vectors.clear()

    def _fill(self, items: list[str], out: np.ndarray) -> dict[str, list[int]]:
        """Copy cached rows into ``out``; the misses, each text once, with its rows."""
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(items):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(i)
                    continue
                self._vectors.move_to_end(text)
                out[i] = vector
                self.hits += 1
            self.misses += sum(len(rows) for rows in missing.values())
        return missing

    def _store(self, missing: dict[str, list[int]], fresh: np.ndarray) -> None:
        with self._lock:
            for text, row in zip(missing, fresh):
                self._vectors[text] = row.copy()
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.max_entries:
                self._vectors.popitem(last=False)
