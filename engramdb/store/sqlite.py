"""The embedded default backend: one SQLite file (WAL), FTS5 BM25, exact dense search."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .._errors import InvalidInputError, StoreError
from .._models import Filters, Record, Scope, Session, Stats, check_id
from ._base import StoreBase
from ._filters import SQLITE
from ._migrations import latest_version
from ._protocol import GRAPH_KEY_KINDS, Key, Match, NewRecord
from ._sqlite_base import (DEFAULT_MMAP_SIZE, RECORD_COLUMNS, Connection, check_path,
                           row_to_record, scope_token, ts, where_clause)
from ._sqlite_dense import DenseMixin
from ._sqlite_erasure import ErasureMixin
from ._sqlite_keys import SQLiteKeysMixin
from ._sqlite_lifecycle import LifecycleMixin
from ._ann import DEFAULT_ANN_THRESHOLD, AnnVectorIndex
from ._vectors import ExactVectorIndex

__all__ = ["SQLiteStore", "GRAPH_KEY_KINDS", "open_sqlite"]


_SELECT = f"SELECT {RECORD_COLUMNS} FROM records r"
_R_COLUMNS = ", ".join(f"r.{c.strip()}" for c in RECORD_COLUMNS.split(","))


def _fts_query(scope: Scope, terms: Sequence[str], alone: bool = False) -> str:
    """The terms, within the user's scope token unless the user holds every row (then
    the token filters nothing: its phrase would only make bm25() count its whole doclist,
    and with column weight 0 it adds nothing to a score)."""
    quoted = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    return f"({quoted})" if alone else f'scope : {scope_token(scope.user_id)} AND ({quoted})'


class SQLiteStore(DenseMixin, ErasureMixin, LifecycleMixin, SQLiteKeysMixin, StoreBase):
    """Implements :class:`engramdb.store.Store` on one SQLite file."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 5.0,
                 synchronous: str = "normal",
                 ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
                 mmap_size: int = DEFAULT_MMAP_SIZE) -> None:
        self.path = os.fspath(path)
        self._db = Connection(self.path, busy_timeout=busy_timeout, synchronous=synchronous,
                              mmap_size=mmap_size)
        # users with >= ann_threshold vectors: HNSW candidates, exact scores (_ann); None: exact
        self._vectors = ExactVectorIndex() if ann_threshold is None else AnnVectorIndex(
            None if self.path == ":memory:" else self.path + ".ann", threshold=ann_threshold)
        self._key_counts = {}
        self._df_state, self._df_counts = None, {}  # _sqlite_keys: df of terms, per index state
        self._watch_writes()

    # ---------------------------------------------------------------- writes
    def add(self, items: Sequence[NewRecord], vectors: np.ndarray | None,
            session: Session | None = None) -> list[tuple[Record, bool]]:
        users = {item.record.user_id for item in items} | ({session.user_id} if session else set())
        with self._write() as conn:
            if session is not None:
                self._upsert_session(conn, session)
            out = [self._insert(conn, item, None if vectors is None else vectors[i])
                   for i, item in enumerate(items)]
            for user in users:
                self._bump(conn, user)
        return out

    def _upsert_session(self, conn: sqlite3.Connection, s: Session) -> None:
        row = conn.execute("SELECT participants FROM sessions WHERE user_id=? AND session_id=?",
                           (s.user_id, s.session_id)).fetchone()
        if row is None:
            conn.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?)",
                         (s.user_id, s.session_id, s.agent_id, ts(s.started_at),
                          json.dumps(list(s.participants)), json.dumps(s.metadata), time.time()))
            return
        merged = list(dict.fromkeys([*json.loads(row[0]), *s.participants]))
        conn.execute("UPDATE sessions SET participants=?, started_at=coalesce(started_at, ?) "
                     "WHERE user_id=? AND session_id=?",
                     (json.dumps(merged), ts(s.started_at), s.user_id, s.session_id))

    def _insert(self, conn: sqlite3.Connection, item: NewRecord,
                vector: np.ndarray | None) -> tuple[Record, bool]:
        r = item.record
        cur = conn.execute(
            "INSERT OR IGNORE INTO records (id, kind, user_id, agent_id, session_id, speaker, role,"
            " position, text, timestamp, created_at, updated_at, metadata, content_hash, version,"
            " valid_from, valid_to, superseded_by, importance, strength, last_recalled_at, archived)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (r.id, r.kind, r.user_id, r.agent_id, r.session_id, r.speaker, r.role, r.position,
             r.text, ts(r.timestamp), ts(r.created_at), ts(r.updated_at), json.dumps(r.metadata),
             r.content_hash, r.version, ts(r.valid_from), ts(r.valid_to), r.superseded_by,
             r.importance, r.strength, ts(r.last_recalled_at), int(r.archived)))
        if cur.rowcount == 0:
            return self._existing(conn, r), False
        rowid = cur.lastrowid
        assert rowid is not None  # an INSERT that wrote a row has one
        self._index(conn, rowid, r.user_id, item.index_text, item.keys, vector)
        conn.executemany("INSERT OR IGNORE INTO links (src_id, dst_id, user_id, kind, weight) "
                         "VALUES (?,?,?,?,?)", [(r.id, link.dst_id, r.user_id, link.kind,
                                                 link.weight) for link in item.links])
        conn.executemany("INSERT INTO versions VALUES (?,?,?,?,?,?,?)",
                         [(r.id, r.user_id, v.version, v.text, ts(v.changed_at), v.op, v.reason)
                          for v in item.history])
        conn.executemany("INSERT OR REPLACE INTO past_validity VALUES (?,?,?,?)",
                         [(r.id, r.user_id, ts(i.valid_from), ts(i.valid_to))
                          for i in item.past_validity])
        self._insert_facts(conn, r.id, r.user_id, item.facts)
        return r, True

    def _existing(self, conn: sqlite3.Connection, r: Record) -> Record:
        row = conn.execute(f"{_SELECT} WHERE user_id=? AND coalesce(agent_id,'')=? AND "
                           "content_hash=?", (r.user_id, r.agent_id or "", r.content_hash)).fetchone()
        if row is None:  # the id itself collided: astronomically unlikely, but say so
            raise InvalidInputError(f"record id {r.id} already exists")
        return row_to_record(row)

    def _index(self, conn: sqlite3.Connection, rowid: int, user_id: str, index_text: str,
               keys: Sequence[Key], vector: np.ndarray | None) -> None:
        self._index_text(conn, rowid, user_id, index_text)
        self._insert_keys(conn, rowid, user_id, keys)
        if vector is not None:
            self._set_vector(conn, rowid, user_id, vector)

    def _index_text(self, conn: sqlite3.Connection, rowid: int, user_id: str,
                    text: str) -> None:
        conn.execute("INSERT INTO records_fts (rowid, text, scope) VALUES (?,?,?)",
                     (rowid, text, scope_token(user_id)))

    @staticmethod
    def _set_vector(conn: sqlite3.Connection, rowid: int, user_id: str,
                    vector: np.ndarray) -> None:
        vec = np.asarray(vector, dtype=np.float32)
        conn.execute("INSERT OR REPLACE INTO vectors VALUES (?,?,?,?)",
                     (rowid, user_id, vec.shape[0], vec.tobytes()))

    def _unindex(self, conn: sqlite3.Connection, rowids: Sequence[int]) -> None:
        for rowid in rowids:
            conn.execute("DELETE FROM records_fts WHERE rowid=?", (rowid,))
            self._replace_keys(conn, rowid, None, ())
            conn.execute("DELETE FROM vectors WHERE record_rowid=?", (rowid,))

    def _bump(self, conn: sqlite3.Connection, user_id: str) -> None:
        conn.execute("INSERT INTO scope_state VALUES (?, 1) ON CONFLICT(user_id) "
                     "DO UPDATE SET generation = generation + 1", (user_id,))

    def _audit(self, conn: sqlite3.Connection, user_id: str, action: str,
               record_id: str | None, reason: str | None, **detail: Any) -> None:
        conn.execute("INSERT INTO audit (at, user_id, action, record_id, reason, detail) "
                     "VALUES (?,?,?,?,?,?)",
                     (time.time(), user_id, action, record_id, reason, json.dumps(detail)))

    def _replace_keys(self, conn: sqlite3.Connection, rowid: int, user_id: str | None,
                      keys: Sequence[Key]) -> None:
        """A record's expanded keys become ``keys`` (entity mentions included)."""
        kids = [(k,) for (k,) in conn.execute("SELECT key_id FROM keys WHERE record_rowid=?",
                                              (rowid,))]
        conn.executemany("DELETE FROM keys_fts WHERE rowid=?", kids)
        conn.execute("DELETE FROM keys WHERE record_rowid=?", (rowid,))
        conn.execute("DELETE FROM mentions WHERE record_rowid=?", (rowid,))
        if keys and user_id is not None:
            self._insert_keys(conn, rowid, user_id, keys)

    def _insert_keys(self, conn: sqlite3.Connection, rowid: int, user_id: str,
                     keys: Sequence[Key]) -> None:
        token = scope_token(user_id)
        for key in keys:
            kid = conn.execute("INSERT INTO keys (record_rowid, user_id, kind, text) "
                               "VALUES (?,?,?,?)", (rowid, user_id, key.kind, key.text)).lastrowid
            if key.kind not in GRAPH_KEY_KINDS:  # graph edges are not lexical keys
                conn.execute("INSERT INTO keys_fts (rowid, text, scope) VALUES (?,?,?)",
                             (kid, key.text, token))

    def _drop_sessions(self, conn: sqlite3.Connection, scope: Scope) -> None:
        if scope.session_id:
            conn.execute("DELETE FROM sessions WHERE user_id=? AND session_id=?",
                         (scope.user_id, scope.session_id))
        elif scope.agent_id:
            conn.execute("DELETE FROM sessions WHERE user_id=? AND agent_id=?",
                         (scope.user_id, scope.agent_id))
        else:
            conn.execute("DELETE FROM sessions WHERE user_id=?", (scope.user_id,))
            conn.execute("DELETE FROM entities WHERE user_id=?", (scope.user_id,))

    def _purge(self, conn: sqlite3.Connection, user_id: str, ids: Sequence[str]) -> None:
        """Remove every trace of these records: row, history, indexes, vectors, links."""
        rows = conn.execute("SELECT id, rowid FROM records WHERE user_id=? AND id IN "
                            "(SELECT value FROM json_each(?))",
                            (user_id, json.dumps(list(ids)))).fetchall()
        self._unindex(conn, [rowid for _, rowid in rows])
        for record_id, rowid in rows:
            conn.execute("DELETE FROM versions WHERE record_id=?", (record_id,))
            conn.execute("DELETE FROM past_validity WHERE record_id=?", (record_id,))
            conn.execute("DELETE FROM links WHERE src_id=? OR dst_id=?", (record_id, record_id))
            conn.execute("DELETE FROM slot_facts WHERE record_id=?", (record_id,))
            conn.execute("DELETE FROM records WHERE rowid=?", (rowid,))
            # earlier audit rows keep what happened and when, never why (a reason or
            # detail may quote the content being erased)
            conn.execute("UPDATE audit SET reason=NULL, detail='{}' WHERE user_id=? AND "
                         "(record_id=? OR instr(detail, ?))", (user_id, record_id, record_id))
        # entities no longer mentioned anywhere are names taken from erased text
        conn.execute("DELETE FROM entities WHERE user_id=? AND NOT EXISTS (SELECT 1 FROM "
                     "mentions m WHERE m.entity_id = entities.entity_id)", (user_id,))

    # ----------------------------------------------------------------- reads
    def taken(self, ids: Sequence[str]) -> set[str]:
        wanted = [check_id(i) for i in ids]
        out: set[str] = set()
        with self._db.read() as conn:
            for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                out.update(r[0] for r in conn.execute(
                    f"SELECT id FROM records WHERE id IN ({marks})", chunk))
        return out

    def find(self, scope: Scope, filters: Filters, *, limit: int | None = None,
             offset: int = 0, newest_first: bool = False,
             ids: Sequence[str] | None = None) -> list[Record]:
        where, params = where_clause(scope, filters)
        select = _SELECT
        if ids is not None:  # one JSON parameter: no bound-variable limit
            # CROSS JOIN fixes the loop order: look each id up by its unique index. With
            # "r.id IN (...)" SQLite walked the user's time index instead, every row of
            # the user: 43 ms for 40 ids of a 100k-record user, 0.3 ms this way.
            select = (f"SELECT {_R_COLUMNS} FROM (SELECT DISTINCT value FROM json_each(?)) j "
                      "CROSS JOIN records r ON r.id = j.value")
            params.insert(0, json.dumps([check_id(i) for i in ids]))
        order = "DESC" if newest_first else "ASC"
        sql = (f"{select} WHERE {where} ORDER BY r.timestamp {order}, r.session_id, "
               f"r.position, r.rowid LIMIT ? OFFSET ?")
        with self._db.read() as conn:
            rows = conn.execute(sql, (*params, -1 if limit is None else limit, offset)).fetchall()
        return [row_to_record(r) for r in rows]

    def lexical(self, scope: Scope, terms: Sequence[str], k: int, filters: Filters,
                *, index: str = "text") -> list[Match]:
        if not terms or k <= 0:
            return []
        if index == "keys":
            return self._lexical_keys(scope, terms, k, filters)
        where, params = where_clause(scope, filters)
        sql = (f"SELECT r.id, bm25(records_fts, 1.0, 0.0) AS s FROM records_fts "
               f"JOIN records r ON r.rowid = records_fts.rowid "
               f"WHERE records_fts MATCH ? AND {where} ORDER BY s LIMIT ?")
        with self._db.read() as conn:
            match = _fts_query(scope, terms, self._alone(conn, scope, "records_fts"))
            rows = conn.execute(sql, (match, *params, k)).fetchall()
        return [Match(rid, -score, rank) for rank, (rid, score) in enumerate(rows)]

    def mentions(self, scope: Scope) -> list[tuple[str, str]]:
        """(record id, entity) edges of the user's entity graph (keys of kind "entity")."""
        with self._db.read() as conn:
            return conn.execute("SELECT r.id, k.text FROM keys k JOIN records r ON "
                                "r.rowid = k.record_rowid WHERE k.user_id=? AND k.kind='entity' "
                                "AND r.archived = 0 ORDER BY k.key_id", (scope.user_id,)).fetchall()

    def vectors(self, scope: Scope, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these records (for "more like this" feedback rounds)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT r.id, v.vector FROM vectors v JOIN records r ON "
                                f"r.rowid = v.record_rowid WHERE r.user_id=? AND r.id IN ({marks})",
                                (scope.user_id, *ids)).fetchall()
        return {rid: np.frombuffer(blob, dtype=np.float32) for rid, blob in rows}

    #: seconds a recall's reinforcement (``touch``) waits for the write lock before it
    #: gives up with StoreBusyError (the caller skips it): a search is never held up by
    #: another process's long write (an import) for more than this
    touch_timeout: float = 0.005

    def stats(self) -> Stats:
        with self._db.read() as conn:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            counts = conn.execute("SELECT count(*), sum(kind='turn'), sum(kind='memory'), "
                                  "count(DISTINCT user_id) FROM records").fetchone()
            embedder = conn.execute("SELECT value FROM engram_meta WHERE key='embedder'").fetchone()
            return Stats(path=self.path, users=counts[3], sessions=one("SELECT count(*) FROM sessions"),
                         records=counts[0], turns=counts[1] or 0, memories=counts[2] or 0,
                         vectors=one("SELECT count(*) FROM vectors"),
                         size_bytes=self._size(), schema_version=latest_version(),
                         embedder=embedder[0] if embedder else None)

    def _size(self) -> int:
        if self.path == ":memory:":
            return 0
        return sum(os.path.getsize(p) for p in (self.path, self.path + "-wal")
                   if os.path.exists(p))

    # ------------------------------------------------------------ shared SQL
    dialect = SQLITE

    def query(self, scope: Scope | None, sql: str, params: Sequence[Any] = (), *,
              write: bool = False) -> list[tuple[Any, ...]]:
        """Run one statement of the shared SQL (:mod:`._reads`) in this thread's
        transaction or its own (``write``: a write transaction)."""
        with (self._write() if write else self._db.read()) as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._vectors.close()
        self._db.close()


def open_sqlite(path: str | os.PathLike[str], *, busy_timeout: float = 5.0,
                synchronous: str = "normal",
                ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
                mmap_size: int = DEFAULT_MMAP_SIZE) -> SQLiteStore:
    """The store at ``path``, its folder created. Errors name the path and the cause.
    ``mmap_size``: bytes of the file read through a memory map (0: none)."""
    target = Path(path)
    if str(target) != ":memory:":
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # mkdir says "File exists" for a file in the way: say why
            check_path(str(target))
            raise StoreError(f"{target}: cannot create its folder: "
                             f"{exc.strerror or exc}") from exc
    return SQLiteStore(target, busy_timeout=busy_timeout, synchronous=synchronous,
                       ann_threshold=ann_threshold, mmap_size=mmap_size)
