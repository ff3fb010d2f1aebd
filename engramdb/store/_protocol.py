"""The storage protocol: the only thing above ``store/`` that knows about storage.

Every method takes a :class:`~engramdb._models.Scope` first. A ``Scope`` cannot
be built without a ``user_id``, so no read or write can be issued unscoped:
isolation holds by construction, not by a filter the caller may forget.
Two backends implement it (SQLite, PostgreSQL + pgvector); what they share is
written once in :class:`~engramdb.store._base.StoreBase` (see ``engramdb.store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ContextManager, Iterator, Protocol, Sequence

import numpy as np

from .._models import (
    AuditEntry,
    ExportedRecord,
    Filters,
    Interval,
    Link,
    Record,
    Scope,
    Session,
    Stats,
    Version,
)

__all__ = ["Store", "NewRecord", "Match", "Key", "SlotFact", "Supersession"]


@dataclass(slots=True)
class NewRecord:
    """A record about to be written (the store assigns nothing but row keys)."""

    record: Record
    index_text: str  # what the lexical index sees, e.g. "Ana: I moved to Berlin"
    keys: list["Key"] = field(default_factory=list)
    #: links written with the record, from it: Link("derived_from", source id)
    links: list[Link] = field(default_factory=list)
    #: its versions, written as they are (a restored record's edit history); empty for a
    #: new record, whose one version is the record itself
    history: list[Version] = field(default_factory=list)
    #: earlier validity intervals (a restored record that was superseded, then reasserted)
    past_validity: list[Interval] = field(default_factory=list)
    #: (subject, slot) = value statements the record makes (knowledge-update detection)
    facts: list["SlotFact"] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Key:
    """An expanded index key pointing at a record (fact, keyphrase, resolved date...)."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate from an index: record id, raw score (higher is better) and rank."""

    record_id: str
    score: float
    rank: int
    key: str | None = None


@dataclass(frozen=True, slots=True)
class SlotFact:
    """A record's statement that ``subject``'s ``slot`` is ``value`` (None: unnamed).

    Written with the record; read back (with ``record_id`` and the record's
    ``valid_from``) to find the current holders of a slot.
    """

    subject: str
    slot: str
    value: str | None
    confidence: float
    record_id: str | None = None
    valid_from: datetime | None = None


@dataclass(frozen=True, slots=True)
class Supersession:
    """``old_id`` stopped being true at ``at`` because of ``new_id`` (never a deletion)."""

    old_id: str
    new_id: str
    at: datetime
    confidence: float
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


class Store(Protocol):
    """What the engine needs from a backend. Writes are atomic per call."""

    def add(self, items: Sequence[NewRecord], vectors: np.ndarray | None,
            session: Session | None = None) -> list[tuple[Record, bool]]:
        """Insert records as given (and their session); returns (record, created) — an
        existing record is returned with ``created=False`` when its content hash is already
        stored, and then nothing of the item (links, history) is written."""
        ...

    def get(self, scope: Scope, ids: Sequence[str]) -> list[Record]: ...

    def set_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> int:
        """Replace these records' vectors (re-embedding); returns how many were found."""
        ...

    def taken(self, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` any user's record has (ids are unique store-wide): an importer
        must know an id is taken without learning whose or what it holds."""
        ...

    def find(self, scope: Scope, filters: Filters, *, limit: int | None = None,
             offset: int = 0, newest_first: bool = False,
             ids: Sequence[str] | None = None) -> list[Record]:
        """Records passing ``filters`` (and, with ``ids``, among those), in time order."""
        ...

    def versions(self, scope: Scope, record_id: str) -> list[Version]:
        """A record's stored versions, oldest first (empty: never changed)."""
        ...

    def export_extras(self, user_id: str) -> tuple[dict[str, list[Version]],
                                                   dict[str, list[Link]],
                                                   dict[str, list[Interval]]]:
        """A user's versions, outgoing links and past validity, by record id."""
        ...

    def update(self, scope: Scope, record_id: str, *, text: str | None, index_text: str | None,
               vector: np.ndarray | None, reason: str | None, op: str = "update",
               fields: dict[str, Any] | None = None, keys: Sequence["Key"] = ()) -> Record: ...

    def set_keys(self, scope: Scope, record_id: str, keys: Sequence["Key"]) -> None: ...

    def delete(self, scope: Scope, ids: Sequence[str], *, reason: str | None = None) -> int: ...

    def delete_scope(self, scope: Scope, *, reason: str | None = None) -> int: ...

    def history(self, scope: Scope, record_id: str) -> list[Version]: ...

    def lexical(self, scope: Scope, terms: Sequence[str], k: int, filters: Filters,
                *, index: str = "text") -> list[Match]: ...

    def dense(self, scope: Scope, vector: np.ndarray, k: int, filters: Filters) -> list[Match]: ...

    def admit(self, scope: Scope, ids: Sequence[str], filters: Filters) -> set[str]:
        """Those of ``ids`` that pass ``filters``."""
        ...

    def mentions(self, scope: Scope) -> list[tuple[str, str]]:
        """(record id, entity) edges of the user's entity graph."""
        ...

    def generation(self, scope: Scope) -> int:
        """A number that grows with every write to the scope's user (cache key)."""
        ...

    def vectors(self, scope: Scope, ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    def neighbours(self, scope: Scope, record: Record, before: int, after: int) -> list[Record]: ...

    def sessions(self, scope: Scope) -> list[Session]: ...

    def users(self) -> list[str]: ...

    def iter_export(self, scope: Scope | None) -> Iterator[Session | ExportedRecord]:
        """Everything of one user (or all users), for a lossless export: per user its
        sessions, then every record (archived and superseded too) with its history and
        outgoing links."""
        ...

    def touch(self, scope: Scope, ids: Sequence[str], at: datetime,
              gains: Sequence[float] | None = None) -> None:
        """Note that records were recalled (feeds decay/reinforcement): sets
        ``last_recalled_at``, counts the recall and adds ``gains[i]`` (default 1) to the
        record's strength."""
        ...

    # ---- lifecycle: knowledge updates, archiving, audit (engramdb.lifecycle)
    def slot_holders(self, scope: Scope, keys: Sequence[tuple[str, str]]) -> list[SlotFact]:
        """Slot facts of current records (no ``valid_to``) for these (subject, slot) keys."""
        ...

    def set_slot_facts(self, scope: Scope, record_id: str, facts: Sequence[SlotFact]) -> None:
        """Replace a record's slot facts (after its text changed)."""
        ...

    def supersede(self, scope: Scope, changes: Sequence[Supersession]) -> int:
        """Close each old record (``valid_to``, ``superseded_by``), link new -> old
        ("supersedes") and audit it, atomically; returns how many were closed."""
        ...

    def reassert(self, scope: Scope, record_id: str, at: datetime, *,
                 reason: str | None = None) -> Record | None:
        """A superseded record was stated again at ``at`` (after its validity ended): make
        it current again from ``at`` (``valid_from``/``timestamp`` = ``at``, ``valid_to``
        and ``superseded_by`` cleared), add a history version and audit it, atomically.
        Returns the record, or None if its validity had not ended before ``at``."""
        ...

    def archive(self, scope: Scope, ids: Sequence[str], *, reason: str | None,
                archived: bool = True, detail: dict[str, Any] | None = None) -> int:
        """Archive (or restore) records: kept, but out of default reads; audited."""
        ...

    def audit(self, scope: Scope, *, limit: int = 100, record_id: str | None = None,
              actions: Sequence[str] | None = None) -> list[AuditEntry]:
        """The user's lifecycle log, newest first."""
        ...

    def count(self, scope: Scope, filters: Filters) -> int: ...

    def links(self, scope: Scope, ids: Sequence[str], *, kind: str | None = None,
              incoming: bool = False) -> list[tuple[str, str, str]]:
        """(src_id, dst_id, kind) links from ``ids`` (or, ``incoming=True``, to them)."""
        ...

    def meta(self, key: str) -> str | None:
        """A database-wide setting (e.g. which embedder built the vectors)."""
        ...

    def set_meta(self, key: str, value: str) -> None: ...

    # ---- consistency
    def snapshot(self) -> ContextManager[None]:
        """Every read inside the block sees one consistent state of the store (a read
        transaction): a write committed meanwhile elsewhere is seen entirely or not at
        all. Re-entrant; no write may run inside it."""
        ...

    def user_lock(self, scope: Scope, name: str = "lifecycle") -> ContextManager[None]:
        """Serializes work of one kind on one user across threads and processes;
        re-entrant within a thread. ``"lifecycle"``: rebuilding summaries and the
        profile; ``"merge"``: a near-duplicate check and the write it decides. Plain
        writes do not take it: each is atomic on its own."""
        ...

    def compact(self, *, wait: float = 0.0) -> dict[str, Any]:
        """Make deleted content unrecoverable from storage (index merge, vacuum, log
        truncation); returns what was done, with ``wal_truncated`` (False: a reader held
        the log; ``wait`` seconds retries). Slow: proportional to the store's size."""
        ...

    def residue(self, needles: Sequence[str]) -> list[str]:
        """Where in storage (e.g. ``"main file"``, ``"WAL"``) any of these erased strings
        is still present although no live row holds it (empty: provably gone)."""
        ...

    def stats(self) -> Stats: ...

    def close(self) -> None: ...
