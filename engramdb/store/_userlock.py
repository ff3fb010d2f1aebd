"""A per-user lock that holds across threads and processes on one SQLite file.

Rebuilding a user's derived records (summaries, profile) reads the user's
records, may call an LLM, then replaces what it read from. Two rebuilds at
once (``update`` and ``consolidate`` in two processes) would each delete what
the other just wrote. A write transaction would serialize them too, but it would
hold every writer of the file up for as long as an LLM takes; this lock only
holds up lifecycle work of the same user.

POSIX record locks belong to a process, not to a file descriptor or a thread, and
closing any descriptor of a file drops all of the process's locks on it: so
there is one descriptor per lock file for the whole process (never closed), and a
process-wide re-entrant thread lock per byte range in front of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from typing import Iterator

__all__ = ["user_lock"]

_GUARD = threading.Lock()
_FDS: dict[str, int] = {}
_THREAD_LOCKS: dict[tuple[str, int], threading.RLock] = {}
_DEPTH: dict[tuple[str, int], int] = {}

#: byte ranges users are spread over (two users sharing one only wait for each other)
_SLOTS = 1 << 20


def _slot(user_id: str) -> int:
    return int.from_bytes(hashlib.sha1(user_id.encode()).digest()[:4], "big") % _SLOTS


def _fd(path: str) -> int | None:
    with _GUARD:
        if path not in _FDS:
            try:
                _FDS[path] = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                                     0o600)
            except OSError:  # a read-only folder: threads of this process only
                return None
        return _FDS[path]


def _thread_lock(key: tuple[str, int]) -> threading.RLock:
    with _GUARD:
        return _THREAD_LOCKS.setdefault(key, threading.RLock())


@contextlib.contextmanager
def user_lock(db_path: str, user_id: str) -> Iterator[None]:
    """Hold ``user_id``'s lifecycle lock for the file at ``db_path`` (re-entrant within a
    thread; ``:memory:`` files lock between threads only)."""
    path = os.path.abspath(db_path) + "-lock" if db_path != ":memory:" else ""
    key = (path, _slot(user_id))
    with _thread_lock(key):
        depth = _DEPTH.get(key, 0)
        fd = _fd(path) if path and depth == 0 else None
        if fd is not None:
            _lockf(fd, key[1], True)
        _DEPTH[key] = depth + 1
        try:
            yield
        finally:
            _DEPTH[key] = depth
            if fd is not None:
                _lockf(fd, key[1], False)


def _lockf(fd: int, offset: int, take: bool) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: threads of this process only
        return
    fcntl.lockf(fd, fcntl.LOCK_EX if take else fcntl.LOCK_UN, 1, offset)
