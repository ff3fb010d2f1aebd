"""Embeddings from any OpenAI-compatible ``POST /embeddings`` endpoint.

Works with OpenAI itself and with local servers that speak the same API
(Ollama, llama.cpp, vLLM, LM Studio). Uses only the standard library; every
failure (network, HTTP status, malformed JSON, wrong shape) is a
:class:`~engramdb.ProviderError` naming the URL.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._errors import InvalidInputError, ProviderError
from ._base import check_texts, l2_normalize

__all__ = ["OpenAIEmbedder"]

log = logging.getLogger(__name__)

_EXCERPT = 300  # characters of a bad response body quoted in the error


class OpenAIEmbedder:
    """Vectors from ``{base_url}/embeddings`` for ``model``, L2-normalised.

    ``dim`` is checked against every response; if None it is learnt from the
    first one (reading ``.dim`` before any call sends one probe request).
    Empty or blank texts are not sent (the API rejects them) and get zero rows.
    No proxy is used: settings come from arguments, never the environment.
    """

    def __init__(self, model: str, base_url: str = "http://localhost:11434/v1",
                 api_key: str | None = None, dim: int | None = None, timeout: float = 30.0,
                 batch_size: int = 64) -> None:
        if not isinstance(model, str) or not model.strip():
            raise InvalidInputError("model must be a non-empty string")
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise InvalidInputError(f"base_url must be an http(s) URL, got {base_url!r}")
        _check_positive("dim", dim, allow_none=True)
        _check_positive("batch_size", batch_size)
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise InvalidInputError(f"timeout must be a positive number, got {timeout!r}")
        self.name = f"openai:{model}"
        self.model, self.url = model, base_url.rstrip("/") + "/embeddings"
        self.timeout, self.batch_size = float(timeout), batch_size
        self._api_key = api_key
        self._dim = dim
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(model={self.model!r}, url={self.url!r}, dim={self._dim})"

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._fetch(["dimension probe"])
        assert self._dim is not None  # _fetch sets it or raises
        return self._dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        items = check_texts(texts)
        wanted = [i for i, text in enumerate(items) if text.strip()]
        if not wanted:
            return np.zeros((len(items), self.dim), dtype=np.float32)
        rows = [self._fetch([items[i] for i in wanted[start:start + self.batch_size]])
                for start in range(0, len(wanted), self.batch_size)]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        out[wanted] = np.concatenate(rows)
        return l2_normalize(out)

    def _fetch(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        payload = _post(self.url, {"model": self.model, "input": texts},
                        self._headers(), self.timeout)
        log.debug("%s: %d text(s) embedded in %.0f ms", self.url, len(texts),
                  (time.perf_counter() - started) * 1000)
        vectors = _vectors(payload, len(texts), self.url)
        with self._lock:
            if self._dim is None:
                self._dim = vectors.shape[1]
        if vectors.shape[1] != self._dim:
            raise ProviderError(
                f"{self.url} returned {vectors.shape[1]}-dimensional vectors, expected {self._dim}")
        return vectors

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": "engramdb"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers


def _check_positive(what: str, value: object, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{what} must be a positive integer, got {value!r}")


def _post(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    """POST JSON, return the decoded JSON answer; any failure is a ProviderError."""
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:_EXCERPT]
        raise ProviderError(f"{url} answered HTTP {exc.code}: {detail}") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        # refused, DNS, timeout, reset, truncated or garbled response
        reason = getattr(exc, "reason", exc)
        raise ProviderError(f"cannot reach {url}: {reason}") from exc
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        excerpt = raw[:_EXCERPT].decode("utf-8", "replace")
        raise ProviderError(f"{url} did not answer JSON: {excerpt!r}") from exc


def _vectors(payload: Any, count: int, url: str) -> np.ndarray:
    """``data[*].embedding`` ordered by ``index`` as a (count, dim) float32 array."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list) or len(data) != count:
        got = len(data) if isinstance(data, list) else "no 'data' list"
        raise ProviderError(f"{url} returned {got} embeddings for {count} inputs")
    try:
        ordered = sorted(data, key=lambda item: int(item["index"]))
        matrix = np.array([item["embedding"] for item in ordered], dtype=np.float32)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"{url} returned malformed embeddings: {exc}") from exc
    indices = [int(item["index"]) for item in ordered]
    if indices != list(range(count)) or matrix.ndim != 2 or matrix.shape[1] == 0:
        raise ProviderError(f"{url} returned embeddings with bad indices or shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ProviderError(f"{url} returned non-finite numbers")
    return matrix
