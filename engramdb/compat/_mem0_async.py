"""mem0's ``AsyncMemory`` on engramdb: :class:`engramdb.compat.mem0.Memory` with coroutine
methods, run in a thread pool owned by the instance (as :class:`engramdb.AsyncMemory`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from .._async import PoolRunner
from .mem0 import Memory

__all__ = ["AsyncMemory"]

METHODS = ("add", "search", "get", "get_all", "update", "delete", "delete_all", "history",
           "reset")


class AsyncMemory(PoolRunner):
    """``await m.add(...)``, ``await m.search(...)``... with mem0's arguments and results."""

    def __init__(self, config: Mapping[str, Any] | None = None, *, max_workers: int = 4,
                 **kwargs: Any) -> None:
        #: the synchronous compatibility object doing the work
        self.sync = Memory(config, **kwargs)
        self._start_pool(max_workers, "engramdb-mem0")

    @classmethod
    async def from_config(cls, config_dict: Mapping[str, Any]) -> AsyncMemory:
        return cls(config_dict)


def _mirror(name: str) -> Callable[..., Any]:
    @functools.wraps(getattr(Memory, name))
    async def call(self: AsyncMemory, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self.sync, name), *args, **kwargs)

    return call


for _name in METHODS:
    setattr(AsyncMemory, _name, _mirror(_name))
