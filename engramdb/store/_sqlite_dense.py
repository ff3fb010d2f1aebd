"""The SQLite side of dense search: one snapshot per search, and a per-user vector
cache that a write of this connection patches instead of dropping.

A user's vectors are cached as one matrix (:class:`VectorBlock`), keyed by the
user's generation (bumped in the same transaction as every write). A search
reads the generation, the block and the ids of its hits in one read transaction,
so a delete committed by another connection in between cannot leave it a row it
cannot resolve. A write of this connection is seen by temporary triggers (they
fire for this connection only); at commit the rows it touched are re-read and
patched into the cached block, which moves to the new generation. A write of
another connection leaves a generation this cache never saw: the block reloads.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._models import Filters, Scope
from ._protocol import Match
from ._sqlite_base import has_narrowing, where_clause
from ._userlock import file_lock
from ._vectors import ExactVectorIndex, VectorBlock

if TYPE_CHECKING:
    from ._sqlite_base import Connection

__all__ = ["DenseMixin"]

_BLOCK_ROWS = ("SELECT v.record_rowid, v.vector, r.archived, CASE WHEN r.kind = 'turn' THEN "
               "NULL ELSE r.valid_to END, r.id FROM vectors v JOIN records r ON "
               "r.rowid = v.record_rowid")

# temp triggers: compiled into this connection only, they see exactly its own writes
_WATCH = """
CREATE TEMP TABLE IF NOT EXISTS dirty_rows (user_id TEXT, row INTEGER,
                                            PRIMARY KEY (user_id, row));
CREATE TEMP TABLE IF NOT EXISTS dirty_gens (user_id TEXT PRIMARY KEY, generation INTEGER);
CREATE TEMP TRIGGER IF NOT EXISTS dirty_v_ins AFTER INSERT ON main.vectors BEGIN
  INSERT OR IGNORE INTO dirty_rows VALUES (new.user_id, new.record_rowid); END;
CREATE TEMP TRIGGER IF NOT EXISTS dirty_v_upd AFTER UPDATE ON main.vectors BEGIN
  INSERT OR IGNORE INTO dirty_rows VALUES (old.user_id, old.record_rowid);
  INSERT OR IGNORE INTO dirty_rows VALUES (new.user_id, new.record_rowid); END;
CREATE TEMP TRIGGER IF NOT EXISTS dirty_v_del AFTER DELETE ON main.vectors BEGIN
  INSERT OR IGNORE INTO dirty_rows VALUES (old.user_id, old.record_rowid); END;
CREATE TEMP TRIGGER IF NOT EXISTS dirty_r_upd AFTER UPDATE OF archived, valid_to, kind
  ON main.records BEGIN
  INSERT OR IGNORE INTO dirty_rows VALUES (new.user_id, new.rowid); END;
CREATE TEMP TRIGGER IF NOT EXISTS dirty_r_del AFTER DELETE ON main.records BEGIN
  INSERT OR IGNORE INTO dirty_rows VALUES (old.user_id, old.rowid); END;
CREATE TEMP TRIGGER IF NOT EXISTS dirty_g_ins AFTER INSERT ON main.scope_state BEGIN
  INSERT INTO dirty_gens SELECT new.user_id, 0 WHERE NOT EXISTS
    (SELECT 1 FROM dirty_gens WHERE user_id = new.user_id); END;
CREATE TEMP TRIGGER IF NOT EXISTS dirty_g_upd BEFORE UPDATE ON main.scope_state BEGIN
  INSERT INTO dirty_gens SELECT old.user_id, old.generation WHERE NOT EXISTS
    (SELECT 1 FROM dirty_gens WHERE user_id = old.user_id); END;
"""
# (the generation triggers test for the row instead of INSERT OR IGNORE: the bump is an
# upsert, and an outer statement's conflict clause overrides a trigger's OR IGNORE, so a
# second bump in one transaction, two applies inside one ``transaction``, would fail)

#: a write touching more rows than this drops the user's block (reloaded on next search)
_PATCH_LIMIT = 2000

Patch = tuple[str, int | None, int | None, np.ndarray, VectorBlock | None]


class DenseMixin:
    _db: Connection
    _vectors: ExactVectorIndex
    path: str

    def _watch_writes(self) -> None:
        self._db.raw.executescript(_WATCH)

    @contextlib.contextmanager
    def _write(self, *, busy_timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction; the outermost one patches the vector cache after COMMIT."""
        patches: list[Patch] = []
        with self._db.write(busy_timeout=busy_timeout) as conn:
            outermost = self._db.depth == 1
            yield conn
            if outermost:
                patches = self._collect(conn)
        for user, before, after, gone, fresh in patches:
            self._vectors.advance(user, before, after, gone, fresh)

    def _collect(self, conn: sqlite3.Connection) -> list[Patch]:
        gens = dict(conn.execute("SELECT user_id, generation FROM temp.dirty_gens"))
        rows: dict[str, list[int]] = {}
        for user, row in conn.execute("SELECT user_id, row FROM temp.dirty_rows"):
            rows.setdefault(user, []).append(row)
        conn.execute("DELETE FROM temp.dirty_gens")
        conn.execute("DELETE FROM temp.dirty_rows")
        out: list[Patch] = []
        for user in gens.keys() | rows.keys():
            touched = np.array(sorted(rows.get(user, [])), dtype=np.int64)
            if user not in gens or touched.size > _PATCH_LIMIT:
                out.append((user, None, None, touched, None))  # drop: reload on next search
                continue
            after = conn.execute("SELECT generation FROM scope_state WHERE user_id=?",
                                 (user,)).fetchone()
            fresh = _rows_to_block(_fetch_rows(conn, touched)) if touched.size else None
            out.append((user, gens[user], after[0] if after else 0, touched, fresh))
        return out

    # ----------------------------------------------------------- snapshots, locks
    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees one snapshot of the file (a read transaction)."""
        with self._db.read():
            yield

    def exclusive(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Between processes: a record lock on one byte of ``<file>-lock``."""
        return file_lock(self.path, key)

    # ------------------------------------------------------------------ dense
    def dense(self, scope: Scope, vector: np.ndarray, k: int, filters: Filters) -> list[Match]:
        with self._db.read() as conn:
            gen = conn.execute("SELECT generation FROM scope_state WHERE user_id=?",
                               (scope.user_id,)).fetchone()
            # inside a write the block may hold uncommitted rows: use it, never cache it
            generation = gen[0] if gen else 0
            block = self._vectors.block(scope.user_id, generation,
                                        lambda: self._load_block(conn, scope.user_id),
                                        keep=not self._db.writing)
            allowed = self._allowed(conn, scope, filters)
            everything = (filters.include_archived or filters.include_superseded
                          or filters.as_of is not None)
            hits = self._vectors.search(block, vector, k, allowed, filters.include_archived,
                                        visible_at=None if everything else time.time(),
                                        user_id=None if self._db.writing else scope.user_id,
                                        generation=generation)
            rowids = [rowid for rowid, _ in hits]
            # the block holds each row's record id (read with its vector): no lookup
            known = block.ids_of(rowids)
            if known is not None:
                return [Match(rid, score, rank)
                        for rank, (rid, (_, score)) in enumerate(zip(known, hits))]
            ids = self._ids_for(conn, rowids)
        # one snapshot: every hit resolves; the check only guards against a cache bug
        found = [(ids[rowid], score) for rowid, score in hits if rowid in ids]
        return [Match(rid, score, rank) for rank, (rid, score) in enumerate(found)]

    def _load_block(self, conn: sqlite3.Connection, user_id: str) -> VectorBlock:
        rows = conn.execute(f"{_BLOCK_ROWS} WHERE v.user_id=? ORDER BY v.record_rowid",
                            (user_id,)).fetchall()
        return _rows_to_block(rows)

    def _allowed(self, conn: sqlite3.Connection, scope: Scope,
                 filters: Filters) -> np.ndarray | None:
        if not has_narrowing(scope, filters):
            return None
        where, params = where_clause(scope, filters)
        rows = conn.execute(f"SELECT r.rowid FROM records r WHERE {where}", params).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def _ids_for(self, conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = conn.execute(f"SELECT rowid, id FROM records WHERE rowid IN ({marks})", rowids)
        return dict(rows.fetchall())


def _fetch_rows(conn: sqlite3.Connection, rowids: np.ndarray) -> list[tuple]:
    out: list[tuple] = []
    for start in range(0, rowids.size, 500):
        chunk = [int(r) for r in rowids[start:start + 500]]
        out.extend(conn.execute(f"{_BLOCK_ROWS} WHERE v.record_rowid IN "
                                f"({','.join('?' * len(chunk))}) ORDER BY v.record_rowid",
                                chunk).fetchall())
    return out


def _rows_to_block(rows: Sequence[tuple]) -> VectorBlock:
    if not rows:
        return VectorBlock(np.empty(0, np.int64), np.empty((0, 0), np.float32),
                           np.empty(0, bool), np.empty(0, np.float64))
    matrix = np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    ids = np.empty(len(rows), object)
    ids[:] = [r[4] for r in rows]
    return VectorBlock(np.array([r[0] for r in rows], dtype=np.int64), matrix,
                       np.array([bool(r[2]) for r in rows]),
                       np.array([np.inf if r[3] is None else r[3] for r in rows]), ids)
