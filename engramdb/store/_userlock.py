"""Per-user locks that hold across threads and processes: the shared shape, and
SQLite's cross-process half.

Rebuilding a user's derived records (summaries, profile) reads the user's
records, may call an LLM, then replaces what it read from. Two rebuilds at
once (``update`` and ``consolidate`` in two processes) would each delete what
the other just wrote. A write transaction would serialize them too, but it would
hold every writer up for as long as an LLM takes; this lock only holds up work of
the same kind on the same user.

:func:`reentrant` is the part every backend shares: one re-entrant thread lock per
(store, key) in the process, and the backend's cross-process lock
(:meth:`Store.exclusive`) taken by the outermost holder only. SQLite's is
:func:`file_lock`; PostgreSQL's a session-level advisory lock.

POSIX record locks belong to a process, not to a file descriptor or a thread, and
closing any descriptor of a file drops all of the process's locks on it: so
there is one descriptor per lock file for the whole process (never closed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from typing import Callable, ContextManager, Iterator

__all__ = ["reentrant", "file_lock"]

_GUARD = threading.Lock()
_FDS: dict[str, int] = {}
_THREAD_LOCKS: dict[tuple[str, str], threading.RLock] = {}
_DEPTH: dict[tuple[str, str], int] = {}

#: byte ranges users are spread over (two users sharing one only wait for each other)
_SLOTS = 1 << 20


def _thread_lock(key: tuple[str, str]) -> threading.RLock:
    with _GUARD:
        return _THREAD_LOCKS.setdefault(key, threading.RLock())


@contextlib.contextmanager
def reentrant(domain: str, key: str,
              exclusive: Callable[[], ContextManager[None]]) -> Iterator[None]:
    """Hold ``key`` of the store ``domain``: threads of this process queue on a
    re-entrant lock, and the outermost holder also takes ``exclusive()`` (the
    backend's lock between processes)."""
    both = (domain, key)
    with _thread_lock(both):
        depth = _DEPTH.get(both, 0)
        _DEPTH[both] = depth + 1
        try:
            with exclusive() if depth == 0 else contextlib.nullcontext():
                yield
        finally:
            _DEPTH[both] = depth


def _slot(key: str) -> int:
    return int.from_bytes(hashlib.sha1(key.encode()).digest()[:4], "big") % _SLOTS


def _fd(path: str) -> int | None:
    with _GUARD:
        if path not in _FDS:
            try:
                _FDS[path] = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                                     0o600)
            except OSError:  # a read-only folder: threads of this process only
                return None
        return _FDS[path]


@contextlib.contextmanager
def file_lock(db_path: str, key: str) -> Iterator[None]:
    """Between processes: a record lock on one byte of ``<db>-lock`` chosen by ``key``
    (``:memory:``: nothing, only this process can open it). Not re-entrant and not a
    lock between threads: :func:`reentrant` is in front of it."""
    fd = _fd(os.path.abspath(db_path) + "-lock") if db_path != ":memory:" else None
    if fd is None:
        yield
        return
    offset = _slot(key)
    _lockf(fd, offset, True)
    try:
        yield
    finally:
        _lockf(fd, offset, False)


def _lockf(fd: int, offset: int, take: bool) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: threads of this process only
        return
    fcntl.lockf(fd, fcntl.LOCK_EX if take else fcntl.LOCK_UN, 1, offset)
