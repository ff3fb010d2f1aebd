"""Sentence-pooled record vectors.

A chat turn often says several things at once ("Wow, great! I just signed up for
a pottery class yesterday. It's like therapy."); one vector of the whole turn
blurs them, and small sentence encoders are trained on short texts. So a record
is embedded sentence by sentence and its vector is the length-weighted mean of
its sentence vectors (SBERT-style mean pooling, one level up; the sentences play
the part of Dense X Retrieval's propositions, Chen et al. 2023, arXiv:2312.06648).

Measured on LoCoMo dev (BENCHMARKS.md): the plain dense baseline's recall_all@10
goes from 0.414 to about 0.56. Keeping each sentence's vector as well and ranking
a record by its best sentence added nothing over the pooled vector (0.701 vs 0.708
for engram) at three times the vectors, so it is not kept. The cost is a few more
tokens per record ([CLS]/[SEP] and the speaker's name once per sentence).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
import numpy as np

from ._base import Embedder, embed_texts, l2_normalize

__all__ = ["MAX_PARTS", "embed_pooled", "split_passages"]

#: a record is embedded as at most this many parts (longer texts: runs of sentences)
MAX_PARTS = 32

# A sentence ends at . ! ? (then space); an attachment such as "[image: ...]" is a part.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\s+(?=\[)")


def split_passages(text: str, speaker: str | None = None) -> list[str]:
    """The parts of ``text`` to embed. A text that starts with "<speaker>: " (a turn's
    index text) has every part so prefixed. Fragments of one or two words ("Wow,
    great!") join the sentence before them, or the first sentence."""
    prefix = f"{speaker}: " if speaker and text.startswith(f"{speaker}: ") else ""
    body = text[len(prefix):]
    parts: list[str] = []
    lead = ""  # short fragments before the first real sentence ("Wow, great!")
    for piece in filter(None, (p.strip() for p in _BOUNDARY.split(body))):
        if len(piece.split()) >= 3:
            parts.append(f"{lead} {piece}".strip())
            lead = ""
        elif parts:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            lead = f"{lead} {piece}".strip()
    if lead:  # nothing but fragments
        parts.append(lead)
    parts = _runs(parts or [body.strip() or body], MAX_PARTS)
    return [prefix + p for p in parts]


def _runs(parts: list[str], limit: int) -> list[str]:
    """At most ``limit`` parts: consecutive sentences joined into even runs."""
    if len(parts) <= limit:
        return parts
    size = -(-len(parts) // limit)
    return [" ".join(parts[i:i + size]) for i in range(0, len(parts), size)]


def embed_pooled(embedder: Embedder, texts: Sequence[str],
                 speakers: Sequence[str | None] | None = None, *,
                 split: bool = True) -> np.ndarray:
    """Embed each text as the length-weighted mean of its sentence vectors (one batch
    for all); ``split=False`` embeds each text whole."""
    parted = [split_passages(t, None if speakers is None else speakers[i]) if split else [t]
              for i, t in enumerate(texts)]
    flat = embed_texts(embedder, [p for parts in parted for p in parts])
    sizes = [len(parts) for parts in parted]
    weights = np.array([len(p.split()) for parts in parted for p in parts], dtype=np.float32)
    owner = np.repeat(np.arange(len(parted)), sizes)
    vectors = np.zeros((len(parted), embedder.dim), dtype=np.float32)
    np.add.at(vectors, owner, flat * weights[:, None])
    return l2_normalize(vectors)
