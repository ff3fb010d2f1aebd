"""The SQLite side of the memory lifecycle: slot facts, supersession, archiving, audit.

A mixin of :class:`~engramdb.store.sqlite.SQLiteStore`; it only uses the store's
connection and its ``_audit``/``_bump``/``_fetch_one`` helpers. Nothing here
deletes a record: supersession closes a record's validity, archiving hides it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._models import AuditEntry, Filters, Record, Scope, check_id
from ._base import reassertion
from ._protocol import SlotFact, Supersession
from ._sqlite_base import dt, ts, where_clause

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

    def _fetch_one(self, conn: sqlite3.Connection, scope: Scope,
                   record_id: str) -> tuple[Record, int]:
        raise NotImplementedError

    # ------------------------------------------------------------ slot facts
    @staticmethod
    def _insert_facts(conn: sqlite3.Connection, record_id: str, user_id: str,
                      facts: Sequence[SlotFact]) -> None:
        conn.executemany("INSERT OR IGNORE INTO slot_facts (record_id, user_id, subject, slot, "
                         "value, confidence) VALUES (?,?,?,?,?,?)",
                         [(record_id, user_id, f.subject, f.slot, f.value, f.confidence)
                          for f in facts])

    def slot_holders(self, scope: Scope, keys: Sequence[tuple[str, str]]) -> list[SlotFact]:
        if not keys:
            return []
        pairs = " OR ".join("(f.subject = ? AND f.slot = ?)" for _ in keys)
        params: list[Any] = [scope.user_id]
        for subject, slot in keys:
            params.extend((subject, slot))
        sql = ("SELECT f.subject, f.slot, f.value, f.confidence, f.record_id, "
               "coalesce(r.valid_from, r.timestamp, r.created_at) FROM slot_facts f "
               "JOIN records r ON r.id = f.record_id "
               f"WHERE f.user_id = ? AND ({pairs}) AND r.valid_to IS NULL "
               "ORDER BY coalesce(r.valid_from, r.timestamp, r.created_at), r.rowid")
        with self._db.read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [SlotFact(s, k, v, c, rid, dt(at)) for s, k, v, c, rid, at in rows]

    def set_slot_facts(self, scope: Scope, record_id: str, facts: Sequence[SlotFact]) -> None:
        record_id = check_id(record_id)
        with self._write() as conn:
            conn.execute("DELETE FROM slot_facts WHERE user_id=? AND record_id=?",
                         (scope.user_id, record_id))
            self._insert_facts(conn, record_id, scope.user_id, facts)

    # ------------------------------------------------------------ supersede
    def supersede(self, scope: Scope, changes: Sequence[Supersession]) -> int:
        done = 0
        with self._write() as conn:
            for ch in changes:
                cur = conn.execute(
                    "UPDATE records SET valid_to=?, superseded_by=?, updated_at=? WHERE user_id=? "
                    "AND id=? AND valid_to IS NULL", (ch.at.timestamp(), ch.new_id, time.time(),
                                                     scope.user_id, ch.old_id))
                if cur.rowcount == 0:  # gone, or already closed by another writer
                    continue
                conn.execute("INSERT OR REPLACE INTO links (src_id, dst_id, user_id, kind, weight)"
                             " VALUES (?,?,?,?,?)", (ch.new_id, ch.old_id, scope.user_id,
                                                     "supersedes", ch.confidence))
                self._audit(conn, scope.user_id, "supersede", ch.old_id, ch.reason,
                            by=ch.new_id, confidence=ch.confidence, **ch.detail)
                done += 1
            if done:
                self._bump(conn, scope.user_id)  # the vector block's visibility changed
        return done

    def _reinstate(self, conn: sqlite3.Connection, user_id: str, record_id: str) -> None:
        """A superseding record was erased: what it closed is current again."""
        rows = conn.execute("SELECT id FROM records WHERE user_id=? AND superseded_by=?",
                            (user_id, record_id)).fetchall()
        for (old_id,) in rows:
            conn.execute("UPDATE records SET valid_to=NULL, superseded_by=NULL, updated_at=? "
                         "WHERE id=?", (time.time(), old_id))
            self._audit(conn, user_id, "reinstate", old_id,
                        "the record that superseded it was deleted")

    def reassert(self, scope: Scope, record_id: str, at: datetime, *,
                 reason: str | None = None) -> Record | None:
        """A superseded record was stated again at ``at``, after its validity ended: it is
        current again from ``at`` (``valid_from`` and ``timestamp`` = ``at``, ``valid_to``
        and ``superseded_by`` cleared), with a history version and an audit entry keeping
        the interval it had. None (and nothing changed) unless it ended before ``at``."""
        with self._write() as conn:
            old, rowid = self._fetch_one(conn, scope, record_id)
            may, past = reassertion(old, at)
            if not may:
                return None
            now = time.time()
            if not conn.execute("SELECT 1 FROM versions WHERE record_id=?", (old.id,)).fetchone():
                conn.execute("INSERT INTO versions VALUES (?,?,?,?,?,?,?)",  # keep version 1
                             (old.id, old.user_id, old.version, old.text, ts(old.created_at),
                              "add", None))
            conn.execute("INSERT INTO versions VALUES (?,?,?,?,?,?,?)",
                         (old.id, old.user_id, old.version + 1, old.text, now, "reassert",
                          reason))
            if past is not None:
                conn.execute("INSERT OR REPLACE INTO past_validity VALUES (?,?,?,?)",
                             (old.id, old.user_id, ts(past.valid_from), ts(past.valid_to)))
            conn.execute("UPDATE records SET valid_from=?, timestamp=?, valid_to=NULL, "
                         "superseded_by=NULL, version=version+1, updated_at=? WHERE rowid=?",
                         (at.timestamp(), at.timestamp(), now, rowid))
            self._audit(conn, scope.user_id, "reassert", record_id, reason,
                        was_superseded_by=old.superseded_by,
                        was_valid_from=_iso(old.valid_from), was_valid_to=_iso(old.valid_to),
                        was_timestamp=_iso(old.timestamp))
            self._bump(conn, scope.user_id)  # the vector block's visibility changed
            new, _ = self._fetch_one(conn, scope, record_id)
        return new

    # -------------------------------------------------------------- archive
    def archive(self, scope: Scope, ids: Sequence[str], *, reason: str | None,
                archived: bool = True, detail: dict[str, Any] | None = None) -> int:
        ids = [check_id(i) for i in ids]
        action = "archive" if archived else "restore"
        done = 0
        with self._write() as conn:
            for record_id in ids:
                cur = conn.execute("UPDATE records SET archived=?, updated_at=? WHERE user_id=? "
                                   "AND id=? AND archived=?", (int(archived), time.time(),
                                                              scope.user_id, record_id,
                                                              int(not archived)))
                if cur.rowcount:
                    self._audit(conn, scope.user_id, action, record_id, reason,
                                **(detail or {}).get(record_id, {}))
                    done += 1
            if done:
                self._bump(conn, scope.user_id)
        return done

    # ---------------------------------------------------------------- audit
    def audit(self, scope: Scope, *, limit: int = 100, record_id: str | None = None,
              actions: Sequence[str] | None = None) -> list[AuditEntry]:
        sql = "SELECT at, action, record_id, reason, detail FROM audit WHERE user_id=?"
        params: list[Any] = [scope.user_id]
        if record_id is not None:
            sql += " AND record_id=?"
            params.append(check_id(record_id))
        if actions:
            sql += f" AND action IN ({','.join('?' * len(actions))})"
            params.extend(actions)
        sql += " ORDER BY at DESC, id DESC LIMIT ?"
        params.append(limit)
        with self._db.read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [AuditEntry(dt(at), action, rid, reason, json.loads(detail or "{}"))  # type: ignore[arg-type]
                for at, action, rid, reason, detail in rows]

    def count(self, scope: Scope, filters: Filters) -> int:
        where, params = where_clause(scope, filters)
        with self._db.read() as conn:
            return int(conn.execute(f"SELECT count(*) FROM records r WHERE {where}",
                                    params).fetchone()[0])


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
