"""The reads every SQL backend runs the same way, written once.

Both backends keep these tables with the same columns (``engram_meta``,
``scope_state``, ``sessions``, ``versions``, ``past_validity``, ``audit``,
``slot_facts``, ``records``), so each read is one SQL text; a backend only runs it
(:meth:`~engramdb.store.Backend.query`, in its transaction: PostgreSQL names the
user for row-level security) and says how it spells a parameter, a list parameter,
a JSON column and write order (:class:`~._filters.Dialect`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._models import AuditEntry, Interval, Scope, Session, Version, check_id
from ._filters import Dialect
from ._protocol import Past, SlotFact
from ._sqlite_base import dt

__all__ = ["SharedReads"]


class SharedReads:
    """users, generation, meta, set_meta, sessions, participants, past, audit, slot_holders."""

    dialect: Dialect

    def query(self, scope: Scope | None, sql: str, params: Sequence[Any] = (), *,
              write: bool = False) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def users(self) -> list[str]:
        rows = self.query(None, "SELECT DISTINCT user_id FROM records UNION "
                                "SELECT user_id FROM sessions ORDER BY 1")
        return [r[0] for r in rows]

    def generation(self, scope: Scope) -> int:
        """Grows with every write to the user's memory (for caches above the store)."""
        m = self.dialect.mark
        rows = self.query(scope, f"SELECT generation FROM scope_state WHERE user_id={m}",
                          (scope.user_id,))
        return int(rows[0][0]) if rows else 0

    def meta(self, key: str) -> str | None:
        """A database-wide setting (e.g. which embedder built the vectors)."""
        rows = self.query(None, f"SELECT value FROM engram_meta WHERE key={self.dialect.mark}",
                          (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        m = self.dialect.mark
        self.query(None, f"INSERT INTO engram_meta (key, value) VALUES ({m}, {m}) ON CONFLICT "
                         "(key) DO UPDATE SET value = excluded.value", (key, value), write=True)

    def sessions(self, scope: Scope) -> list[Session]:
        d = self.dialect
        rows = self.query(scope, (
            "SELECT s.session_id, s.agent_id, s.started_at, s.participants, s.metadata, "
            "(SELECT count(*) FROM records r WHERE r.user_id = s.user_id AND r.session_id = "
            f"s.session_id AND r.kind = 'turn') FROM sessions s WHERE s.user_id = {d.mark} "
            "ORDER BY s.started_at NULLS FIRST, s.session_id"), (scope.user_id,))
        return [Session(session_id=sid, user_id=scope.user_id, agent_id=agent,
                        started_at=dt(started), participants=tuple(d.json_value(people)),
                        metadata=d.json_value(meta), turn_count=turns)
                for sid, agent, started, people, meta, turns in rows]

    def participants(self, scope: Scope) -> list[str]:
        """Everyone in the user's sessions, sorted: each distinct participant list once
        (a few rows, where ``sessions`` reads and counts every session)."""
        rows = self.query(scope, "SELECT DISTINCT CAST(participants AS TEXT) FROM sessions "
                                 f"WHERE user_id = {self.dialect.mark}", (scope.user_id,))
        return sorted({p for (people,) in rows for p in json.loads(people)})

    def past(self, scope: Scope, ids: Sequence[str] | None = None) -> Past:
        """Stored versions and past validity of these records (None: all the user's)."""
        d = self.dialect
        only, params = "", [scope.user_id]
        if ids is not None:
            clause, param = d.among("record_id", [check_id(i) for i in ids])
            only, params = f" AND {clause}", [scope.user_id, param]
        versions = self.query(scope, "SELECT record_id, version, text, changed_at, op, reason "
                                     f"FROM versions WHERE user_id = {d.mark}{only} "
                                     "ORDER BY record_id, version", params)
        validity = self.query(scope, "SELECT record_id, valid_from, valid_to FROM past_validity "
                                     f"WHERE user_id = {d.mark}{only} "
                                     "ORDER BY record_id, valid_from", params)
        out = Past()
        for rid, version, text, at, op, reason in versions:
            out.versions.setdefault(rid, []).append(Version(rid, version, text, dt(at), op,
                                                            reason))  # type: ignore[arg-type]
        for rid, start, end in validity:
            out.validity.setdefault(rid, []).append(Interval(dt(start), dt(end)))
        return out

    def audit(self, scope: Scope, *, limit: int = 100, record_id: str | None = None,
              actions: Sequence[str] | None = None) -> list[AuditEntry]:
        """The user's lifecycle log, newest first."""
        d = self.dialect
        sql = f"SELECT at, action, record_id, reason, detail FROM audit WHERE user_id = {d.mark}"
        params: list[Any] = [scope.user_id]
        if record_id is not None:
            sql += f" AND record_id = {d.mark}"
            params.append(check_id(record_id))
        if actions:
            clause, param = d.among("action", actions)
            sql += f" AND {clause}"
            params.append(param)
        rows = self.query(scope, f"{sql} ORDER BY at DESC, id DESC LIMIT {d.mark}",
                          [*params, limit])
        return [AuditEntry(dt(at), action, rid, reason,  # type: ignore[arg-type]
                           d.json_value(detail) or {})
                for at, action, rid, reason, detail in rows]

    def slot_holders(self, scope: Scope, keys: Sequence[tuple[str, str]]) -> list[SlotFact]:
        """Slot facts of current records (no ``valid_to``) for these (subject, slot) keys."""
        if not keys:
            return []
        d, m = self.dialect, self.dialect.mark
        pairs = " OR ".join(f"(f.subject = {m} AND f.slot = {m})" for _ in keys)
        since = "coalesce(r.valid_from, r.timestamp, r.created_at)"
        rows = self.query(scope, (
            f"SELECT f.subject, f.slot, f.value, f.confidence, f.record_id, {since} "
            "FROM slot_facts f JOIN records r ON r.user_id = f.user_id AND r.id = f.record_id "
            f"WHERE f.user_id = {m} AND ({pairs}) AND r.valid_to IS NULL "
            f"ORDER BY {since} NULLS FIRST, r.{d.seq}"),
            [scope.user_id, *(part for key in keys for part in key)])
        # PostgreSQL keeps an unnamed value as '' (the column is part of a key)
        return [SlotFact(s, k, v or None, c, rid, dt(at)) for s, k, v, c, rid, at in rows]

