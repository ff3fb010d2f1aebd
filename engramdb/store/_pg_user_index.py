"""Per-user partial HNSW indexes for the PostgreSQL backend.

One HNSW graph over every user's vectors serves a large user badly: its query is
filtered to that user's share of the graph, and the iterative scan walks (and
throws away) everyone else's neighbours first. A user past the ANN threshold gets
a graph of its own, a partial index ``WHERE user_id = '<user>'`` (the name is a
hash of the user id, never the id itself), dropped when the user is erased whole.

The build (about 20 s for 100k vectors) never holds up the write that crossed the
threshold: :class:`IndexBuilds` runs it in a thread of its own, on a connection of
its own, as ``CREATE INDEX CONCURRENTLY`` (writes and searches of the table go on
meanwhile), under an advisory lock taken without waiting (a process that finds
another one building leaves it to it: no build runs twice). Until PostgreSQL marks
the index valid (``pg_index.indisvalid``) the user's searches scan exactly; a build
that died (its process killed) leaves an invalid index, which the next build drops
and redoes. The dense query names the user as a literal: a prepared
statement's generic plan (psycopg prepares a statement it ran 5 times) cannot prove
a partial index's constant predicate from a ``$1`` parameter.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from ._pg_schema import DIM_INDEXED

if TYPE_CHECKING:
    from ._pg_base import PgDatabase

__all__ = ["user_index_name", "user_literal", "user_index_state", "build_user_index",
           "drop_user_index", "IndexBuilds", "STATE_SQL"]

log = logging.getLogger(__name__)

#: is the index named %s valid (NULL: there is none)
STATE_SQL = ("SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
             "WHERE c.relname = %s")


def _digest(user_id: str) -> bytes:
    return hashlib.sha256(b"engram-hnsw\0" + user_id.encode()).digest()


def user_index_name(user_id: str) -> str:
    """The index's name: safe in any SQL text, and within PostgreSQL's 63 bytes."""
    return "records_hnsw_u_" + _digest(user_id).hex()[:32]


def user_literal(conn: Any, user_id: str) -> str:
    """The user id as an SQL string literal (quoted by psycopg)."""
    from psycopg import sql

    return sql.Literal(user_id).as_string(conn)  # type: ignore[no-any-return]


def user_index_state(conn: Any, user_id: str) -> bool | None:
    """True: the user's index is usable; False: a build failed or runs; None: none."""
    row = conn.execute(STATE_SQL, (user_index_name(user_id),)).fetchone()
    return None if row is None else bool(row[0])


def _lock_key(user_id: str) -> int:
    return int.from_bytes(_digest(user_id)[:8], "big", signed=True)


def build_user_index(db: PgDatabase, user_id: str, *, wait: bool = True) -> bool:
    """Build the user's index unless it is there; True when this call built it.
    Idempotent. ``wait``: queue behind a build running elsewhere (then find it built);
    otherwise leave it to that build and return False at once."""
    with db.advisory(_lock_key(user_id), wait=wait) as mine:
        if not mine:
            return False
        with db.converted(), db.connect() as conn:  # autocommit: no transaction
            state = user_index_state(conn, user_id)
            if state:
                return False
            name = user_index_name(user_id)
            if state is False:  # left invalid by a build that died: start over
                conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            # a build is not a slow query, and it waits for the table's other long
            # maintenance (VACUUM, another CREATE INDEX) as long as that takes
            conn.execute("SET statement_timeout = 0")
            conn.execute("SET lock_timeout = 0")
            conn.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON records USING hnsw "
                f"((embedding::vector({DIM_INDEXED})) vector_cosine_ops) WHERE user_id = "
                f"{user_literal(conn, user_id)} AND vector_dims(embedding) = {DIM_INDEXED}")
    return True


class IndexBuilds:
    """Per-user index builds in background threads: at most one per user in a process,
    and (advisory lock) in the whole database. Errors are logged, never raised: the
    user's searches stay exact, and the next write past the threshold tries again."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db
        self._guard = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}

    def start(self, user_id: str) -> bool:
        """Start building the user's index unless this process already is (False)."""
        with self._guard:
            if user_id in self._threads:
                return False
            thread = threading.Thread(target=self._run, args=(user_id,), daemon=True,
                                      name=f"engramdb-hnsw-{user_index_name(user_id)[-8:]}")
            self._threads[user_id] = thread
        thread.start()
        return True

    def _run(self, user_id: str) -> None:
        try:
            built = build_user_index(self._db, user_id, wait=False)
            log.info("per-user HNSW index %s: %s", user_index_name(user_id),
                     "built" if built else "left to the build running elsewhere")
        except Exception as exc:  # noqa: BLE001 - a background build must not crash anything
            log.warning("building per-user HNSW index %s failed: %s",
                        user_index_name(user_id), exc)
        finally:
            with self._guard:
                self._threads.pop(user_id, None)

    def running(self) -> list[str]:
        """The users whose index this process is building now."""
        with self._guard:
            return list(self._threads)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for this process's builds to end; False if one still runs at ``timeout``."""
        with self._guard:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in threads)


def drop_user_index(db: PgDatabase, user_id: str) -> bool:
    """Drop the user's index if there is one (False: there was none)."""
    with db.converted(), db.connect() as conn:
        if user_index_state(conn, user_id) is None:
            return False
        conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {user_index_name(user_id)}")
    return True
