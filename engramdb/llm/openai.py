"""An OpenAI-compatible chat client on the standard library (``urllib``).

Works with any server speaking the ``POST /v1/chat/completions`` protocol:
OpenAI, vLLM, llama.cpp's server, Ollama (``http://localhost:11434/v1``), LM
Studio, TGI. Every failure (network, HTTP status, malformed reply) becomes
:class:`~engramdb.ProviderError`; the API key never appears in a message.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from .._errors import InvalidInputError, ProviderError

__all__ = ["LLM", "OpenAIChat"]

log = logging.getLogger(__name__)

_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@runtime_checkable
class LLM(Protocol):
    """A chat model: a list of ``{"role", "content"}`` messages in, the reply text out.

    ``opts`` are passed to the provider as they are (``temperature``,
    ``max_tokens``, ``stop``, ``seed``...). Failures raise
    :class:`~engramdb.ProviderError`.
    """

    def complete(self, messages: list[dict[str, Any]], **opts: Any) -> str: ...


class OpenAIChat:
    """Chat completions from an OpenAI-compatible endpoint.

    ``base_url`` is the API root (``https://api.openai.com/v1``,
    ``http://127.0.0.1:8000/v1``); a URL already ending in ``/chat/completions``
    is used as it is. ``defaults`` are request options sent with every call
    (``complete(..., **opts)`` overrides them); by default ``temperature=0``, so
    benchmark answers are as repeatable as the server allows. Transient
    failures (connection refused or reset, timeouts, HTTP 408/409/429/5xx) are
    retried ``max_retries`` times with exponential backoff, honouring
    ``Retry-After`` up to ``max_backoff`` seconds.
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 timeout: float = 60.0, *, max_retries: int = 2, backoff: float = 0.5,
                 max_backoff: float = 10.0, defaults: Mapping[str, Any] | None = None) -> None:
        if not isinstance(model, str) or not model.strip():
            raise InvalidInputError("model must be a non-empty string")
        if not timeout or timeout <= 0:
            raise InvalidInputError(f"timeout must be positive, got {timeout!r}")
        if max_retries < 0:
            raise InvalidInputError(f"max_retries must be >= 0, got {max_retries}")
        self.url = _endpoint(base_url)
        self.model = model
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.defaults: dict[str, Any] = {"temperature": 0.0, **(defaults or {})}
        self._api_key = api_key
        host = urllib.parse.urlsplit(self.url).hostname or ""
        # A local server must not be sent through an HTTP proxy from the environment.
        handlers = [urllib.request.ProxyHandler({})] if host in _LOOPBACK else []
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:  # no key here: reprs end up in logs
        return f"OpenAIChat({self.url!r}, model={self.model!r})"

    @property
    def name(self) -> str:
        return self.model

    def complete(self, messages: list[dict[str, Any]], **opts: Any) -> str:
        """The assistant's reply to ``messages`` (``choices[0].message.content``).

        A reply without content (``null``, e.g. cut off by ``max_tokens``) is ``""``.
        """
        body = {**self.defaults, **opts, "model": self.model, "messages": _check(messages)}
        reply = self._post(json.dumps(body).encode("utf-8"))
        return _content(reply, self.url)

    # ------------------------------------------------------------------ http
    def _post(self, data: bytes) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        attempt = 0
        while True:
            request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    raw = response.read()
                break
            except urllib.error.HTTPError as exc:
                detail = _body(exc)
                if exc.code in _RETRY_STATUS and attempt < self.max_retries:
                    log.warning("LLM endpoint %s answered HTTP %d: retry %d of %d", self.url,
                                exc.code, attempt + 1, self.max_retries)
                    self._sleep(attempt, exc.headers.get("Retry-After") if exc.headers else None)
                    attempt += 1
                    continue
                raise ProviderError(f"LLM endpoint {self.url} answered HTTP {exc.code}"
                                    f"{': ' + detail if detail else ''}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt < self.max_retries:
                    log.warning("LLM endpoint %s unreachable (%s): retry %d of %d", self.url,
                                reason, attempt + 1, self.max_retries)
                    self._sleep(attempt, None)
                    attempt += 1
                    continue
                what = (f"timed out after {self.timeout:g} s"
                        if isinstance(reason, (TimeoutError, socket.timeout)) else str(reason))
                raise ProviderError(f"LLM endpoint {self.url} unreachable: {what}") from None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ProviderError(f"LLM endpoint {self.url} returned a body that is not JSON: "
                                f"{raw[:200]!r}") from None

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2 ** attempt)
        if retry_after:
            try:
                delay = float(retry_after)
            except ValueError:
                pass
        time.sleep(max(0.0, min(delay, self.max_backoff)))


def _endpoint(base_url: str) -> str:
    if not isinstance(base_url, str) or not base_url.strip():
        raise InvalidInputError("base_url must be a non-empty URL")
    url = base_url.strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"base_url must be an http(s) URL, got {base_url!r}")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def _check(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        raise InvalidInputError("messages must be a non-empty list of {'role', 'content'} dicts")
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, Mapping) or not isinstance(m.get("role"), str) \
                or not isinstance(m.get("content"), str):
            raise InvalidInputError(f"messages[{i}] must be a dict with string 'role' and "
                                    "'content'")
        out.append(dict(m))
    return out


def _body(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the status alone is still worth reporting
        return ""
    try:  # OpenAI's shape: {"error": {"message": ...}}
        err = json.loads(text).get("error")
        if isinstance(err, Mapping) and isinstance(err.get("message"), str):
            text = err["message"]
        elif isinstance(err, str):
            text = err
    except (ValueError, AttributeError):
        pass
    return " ".join(text.split())[:300]


def _content(reply: Any, url: str) -> str:
    try:
        message = reply["choices"][0]["message"]
        content = message.get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ProviderError(f"LLM endpoint {url} returned no choices[0].message: "
                            f"{json.dumps(reply)[:200]}") from None
    if content is None:
        return ""
    if isinstance(content, list):  # content parts: keep the text ones
        return "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
    if not isinstance(content, str):
        raise ProviderError(f"LLM endpoint {url} returned non-text content: {content!r:.200}")
    return content
