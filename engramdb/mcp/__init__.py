"""engramdb over the Model Context Protocol (the official ``mcp`` SDK, extra ``server``).

``engram mcp`` serves one user's memory on stdio (:func:`run_stdio`); ``engram serve``
mounts the streamable-HTTP transport at ``/mcp`` behind the API keys
(:mod:`engramdb.mcp._http`). The tools are in :mod:`engramdb.mcp._tools`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .._errors import MissingExtraError
from .._models import Scope

if TYPE_CHECKING:
    from .._memory import Memory

__all__ = ["run_stdio", "StdioBinding", "build_server"]

TOOLS = ("add_memory", "search_memory", "get_memory", "update_memory", "delete_memory",
         "forget", "profile")


def _require() -> None:
    import importlib.util

    if importlib.util.find_spec("mcp") is None:
        raise MissingExtraError.for_package("mcp", "server")


def build_server(binding: Any, **options: Any) -> Any:
    _require()
    from ._tools import build_server as build

    return build(binding, **options)


class StdioBinding:
    """Every call acts for the one user ``engram mcp`` was started for. A call naming
    another user reads an empty memory and may not add: one process, one user."""

    def __init__(self, memory: Memory, user_id: str) -> None:
        Scope(user_id)
        self._memory, self.user_id = memory, user_id
        self._lock = threading.Lock()
        self._void: Memory | None = None

    def memory(self, ctx: Any, user_id: str | None, mode: str) -> tuple[Memory, str]:
        user = user_id or self.user_id
        Scope(user)
        if user == self.user_id:
            return self._memory, user
        if mode == "add":
            from ..client._wire import ForbiddenError

            raise ForbiddenError("this MCP server serves one user; it may not write for another")
        return self._empty(), user

    def _empty(self) -> Memory:
        if self._void is None:
            from .._memory import Memory

            self._void = Memory(":memory:", embedder=self._memory.embedder, reinforce=False)
        return self._void

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        with self._lock:
            yield


def run_stdio(memory: Memory, user_id: str) -> None:
    """Serve ``memory`` for ``user_id`` on stdin/stdout until the client hangs up."""
    server = build_server(StdioBinding(memory, user_id))
    server.run("stdio")
