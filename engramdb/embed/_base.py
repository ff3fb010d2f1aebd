"""What every embedder is, and the helpers they share.

An embedder maps texts to unit vectors so that cosine similarity is a plain dot
product (the Sentence-BERT recipe: Reimers & Gurevych 2019, arXiv:1908.10084).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from .._errors import InvalidInputError, ProviderError

__all__ = ["Embedder", "check_texts", "embed_texts", "l2_normalize"]


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns a batch of texts into L2-normalised float32 rows.

    ``name`` identifies the vector space: two embedders with the same name give
    comparable vectors, so a store can refuse to mix spaces. ``dim`` is the row
    length. ``embed_batch`` returns shape ``(len(texts), dim)``; a row may be all
    zeros (e.g. for an empty text), every other row has norm 1.
    """

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray: ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """Return ``texts`` as a list, or raise if it is not a sequence of strings.

    A bare string is refused: iterating it would embed one character per row.
    """
    if isinstance(texts, (str, bytes)):
        raise InvalidInputError("texts must be a sequence of strings, not a single string")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise InvalidInputError(f"texts[{i}] is {type(text).__name__}, not str")
    return items


def l2_normalize(matrix: np.ndarray) -> np.ndarray:
    """Scale each row to unit length in place (float32); all-zero rows stay zero."""
    out = np.asarray(matrix, dtype=np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", out, out))
    np.divide(out, norms[:, None], out=out, where=norms[:, None] > 0.0)
    return out


def embed_texts(embedder: Embedder, texts: Sequence[str],
                batch_size: int | None = None) -> np.ndarray:
    """Embed any number of texts, ``batch_size`` at a time, into one ``(n, dim)`` array.

    ``batch_size`` defaults to the embedder's own ``batch_size`` attribute, else 64.
    More texts than one batch are sent shortest first (each batch then holds texts of
    similar length, so a local model pads little); rows come back in the given order."""
    items = check_texts(texts)
    size = batch_size if batch_size is not None else getattr(embedder, "batch_size", 64)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidInputError(f"batch_size must be >= 1, got {size!r}")
    dim = embedder.dim
    out = np.empty((len(items), dim), dtype=np.float32)
    if len(items) <= size:
        if items:
            out[:] = _checked(embedder, items, dim)
        return out
    order = sorted(range(len(items)), key=lambda i: len(items[i]))
    for start in range(0, len(order), size):
        rows = order[start:start + size]
        out[rows] = _checked(embedder, [items[i] for i in rows], dim)
    return out


def _checked(embedder: Embedder, chunk: list[str], dim: int) -> np.ndarray:
    # A third-party embedder with the wrong shape would otherwise corrupt the index silently.
    rows = np.asarray(embedder.embed_batch(chunk))
    if rows.shape != (len(chunk), dim):
        raise ProviderError(
            f"embedder {embedder.name!r} returned shape {rows.shape}, expected {(len(chunk), dim)}")
    return rows
