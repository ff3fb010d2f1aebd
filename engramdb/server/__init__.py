"""engramdb as a service: an HTTP API under ``/v1``, MCP at ``/mcp``, per-tenant API keys.

>>> from engramdb import Memory
>>> from engramdb.server import create_app
>>> app = create_app(Memory("memory.db"))  # doctest: +SKIP

``engram serve`` runs it on uvicorn. FastAPI, uvicorn and the MCP SDK are imported
only when a server is built; without them :class:`MissingExtraError` names the
``server`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._errors import MissingExtraError
from ._keys import SCOPES, ApiKey, KeyStore, Principal

if TYPE_CHECKING:
    from .._memory import Memory

__all__ = ["create_app", "serve", "KeyStore", "ApiKey", "Principal", "SCOPES", "require"]


def require(*packages: str) -> None:
    """Raise :class:`MissingExtraError` naming the ``server`` extra for a missing package."""
    import importlib.util

    for package in packages:
        if importlib.util.find_spec(package) is None:
            raise MissingExtraError.for_package(package, "server")


def create_app(memory: Memory, **options: Any) -> Any:
    """See :func:`engramdb.server._app.create_app`."""
    require("fastapi", "starlette", "pydantic")
    if options.get("mcp", True):
        require("mcp")
    from ._app import create_app as build

    return build(memory, **options)


def serve(memory: Memory, *, host: str = "127.0.0.1", port: int = 8765,
          log_level: str = "info", graceful_seconds: float = 30.0, **options: Any) -> None:
    """Run the app on uvicorn until SIGINT/SIGTERM: in-flight requests finish first (up to
    ``graceful_seconds``), then the write in flight, then ``memory`` is closed."""
    require("uvicorn")
    import uvicorn

    app = create_app(memory, close_memory=True, **options)
    uvicorn.run(app, host=host, port=port, log_level=log_level,
                timeout_graceful_shutdown=graceful_seconds, server_header=False)
