"""The PostgreSQL side of every write after ``add``: :meth:`apply` of the change
records, and the lifecycle reads (slot facts, audit, versions, links).

A mixin of :class:`~engramdb.store.postgres.PostgresStore`, the same storage
operations as the SQLite one (:mod:`._sqlite_lifecycle`); nothing here decides.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable

from .._models import Scope, check_id
from ._base import column_values
from ._changes import (AddHistory, AddLink, Change, Erase, EraseSessions, Log, Patch, Reindex,
                       Reinforce, SetFacts, quiet)
from ._pg_base import json_param
from ._protocol import Key, SlotFact
from ._sqlite_base import ts

if TYPE_CHECKING:
    from ._pg_base import PgDatabase

__all__ = ["PgLifecycleMixin"]


class PgLifecycleMixin:
    _db: PgDatabase
    #: seconds a recall's reinforcement waits for another writer's row locks
    touch_timeout: float = 0.05

    # provided by PostgresStore and PgSearchMixin
    def _lock_user(self, conn: Any, user_id: str) -> None: ...

    def _index_texts(self, conn: Any, user_id: str, docs: Sequence[tuple[str, str]]) -> None: ...

    def _unindex_texts(self, conn: Any, user_id: str, record_ids: Sequence[str]) -> None: ...

    def _drop_keys(self, conn: Any, user_id: str, record_ids: Sequence[str]) -> None: ...

    def _insert_keys(self, conn: Any, user_id: str, record_id: str,
                     keys: Sequence[Key]) -> None: ...

    def _set_vector(self, conn: Any, user_id: str, record_id: str, vector: Any) -> None: ...

    def _purge(self, conn: Any, user_id: str, ids: Sequence[str]) -> None: ...

    def _drop_sessions(self, conn: Any, scope: Scope) -> None: ...

    def _after_write(self) -> None: ...

    def _audit(self, conn: Any, user_id: str, action: str, record_id: str | None,
               reason: str | None, **detail: Any) -> None:
        conn.execute("INSERT INTO audit (user_id, at, action, record_id, reason, detail) "
                     "VALUES (%s,%s,%s,%s,%s,%s)",
                     (user_id, time.time(), action, record_id, reason, json_param(detail)))

    # ------------------------------------------------------------ writes
    @contextlib.contextmanager
    def transaction(self, scope: Scope) -> Iterator[None]:
        """A write transaction holding the user's state row: writers of that user queue
        behind it (other users' writes run on); reads and applies inside join it."""
        with self._db.write(scope.user_id) as conn:
            self._lock_user(conn, scope.user_id)
            yield
        if self._db.depth == 0:
            self._after_write()

    def apply(self, scope: Scope, changes: Sequence[Change], *,
              wait: float | None = None) -> None:
        with self._db.write(scope.user_id) as conn:
            if wait is not None:
                conn.execute(f"SET LOCAL lock_timeout = {max(1, int(wait * 1000))}")
            if not quiet(changes):  # reinforcement alone neither queues nor bumps
                self._lock_user(conn, scope.user_id)
            for change in changes:
                _APPLY[type(change)](self, conn, scope, change)
        if self._db.depth == 0:
            self._after_write()

    def _do_patch(self, conn: Any, scope: Scope, ch: Patch) -> None:
        values = column_values(ch.fields)
        if not values:
            return
        if "content_hash" in values:  # a clash would abort the transaction: say it first
            self._check_unique(conn, scope, ch.record_id, values["content_hash"])
        sets = ", ".join(f"{name} = %s" for name in values)
        params = [json_param(v) if name == "metadata" else v for name, v in values.items()]
        conn.execute(f"UPDATE records SET {sets} WHERE user_id=%s AND id=%s",
                     (*params, scope.user_id, ch.record_id))

    @staticmethod
    def _check_unique(conn: Any, scope: Scope, record_id: str, digest: str) -> None:
        from .._errors import InvalidInputError

        clash = conn.execute("SELECT 1 FROM records r JOIN records o ON o.user_id = r.user_id "
                             "AND coalesce(o.agent_id, '') = coalesce(r.agent_id, '') AND "
                             "o.content_hash = %s AND o.id <> r.id WHERE r.user_id = %s AND "
                             "r.id = %s", (digest, scope.user_id, record_id)).fetchone()
        if clash:
            raise InvalidInputError("an identical memory already exists in this scope")

    def _do_reindex(self, conn: Any, scope: Scope, ch: Reindex) -> None:
        if ch.index_text is not None:
            self._unindex_texts(conn, scope.user_id, [ch.record_id])
            self._index_texts(conn, scope.user_id, [(ch.record_id, ch.index_text)])
        if ch.keys is not None:
            self._drop_keys(conn, scope.user_id, [ch.record_id])
            self._insert_keys(conn, scope.user_id, ch.record_id, ch.keys)
        if ch.vector is not None:
            self._set_vector(conn, scope.user_id, ch.record_id, ch.vector)

    @staticmethod
    def _do_add_history(conn: Any, scope: Scope, ch: AddHistory) -> None:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO versions VALUES (%s,%s,%s,%s,%s,%s,%s)",
                            [(scope.user_id, ch.record_id, v.version, v.text, ts(v.changed_at),
                              v.op, v.reason) for v in ch.versions])
            cur.executemany("INSERT INTO past_validity VALUES (%s,%s,%s,%s) ON CONFLICT "
                            "(user_id, record_id, valid_from) DO UPDATE SET valid_to = "
                            "excluded.valid_to", [(scope.user_id, ch.record_id, ts(i.valid_from),
                                                   ts(i.valid_to)) for i in ch.past])

    def _do_set_facts(self, conn: Any, scope: Scope, ch: SetFacts) -> None:
        conn.execute("DELETE FROM slot_facts WHERE user_id=%s AND record_id=%s",
                     (scope.user_id, ch.record_id))
        self._insert_facts(conn, ch.record_id, scope.user_id, ch.facts)

    @staticmethod
    def _do_add_link(conn: Any, scope: Scope, ch: AddLink) -> None:
        conn.execute("INSERT INTO links (user_id, src_id, dst_id, kind, weight) VALUES "
                     "(%s,%s,%s,%s,%s) ON CONFLICT (user_id, src_id, dst_id, kind) DO UPDATE "
                     "SET weight = excluded.weight",
                     (scope.user_id, ch.src_id, ch.dst_id, ch.kind, ch.weight))

    def _do_log(self, conn: Any, scope: Scope, ch: Log) -> None:
        self._audit(conn, scope.user_id, ch.action, ch.record_id, ch.reason, **ch.detail)

    def _do_erase(self, conn: Any, scope: Scope, ch: Erase) -> None:
        self._purge(conn, scope.user_id, list(ch.record_ids))

    def _do_erase_sessions(self, conn: Any, scope: Scope, ch: EraseSessions) -> None:
        self._drop_sessions(conn, scope)

    @staticmethod
    def _do_reinforce(conn: Any, scope: Scope, ch: Reinforce) -> None:
        conn.execute("UPDATE records r SET last_recalled_at=%s, recall_count=recall_count+1,"
                     " strength = strength + g.gain FROM unnest(%s::text[], %s::float8[]) "
                     "AS g(id, gain) WHERE r.user_id=%s AND r.id = g.id",
                     (ch.at.timestamp(), list(ch.record_ids), list(ch.gains), scope.user_id))

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

    # ---------------------------------------------------------------- reads
    def edges(self, scope: Scope, ids: Sequence[str] | None = None, *, kind: str | None = None,
              incoming: bool = False) -> list[tuple[str, str, str, float]]:
        """Links in the order of ``ids`` (then as written); every link as written."""
        column = "dst_id" if incoming else "src_id"
        sql, params = "SELECT src_id, dst_id, kind, weight FROM links WHERE user_id=%s", \
            [scope.user_id]
        order = "seq"
        if ids is not None:
            wanted = list(dict.fromkeys(check_id(i) for i in ids))
            sql += f" AND {column} = ANY(%s)"
            params.append(wanted)
            order = f"array_position(%s::text[], {column}), seq"
        if kind is not None:
            sql += " AND kind=%s"
            params.append(kind)
        if ids is not None:
            params.append(wanted)
        with self._db.read(scope.user_id) as conn:
            return [tuple(r) for r in conn.execute(f"{sql} ORDER BY {order}", params)]  # type: ignore[misc]


_Handler = Callable[[Any, Any, Scope, Any], None]
_APPLY: dict[type, _Handler] = {
    Patch: PgLifecycleMixin._do_patch, Reindex: PgLifecycleMixin._do_reindex,
    AddHistory: lambda self, conn, scope, ch: PgLifecycleMixin._do_add_history(conn, scope, ch),
    SetFacts: PgLifecycleMixin._do_set_facts,
    AddLink: lambda self, conn, scope, ch: PgLifecycleMixin._do_add_link(conn, scope, ch),
    Log: PgLifecycleMixin._do_log, Erase: PgLifecycleMixin._do_erase,
    EraseSessions: PgLifecycleMixin._do_erase_sessions,
    Reinforce: lambda self, conn, scope, ch: PgLifecycleMixin._do_reinforce(conn, scope, ch),
}
