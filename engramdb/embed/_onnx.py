"""MiniLM on ONNX Runtime: the graph built once from the weights, cached with a checksum.

The graph (``_onnx_graph``) is built from the same ``model.safetensors`` as the
numpy encoder, serialised, optionally int8-quantised (onnxruntime's dynamic
quantization of the matmul weights), and written to ``cache_dir`` beside a
``.sha256`` file. Every load hashes the bytes it hands to onnxruntime; a file
that is missing, truncated, altered, or that onnxruntime cannot parse is
rebuilt, with a warning on the ``engramdb.embed`` logger, never a crash.

Threads: every run is single-threaded (``intra_op_num_threads=1``, no
inter-op pool); the embedder runs length-sorted sub-batches on ``threads``
Python workers instead (the usable cores, at most 8; a run releases the GIL),
as the numpy backend does. Splitting each matmul over cores pays a barrier per
operator: on this project's shared 2-core machine that made a 64-text batch
slower, not faster, and a one-line query has too few rows to split anyway.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import MissingExtraError, ProviderError
from ._bert import BertConfig
from ._onnx_graph import GRAPH_VERSION, build_model
from ._safetensors import read_safetensors

__all__ = ["OnnxEncoder", "default_cache_dir", "onnx_available"]

log = logging.getLogger("engramdb.embed")
_EXTRA = "pip install 'engramdb[onnx]'"
_build_lock = threading.Lock()


def onnx_available() -> bool:
    """Whether onnxruntime and onnx can be imported (checked without importing them)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "onnx"))


def default_cache_dir() -> Path:
    """The user's cache directory for engramdb (``$XDG_CACHE_HOME`` or ``~/.cache``)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "engramdb" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "engramdb"


class OnnxEncoder:
    """An onnxruntime session over the cached graph: token ids in, pooled states out."""

    def __init__(self, model_dir: Path, config: BertConfig, *, cache_dir: Path,
                 quantize: str | None) -> None:
        self.path = cache_dir / _file_name(model_dir, quantize)
        self._source = (model_dir, config, quantize)
        self._session = self._open()

    def pooled(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Mean-pooled, unnormalised states of ``ids`` (rows padded after ``lengths``)."""
        mask = (np.arange(ids.shape[1]) < lengths[:, None]).astype(np.int64)
        out: np.ndarray = self._session.run(
            ["pooled"], {"input_ids": ids.astype(np.int64), "attention_mask": mask})[0]
        return out

    def _open(self) -> Any:
        ort = _import_ort()
        data = _verified(self.path)
        if data is None:
            data = self._rebuild()
        try:
            return _session(ort, data)
        except Exception as exc:  # onnxruntime raises its own non-Exception-tree errors
            log.warning("engramdb: cached ONNX graph %s does not load (%s); rebuilding it",
                        self.path, exc)
            data = self._rebuild()
        try:
            return _session(ort, data)
        except Exception as exc:
            raise ProviderError(f"onnxruntime cannot load the MiniLM graph: {exc}") from exc

    def _rebuild(self) -> bytes:
        with _build_lock:
            data = _build_bytes(*self._source)
            _write_cached(self.path, data)
        return data


def _import_ort() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:
        raise MissingExtraError(f"onnxruntime is not installed: {_EXTRA}") from exc
    return onnxruntime


def _session(ort: Any, data: bytes) -> Any:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: no warnings on stderr for every session
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def _file_name(model_dir: Path, quantize: str | None) -> str:
    """Names the weights, the graph layout and the variant: another model never matches."""
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    ident = json.dumps([GRAPH_VERSION, str(weights.resolve()), stat.st_size, stat.st_mtime_ns,
                        (model_dir / "config.json").read_text(encoding="utf-8")])
    key = hashlib.sha256(ident.encode()).hexdigest()[:16]
    return f"minilm-{key}-{quantize or 'fp32'}.onnx"


def _verified(path: Path) -> bytes | None:
    """The file's bytes if its checksum matches; None (and why, logged) otherwise."""
    sums = path.with_suffix(".onnx.sha256")
    if not path.is_file():
        log.info("engramdb: building the ONNX graph of MiniLM once, cached at %s", path)
        return None
    try:
        data, expected = path.read_bytes(), sums.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("engramdb: cached ONNX graph %s is unreadable (%s); rebuilding it", path, exc)
        return None
    if hashlib.sha256(data).hexdigest() != expected:
        log.warning("engramdb: cached ONNX graph %s fails its checksum (corrupt or "
                    "partly written); rebuilding it", path)
        return None
    return data


def _build_bytes(model_dir: Path, config: BertConfig, quantize: str | None) -> bytes:
    tensors = read_safetensors(model_dir / "model.safetensors")
    if quantize == "int8":
        from ._onnx_quant import quantized_bytes

        return quantized_bytes(model_dir, config, tensors)
    data: bytes = build_model(config, tensors).SerializeToString()
    return data


def _write_cached(path: Path, data: bytes) -> None:
    """Write the graph and its checksum, each atomically (temp file + rename)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)
        _atomic_write(path.with_suffix(".onnx.sha256"),
                      (hashlib.sha256(data).hexdigest() + "\n").encode("ascii"))
    except OSError as exc:  # a read-only cache costs a rebuild per process, not a failure
        log.warning("engramdb: cannot cache the ONNX graph at %s (%s); it will be rebuilt "
                    "next time", path, exc)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

