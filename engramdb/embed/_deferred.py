"""The embedder a database file records, built only when a text is first embedded.

A file holds one embedder's vectors and records it (``"name:dim"``). Opening the file
follows that record, so a file written where the default was ``minilm-int8`` (ONNX
installed) keeps being read with it, and one written by the numpy fallback's ``minilm``
too. Until a text is embedded nothing is loaded: a file whose embedder cannot run here
(the int8 graph without onnxruntime, a server that is not configured) can still be
listed, exported, backed up or deleted from; the first embedding says what is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from .._errors import InvalidInputError, MissingExtraError

__all__ = ["DeferredEmbedder", "default_embedder", "for_database", "parse_recorded"]


def default_embedder() -> str:
    """The embedder of a new database: ``minilm-int8`` where onnxruntime is installed
    (LoCoMo dev recall_all@10 within 0.005 of fp32, 1.4x the ingest rate: BENCHMARKS.md),
    else ``minilm`` on the numpy fallback (which cannot compute the int8 vectors)."""
    from ._onnx import onnx_available

    return "minilm-int8" if onnx_available() else "minilm"


def parse_recorded(recorded: str) -> tuple[str, int] | None:
    """``"name:dim"`` as a file records it -> (name, dim); None if not engramdb's form.
    A name may hold colons itself (``openai:text-embedding-3-small:1536``)."""
    name, _, dim = recorded.rpartition(":")
    if not name or not dim.isdigit():
        return None
    return name, int(dim)


class DeferredEmbedder:
    """Stands for the embedder that wrote a database (same ``name`` and ``dim``) and builds
    it with ``build()`` on the first text to embed; until then no model is loaded and no
    server asked. A build that cannot run here is an error naming the file's embedder."""

    def __init__(self, name: str, dim: int, build: Callable[[], object]) -> None:
        self.name, self.dim = name, dim
        self._build = build
        self._real: object | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DeferredEmbedder({self.name!r}, dim={self.dim})"

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self.real().embed_batch(texts)  # type: ignore[attr-defined, no-any-return]

    @property
    def batch_size(self) -> int:
        """The real embedder's preferred call size (``embed_texts`` reads it just before
        the first call, so building it here loads nothing sooner)."""
        size = getattr(self.real(), "batch_size", 64)
        return size if isinstance(size, int) else 64

    def real(self) -> object:
        with self._lock:
            if self._real is None:
                self._real = self._checked(self._built())
            return self._real

    def _built(self) -> object:
        try:
            return self._build()
        except MissingExtraError as exc:
            raise MissingExtraError(
                f"this database's vectors were written by embedder {self.name!r}, which "
                f"cannot run here: {exc} (or convert the file to one that can: "
                "`engram --embedder minilm reembed`, Memory(path, embedder='minilm')"
                ".reembed())") from exc

    def _checked(self, real: object) -> object:
        name, dim = getattr(real, "name", None), getattr(real, "dim", None)
        if name != self.name or dim != self.dim:
            raise InvalidInputError(
                f"this database was built with embedder {self.name!r} ({self.dim} "
                f"dimensions); the settings give {name!r} ({dim}): fix "
                "--embedder-model/--embedder-dim, or move the file with "
                "`engram --embedder NAME reembed`")
        return real


def for_database(spec: object, recorded: str | None) -> object:
    """The embedder to open a file with: ``spec`` when given (a name or an embedder; a
    mismatch with the file is refused on first use), else the one the file records
    (deferred), else :func:`default_embedder` for a new file."""
    from . import get_embedder

    if spec is not None:
        return get_embedder(spec)  # type: ignore[arg-type]
    if recorded is None:
        return get_embedder(default_embedder())
    parsed = parse_recorded(recorded)
    if parsed is None:  # not written by engramdb: the store's check names it
        return get_embedder(default_embedder())
    name, dim = parsed
    return DeferredEmbedder(name, dim, lambda: _by_name(name, dim))


def _by_name(name: str, dim: int) -> object:
    from . import available_embedders, get_embedder

    if name == "fake":
        return get_embedder("fake", dim=dim)
    if name in available_embedders():
        return get_embedder(name)
    raise InvalidInputError(
        f"this database was built with embedder {name!r} ({dim} dimensions), which cannot "
        "be built from its name alone: pass it, e.g. Memory(path, embedder=OpenAIEmbedder("
        "model=..., base_url=...)), or from the CLI --embedder with its settings")
