"""The vectors of one :class:`~engramdb.Memory`: queries, records, and which embedder
the file belongs to."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from ._errors import EngramError, InvalidInputError, ProviderError
from .embed import CachedEmbedder, Embedder, embed_texts
from .embed._pool import embed_pooled, split_passages
from .store import Store

__all__ = ["MemoryVectors"]


class MemoryVectors:
    """Query vectors (through an LRU: a dialogue query re-sends its turns) and record
    vectors (each the pooled vectors of its sentences, ``embed._pool``) of one embedder;
    a provider's failure is a ProviderError, and one file holds one embedder's vectors."""

    def __init__(self, embedder: Embedder, store: Store, *, pooled: bool) -> None:
        self.embedder = embedder
        self.queries = CachedEmbedder(embedder)
        #: record passages: a write embeds its turns through it, and the rule extractor's
        #: general path (write.extract), reading the same passages, finds them here
        self.passages = CachedEmbedder(embedder, max_entries=4096)
        # one call for all texts (embed_texts reads it): the wrapped embedder batches the
        # misses its own way, as it did before the cache
        self.passages.batch_size = 1 << 30  # type: ignore[attr-defined]
        self.store = store
        self.pooled = pooled
        self._checked = False
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        """What the file records as its embedder: ``name:dim``."""
        return f"{self.embedder.name}:{self.embedder.dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Plain vectors (queries); texts embedded by an earlier call come from the LRU."""
        return _guarded(self.embedder.name, lambda: embed_texts(self.queries, texts))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed_parts(self, texts: Sequence[str]) -> np.ndarray:
        """Texts embedded whole, not pooled and not through the query LRU (parts of records,
        many at once: ``recall.multivec``)."""
        return _guarded(self.embedder.name, lambda: embed_texts(self.embedder, texts))

    @staticmethod
    def parts(text: str, speaker: str | None) -> list[str]:
        """The sentences a record vector of ``text`` pools (``embed._pool``)."""
        return split_passages(text, speaker)

    def embed_records(self, texts: Sequence[str],
                      speakers: Sequence[str | None] | None = None) -> np.ndarray:
        return _guarded(self.embedder.name, lambda: embed_pooled(
            self.passages, texts, speakers, split=self.pooled))

    def check(self) -> None:
        """Vectors of two embedders are not comparable: one file, one embedder."""
        if self._checked:
            return
        with self._lock:
            have = self.store.meta("embedder")
            if have is None:
                self.store.set_meta("embedder", self.label)
            elif have != self.label:
                raise InvalidInputError(f"this database was built with embedder {have}; it "
                                        f"cannot be used with {self.label}")
            self._checked = True

    def claim(self) -> None:
        """Record this embedder as the file's own (every vector was just rewritten)."""
        self.store.set_meta("embedder", self.label)
        self._checked = True


def _guarded(name: str, run: Callable[[], np.ndarray]) -> np.ndarray:
    try:
        return run()
    except EngramError:  # a provider's own, or a missing extra / bad setting: as it is
        raise
    except Exception as exc:  # a provider bug must not look like a store failure
        raise ProviderError(f"embedder {name!r} failed: {exc}") from exc
