"""The SQLite side of every write after ``add``: :meth:`apply` of the change records,
and the lifecycle reads (slot facts, audit, versions, links).

A mixin of :class:`~engramdb.store.sqlite.SQLiteStore`; it only uses the store's
connection and its ``_audit``/``_bump``/``_index``/``_unindex`` helpers. Nothing
here decides: which records change and how is settled in
:class:`~engramdb.store._base.StoreBase`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .._errors import InvalidInputError, NotFoundError
from .._models import Scope, check_id
from ._base import column_values
from ._changes import (AddHistory, AddLink, Change, Erase, EraseSessions, Log, Patch, Reindex,
                       Reinforce, SetFacts, quiet)
from ._protocol import Key, SlotFact
from ._sqlite_base import ts

if TYPE_CHECKING:
    from ._sqlite_base import Connection

__all__ = ["LifecycleMixin"]


class LifecycleMixin:
    _db: Connection

    # provided by SQLiteStore
    def _audit(self, conn: sqlite3.Connection, user_id: str, action: str,
               record_id: str | None, reason: str | None, **detail: Any) -> None: ...

    def _bump(self, conn: sqlite3.Connection, user_id: str) -> None: ...

    def _write(self, *, busy_timeout: float | None = None
               ) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...

    def _index_text(self, conn: sqlite3.Connection, rowid: int, user_id: str,
                    text: str) -> None: ...

    def _replace_keys(self, conn: sqlite3.Connection, rowid: int, user_id: str,
                      keys: Sequence[Key]) -> None: ...

    def _set_vector(self, conn: sqlite3.Connection, rowid: int, user_id: str,
                    vector: np.ndarray) -> None: ...

    def _purge(self, conn: sqlite3.Connection, user_id: str, ids: Sequence[str]) -> None: ...

    def _drop_sessions(self, conn: sqlite3.Connection, scope: Scope) -> None: ...

    # ------------------------------------------------------------ writes
    @contextlib.contextmanager
    def transaction(self, scope: Scope) -> Iterator[None]:
        """BEGIN IMMEDIATE: one writer of the file at a time, reads inside join it."""
        with self._write():
            yield

    def apply(self, scope: Scope, changes: Sequence[Change], *,
              wait: float | None = None) -> None:
        with self._write(busy_timeout=wait) as conn:
            for change in changes:
                _APPLY[type(change)](self, conn, scope, change)
            if not quiet(changes):
                self._bump(conn, scope.user_id)

    def _rowid(self, conn: sqlite3.Connection, scope: Scope, record_id: str) -> int:
        row = conn.execute("SELECT rowid FROM records WHERE user_id=? AND id=?",
                           (scope.user_id, check_id(record_id))).fetchone()
        if row is None:
            raise NotFoundError(f"no record {record_id} for user {scope.user_id!r}")
        return int(row[0])

    def _do_patch(self, conn: sqlite3.Connection, scope: Scope, ch: Patch) -> None:
        values = column_values(ch.fields)
        if not values:
            return
        sets = ", ".join(f"{name} = ?" for name in values)
        params = [json.dumps(v) if name == "metadata" else v for name, v in values.items()]
        try:
            conn.execute(f"UPDATE records SET {sets} WHERE user_id=? AND id=?",
                         (*params, scope.user_id, ch.record_id))
        except sqlite3.IntegrityError as exc:  # the unique content hash of the scope
            raise InvalidInputError("an identical memory already exists in this scope") from exc

    def _do_reindex(self, conn: sqlite3.Connection, scope: Scope, ch: Reindex) -> None:
        rowid = self._rowid(conn, scope, ch.record_id)
        if ch.index_text is not None:
            conn.execute("DELETE FROM records_fts WHERE rowid=?", (rowid,))
            self._index_text(conn, rowid, scope.user_id, ch.index_text)
        if ch.keys is not None:
            self._replace_keys(conn, rowid, scope.user_id, ch.keys)
        if ch.vector is not None:
            self._set_vector(conn, rowid, scope.user_id, ch.vector)

    def _do_add_history(self, conn: sqlite3.Connection, scope: Scope, ch: AddHistory) -> None:
        conn.executemany("INSERT INTO versions VALUES (?,?,?,?,?,?,?)",
                         [(ch.record_id, scope.user_id, v.version, v.text, ts(v.changed_at),
                           v.op, v.reason) for v in ch.versions])
        conn.executemany("INSERT OR REPLACE INTO past_validity VALUES (?,?,?,?)",
                         [(ch.record_id, scope.user_id, ts(i.valid_from), ts(i.valid_to))
                          for i in ch.past])

    def _do_set_facts(self, conn: sqlite3.Connection, scope: Scope, ch: SetFacts) -> None:
        conn.execute("DELETE FROM slot_facts WHERE user_id=? AND record_id=?",
                     (scope.user_id, ch.record_id))
        self._insert_facts(conn, ch.record_id, scope.user_id, ch.facts)

    @staticmethod
    def _do_add_link(conn: sqlite3.Connection, scope: Scope, ch: AddLink) -> None:
        conn.execute("INSERT OR REPLACE INTO links (src_id, dst_id, user_id, kind, weight) "
                     "VALUES (?,?,?,?,?)", (ch.src_id, ch.dst_id, scope.user_id, ch.kind,
                                            ch.weight))

    def _do_log(self, conn: sqlite3.Connection, scope: Scope, ch: Log) -> None:
        self._audit(conn, scope.user_id, ch.action, ch.record_id, ch.reason, **ch.detail)

    def _do_erase(self, conn: sqlite3.Connection, scope: Scope, ch: Erase) -> None:
        self._purge(conn, scope.user_id, list(ch.record_ids))

    def _do_erase_sessions(self, conn: sqlite3.Connection, scope: Scope,
                           ch: EraseSessions) -> None:
        self._drop_sessions(conn, scope)

    @staticmethod
    def _do_reinforce(conn: sqlite3.Connection, scope: Scope, ch: Reinforce) -> None:
        conn.executemany("UPDATE records SET last_recalled_at=?, recall_count=recall_count+1, "
                         "strength=strength+? WHERE user_id=? AND id=?",
                         [(ch.at.timestamp(), g, scope.user_id, i)
                          for i, g in zip(ch.record_ids, ch.gains)])

    # ------------------------------------------------------------ slot facts
    @staticmethod
    def _insert_facts(conn: sqlite3.Connection, record_id: str, user_id: str,
                      facts: Sequence[SlotFact]) -> None:
        conn.executemany("INSERT OR IGNORE INTO slot_facts (record_id, user_id, subject, slot, "
                         "value, confidence) VALUES (?,?,?,?,?,?)",
                         [(record_id, user_id, f.subject, f.slot, f.value, f.confidence)
                          for f in facts])

    # ---------------------------------------------------------------- reads
    def edges(self, scope: Scope, ids: Sequence[str] | None = None, *, kind: str | None = None,
              incoming: bool = False) -> list[tuple[str, str, str, float]]:
        """Links in the order of ``ids`` (then as written); every link as written."""
        column = "dst_id" if incoming else "src_id"
        sql, params = "SELECT src_id, dst_id, kind, weight FROM links l", [scope.user_id]
        order = "l.rowid"
        if ids is not None:
            sql += f" JOIN json_each(?) j ON j.value = l.{column}"
            params.insert(0, json.dumps(list(dict.fromkeys(check_id(i) for i in ids))))
            order = "j.key, l.rowid"
        sql += " WHERE l.user_id=?"
        if kind is not None:
            sql += " AND l.kind=?"
            params.append(kind)
        with self._db.read() as conn:
            return conn.execute(f"{sql} ORDER BY {order}", params).fetchall()


def _among(scope: Scope, ids: Sequence[str] | None) -> tuple[str, list[Any]]:
    """`` AND record_id IN ids`` (one JSON parameter: no bound-variable limit)."""
    if ids is None:
        return "", [scope.user_id]
    return (" AND record_id IN (SELECT value FROM json_each(?))",
            [scope.user_id, json.dumps([check_id(i) for i in ids])])


_Handler = Callable[[Any, sqlite3.Connection, Scope, Any], None]
_APPLY: dict[type, _Handler] = {
    Patch: LifecycleMixin._do_patch, Reindex: LifecycleMixin._do_reindex,
    AddHistory: LifecycleMixin._do_add_history, SetFacts: LifecycleMixin._do_set_facts,
    AddLink: lambda self, conn, scope, ch: LifecycleMixin._do_add_link(conn, scope, ch),
    Log: LifecycleMixin._do_log, Erase: LifecycleMixin._do_erase,
    EraseSessions: LifecycleMixin._do_erase_sessions,
    Reinforce: lambda self, conn, scope, ch: LifecycleMixin._do_reinforce(conn, scope, ch),
}
