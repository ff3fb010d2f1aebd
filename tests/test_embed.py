"""The embedder registry, the shared helpers and the fake embedder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

import numpy as np
import pytest

from engramdb._errors import InvalidInputError, ProviderError
from engramdb.embed._onnx import onnx_available
from engramdb.embed import (
    DEFAULT_EMBEDDER,
    Embedder,
    FakeEmbedder,
    available_embedders,
    default_embedder,
    embed_texts,
    get_embedder,
    l2_normalize,
    register_embedder,
)


class CountingEmbedder:
    """Records the batches it is given; row i is a unit vector on axis (len(text) % dim)."""

    def __init__(self, dim: int = 8) -> None:
        self.name, self.dim = "counting", dim
        self.batches: list[list[str]] = []

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        out[np.arange(len(texts)), [len(t) % self.dim for t in texts]] = 1.0
        return out


class WrongShapeEmbedder(CountingEmbedder):
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), self.dim + 1), dtype=np.float32)


# ---------------------------------------------------------------- registry
def test_builtin_names_are_available() -> None:
    assert {"minilm", "openai", "fake"} <= set(available_embedders())
    assert DEFAULT_EMBEDDER == "minilm"  # what every install can run
    assert default_embedder() == ("minilm-int8" if onnx_available() else "minilm")


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="unknown embedder 'nope'.*fake.*minilm.*openai"):
        get_embedder("nope")


def test_names_are_case_insensitive_and_options_reach_the_factory() -> None:
    embedder = get_embedder(" FAKE ", dim=16)
    assert isinstance(embedder, FakeEmbedder) and embedder.dim == 16


def test_instance_passes_through() -> None:
    embedder = CountingEmbedder()
    assert get_embedder(embedder) is embedder
    assert isinstance(embedder, Embedder)


def test_instance_with_options_or_non_embedder_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="options"):
        get_embedder(CountingEmbedder(), dim=3)
    with pytest.raises(InvalidInputError, match="expected an embedder"):
        get_embedder(42)  # type: ignore[arg-type]


def test_register_embedder_adds_a_name() -> None:
    register_embedder("counting-test", CountingEmbedder)
    try:
        embedder = get_embedder("counting-test", dim=4)
        assert isinstance(embedder, CountingEmbedder) and embedder.dim == 4
        assert "counting-test" in available_embedders()
    finally:
        from engramdb import embed
        embed._registry.pop("counting-test", None)


def test_register_embedder_validates() -> None:
    with pytest.raises(InvalidInputError):
        register_embedder("", CountingEmbedder)
    with pytest.raises(InvalidInputError):
        register_embedder("x", "not callable")  # type: ignore[arg-type]


def test_import_is_lazy() -> None:
    code = ("import sys, engramdb.embed; "
            "print(sorted(m for m in sys.modules if m.startswith('engramdb.embed.') "
            "or m.split('.')[0] == 'tokenizers'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ("['engramdb.embed._base', 'engramdb.embed._deferred', "
                                  "'engramdb.embed._pool', 'engramdb.embed._reuse']")


# ---------------------------------------------------------------- embed_texts
def test_embed_texts_chunks_and_keeps_order() -> None:
    embedder = CountingEmbedder()
    texts = [f"t{'x' * i}" for i in range(10)]
    out = embed_texts(embedder, texts, batch_size=4)
    assert [len(b) for b in embedder.batches] == [4, 4, 2]
    assert out.shape == (10, 8) and out.dtype == np.float32
    assert list(out.argmax(axis=1)) == [len(t) % 8 for t in texts]


def test_embed_texts_sends_similar_lengths_together() -> None:
    """More texts than one batch go shortest first (a local model pads each batch to its
    longest text); the embedder's own ``batch_size`` is the default chunk."""
    embedder = CountingEmbedder()
    embedder.batch_size = 3  # type: ignore[attr-defined]
    texts = ["x" * n for n in (9, 1, 7, 3, 8, 2, 5)]
    out = embed_texts(embedder, texts)
    assert [[len(t) for t in b] for b in embedder.batches] == [[1, 2, 3], [5, 7, 8], [9]]
    assert list(out.argmax(axis=1)) == [len(t) % 8 for t in texts]


def test_embed_texts_empty_input() -> None:
    embedder = CountingEmbedder(dim=5)
    out = embed_texts(embedder, [])
    assert out.shape == (0, 5) and out.dtype == np.float32
    assert embedder.batches == []


def test_embed_texts_rejects_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="single string"):
        embed_texts(CountingEmbedder(), "hello")
    with pytest.raises(InvalidInputError, match=r"texts\[1\]"):
        embed_texts(CountingEmbedder(), ["ok", None])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="batch_size"):
        embed_texts(CountingEmbedder(), ["ok"], batch_size=0)


def test_embed_texts_checks_the_embedders_shape() -> None:
    with pytest.raises(ProviderError, match="shape"):
        embed_texts(WrongShapeEmbedder(), ["a", "b"])


def test_l2_normalize_keeps_zero_rows() -> None:
    out = l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


# ---------------------------------------------------------------- fake
def test_fake_is_deterministic_across_processes() -> None:
    texts = ["My dog Biscuit hates stairs", "Berlin in March"]
    here = FakeEmbedder(32).embed_batch(texts)
    code = ("from engramdb.embed import FakeEmbedder; import sys; "
            f"sys.stdout.write(FakeEmbedder(32).embed_batch({texts!r}).tobytes().hex())")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout
    assert here.tobytes().hex() == there


def test_fake_rows_are_unit_or_zero() -> None:
    out = FakeEmbedder().embed_batch(["hello world", "", "   ", "Ünïcödé 東京 42"])
    assert out.shape == (4, 64) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), [1, 0, 0, 1], atol=1e-6)


def test_fake_similarity_follows_shared_words() -> None:
    query, near, far = FakeEmbedder(256).embed_batch([
        "where does my sister live now",
        "my sister moved and now she lives in Lisbon",
        "the quarterly revenue grew seventeen percent",
    ])
    assert query @ near > query @ far
    assert query @ near > 0.3


def test_fake_is_case_insensitive() -> None:
    a, b = FakeEmbedder().embed_batch(["Hello World", "hello world"])
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("dim", [0, -1, 2.5, True])
def test_fake_rejects_bad_dim(dim: object) -> None:
    with pytest.raises(InvalidInputError):
        FakeEmbedder(dim)  # type: ignore[arg-type]
