"""mem0 configuration dicts -> :class:`engramdb.Memory` arguments.

Mapped: ``embedder`` (openai, ollama, lmstudio, vllm, azure-less OpenAI-compatible
servers; huggingface all-MiniLM-L6-v2 is engramdb's default), ``vector_store.config.path``
(the folder of the database file), ``llm`` (kept as ``Memory.llm`` for
``consolidate``; adding and searching need none). Accepted and ignored, with a log line:
``version``, ``history_db_path`` (history lives in the same file), ``vector_store``
providers and connection settings, ``custom_*prompt``, ``reranker``. Refused:
``graph_store`` (not supported). An ``engramdb`` section passes
:class:`engramdb.Memory` arguments through (``path``, ``embedder``, ``redact``,
``decay``, ``capacity``...). docs/mem0-migration.md has the full table.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import InvalidInputError

__all__ = ["engram_options", "llm_from_config"]

log = logging.getLogger(__name__)

_OPENAI_LIKE = {"openai": "https://api.openai.com/v1", "ollama": "http://localhost:11434/v1",
                "lmstudio": "http://localhost:1234/v1", "vllm": "http://localhost:8000/v1",
                "together": "https://api.together.xyz/v1"}
_URL_KEYS = ("openai_base_url", "ollama_base_url", "lmstudio_base_url", "vllm_base_url",
             "base_url")
_MINILM = ("all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "all-minilm")
_IGNORED = ("version", "history_db_path", "custom_prompt", "custom_fact_extraction_prompt",
            "custom_update_memory_prompt", "custom_instructions", "reranker")


def engram_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for :class:`engramdb.Memory` from a mem0 config dict."""
    if not isinstance(config, Mapping):
        raise InvalidInputError("config must be a dict (mem0's MemoryConfig as a dict)")
    if config.get("graph_store"):
        raise InvalidInputError("graph_store is not supported: engramdb links entities in "
                                "its own file; drop the graph_store section")
    for key in _IGNORED:
        if config.get(key):
            log.info("mem0 config %r has no engramdb equivalent and is ignored", key)
    options: dict[str, Any] = {}
    path = _path(config.get("vector_store") or {})
    if path is not None:
        options["path"] = path
    embedder = _embedder(config.get("embedder") or {})
    if embedder is not None:
        options["embedder"] = embedder
    own = config.get("engramdb") or {}
    if not isinstance(own, Mapping):
        raise InvalidInputError("config['engramdb'] must be a dict of engramdb.Memory arguments")
    unknown = sorted(str(k) for k in set(own) - _memory_arguments())
    if unknown:  # a config file's typo, not a TypeError from the constructor
        raise InvalidInputError(f"config['engramdb']: {unknown} are not engramdb.Memory "
                                f"arguments; known: {', '.join(sorted(_memory_arguments()))}")
    return {**options, **own}


def _memory_arguments() -> set[str]:
    import inspect

    from .._memory import Memory

    return set(inspect.signature(Memory.__init__).parameters) - {"self"}


def _section(section: Any, name: str) -> tuple[str, dict[str, Any]]:
    if not isinstance(section, Mapping):
        raise InvalidInputError(f"config[{name!r}] must be a dict with 'provider' and 'config'")
    inner = section.get("config") or {}
    if not isinstance(inner, Mapping):
        raise InvalidInputError(f"config[{name!r}]['config'] must be a dict")
    return str(section.get("provider") or "").lower(), dict(inner)


def _path(section: Mapping[str, Any]) -> Path | None:
    provider, inner = _section(section, "vector_store")
    if provider or inner:
        log.info("mem0 vector_store %r: engramdb keeps vectors in its own file", provider)
    folder = inner.get("path")
    if folder and not isinstance(folder, str):
        raise InvalidInputError(f"config['vector_store']['config']['path'] must be a folder "
                                f"name, not {type(folder).__name__}")
    return Path(folder).expanduser() / "engramdb.db" if folder else None


def _embedder(section: Mapping[str, Any]) -> Any:
    provider, inner = _section(section, "embedder")
    if not provider:
        return None
    model = str(inner.get("model") or "")
    if provider in ("huggingface", "sentence_transformers") and \
            (not model or model.lower() in _MINILM):
        return "minilm"
    if provider not in _OPENAI_LIKE:
        raise InvalidInputError(
            f"embedder provider {provider!r} is not supported: use openai, ollama, lmstudio, "
            "vllm or together (any OpenAI-compatible /embeddings server), or huggingface "
            "with all-MiniLM-L6-v2 (engramdb's default)")
    if not model:
        raise InvalidInputError(f"embedder {provider!r} needs config.model")
    from ..embed import OpenAIEmbedder

    url = next((inner[k] for k in _URL_KEYS if inner.get(k)), _OPENAI_LIKE[provider])
    if provider == "ollama" and not url.rstrip("/").endswith("/v1"):
        url = url.rstrip("/") + "/v1"  # mem0 gives Ollama's root; its OpenAI API is /v1
    return OpenAIEmbedder(model, base_url=url, api_key=inner.get("api_key"),
                          dim=inner.get("embedding_dims"))


def llm_from_config(config: Mapping[str, Any]) -> Any:
    """An :class:`engramdb.llm.OpenAIChat` from mem0's ``llm`` section, or None."""
    provider, inner = _section(config.get("llm") or {}, "llm")
    if not provider:
        return None
    if provider not in _OPENAI_LIKE:
        raise InvalidInputError(f"llm provider {provider!r} is not supported: use an "
                                "OpenAI-compatible one (openai, ollama, lmstudio, vllm)")
    from ..llm import OpenAIChat

    url = next((inner[k] for k in _URL_KEYS if inner.get(k)), _OPENAI_LIKE[provider])
    if provider == "ollama" and not url.rstrip("/").endswith("/v1"):
        url = url.rstrip("/") + "/v1"
    defaults = {k: inner[k] for k in ("temperature", "max_tokens", "top_p") if k in inner}
    model = inner.get("model") or ("gpt-4o-mini" if provider == "openai" else "")
    return OpenAIChat(url, str(model), api_key=inner.get("api_key"),
                      defaults=defaults or None)
