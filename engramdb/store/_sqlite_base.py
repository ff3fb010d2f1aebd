"""SQLite plumbing: opening a file safely, transactions, error conversion, row mapping."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any, Iterator, Sequence

from .._errors import (InvalidInputError, NotAnEngramDatabaseError, SchemaTooNewError,
                       StoreBusyError, StoreError)
from .._models import Record
from ._filters import has_narrowing, where_clause
from ._migrations import APPLICATION_ID, migrate
from ._sqlite_checkpoint import BACKSTOP_PAGES, EVERY_COMMITS, Checkpointer

__all__ = ["Connection", "RECORD_COLUMNS", "row_to_record", "where_clause",
           "scope_token", "ts", "dt"]

_SQLITE_MAGIC = b"SQLite format 3\x00"

RECORD_COLUMNS = ("id, kind, user_id, agent_id, session_id, speaker, role, position, text, "
                  "timestamp, created_at, updated_at, metadata, content_hash, version, valid_from, "
                  "valid_to, superseded_by, importance, strength, last_recalled_at, archived")


def ts(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def scope_token(user_id: str) -> str:
    """An opaque FTS token standing for one user (FTS5 intersects it before ranking)."""
    return "u" + hashlib.sha1(user_id.encode()).hexdigest()[:20]


def row_to_record(row: Sequence[Any]) -> Record:
    # every search builds a few dozen of these: datetimes and metadata inline, not via dt(),
    # and the fields by position in Record's order (22 keywords cost ~40% of the call;
    # tests/test_query_path.py checks the order)
    t, made, changed, since, until, recalled, meta = (row[9], row[10], row[11], row[15],
                                                      row[16], row[20], row[12])
    return Record(
        row[0], row[1], row[8], row[2], row[3], row[4], row[5], row[6], row[7],
        None if t is None else _at(t, _UTC), None if made is None else _at(made, _UTC),
        None if changed is None else _at(changed, _UTC),
        {} if meta == "{}" else _loads(meta), row[13], row[14],
        None if since is None else _at(since, _UTC), None if until is None else _at(until, _UTC),
        row[17], row[18], row[19], None if recalled is None else _at(recalled, _UTC),
        bool(row[21]))


_at, _UTC, _loads = datetime.fromtimestamp, timezone.utc, json.loads


@contextlib.contextmanager
def converted_errors(path: str) -> Iterator[None]:
    """Turn sqlite3 errors into engramdb's tree at the boundary."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreBusyError(f"{path}: another process is writing and held the lock past "
                                 "the busy timeout; try again") from exc
        raise StoreError(f"{path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise NotAnEngramDatabaseError(f"{path}: not an engramdb database ({exc})") from exc
        raise StoreError(f"{path}: {exc}") from exc


def check_path(path: str) -> None:
    """Say what is wrong with ``path`` before SQLite does: its messages ("unable to open
    database file", "cannot rollback") name neither the path nor the cause."""
    if path == ":memory:":
        return
    if not os.path.exists(path):
        return _check_folder(path)
    if os.path.isdir(path):
        raise NotAnEngramDatabaseError(f"{path}: is a directory, not an engramdb database")
    if not os.path.isfile(path):  # /dev/null, a FIFO (reading its header would block)...
        raise NotAnEngramDatabaseError(f"{path}: is not a regular file (a device, pipe or "
                                       "socket), not an engramdb database")
    if not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{path}: permission denied (engramdb needs to read and write it)")
    with open(path, "rb") as fp:
        head = fp.read(16)
    if head and head != _SQLITE_MAGIC:
        raise NotAnEngramDatabaseError(f"{path}: not an engramdb database (not SQLite)")


def _check_folder(path: str) -> None:
    """A new file: its folder must exist and take new files (SQLite adds -wal and -shm)."""
    folder = os.path.dirname(os.path.abspath(path))
    existing = folder
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):  # a file where a folder of the path should be
        raise StoreError(f"{path}: cannot create it: {existing} is not a directory")
    if existing != folder:
        raise StoreError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"{path}: permission denied (cannot create files in {folder})")


def _check_ours(conn: sqlite3.Connection, path: str) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != 0 or tables:
        raise NotAnEngramDatabaseError(
            f"{path}: an SQLite database of another application; refusing to touch it")


#: bytes of the file read through a memory map (PRAGMA mmap_size): a search of a large
#: user reads thousands of scattered pages (keys, records, postings); mapped, a page hit
#: costs no read() call and no copy into SQLite's 2 MB page cache (one user of 100k
#: records: -3.4 ms per engram search, BENCHMARKS.md). 0 reads through read() only.
DEFAULT_MMAP_SIZE = 1 << 30

#: PRAGMA synchronous modes a caller may choose (see README, "Durability")
SYNCHRONOUS = ("normal", "full")


def check_synchronous(value: object) -> str:
    if not isinstance(value, str) or value.lower() not in SYNCHRONOUS:
        raise InvalidInputError(f"synchronous must be one of {SYNCHRONOUS}, not {value!r}")
    return value.lower()


def check_mmap_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"mmap_size must be a whole number of bytes >= 0, not {value!r}")
    return value


class Connection:
    """One SQLite connection shared by threads under a lock; every write is a transaction
    and every read a read transaction (one snapshot), both reentrant for the thread
    holding the lock: a read inside a write sees the write, reads nested in a
    :meth:`read` all see one snapshot."""

    def __init__(self, path: str, *, busy_timeout: float = 5.0,
                 synchronous: str = "normal", mmap_size: int = DEFAULT_MMAP_SIZE,
                 checkpoint_every: int | None = EVERY_COMMITS) -> None:
        self.path = path
        self.synchronous = check_synchronous(synchronous)
        self.mmap_size = check_mmap_size(mmap_size)
        check_path(path)
        self._lock = threading.RLock()
        #: None, "read" or "write": the transaction the lock holder has open
        self.mode: str | None = None
        #: how deeply the lock holder's write() calls nest (1: the outermost)
        self.depth = 0
        #: WAL checkpoints off this connection (``_sqlite_checkpoint``); None: SQLite's own,
        #: in the COMMIT that crosses 1,000 pages (and always for an in-memory database)
        self.checkpointer = None if checkpoint_every is None or path == ":memory:" else \
            Checkpointer(path, synchronous=self.synchronous, every=checkpoint_every)
        with converted_errors(path):
            self.raw = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None,
                                       check_same_thread=False)
            try:
                self._setup()
            except BaseException:
                self.raw.close()
                raise

    def _setup(self) -> None:
        _check_ours(self.raw, self.path)
        self.raw.execute("PRAGMA journal_mode = WAL")
        # NORMAL: a commit survives a process crash, not an OS crash or power loss (the last
        # commits may roll back); FULL fsyncs the WAL on every commit and survives both
        self.raw.execute(f"PRAGMA synchronous = {self.synchronous.upper()}")
        self.raw.execute("PRAGMA secure_delete = ON")  # deleted content is zeroed, not left behind
        self.raw.execute("PRAGMA foreign_keys = ON")
        self.raw.execute(f"PRAGMA mmap_size = {self.mmap_size}")
        if self.checkpointer is not None:  # the background thread checkpoints, not commits
            self.raw.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        migrate(self.raw)

    @contextlib.contextmanager
    def write(self, *, busy_timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (nothing half-written).

        ``busy_timeout`` (seconds) bounds, for this transaction only, the wait for the
        connection (another thread's write) and for SQLite's write lock (another
        process's write) instead of the connection's busy timeout; past it
        :class:`StoreBusyError` is raised. For best-effort writes that must not hold up
        the read they follow (recall reinforcement). Inside a write of the same thread
        it joins that transaction.
        """
        if not self._lock.acquire(timeout=-1 if busy_timeout is None else busy_timeout):
            raise StoreBusyError(f"{self.path}: another thread is writing; try again")
        self.depth += 1
        try:
            if self.mode == "write":
                yield self.raw
                return
            if self.mode == "read":  # a snapshot cannot become a write without going stale
                raise RuntimeError("engramdb bug: a write inside a read snapshot")
            with converted_errors(self.path), self._busy(busy_timeout):
                self.raw.execute("BEGIN IMMEDIATE")
                self.mode = "write"
                try:
                    yield self.raw
                except BaseException:
                    self.raw.execute("ROLLBACK")
                    raise
                finally:
                    self.mode = None
                try:
                    self.raw.execute("COMMIT")
                except BaseException:
                    if self.raw.in_transaction:
                        self.raw.execute("ROLLBACK")
                    raise
                if self.checkpointer is not None:
                    self.checkpointer.committed()
        finally:
            self.depth -= 1
            self._lock.release()

    @contextlib.contextmanager
    def _busy(self, seconds: float | None) -> Iterator[None]:
        if seconds is None:
            yield
            return
        default = int(self.raw.execute("PRAGMA busy_timeout").fetchone()[0])
        self.raw.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            self.raw.execute(f"PRAGMA busy_timeout = {default}")

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement inside sees the same snapshot, so a
        write committed meanwhile by another connection cannot split a read in two."""
        with self._lock, converted_errors(self.path):
            if self.mode is not None:
                yield self.raw
                return
            self.raw.execute("BEGIN")
            self.mode = "read"
            try:
                yield self.raw
            finally:
                self.mode = None
                if self.raw.in_transaction:
                    self.raw.execute("COMMIT")  # a read commits nothing: only ends the snapshot

    @contextlib.contextmanager
    def bare(self) -> Iterator[sqlite3.Connection]:
        """The connection outside any transaction (VACUUM, checkpoints)."""
        held = self.checkpointer.hold() if self.checkpointer else contextlib.nullcontext()
        with self._lock, held, converted_errors(self.path):
            if self.mode is not None:
                raise RuntimeError("engramdb bug: VACUUM or a checkpoint inside a transaction")
            yield self.raw

    @property
    def writing(self) -> bool:
        """True inside a write transaction (of the thread holding the lock)."""
        return self.mode == "write"

    def close(self) -> None:
        if self.checkpointer is not None:  # first: the last connection removes the WAL
            self.checkpointer.close()
        with self._lock:
            self.raw.close()


__all__ += ["has_narrowing", "converted_errors", "check_path", "SchemaTooNewError",
            "SYNCHRONOUS", "check_synchronous", "DEFAULT_MMAP_SIZE", "check_mmap_size"]
