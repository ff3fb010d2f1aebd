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
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from ._errors import InvalidInputError
from ._memory import Memory

__all__ = ["AsyncMemory", "PoolRunner"]

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


def _mirror(method: Callable[Concatenate[Memory, P], R]
            ) -> Callable[Concatenate[AsyncMemory, P], Coroutine[Any, Any, R]]:
    """``method`` of Memory as a coroutine method of AsyncMemory: same name, docstring and
    signature (``inspect`` and type checkers both see them), run on the instance's pool."""
    name = method.__name__

    @functools.wraps(method)
    async def call(self: AsyncMemory, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._run(getattr(self.sync, name), *args, **kwargs)

    return call


class PoolRunner:
    """Runs a synchronous object's calls on a thread pool the instance owns; ``close()``
    waits for them, then closes ``sync``. Shared by AsyncMemory and mem0's AsyncMemory."""

    sync: Any

    def _start_pool(self, workers: int, prefix: str) -> None:
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=prefix)
        self._closed = False

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._closed:
            raise InvalidInputError(f"this {type(self).__name__} is closed")
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

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class AsyncMemory(PoolRunner):
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
        self._start_pool(max_workers or min(4, os.cpu_count() or 1), "engramdb-async")

    def __repr__(self) -> str:
        return f"AsyncMemory({self.sync.store!r})"

    # ------------------------------------------ Memory's methods, as coroutines
    add = _mirror(Memory.add)
    add_many = _mirror(Memory.add_many)
    add_session = _mirror(Memory.add_session)
    add_sessions = _mirror(Memory.add_sessions)
    add_exported = _mirror(Memory.add_exported)
    search = _mirror(Memory.search)
    get = _mirror(Memory.get)
    list = _mirror(Memory.list)
    history = _mirror(Memory.history)
    sessions = _mirror(Memory.sessions)
    users = _mirror(Memory.users)
    stats = _mirror(Memory.stats)
    update = _mirror(Memory.update)
    refresh_derived = _mirror(Memory.refresh_derived)
    delete = _mirror(Memory.delete)
    delete_all = _mirror(Memory.delete_all)
    forget = _mirror(Memory.forget)
    compact = _mirror(Memory.compact)
    backup = _mirror(Memory.backup)
    reembed = _mirror(Memory.reembed)
    consolidate = _mirror(Memory.consolidate)
    profile = _mirror(Memory.profile)
    decay = _mirror(Memory.decay)
    restore = _mirror(Memory.restore)
    audit = _mirror(Memory.audit)
    export = _mirror(Memory.export)


def _mirror_the_rest() -> None:
    """A public method Memory gains later is mirrored too (untyped until listed above)."""
    for name, method in vars(Memory).items():
        if not name.startswith("_") and callable(method) and not hasattr(AsyncMemory, name):
            setattr(AsyncMemory, name, _mirror(method))


_mirror_the_rest()
