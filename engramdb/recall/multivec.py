"""More than one vector per turn, kept beside the store: its sentences, and the turn in context.

A record's stored vector is the pooled mean of its sentences (``embed._pool``). Two other
things can be embedded for a turn, each the material of one signal of the engram method
(``recall.signals``, both off by default):

* **its sentences, each on its own** (``sentences``): a turn is scored by its best
  sentence (max-sim, as multi-vector retrievers score a passage by its best part), so
  one clause of a long turn ("... and the kids made a bowl out of clay") can match
  without the rest of the turn diluting it;
* **the turn with the one before it** (``context``): "Yes, we went camping last week!"
  means something only after "Did you do anything fun with the kids?"; the pair
  "<previous speaker>: <previous text>\\n<speaker>: <text>" is embedded whole.

Measured on the LoCoMo dev split (BENCHMARKS.md, "What is embedded"): neither carries over
to held-out conversations, so both stay off. The vectors are not in the store (no schema
change, no second stored vector kind for both backends): :class:`TurnVectors` embeds a
user's turns the first time a search needs them and keeps them by record id, so a later
search embeds only the turns written since. That is the ingest work of these signals,
paid on the query path by the first search after a write, and memory that grows with the
user (a few vectors per turn): acceptable for measuring them, not for switching them on
at scale.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from .._models import Filters, Record, Scope
from ..store import Match, Store

__all__ = ["SplitTurn", "TurnVectors", "rank_sentences", "rank_context"]

EmbedTexts = Callable[[Sequence[str]], np.ndarray]
#: a turn's text and speaker -> the parts its record vector pools (``embed._pool``)
SplitTurn = Callable[[str, "str | None"], list[str]]


def _said(record: Record) -> str:
    """A turn as its record vector embeds it: "<speaker>: <text>"."""
    return f"{record.speaker}: {record.text}" if record.speaker else record.text


class TurnVectors:
    """Per record id: the vectors of its sentences and its vector after the previous turn.
    ``embed`` (set by ``Memory``: the memory's embedder, documents not queries) embeds a
    batch of texts, ``split`` cuts a turn into the sentences its record vector pools
    (recall does not import the embedders); None leaves the signals that need it silent."""

    def __init__(self, embed: EmbedTexts | None = None, split: SplitTurn | None = None) -> None:
        self.embed = embed
        self.split = split
        # keyed by record id and text hash(es): an edited turn (or the turn before it) is
        # embedded again
        self._sentences: dict[tuple[str, str], np.ndarray] = {}
        self._context: dict[tuple[str, str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def sentences(self, records: Sequence[Record]) -> list[np.ndarray]:
        """One (sentences x dim) matrix per record, embedding only those not seen yet."""
        assert self.embed is not None and self.split is not None
        with self._lock:
            new = [r for r in records if (r.id, r.content_hash) not in self._sentences]
            parts = [self.split(_said(r), r.speaker) for r in new]
            flat = self.embed([p for ps in parts for p in ps]) if new else None
            start = 0
            for r, ps in zip(new, parts):
                self._sentences[r.id, r.content_hash] = flat[start:start + len(ps)]
                start += len(ps)
            return [self._sentences[r.id, r.content_hash] for r in records]

    def context(self, records: Sequence[Record],
                before: Callable[[Record], Record | None]) -> np.ndarray:
        """One vector per record: the turn embedded after the one ``before`` it."""
        assert self.embed is not None
        with self._lock:
            keys = []
            for r in records:
                prev = before(r)
                keys.append(((r.id, r.content_hash, prev.content_hash if prev else ""), prev))
            new = [(key, r, prev) for (key, prev), r in zip(keys, records)
                   if key not in self._context]
            texts = [f"{_said(prev)}\n{_said(r)}" if prev is not None else _said(r)
                     for _, r, prev in new]
            for (key, _, _), v in zip(new, self.embed(texts) if new else ()):
                self._context[key] = v
            return np.stack([self._context[key] for key, _ in keys])


def _turns(store: Store, scope: Scope, filters: Filters) -> list[Record]:
    return [r for r in store.find(scope, filters) if r.kind == "turn"]


def _ranked(records: Sequence[Record], scores: np.ndarray, k: int) -> list[Match]:
    best = np.argsort(-scores, kind="stable")[:k]
    return [Match(records[i].id, float(scores[i]), rank) for rank, i in enumerate(best)]


def rank_sentences(vectors: TurnVectors, store: Store, scope: Scope, query: np.ndarray,
                   k: int, filters: Filters) -> list[Match] | None:
    """Turns passing ``filters`` by the cosine of their best sentence with the query."""
    if vectors.embed is None or vectors.split is None:
        return None
    records = _turns(store, scope, filters)
    scores = np.array([float(np.max(m @ query)) if len(m) else -1.0
                       for m in vectors.sentences(records)])
    return _ranked(records, scores, k)


def rank_context(vectors: TurnVectors, store: Store, scope: Scope, query: np.ndarray,
                 k: int, filters: Filters) -> list[Match] | None:
    """Turns passing ``filters`` by the cosine of their vector in context with the query.
    The previous turn is the one before in the same session, whoever said it (a filter on
    the speaker narrows what is ranked, not what the context is)."""
    if vectors.embed is None:
        return None
    records = _turns(store, scope, filters)
    everyone = {(r.session_id, r.position): r for r in _turns(store, scope, Filters())}

    def before(r: Record) -> Record | None:
        if r.session_id is None or r.position is None:
            return None
        return everyone.get((r.session_id, r.position - 1))

    if not records:
        return []
    return _ranked(records, vectors.context(records, before) @ query, k)
