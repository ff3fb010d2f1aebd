"""A deterministic embedder without a model, for fast tests.

Feature hashing with signed buckets (Weinberger et al. 2009, "Feature Hashing
for Large Scale Multitask Learning"): each lowercase word, and more weakly each
of its character trigrams, adds +-1 to one of ``dim`` buckets. Texts sharing
words therefore score higher cosine similarity, which is enough to exercise
retrieval code. blake2b makes the vectors identical across processes and
machines, unlike the salted built-in ``hash()``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .._errors import InvalidInputError
from ._base import check_texts, l2_normalize

__all__ = ["FakeEmbedder"]

_WORD = re.compile(r"\w+")
_TRIGRAM_WEIGHT = 0.25  # words dominate; trigrams only link "run" to "running"


class FakeEmbedder:
    """Hashed bag of words and character trigrams, L2-normalised; empty text gives zeros."""

    def __init__(self, dim: int = 64) -> None:
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise InvalidInputError(f"dim must be a positive integer, got {dim!r}")
        self.name = "fake"
        self.dim = dim

    def __repr__(self) -> str:
        return f"FakeEmbedder(dim={self.dim})"

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        items = check_texts(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, text in zip(out, items):
            for feature, weight in _features(text):
                bucket, sign = _slot(feature, self.dim)
                row[bucket] += sign * weight
        return l2_normalize(out)


def _features(text: str) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = []
    for word in _WORD.findall(text.lower()):
        features.append(("w:" + word, 1.0))
        padded = f"#{word}#"
        features.extend(("c:" + padded[i:i + 3], _TRIGRAM_WEIGHT)
                        for i in range(len(padded) - 2))
    return features


@lru_cache(maxsize=65536)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return digest % dim, (1.0 if digest >> 63 else -1.0)
