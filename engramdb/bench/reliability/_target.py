"""The small callable interface every campaign part drives: one call by method name.

The Python API is one target; an HTTP client or an MCP session plugs in by
implementing :class:`Target` (``call`` raising an :class:`EngramError` for a refused
request, returning plain data otherwise), so the same fuzz and canary checks run
over every interface.
"""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import datetime
from typing import Any, Protocol

from ..._errors import EngramError

__all__ = ["Target", "PythonTarget", "plain", "is_raw"]


class Target(Protocol):
    """One interface of engramdb, called by method name with keyword arguments."""

    name: str

    def call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        """Run ``method``; plain data back (see :func:`plain`), EngramError on refusal."""
        ...

    def supports(self, method: str) -> bool:
        """Whether this interface offers ``method`` (the campaign skips what it lacks)."""
        ...

    def close(self) -> None: ...


class PythonTarget:
    """:class:`engramdb.Memory` itself — or anything with its methods, such as
    :class:`engramdb.client.Client` (``PythonTarget(Client(url, api_key=...), "http")``)."""

    def __init__(self, memory: Any, name: str = "python") -> None:
        self.memory = memory
        self.name = name

    def supports(self, method: str) -> bool:
        return callable(getattr(self.memory, method, None))

    def call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        if method == "export":  # a file-like argument: the target returns the text
            buf = io.StringIO()
            self.memory.export(buf, *args, **kwargs)
            return buf.getvalue()
        return plain(getattr(self.memory, method)(*args, **kwargs))

    def close(self) -> None:
        self.memory.close()


def plain(value: Any) -> Any:
    """Dataclasses, datetimes and tuples as JSON-ready data (what a leak check reads)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def text_of(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, default=repr)


def is_raw(exc: BaseException) -> bool:
    """An exception a caller should never see: anything outside the EngramError tree."""
    return not isinstance(exc, EngramError)
