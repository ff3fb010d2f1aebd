"""The PostgreSQL side of the memory lifecycle: slot facts, supersession, archiving, audit.

A mixin of :class:`~engramdb.store.postgres.PostgresStore`, the same decisions as
the SQLite one (:mod:`._sqlite_lifecycle`). Nothing here deletes a record.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._models import AuditEntry, Record, Scope, check_id
from ._base import reassertion
from ._pg_base import json_param
from ._protocol import SlotFact, Supersession
from ._sqlite_base import dt, ts

if TYPE_CHECKING:
    from ._pg_base import PgDatabase

__all__ = ["PgLifecycleMixin"]


class PgLifecycleMixin:
    _db: PgDatabase

    # provided by PostgresStore
    def _lock_user(self, conn: Any, user_id: str) -> None: ...

    def _fetch_one(self, conn: Any, scope: Scope, record_id: str) -> Record:
        raise NotImplementedError

    def _keep_first_version(self, conn: Any, old: Record) -> None: ...

    def _audit(self, conn: Any, user_id: str, action: str, record_id: str | None,
               reason: str | None, **detail: Any) -> None:
        conn.execute("INSERT INTO audit (user_id, at, action, record_id, reason, detail) "
                     "VALUES (%s,%s,%s,%s,%s,%s)",
                     (user_id, time.time(), action, record_id, reason, json_param(detail)))

    # ------------------------------------------------------------ slot facts
    @staticmethod
    def _insert_facts(conn: Any, record_id: str, user_id: str,
                      facts: Sequence[SlotFact]) -> None:
        if not facts:
            return
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO slot_facts VALUES (%s,%s,%s,%s,%s,%s) "
                            "ON CONFLICT DO NOTHING",
                            [(user_id, record_id, f.subject, f.slot, f.value or "", f.confidence)
                             for f in facts])

    def slot_holders(self, scope: Scope, keys: Sequence[tuple[str, str]]) -> list[SlotFact]:
        if not keys:
            return []
        sql = ("SELECT f.subject, f.slot, f.value, f.confidence, f.record_id, "
               "coalesce(r.valid_from, r.timestamp, r.created_at) FROM slot_facts f "
               "JOIN unnest(%s::text[], %s::text[]) AS k(subject, slot) ON f.subject = k.subject "
               "AND f.slot = k.slot JOIN records r ON r.user_id = f.user_id AND r.id = f.record_id "
               "WHERE f.user_id = %s AND r.valid_to IS NULL "
               "ORDER BY coalesce(r.valid_from, r.timestamp, r.created_at) NULLS FIRST, r.seq")
        with self._db.read(scope.user_id) as conn:
            rows = conn.execute(sql, ([s for s, _ in keys], [k for _, k in keys],
                                      scope.user_id)).fetchall()
        return [SlotFact(s, k, v or None, c, rid, dt(at)) for s, k, v, c, rid, at in rows]

    def set_slot_facts(self, scope: Scope, record_id: str, facts: Sequence[SlotFact]) -> None:
        record_id = check_id(record_id)
        with self._db.write(scope.user_id) as conn:
            self._lock_user(conn, scope.user_id)
            conn.execute("DELETE FROM slot_facts WHERE user_id=%s AND record_id=%s",
                         (scope.user_id, record_id))
            self._insert_facts(conn, record_id, scope.user_id, facts)

    # ------------------------------------------------------------ supersede
    def supersede(self, scope: Scope, changes: Sequence[Supersession]) -> int:
        done = 0
        with self._db.write(scope.user_id) as conn:
            self._lock_user(conn, scope.user_id)
            for ch in changes:
                cur = conn.execute(
                    "UPDATE records SET valid_to=%s, superseded_by=%s, updated_at=%s WHERE "
                    "user_id=%s AND id=%s AND valid_to IS NULL",
                    (ch.at.timestamp(), ch.new_id, time.time(), scope.user_id, ch.old_id))
                if cur.rowcount == 0:  # gone, or already closed by another writer
                    continue
                conn.execute("INSERT INTO links (user_id, src_id, dst_id, kind, weight) VALUES "
                             "(%s,%s,%s,'supersedes',%s) ON CONFLICT (user_id, src_id, dst_id, "
                             "kind) DO UPDATE SET weight = excluded.weight",
                             (scope.user_id, ch.new_id, ch.old_id, ch.confidence))
                self._audit(conn, scope.user_id, "supersede", ch.old_id, ch.reason,
                            by=ch.new_id, confidence=ch.confidence, **ch.detail)
                done += 1
        return done

    def _reinstate(self, conn: Any, user_id: str, record_id: str) -> None:
        """A superseding record was erased: what it closed is current again."""
        rows = conn.execute("UPDATE records SET valid_to=NULL, superseded_by=NULL, updated_at=%s "
                            "WHERE user_id=%s AND superseded_by=%s RETURNING id",
                            (time.time(), user_id, record_id)).fetchall()
        for (old_id,) in rows:
            self._audit(conn, user_id, "reinstate", old_id,
                        "the record that superseded it was deleted")

    def reassert(self, scope: Scope, record_id: str, at: datetime, *,
                 reason: str | None = None) -> Record | None:
        """A superseded record was stated again at ``at``, after its validity ended: it is
        current again from ``at``, with a history version and an audit entry keeping the
        interval it had. None (and nothing changed) unless it ended before ``at``."""
        with self._db.write(scope.user_id) as conn:
            self._lock_user(conn, scope.user_id)
            old = self._fetch_one(conn, scope, record_id)
            may, past = reassertion(old, at)
            if not may:
                return None
            now = time.time()
            self._keep_first_version(conn, old)
            conn.execute("INSERT INTO versions VALUES (%s,%s,%s,%s,%s,'reassert',%s)",
                         (old.user_id, old.id, old.version + 1, old.text, now, reason))
            if past is not None:
                conn.execute("INSERT INTO past_validity VALUES (%s,%s,%s,%s) ON CONFLICT "
                             "(user_id, record_id, valid_from) DO UPDATE SET valid_to = "
                             "excluded.valid_to", (old.user_id, old.id, ts(past.valid_from),
                                                   ts(past.valid_to)))
            conn.execute("UPDATE records SET valid_from=%s, timestamp=%s, valid_to=NULL, "
                         "superseded_by=NULL, version=version+1, updated_at=%s WHERE "
                         "user_id=%s AND id=%s", (at.timestamp(), at.timestamp(), now,
                                                  scope.user_id, old.id))
            self._audit(conn, scope.user_id, "reassert", record_id, reason,
                        was_superseded_by=old.superseded_by,
                        was_valid_from=_iso(old.valid_from), was_valid_to=_iso(old.valid_to),
                        was_timestamp=_iso(old.timestamp))
            return self._fetch_one(conn, scope, record_id)

    # -------------------------------------------------------------- archive
    def archive(self, scope: Scope, ids: Sequence[str], *, reason: str | None,
                archived: bool = True, detail: dict[str, Any] | None = None) -> int:
        ids = [check_id(i) for i in ids]
        action = "archive" if archived else "restore"
        done = 0
        with self._db.write(scope.user_id) as conn:
            self._lock_user(conn, scope.user_id)
            for record_id in ids:
                cur = conn.execute("UPDATE records SET archived=%s, updated_at=%s WHERE "
                                   "user_id=%s AND id=%s AND archived=%s",
                                   (int(archived), time.time(), scope.user_id, record_id,
                                    int(not archived)))
                if cur.rowcount:
                    self._audit(conn, scope.user_id, action, record_id, reason,
                                **(detail or {}).get(record_id, {}))
                    done += 1
        return done

    # ---------------------------------------------------------------- audit
    def audit(self, scope: Scope, *, limit: int = 100, record_id: str | None = None,
              actions: Sequence[str] | None = None) -> list[AuditEntry]:
        sql = "SELECT at, action, record_id, reason, detail FROM audit WHERE user_id=%s"
        params: list[Any] = [scope.user_id]
        if record_id is not None:
            sql += " AND record_id=%s"
            params.append(check_id(record_id))
        if actions:
            sql += " AND action = ANY(%s)"
            params.append(list(actions))
        sql += " ORDER BY at DESC, id DESC LIMIT %s"
        params.append(limit)
        with self._db.read(scope.user_id) as conn:
            rows = conn.execute(sql, params).fetchall()
        return [AuditEntry(dt(at), action, rid, reason, detail or {})  # type: ignore[arg-type]
                for at, action, rid, reason, detail in rows]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
