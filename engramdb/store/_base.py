"""What every backend shares, written once above its primitives.

:class:`StoreBase` implements every method of :class:`~engramdb.store.Store` that is
a decision or a composition rather than storage: reading records by id in the
order asked, a turn's neighbours, a record's history, the export stream, and
every lifecycle verb — update, merge, re-key, re-embed, supersede, reassert,
archive, restore, delete, reinforce — as a read of the current state and a list of
:mod:`change records <engramdb.store._changes>` applied in one transaction
(:meth:`apply`). Which fields may change, when a superseded record may be stated
again, what an erasure reinstates and what each audit entry says are decided
here, never in a backend. A backend subclasses it and provides :data:`PRIMITIVES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, ContextManager

import numpy as np

from .._errors import InvalidInputError, NotFoundError
from .._models import (ExportedRecord, Filters, Interval, Link, Record, Scope, Session, Version,
                       check_id, content_hash, utcnow)
from ._reads import SharedReads
from ._changes import (AddHistory, AddLink, Change, Erase, EraseSessions, Log, Patch, Reindex,
                       Reinforce, SetFacts)
from ._keysearch import KeySearch
from ._protocol import Key, SlotFact, Supersession
from ._userlock import reentrant

__all__ = ["StoreBase", "PRIMITIVES", "SHARED", "UPDATABLE", "PATCHABLE", "checked_fields",
           "column_values", "reassertion"]

#: what a backend implements (see engramdb.store's docstring for what each does)
PRIMITIVES = (
    # writes, each one transaction
    "add", "apply",
    # transactions and locks
    "transaction", "snapshot", "exclusive",
    # one statement of the shared SQL (engramdb.store._reads; spelled as ``dialect`` says)
    "query",
    # reads whose SQL or storage differs
    "find", "edges", "taken", "mentions", "vectors",
    # search
    "lexical", "dense",
    # maintenance
    "compact", "stats", "close",
)

#: what StoreBase builds from them, once for every backend: the plain reads as shared
#: SQL (``_reads``), then compositions and every lifecycle verb
SHARED = ("users", "generation", "meta", "set_meta", "sessions", "participants", "past", "audit",
          "slot_holders", "get", "admit", "count", "neighbours", "history", "links",
          "iter_export", "update", "set_keys", "set_vectors", "set_slot_facts", "supersede",
          "reassert", "archive", "touch", "delete", "delete_scope", "user_lock")

#: record fields ``update(fields=...)`` may set
UPDATABLE = frozenset({"valid_from", "valid_to", "superseded_by", "importance", "strength",
                       "last_recalled_at", "archived", "metadata", "timestamp"})

#: the columns a :class:`~._changes.Patch` may set (backends interpolate these names)
PATCHABLE = UPDATABLE | {"text", "content_hash", "version", "updated_at"}


def checked_fields(fields: dict[str, Any] | None) -> dict[str, Any]:
    """``fields`` of an update, refused if one may not change."""
    fields = dict(fields or {})
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise InvalidInputError(f"cannot update fields: {sorted(unknown)}")
    return fields


def column_values(fields: dict[str, Any]) -> dict[str, Any]:
    """A patch's fields as both backends store them: datetimes as unix time, ``archived``
    as 0/1 (``metadata`` stays a dict: its JSON form is the backend's)."""
    unknown = set(fields) - PATCHABLE
    if unknown:  # a bug above the store, never user input: that was checked_fields
        raise InvalidInputError(f"cannot patch columns: {sorted(unknown)}")
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class StoreBase(SharedReads, KeySearch):
    """The shared half of a store; subclasses provide :data:`PRIMITIVES`."""

    #: seconds a recall's reinforcement (``touch``) waits for other writers before it
    #: gives up with StoreBusyError (the caller skips it): a search is never held up
    touch_timeout: float = 0.05

    # ---- primitives the shared methods use (documented in engramdb.store)
    def find(self, scope: Scope, filters: Filters, *, limit: int | None = None,
             offset: int = 0, newest_first: bool = False,
             ids: Sequence[str] | None = None) -> list[Record]:
        raise NotImplementedError

    def apply(self, scope: Scope, changes: Sequence[Change], *,
              wait: float | None = None) -> None:
        raise NotImplementedError

    def transaction(self, scope: Scope) -> ContextManager[None]:
        raise NotImplementedError

    def exclusive(self, key: str) -> ContextManager[None]:
        raise NotImplementedError

    def edges(self, scope: Scope, ids: Sequence[str] | None = None, *, kind: str | None = None,
              incoming: bool = False) -> list[tuple[str, str, str, float]]:
        raise NotImplementedError

    # ---- shared reads
    def get(self, scope: Scope, ids: Sequence[str]) -> list[Record]:
        """These records of the user (any state), in the order asked; unknown ids left out."""
        ids = [check_id(i) for i in ids]
        if not ids:
            return []
        found = {r.id: r for r in self.find(Scope(scope.user_id), Filters(include_archived=True),
                                            ids=ids)}
        return [found[i] for i in ids if i in found]

    def _one(self, scope: Scope, record_id: str) -> Record:
        found = self.get(scope, [record_id])
        if not found:  # another user's record is indistinguishable from a missing one
            raise NotFoundError(f"no record {check_id(record_id)} for user {scope.user_id!r}")
        return found[0]

    def admit(self, scope: Scope, ids: Sequence[str], filters: Filters) -> set[str]:
        """Those of ``ids`` that pass ``filters`` (for candidates found outside an index)."""
        return {r.id for r in self.find(scope, filters, ids=ids)} if ids else set()

    def count(self, scope: Scope, filters: Filters, *, at_most: int | None = None) -> int:
        """How many records pass ``filters``; with ``at_most``, counting stops past it
        (a capacity check then reads one record, not all of them)."""
        if at_most is not None:
            return at_most + len(self.find(scope, filters, offset=at_most, limit=1))
        return len(self.find(scope, filters))

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
        r = self._one(scope, record_id)
        versions = self.past(scope, [r.id]).versions.get(r.id)
        if versions:
            return versions
        return [Version(r.id, r.version, r.text, r.created_at or datetime.now(), "add", None)]

    def links(self, scope: Scope, ids: Sequence[str], *, kind: str | None = None,
              incoming: bool = False) -> list[tuple[str, str, str]]:
        """(src_id, dst_id, kind) links from ``ids`` (or, ``incoming=True``, to them)."""
        if not ids:
            return []
        return [(s, d, k) for s, d, k, _ in self.edges(scope, ids, kind=kind, incoming=incoming)]

    def iter_export(self, scope: Scope | None) -> Iterator[Session | ExportedRecord]:
        """Everything of one user (or all users), for a lossless export: per user its
        sessions, then every record (archived and superseded too) with its history,
        outgoing links and past validity."""
        for user in [scope.user_id] if scope else self.users():
            with self.snapshot():
                yield from self._export_user(Scope(user))

    def _export_user(self, scope: Scope) -> Iterator[Session | ExportedRecord]:
        yield from self.sessions(scope)
        past = self.past(scope)
        links: dict[str, list[Link]] = {}
        for src, dst, kind, weight in self.edges(scope):
            links.setdefault(src, []).append(Link(kind, dst, weight))
        for record in self.find(scope, Filters(include_archived=True)):
            yield ExportedRecord(record, past.versions.get(record.id, []),
                                 links.get(record.id, []), past.validity.get(record.id, []))

    def snapshot(self) -> ContextManager[None]:
        raise NotImplementedError

    # ---- shared writes: a decision on the current state, then one apply
    def update(self, scope: Scope, record_id: str, *, text: str | None, index_text: str | None,
               vector: np.ndarray | None, reason: str | None, op: str = "update",
               fields: dict[str, Any] | None = None, keys: Sequence[Key] = ()) -> Record:
        """Change a record: a new wording (a new version, re-indexed with ``keys`` and
        ``vector``) and/or ``fields`` (:data:`UPDATABLE`), audited as ``op``."""
        patch = checked_fields(fields)
        with self.transaction(scope):
            old = self._one(scope, record_id)
            now = utcnow()
            changes: list[Change] = []
            if text is not None and text != old.text:
                patch.update(text=text, version=old.version + 1, content_hash=content_hash(
                    old.kind, text, session_id=old.session_id, position=old.position,
                    speaker=old.speaker))
                changes += [self._versions(scope, old, text, op, reason, now),
                            Reindex(old.id, index_text or text, list(keys), vector)]
            self.apply(scope, [Patch(old.id, {**patch, "updated_at": now}), *changes,
                               Log(op, old.id, reason)])
            return self._one(scope, old.id)

    def _versions(self, scope: Scope, old: Record, text: str, op: str, reason: str | None,
                  now: datetime) -> AddHistory:
        """The version rows of a change: on the first, the original is kept as version 1."""
        new = Version(old.id, old.version + 1, text, now, op, reason)
        if self.past(scope, [old.id]).versions.get(old.id):
            return AddHistory(old.id, [new])
        first = Version(old.id, old.version, old.text, old.created_at or now, "add", None)
        return AddHistory(old.id, [first, new])

    def set_keys(self, scope: Scope, record_id: str, keys: Sequence[Key]) -> None:
        """Replace a record's expanded keys (after a neighbour changed or went away)."""
        with self.transaction(scope):
            self.apply(scope, [Reindex(self._one(scope, record_id).id, keys=list(keys))])

    def set_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> int:
        """Replace these records' vectors (re-embedding); returns how many were found."""
        with self.transaction(scope):
            found = [r.id for r in self.get(scope, list(dict.fromkeys(vectors)))]
            self.apply(scope, [Reindex(i, vector=vectors[i]) for i in found])
        return len(found)

    def set_slot_facts(self, scope: Scope, record_id: str, facts: Sequence[SlotFact]) -> None:
        """Replace a record's slot facts (after its text changed)."""
        self.apply(scope, [SetFacts(check_id(record_id), list(facts))])

    def supersede(self, scope: Scope, changes: Sequence[Supersession]) -> int:
        """Close each old record still current (``valid_to``, ``superseded_by``), link new
        -> old ("supersedes") and audit it; returns how many were closed."""
        out: list[Change] = []
        with self.transaction(scope):
            current = {r.id for r in self.get(scope, [c.old_id for c in changes])
                       if r.valid_to is None}
            now = utcnow()
            for ch in changes:
                if ch.old_id not in current:  # gone, or already closed by another writer
                    continue
                current.discard(ch.old_id)
                out += [Patch(ch.old_id, {"valid_to": ch.at, "superseded_by": ch.new_id,
                                          "updated_at": now}),
                        AddLink(ch.new_id, ch.old_id, "supersedes", ch.confidence),
                        Log("supersede", ch.old_id, ch.reason,
                            {"by": ch.new_id, "confidence": ch.confidence, **ch.detail})]
            if out:
                self.apply(scope, out)
        return len(out) // 3

    def reassert(self, scope: Scope, record_id: str, at: datetime, *,
                 reason: str | None = None) -> Record | None:
        """A superseded record was stated again at ``at``, after its validity ended: it is
        current again from ``at`` (``valid_from`` and ``timestamp`` = ``at``, ``valid_to``
        and ``superseded_by`` cleared), with a history version and an audit entry keeping
        the interval it had. None (and nothing changed) unless it ended before ``at``."""
        with self.transaction(scope):
            old = self._one(scope, record_id)
            may, interval = reassertion(old, at)
            if not may:
                return None
            now = utcnow()
            history = self._versions(scope, old, old.text, "reassert", reason, now)
            self.apply(scope, [
                Patch(old.id, {"valid_from": at, "timestamp": at, "valid_to": None,
                               "superseded_by": None, "version": old.version + 1,
                               "updated_at": now}),
                AddHistory(old.id, history.versions, [interval] if interval else []),
                Log("reassert", old.id, reason, {
                    "was_superseded_by": old.superseded_by, "was_valid_from": _iso(old.valid_from),
                    "was_valid_to": _iso(old.valid_to), "was_timestamp": _iso(old.timestamp)})])
            return self._one(scope, old.id)

    def archive(self, scope: Scope, ids: Sequence[str], *, reason: str | None,
                archived: bool = True, detail: dict[str, Any] | None = None) -> int:
        """Archive (or restore) records: kept, but out of default reads; audited."""
        action = "archive" if archived else "restore"
        out: list[Change] = []
        with self.transaction(scope):
            now = utcnow()
            for r in self.get(scope, list(dict.fromkeys(check_id(i) for i in ids))):
                if r.archived != archived:
                    out += [Patch(r.id, {"archived": archived, "updated_at": now}),
                            Log(action, r.id, reason, dict((detail or {}).get(r.id, {})))]
            if out:
                self.apply(scope, out)
        return len(out) // 2

    def touch(self, scope: Scope, ids: Sequence[str], at: datetime,
              gains: Sequence[float] | None = None) -> None:
        """Note that records were recalled (feeds decay/reinforcement): sets
        ``last_recalled_at``, counts the recall and adds ``gains[i]`` (default 1) to the
        record's strength. Best effort: waits :attr:`touch_timeout` at most."""
        gains = [1.0] * len(ids) if gains is None else list(gains)
        self.apply(scope, [Reinforce(list(ids), at, gains)], wait=self.touch_timeout)

    def delete(self, scope: Scope, ids: Sequence[str], *, reason: str | None = None) -> int:
        """Erase these records (NotFoundError, and nothing erased, if one is missing)."""
        ids = [check_id(i) for i in ids]
        with self.transaction(scope):
            found = {r.id for r in self.get(scope, ids)}
            for record_id in ids:
                if record_id not in found:
                    raise NotFoundError(f"no record {record_id} for user {scope.user_id!r}")
            self._erase(scope, list(dict.fromkeys(ids)), reason)
        return len(ids)

    def delete_scope(self, scope: Scope, *, reason: str | None = None) -> int:
        """Erase every record of the scope (its session, its agent's, or the whole user)
        and its sessions."""
        with self.transaction(scope):
            ids = [r.id for r in self.find(scope, Filters(include_archived=True))]
            self._erase(scope, ids, reason, [EraseSessions()])
        return len(ids)

    def _erase(self, scope: Scope, ids: list[str], reason: str | None,
               more: Sequence[Change] = ()) -> None:
        """Erase ``ids``; what one of them had superseded is current again."""
        gone = set(ids)
        closed = self.get(scope, [d for _, d, _, _ in self.edges(scope, ids, kind="supersedes")])
        now = utcnow()
        changes: list[Change] = [Erase(ids), *more,
                                 *(Log("delete", i, reason) for i in ids)]
        for r in closed:
            if r.superseded_by in gone and r.id not in gone:
                changes += [Patch(r.id, {"valid_to": None, "superseded_by": None,
                                         "updated_at": now}),
                            Log("reinstate", r.id, "the record that superseded it was deleted")]
        self.apply(scope, changes)

    # ---- locks
    path: str

    def user_lock(self, scope: Scope, name: str = "lifecycle") -> ContextManager[None]:
        """Serializes work of one kind on one user across threads and processes;
        re-entrant within a thread. ``"lifecycle"``: rebuilding summaries and the
        profile; ``"merge"``: a near-duplicate check and the write it decides."""
        key = f"{name}\0{scope.user_id}"
        return reentrant(self.path, key, lambda: self.exclusive(key))

