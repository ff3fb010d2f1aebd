"""What every route needs: the memory, the caller's principal, tenancy and the write lock.

Tenancy is enforced here and nowhere else. A read (or an erase) for a user outside
the key's tenant runs against an always-empty memory, so it answers exactly as a user
with no data would (``[]``, 404, an empty profile): the answer never hints that the
user exists. A write for such a user is refused with 403, whatever the user.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .._errors import EngramError
from .._models import Scope
from ._errors import ApiError
from ._keys import ANONYMOUS, KeyStore, Principal
from ._metrics import Metrics

if TYPE_CHECKING:
    from .._memory import Memory

__all__ = ["Service", "token_of"]

log = logging.getLogger("engramdb.server")
T = TypeVar("T")


def token_of(headers: Any) -> str | None:
    """The API key of a request: ``Authorization: Bearer <key>`` or ``X-API-Key``."""
    auth = headers.get("authorization") or ""
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return headers.get("x-api-key") or None


class Service:
    """The state a running server shares between requests."""

    def __init__(self, memory: Memory, *, keys: KeyStore | None,
                 max_body_bytes: int, max_import_bytes: int) -> None:
        self.memory = memory
        self.keys = keys
        self.metrics = Metrics()
        self.max_body_bytes = max_body_bytes
        self.max_import_bytes = max_import_bytes
        self.closing = False
        self.inflight = 0  # HTTP requests being served (the Timing middleware counts)
        # SQLite has one writer: the server queues its writes here rather than let a
        # client ever see "database is locked"; reads do not take it
        self._write_lock = threading.Lock()
        self._void: Memory | None = None
        self._void_lock = threading.Lock()

    # ------------------------------------------------------------------ who
    def principal(self, headers: Any) -> Principal:
        if self.keys is None:
            return ANONYMOUS
        who = self.keys.verify(token_of(headers))
        if who is None:  # the same answer for a missing, malformed, unknown or revoked key
            raise ApiError(401, "unauthorized", "missing or invalid API key (send "
                           "'Authorization: Bearer <key>'; create one with `engram keys create`)")
        return who

    def require(self, who: Principal, scope: str) -> None:
        if not who.can(scope):
            raise ApiError(403, "forbidden", f"this API key lacks the '{scope}' scope")

    # ---------------------------------------------------------- which memory
    def reader(self, who: Principal, user_id: str) -> Memory:
        """The memory to read ``user_id`` from: the real one inside the tenant."""
        self.require(who, "read")
        Scope(user_id)  # a malformed id is refused alike for every tenant
        return self.memory if who.owns(user_id) else self.void()

    def changer(self, who: Principal, user_id: str) -> Memory:
        """The memory to change or delete existing records of ``user_id`` in: outside
        the tenant there is nothing to change (404, ``[]``, 0 deleted)."""
        self.require(who, "write")
        Scope(user_id)
        return self.memory if who.owns(user_id) else self.void()

    def writer(self, who: Principal, user_id: str) -> Memory:
        self.require(who, "write")
        Scope(user_id)
        if not who.owns(user_id):
            raise ApiError(403, "forbidden", "this API key may not write for that user")
        return self.memory

    def admin(self, who: Principal, *, everyone: bool = False) -> None:
        self.require(who, "admin")
        if everyone and not who.everyone:
            raise ApiError(403, "forbidden", "this needs an admin key of every user "
                           "(created with --prefix '')")

    def void(self) -> Memory:
        """An empty in-memory engramdb with the same embedder: nobody's data."""
        with self._void_lock:
            if self._void is None:
                from .._memory import Memory

                self._void = Memory(":memory:", embedder=self.memory.embedder,
                                    merge=False, reinforce=False)
            return self._void

    async def read(self, work: Callable[[], T]) -> T:
        """Run a read: on the event loop when it is the only request in flight (two
        thread hand-offs cost more than they buy when nobody waits), else on the thread
        pool so that readers run side by side and the loop keeps accepting requests."""
        if self.inflight <= 1:
            return work()
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(work)

    # ---------------------------------------------------------------- writes
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        if self.closing:
            raise ApiError(503, "shutting_down", "the server is shutting down; retry "
                           "against its replacement")
        with self._write_lock:
            yield

    def flush_key_usage(self, every: float) -> None:
        """Record when keys were last used (``engram keys list``); best effort."""
        if self.keys is None:
            return
        try:
            with self._write_lock:
                self.keys.flush_usage(every=every)
        except EngramError as exc:  # a busy or read-only file: the next flush retries
            log.warning("could not record API key use: %s", exc)

    def close(self) -> None:
        """Wait for the write in flight, then close the store."""
        self.closing = True
        self.flush_key_usage(0.0)
        with self._write_lock:
            if self._void is not None:
                self._void.close()
            if self.keys is not None:
                self.keys.close()
