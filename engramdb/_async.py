"""``AsyncMemory``: :class:`Memory` for asyncio applications.

Every method of :class:`Memory` is here as a coroutine with the same signature. Calls
run in a thread pool owned by the instance, so the event loop never waits on SQLite or
on the embedder (numpy releases the GIL; several searches run at once). The pool is
the instance's own, not the loop's default executor: a burst of memory calls cannot
starve the application's other ``to_thread`` work, and ``close()`` shuts it down.

>>> import asyncio
>>> async def main():
...     async with AsyncMemory(":memory:", embedder="fake") as m:
...         await m.add("I moved to Berlin last May.", user_id="ana")
...         return (await m.search("where does Ana live?", user_id="ana"))[0].text
>>> asyncio.run(main())
'I moved to Berlin last May.'
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ._errors import InvalidInputError
from ._memory import Memory

__all__ = ["AsyncMemory"]

T = TypeVar("T")

#: the methods of Memory mirrored as coroutines (``close`` is handled on its own)
METHODS = ("add", "add_many", "add_session", "add_exported", "search", "get", "list",
           "history", "sessions", "users", "stats", "update", "refresh_derived", "delete",
           "delete_all", "forget", "compact", "backup", "reembed", "consolidate", "profile",
           "decay", "restore", "audit", "export")


class AsyncMemory:
    """:class:`Memory` with coroutine methods. Takes :class:`Memory`'s arguments, or an
    existing ``memory`` to wrap (closing the AsyncMemory then closes it too).
    ``max_workers`` bounds the calls running at once (default: cores, at most 4)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 memory: Memory | None = None, max_workers: int | None = None,
                 **options: Any) -> None:
        if memory is not None and (path is not None or options):
            raise InvalidInputError("pass either memory= or Memory's arguments, not both")
        if max_workers is not None and (isinstance(max_workers, bool)
                                        or not isinstance(max_workers, int) or max_workers < 1):
            raise InvalidInputError("max_workers must be a positive integer")
        #: the synchronous Memory doing the work (its attributes: embedder, store...)
        self.sync = memory if memory is not None else Memory(path, **options)
        workers = max_workers or min(4, os.cpu_count() or 1)
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="engramdb-async")
        self._closed = False

    def __repr__(self) -> str:
        return f"AsyncMemory({self.sync.store!r})"

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._closed:
            raise InvalidInputError("this AsyncMemory is closed")
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    async def close(self) -> None:
        """Wait for running calls, then close the database."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, functools.partial(self._executor.shutdown, wait=True))
        self.sync.close()

    async def __aenter__(self) -> AsyncMemory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _mirror(name: str) -> Callable[..., Any]:
    method = getattr(Memory, name)

    @functools.wraps(method)  # same name, docstring and signature (inspect follows it)
    async def call(self: AsyncMemory, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self.sync, name), *args, **kwargs)

    return call


for _name in METHODS:
    setattr(AsyncMemory, _name, _mirror(_name))
