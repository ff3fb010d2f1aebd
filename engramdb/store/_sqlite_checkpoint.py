"""WAL checkpoints on a background thread with its own connection.

SQLite checkpoints automatically inside the COMMIT that takes the WAL past
``wal_autocheckpoint`` pages (1,000 by default): that commit copies every page back into
the database file and fsyncs it, 10-200 ms here. Every search writes (recall
reinforcement, one small UPDATE), so about one search in 200 paid for a checkpoint
(BENCHMARKS.md, "Query path, fourth session", tail (2)). Here the engine's connection
checkpoints only past a much larger backstop (an import that outruns the thread), and a
daemon thread runs a PASSIVE checkpoint every :data:`EVERY_COMMITS` commits on a
connection of its own: PASSIVE waits for no lock, so neither readers nor the writer wait
for it, and with SQLite releasing the GIL the copy runs beside the next search.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from typing import Iterator

__all__ = ["Checkpointer", "EVERY_COMMITS", "BACKSTOP_PAGES"]

log = logging.getLogger("engramdb.store")

#: commits of the engine's connection between two background checkpoints (a search's
#: reinforcement writes a handful of pages: a few hundred pages per checkpoint)
EVERY_COMMITS = 64
#: WAL pages past which the engine's own connection still checkpoints in its COMMIT
#: (SQLite's wal_autocheckpoint): only when the thread falls far behind (a bulk import)
BACKSTOP_PAGES = 8000


class Checkpointer:
    """Wakes a thread that checkpoints ``path``'s WAL every ``every`` commits."""

    def __init__(self, path: str, *, synchronous: str = "normal",
                 every: int = EVERY_COMMITS) -> None:
        self.path = path
        self.synchronous = synchronous
        self.every = every
        #: background checkpoints run so far (tests, diagnostics)
        self.runs = 0
        #: the thread that runs them (None until the first)
        self.thread: threading.Thread | None = None
        self._commits = 0
        self._wake = threading.Event()
        self._stop = False
        self._lock = threading.Lock()
        self._running = threading.Lock()  # held by a checkpoint under way, and by hold()

    def committed(self) -> None:
        """A commit of the engine's connection: every ``every``-th wakes the thread."""
        self._commits += 1
        if self._commits < self.every:
            return
        self._commits = 0
        with self._lock:
            if self._stop:
                return
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="engramdb-checkpoint")
                self.thread.start()
        self._wake.set()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """No background checkpoint while the body runs (the engine's own VACUUM or
        TRUNCATE checkpoint would find the checkpoint lock taken and give up)."""
        with self._running:
            yield

    def close(self) -> None:
        """Stop the thread (a checkpoint under way completes) before the engine's
        connection closes, so that it is the last one and removes the WAL."""
        with self._lock:
            self._stop = True
            thread = self.thread
        self._wake.set()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:  # the engine's connection checkpoints at the backstop
            log.warning("%s: background checkpoints off (%s)", self.path, exc)
            return
        try:
            conn.execute(f"PRAGMA synchronous = {self.synchronous.upper()}")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stop:
                    return
                self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            with self._running:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.runs += 1
        except sqlite3.Error as exc:  # busy or I/O: the next wake-up tries again
            log.debug("%s: background checkpoint skipped (%s)", self.path, exc)
