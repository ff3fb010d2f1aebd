"""The cross-user canaries over the served interfaces: HTTP and MCP behind API keys.

:func:`served` starts ``engram serve``'s app (uvicorn on a free loopback port, in a
thread) on a temporary file, with one key per user bound to that user only, and
yields two :class:`~._target.Target` s: :class:`HttpTarget` (``engramdb.Client``, the
caller's own key) and :class:`McpTarget` (the official MCP client over streamable
HTTP, one session per user and key). A call as ``user_id=me`` goes out with ``me``'s
key, so a leak is another user's canary in what ``me``'s key was shown.

The MCP tools are fewer than the API: the target offers only what maps onto them
(search, get, update, delete, forget, profile, add) and seeds the rest (sessions,
metadata, consolidation) through HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from ..._errors import EngramError
from ._target import PythonTarget

__all__ = ["served", "HttpTarget", "McpTarget", "available", "cross_user_served"]

#: Target method -> (MCP tool, {argument: tool argument}); other arguments are dropped
#: (search filters) unless they carry data the tool cannot (add's metadata: seeded)
_TOOLS: dict[str, tuple[str, dict[str, str]]] = {
    "search": ("search_memory", {"query": "query", "user_id": "user_id", "limit": "limit"}),
    "get": ("get_memory", {"record_id": "memory_id", "user_id": "user_id"}),
    "update": ("update_memory", {"record_id": "memory_id", "text": "text",
                                 "user_id": "user_id"}),
    "delete": ("delete_memory", {"record_id": "memory_id", "user_id": "user_id"}),
    "forget": ("forget", {"query": "query", "dry_run": "dry_run", "user_id": "user_id"}),
    "profile": ("profile", {"user_id": "user_id"}),
    "add": ("add_memory", {"text": "text", "timestamp": "timestamp", "user_id": "user_id"}),
}
_DROPPABLE = {"method", "unit", "context", "kinds", "metadata", "reason", "purge"}
_POSITIONAL = {"get": "record_id", "update": "record_id", "delete": "record_id",
               "search": "query", "forget": "query", "add": "text"}


def available() -> bool:
    """Whether the ``server`` extra (FastAPI, uvicorn, httpx, MCP) is installed."""
    return all(importlib.util.find_spec(p) is not None
               for p in ("fastapi", "uvicorn", "httpx", "mcp", "httpx2"))


class HttpTarget:
    """:class:`engramdb.Client` with the key of the user each call acts as."""

    name = "http"

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        from ...client import Client

        self._targets = {u: PythonTarget(Client(url, api_key=t), "http")
                         for u, t in tokens.items()}

    def _for(self, args: Sequence[Any], kwargs: dict[str, Any]) -> PythonTarget:
        return self._targets[kwargs["user_id"]]

    def supports(self, method: str) -> bool:
        return next(iter(self._targets.values())).supports(method)

    def call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        return self._for(args, kwargs).call(method, *args, **kwargs)

    def close(self) -> None:
        for target in self._targets.values():
            target.close()


class McpTarget:
    """The MCP tools over streamable HTTP, one session per user (its own key)."""

    name = "mcp"

    def __init__(self, url: str, tokens: dict[str, str], seed: HttpTarget) -> None:
        self._url, self._tokens, self._seed = url, tokens, seed
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._sessions: dict[str, Any] = {}
        self._stop = asyncio.Event()
        self._tasks: list[Any] = []

    def supports(self, method: str) -> bool:
        return method in _TOOLS

    def call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        if method in _POSITIONAL and args:
            kwargs, args = {_POSITIONAL[method]: args[0], **kwargs}, args[1:]
        if method not in _TOOLS or (method == "add" and "metadata" in kwargs):
            return self._seed.call(method, *args, **kwargs)
        tool, names = _TOOLS[method]
        unknown = set(kwargs) - set(names) - _DROPPABLE
        if unknown:
            raise EngramError(f"the MCP tool {tool} takes no {sorted(unknown)}")
        arguments = {names[k]: v for k, v in kwargs.items() if k in names and v is not None}
        result = self._run(self._call(kwargs["user_id"], tool, arguments))
        if result.is_error:
            from ...client._wire import error_class

            text = result.content[0].text if result.content else ""
            code = re.sub(r"^Error executing tool \S+: ", "", text).split(":", 1)[0]
            raise error_class(code.strip())(text)
        return result.structured_content

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=120)

    async def _call(self, user: str, tool: str, arguments: dict[str, Any]) -> Any:
        if user not in self._sessions:
            ready: asyncio.Future[Any] = self._loop.create_future()
            self._tasks.append(self._loop.create_task(self._hold(user, ready)))
            self._sessions[user] = await ready
        return await self._sessions[user].call_tool(tool, arguments)

    async def _hold(self, user: str, ready: Any) -> None:
        """One session per user, opened and closed in this one task (anyio's rule)."""
        import httpx2
        from mcp import ClientSession
        from mcp.client.streamable_http import streamable_http_client

        try:
            headers = {"authorization": f"Bearer {self._tokens[user]}"}
            async with httpx2.AsyncClient(headers=headers, timeout=60) as http, \
                    streamable_http_client(f"{self._url}/mcp", http_client=http) as (r, w), \
                    ClientSession(r, w) as session:
                await session.initialize()
                ready.set_result(session)
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    def close(self) -> None:
        async def stop() -> None:
            self._stop.set()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self._run(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _running(app: Any) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the campaign's server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def served(users: Sequence[str]) -> Iterator[tuple[HttpTarget, McpTarget]]:
    """A served temporary memory with one key per user; (HTTP, MCP) targets."""
    from ..._memory import Memory
    from ...server import KeyStore, create_app

    with tempfile.TemporaryDirectory(prefix="engram-served-") as folder:
        memory = Memory(os.path.join(folder, "served.db"), embedder="fake")
        try:
            keys = KeyStore(memory.store)
            tokens = {u: keys.create(users=[u], scopes=["read", "write"]).token or ""
                      for u in users}
            with _running(create_app(memory)) as url:
                http = HttpTarget(url, tokens)
                mcp = McpTarget(url, tokens, seed=http)
                try:
                    yield http, mcp
                finally:
                    mcp.close()
                    http.close()
        finally:
            memory.close()


def cross_user_served(*, calls: int, seed: int = 0, users: int = 4) -> dict[str, Any]:
    """:func:`~.canary.cross_user` over HTTP and over MCP, each on a fresh served file."""
    from dataclasses import asdict

    from .canary import cross_user

    names = [f"user{i}" for i in range(users)]
    out: dict[str, Any] = {}
    for which in ("http", "mcp"):
        if not available():
            out[which] = {"calls": 0, "leaks": 0, "raw_errors": 0,
                          "examples": ["skipped: the server extra is not installed"]}
            continue
        with served(names) as (http, mcp):
            target = http if which == "http" else mcp
            out[which] = asdict(cross_user(target, calls=calls, seed=seed, users=users))
    return out
