"""CachedEmbedder: a dialogue query pays only for turns it has not embedded before."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from engramdb import Memory
from engramdb._errors import InvalidInputError
from engramdb.embed import CachedEmbedder, FakeEmbedder


class Counting(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed_batch(texts)


def test_only_new_turns_are_embedded_and_vectors_are_unchanged() -> None:
    inner = Counting()
    cached = CachedEmbedder(inner, max_entries=16)
    dialogue = ["I adopted a beagle.", "What's her name?", "Biscuit!"]
    first = cached.embed_batch(dialogue[:2])
    second = cached.embed_batch(dialogue)
    assert inner.seen == dialogue  # each turn once, across both calls
    np.testing.assert_array_equal(second, FakeEmbedder().embed_batch(dialogue))
    np.testing.assert_array_equal(second[:2], first)
    assert (cached.hits, cached.misses) == (2, 3)
    assert cached.name == inner.name and cached.dim == inner.dim


def test_duplicates_in_one_call_are_embedded_once() -> None:
    inner = Counting()
    out = CachedEmbedder(inner).embed_batch(["same", "other", "same"])
    assert inner.seen == ["same", "other"]
    np.testing.assert_array_equal(out[0], out[2])


def test_least_recently_used_is_evicted_and_returned_rows_are_copies() -> None:
    inner = Counting()
    cached = CachedEmbedder(inner, max_entries=2)
    cached.embed_batch(["a", "b"])
    cached.embed_batch(["a"])          # a is now the most recent
    cached.embed_batch(["c"])          # evicts b
    row = cached.embed_batch(["a"])
    row[:] = 0.0                       # a caller scribbling on its result...
    assert cached.embed_batch(["a"]).any()  # ...does not touch the cache
    cached.embed_batch(["b"])
    assert inner.seen == ["a", "b", "c", "b"]
    cached.clear()
    cached.embed_batch(["a"])
    assert inner.seen[-1] == "a"


def test_bad_size() -> None:
    for size in (0, -1, True, 1.5):
        with pytest.raises(InvalidInputError):
            CachedEmbedder(FakeEmbedder(), max_entries=size)  # type: ignore[arg-type]


def test_memory_reuses_query_vectors(tmp_path) -> None:
    inner = Counting()
    with Memory(tmp_path / "m.db", embedder=inner) as m:
        m.add("We adopted a beagle called Biscuit.", user_id="ana")
        inner.seen.clear()
        first = m.search("what is the dog's name?", user_id="ana", limit=1)
        m.search("what is the dog's name?", user_id="ana", limit=1)
        assert inner.seen.count("what is the dog's name?") == 1
        assert first[0].text.startswith("We adopted")
