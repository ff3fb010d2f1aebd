"""mem0's ``AsyncMemory`` on engramdb: :class:`engramdb.compat.mem0.Memory` with coroutine
methods, run in a thread pool owned by the instance (as :class:`engramdb.AsyncMemory`)."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .mem0 import Memory

__all__ = ["AsyncMemory"]

METHODS = ("add", "search", "get", "get_all", "update", "delete", "delete_all", "history",
           "reset")


class AsyncMemory:
    """``await m.add(...)``, ``await m.search(...)``... with mem0's arguments and results."""

    def __init__(self, config: Mapping[str, Any] | None = None, *, max_workers: int = 4,
                 **kwargs: Any) -> None:
        #: the synchronous compatibility object doing the work
        self.sync = Memory(config, **kwargs)
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="engramdb-mem0")

    @classmethod
    async def from_config(cls, config_dict: Mapping[str, Any]) -> AsyncMemory:
        return cls(config_dict)

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, functools.partial(self._executor.shutdown, wait=True))
        self.sync.close()

    async def __aenter__(self) -> AsyncMemory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _mirror(name: str) -> Callable[..., Any]:
    @functools.wraps(getattr(Memory, name))
    async def call(self: AsyncMemory, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self.sync, name), *args, **kwargs)

    return call


for _name in METHODS:
    setattr(AsyncMemory, _name, _mirror(_name))
