"""What every backend shares, written once above its primitives.

:class:`StoreBase` implements the parts of :class:`~engramdb.store.Store` that are
decisions or compositions rather than storage: reading records by id in the
order asked, the filter check of candidates found outside an index, a turn's
neighbours in its session, a record's history (with its implicit first
version), the lossless export stream and the rules of a lifecycle change (which
fields may change, when a superseded record may be stated again, which interval
it keeps). A backend subclasses it and provides the primitives listed in
:data:`PRIMITIVES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from .._errors import InvalidInputError, NotFoundError
from .._models import (ExportedRecord, Filters, Interval, Link, Record, Scope, Session, Version,
                       check_id)

__all__ = ["StoreBase", "PRIMITIVES", "SHARED", "UPDATABLE", "checked_fields", "reassertion"]

#: what a backend implements (see engramdb.store's docstring for what each does)
PRIMITIVES = (
    # writes, each one atomic
    "add", "update", "set_keys", "set_vectors", "delete", "delete_scope", "touch",
    "supersede", "reassert", "archive", "set_slot_facts", "set_meta",
    # reads
    "find", "count", "taken", "versions", "export_extras", "sessions", "users",
    "slot_holders", "links", "audit", "mentions", "vectors", "generation", "meta",
    # search
    "lexical", "dense",
    # consistency and maintenance
    "snapshot", "user_lock", "compact", "residue", "stats", "close",
)

#: what StoreBase builds from them, once for every backend
SHARED = ("get", "admit", "neighbours", "history", "iter_export")

#: record fields ``update(fields=...)`` may set
UPDATABLE = frozenset({"valid_from", "valid_to", "superseded_by", "importance", "strength",
                       "last_recalled_at", "archived", "metadata", "timestamp"})


def checked_fields(fields: dict[str, Any] | None) -> dict[str, Any]:
    """``fields`` of an update, refused if one may not change; datetimes as unix time."""
    fields = dict(fields or {})
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise InvalidInputError(f"cannot update fields: {sorted(unknown)}")
    return {name: value.timestamp() if isinstance(value, datetime) else
            int(value) if name == "archived" else value for name, value in fields.items()}


def reassertion(old: Record, at: datetime) -> tuple[bool, Interval | None]:
    """May ``old`` be stated again at ``at`` (its validity ended before ``at``), and which
    past interval it then keeps (None: superseded the instant it began, nothing to keep)."""
    if old.valid_to is None or at <= old.valid_to:
        return False, None
    start = old.valid_from or old.timestamp or old.created_at
    return True, Interval(start, old.valid_to) if start is not None and start < old.valid_to \
        else None


class StoreBase:
    """The shared half of a store; subclasses provide :data:`PRIMITIVES`."""

    # ---- primitives the shared methods use (documented in engramdb.store)
    def find(self, scope: Scope, filters: Filters, *, limit: int | None = None,
             offset: int = 0, newest_first: bool = False,
             ids: Sequence[str] | None = None) -> list[Record]:
        raise NotImplementedError

    def versions(self, scope: Scope, record_id: str) -> list[Version]:
        raise NotImplementedError

    def export_extras(self, user_id: str) -> tuple[dict[str, list[Version]],
                                                   dict[str, list[Link]],
                                                   dict[str, list[Interval]]]:
        raise NotImplementedError

    def sessions(self, scope: Scope) -> list[Session]:
        raise NotImplementedError

    def users(self) -> list[str]:
        raise NotImplementedError

    # ---- shared
    def get(self, scope: Scope, ids: Sequence[str]) -> list[Record]:
        """These records of the user (any state), in the order asked; unknown ids left out."""
        ids = [check_id(i) for i in ids]
        if not ids:
            return []
        found = {r.id: r for r in self.find(Scope(scope.user_id), Filters(include_archived=True),
                                            ids=ids)}
        return [found[i] for i in ids if i in found]

    def admit(self, scope: Scope, ids: Sequence[str], filters: Filters) -> set[str]:
        """Those of ``ids`` that pass ``filters`` (for candidates found outside an index)."""
        return {r.id for r in self.find(scope, filters, ids=ids)} if ids else set()

    def neighbours(self, scope: Scope, record: Record, before: int, after: int) -> list[Record]:
        """The records around ``record`` in its session (positions within the window, any
        state), in order."""
        if record.session_id is None or record.position is None:
            return []
        low, high = record.position - before, record.position + after
        rows = self.find(Scope(scope.user_id), Filters(session_id=record.session_id,
                                                       include_archived=True))
        near = [r for r in rows if r.position is not None and low <= r.position <= high
                and r.id != record.id]
        return sorted(near, key=lambda r: r.position or 0)

    def history(self, scope: Scope, record_id: str) -> list[Version]:
        """A record's versions, oldest first; a never-changed record has one, itself."""
        current = self.get(scope, [record_id])
        if not current:  # another user's record is indistinguishable from a missing one
            raise NotFoundError(f"no record {check_id(record_id)} for user {scope.user_id!r}")
        versions = self.versions(scope, current[0].id)
        if versions:
            return versions
        r = current[0]
        return [Version(r.id, r.version, r.text, r.created_at or datetime.now(), "add", None)]

    def iter_export(self, scope: Scope | None) -> Iterator[Session | ExportedRecord]:
        """Everything of one user (or all users), for a lossless export: per user its
        sessions, then every record (archived and superseded too) with its history,
        outgoing links and past validity."""
        for user in [scope.user_id] if scope else self.users():
            yield from self.sessions(Scope(user))
            history, links, past = self.export_extras(user)
            for record in self.find(Scope(user), Filters(include_archived=True)):
                yield ExportedRecord(record, history.get(record.id, []),
                                     links.get(record.id, []), past.get(record.id, []))
