"""Per-user partial HNSW indexes for the PostgreSQL backend.

One HNSW graph over every user's vectors serves a large user badly: its query is
filtered to that user's share of the graph, and the iterative scan walks (and
throws away) everyone else's neighbours first. A user past the ANN threshold gets
a graph of its own, a partial index ``WHERE user_id = '<user>'`` (the name is a
hash of the user id, never the id itself). It is built with ``CREATE INDEX
CONCURRENTLY`` (no write is blocked, so never inside a transaction) under an
advisory lock (two processes never build it twice), and dropped when the user's
last record is erased. The dense query names the user as a literal: a prepared
statement's generic plan (psycopg prepares a statement it ran 5 times) cannot prove
a partial index's constant predicate from a ``$1`` parameter.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ._pg_schema import DIM_INDEXED

if TYPE_CHECKING:
    from ._pg_base import PgDatabase

__all__ = ["user_index_name", "user_literal", "user_index_state", "build_user_index",
           "drop_user_index"]


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
    row = conn.execute("SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON "
                       "i.indexrelid = c.oid WHERE c.relname = %s",
                       (user_index_name(user_id),)).fetchone()
    return None if row is None else bool(row[0])


def build_user_index(db: PgDatabase, user_id: str) -> bool:
    """Build the user's index unless it is there (False: it was). Idempotent; two
    callers queue on the advisory lock and the second finds it built."""
    name = user_index_name(user_id)
    with db.advisory(int.from_bytes(_digest(user_id)[:8], "big", signed=True)):
        with db.converted(), db.pool.connection() as conn:  # autocommit: no transaction
            state = user_index_state(conn, user_id)
            if state:
                return False
            if state is False:  # left invalid by a build that died: start over
                conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            conn.execute("SET statement_timeout = 0")  # a build is not a slow query
            try:
                conn.execute(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON records USING hnsw "
                    f"((embedding::vector({DIM_INDEXED})) vector_cosine_ops) WHERE user_id = "
                    f"{user_literal(conn, user_id)} AND vector_dims(embedding) = {DIM_INDEXED}")
            finally:
                conn.execute("RESET statement_timeout")
    return True


def drop_user_index(db: PgDatabase, user_id: str) -> bool:
    """Drop the user's index if there is one (False: there was none)."""
    with db.converted(), db.pool.connection() as conn:
        if user_index_state(conn, user_id) is None:
            return False
        conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {user_index_name(user_id)}")
    return True
