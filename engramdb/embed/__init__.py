"""Embedders: texts in, L2-normalised float32 vectors out.

>>> from engramdb.embed import get_embedder, embed_texts
>>> embedder = get_embedder("fake")
>>> embed_texts(embedder, ["hello world"]).shape
(1, 64)

Built-in names: ``"minilm"`` (all-MiniLM-L6-v2 on onnxruntime if installed, else in
pure numpy), ``"minilm-int8"`` (its int8-quantised ONNX graph: the default of a new
database where onnxruntime is installed, :func:`default_embedder`),
``"openai"`` (any OpenAI-compatible ``/embeddings`` endpoint) and ``"fake"``
(hashed words, for tests). Importing this package loads no model and no
tokenizer: the implementation classes are imported on first use.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from inspect import getattr_static
from typing import TYPE_CHECKING, Any

from .._errors import InvalidInputError
from ._base import Embedder, embed_texts, l2_normalize
from ._deferred import DeferredEmbedder, default_embedder
from ._reuse import CachedEmbedder

if TYPE_CHECKING:
    from .fake import FakeEmbedder
    from .minilm import MiniLMEmbedder
    from .openai import OpenAIEmbedder

__all__ = [
    "DEFAULT_EMBEDDER", "CachedEmbedder", "DeferredEmbedder", "Embedder", "FakeEmbedder", "MiniLMEmbedder", "OpenAIEmbedder",
    "available_embedders", "default_embedder", "embed_texts", "get_embedder", "l2_normalize", "register_embedder",
]

#: the embedder every install can run (the numpy fallback computes it); a new database
#: gets :func:`default_embedder` (``minilm-int8`` where onnxruntime is installed)
DEFAULT_EMBEDDER = "minilm"

EmbedderFactory = Callable[..., Embedder]

# class name -> module that defines it; resolved by __getattr__ so import stays cheap.
_LAZY = {"MiniLMEmbedder": ".minilm", "OpenAIEmbedder": ".openai", "FakeEmbedder": ".fake"}
_BUILTIN = {"minilm": "MiniLMEmbedder", "openai": "OpenAIEmbedder", "fake": "FakeEmbedder"}
_PRESETS: dict[str, dict[str, Any]] = {"minilm-int8": {"quantize": "int8"}}
_registry: dict[str, EmbedderFactory] = {}
_lock = threading.Lock()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _builtin(class_name: str, preset: dict[str, Any] | None = None) -> EmbedderFactory:
    def factory(**options: Any) -> Embedder:
        cls: EmbedderFactory = __getattr__(class_name)
        return cls(**{**(preset or {}), **options})
    factory.__name__ = class_name
    return factory


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    """Make ``get_embedder(name, **options)`` call ``factory(**options)``.

    Names are case-insensitive; registering an existing name replaces it.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("embedder name must be a non-empty string")
    if not callable(factory):
        raise InvalidInputError(f"factory for embedder {name!r} is not callable")
    with _lock:
        _registry[name.strip().lower()] = factory


def available_embedders() -> list[str]:
    """The names :func:`get_embedder` accepts, sorted."""
    with _lock:
        return sorted(_registry)


def get_embedder(spec: str | Embedder | None = None, **options: Any) -> Embedder:
    """Build the embedder registered as ``spec`` (None: :func:`default_embedder`), or
    return ``spec`` if it already is one."""
    if spec is None:
        spec = default_embedder()
    if not isinstance(spec, str):
        if not _looks_like_embedder(spec):
            raise InvalidInputError(
                f"expected an embedder name or an Embedder, got {type(spec).__name__}")
        if options:
            raise InvalidInputError("options cannot be applied to an embedder instance")
        return spec
    with _lock:
        factory = _registry.get(spec.strip().lower())
    if factory is None:
        raise InvalidInputError(
            f"unknown embedder {spec!r}; known: {', '.join(available_embedders())}")
    return factory(**options)


def _looks_like_embedder(obj: object) -> bool:
    # getattr_static: touching ``dim`` may cost a network round trip (OpenAIEmbedder).
    for attr in ("name", "dim", "embed_batch"):
        try:
            getattr_static(obj, attr)
        except AttributeError:
            return False
    return callable(getattr(obj, "embed_batch", None))


for _name, _class_name in _BUILTIN.items():
    register_embedder(_name, _builtin(_class_name))
for _name, _preset in _PRESETS.items():
    register_embedder(_name, _builtin("MiniLMEmbedder", _preset))
