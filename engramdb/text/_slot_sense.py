"""Which attribute a sentence speaks of, by meaning rather than by cue word.

The rules of :mod:`engramdb.text._slot_cues` read a fact when a cue word of its
attribute ("moved", "hired", "dating") stands beside its value. People say most
changes otherwise: "Orientation at Tallow Logistics today was eight hours of slides",
"Vet visit for Nutmeg today", "Gross is $121,500 a year". Their sentences still *mean*
work, a pet, pay: an embedding of the sentence lies nearer the sentences that state
that attribute than the chit-chat around them.

A :class:`SenseModel` holds, per attribute, the mean embedding (centroid) of sentences
that state a value of it, one centroid of sentences that state none, and a cut per
attribute on ``cos(x, attribute) - cos(x, none)``. All three are fitted from the update
benchmark's labelled sentences by ``python -m engramdb.bench.slot_sense --fit --write``
(one model per embedder, in ``text/data/slot_sense.json``); an embedder without a fitted
model gives no sense, and the rules alone run. The sense only says *what about*; the
value, its type and whose it is are read by :mod:`engramdb.text._slot_typed`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["SENSE_FILE", "SenseModel", "in_context", "load_sense"]

SENSE_FILE = Path(__file__).parent / "data" / "slot_sense.json"


@dataclass(frozen=True)
class SenseModel:
    """Centroids of one embedder's space: row 0 says no attribute, row i+1 ``attributes[i]``."""

    embedder: str
    attributes: tuple[str, ...]
    centroids: np.ndarray  # (1 + k, dim), unit rows
    cuts: np.ndarray  # (k,): margin over the no-attribute centroid that a sense needs

    def margins(self, vectors: np.ndarray) -> np.ndarray:
        """(n, k): how much nearer each attribute than no attribute each sentence is."""
        sims = np.asarray(vectors, dtype=np.float32) @ self.centroids.T
        return sims[:, 1:] - sims[:, :1]

    def ranked(self, vectors: np.ndarray) -> list[list[tuple[str, bool]]]:
        """Per sentence, the attributes nearest first, each with whether it passed its cut."""
        margins = self.margins(vectors)
        return [[(self.attributes[i], bool(row[i] >= self.cuts[i])) for i in np.argsort(-row)]
                for row in margins]

    def to_json(self) -> dict[str, object]:
        return {"attributes": list(self.attributes),
                "centroids": [[round(float(x), 5) for x in row] for row in self.centroids],
                "cuts": [round(float(c), 5) for c in self.cuts]}

    @classmethod
    def from_json(cls, embedder: str, data: dict[str, object]) -> SenseModel:
        centroids = np.asarray(data["centroids"], dtype=np.float32)
        return cls(embedder, tuple(data["attributes"]), centroids,  # type: ignore[arg-type]
                   np.asarray(data["cuts"], dtype=np.float32))


def in_context(vectors: np.ndarray, turns: Sequence[int]) -> np.ndarray:
    """Each passage's vector with its turn's: "The monthly figure is $1,950" means rent
    beside "our landlord sent the new lease over". ``turns[i]``: passage i's turn."""
    vectors = np.asarray(vectors, dtype=np.float32)
    owner = np.asarray(turns)
    means = np.zeros((int(owner.max()) + 1, vectors.shape[1]), dtype=np.float32)
    np.add.at(means, owner, vectors)
    means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
    both = vectors + means[owner]
    return both / np.maximum(np.linalg.norm(both, axis=1, keepdims=True), 1e-9)


@lru_cache(maxsize=8)
def load_sense(embedder: str) -> SenseModel | None:
    """The fitted model of ``embedder`` (its ``name``), or None when none was fitted."""
    try:
        models = json.loads(SENSE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    data = models.get(embedder)
    return SenseModel.from_json(embedder, data) if isinstance(data, dict) else None
