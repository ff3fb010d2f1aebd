"""The storage protocol: the only thing above ``store/`` that knows about storage.

Every method takes a :class:`~engramdb._models.Scope` first. A ``Scope`` cannot
be built without a ``user_id``, so no read or write can be issued unscoped:
isolation holds by construction, not by a filter the caller may forget.

Two layers: :class:`Backend` is what a backend provides (its primitives; SQLite
and PostgreSQL + pgvector implement it), :class:`Store` what the engine uses: the
primitives and what :class:`~engramdb.store._base.StoreBase` composes from them
once for every backend (see ``engramdb.store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ContextManager, Iterator, Protocol, Sequence

import numpy as np

from ._changes import Change
from ._filters import Dialect
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

__all__ = ["Backend", "Store", "NewRecord", "Match", "Key", "GRAPH_KEY_KINDS", "SlotFact",
           "Supersession", "Past"]


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


#: key kinds that are edges of the entity graph (``Store.mentions``), kept out of the
#: lexical key index by every backend; the recall side's ``KeyKind(lexical=False)``
GRAPH_KEY_KINDS = frozenset({"entity"})


@dataclass(frozen=True, slots=True, init=False)
class Match:
    """One candidate from an index: record id, raw score (higher is better) and rank."""

    record_id: str
    score: float
    rank: int
    key: str | None = None

    def __init__(self, record_id: str, score: float, rank: int, key: str | None = None):
        # a search builds ~300 of these: the slots are set through their descriptors, not
        # the frozen dataclass's object.__setattr__ calls (1.7 -> 0.9 us each)
        _set_id(self, record_id)
        _set_score(self, score)
        _set_rank(self, rank)
        _set_key(self, key)


_set_id, _set_score, _set_rank, _set_key = (Match.__dict__[name].__set__
                                            for name in ("record_id", "score", "rank", "key"))


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


@dataclass(frozen=True, slots=True)
class Past:
    """What a user's records were: their stored versions (oldest first; none for a
    record never changed) and earlier validity intervals, by record id."""

    versions: dict[str, list[Version]] = field(default_factory=dict)
    validity: dict[str, list[Interval]] = field(default_factory=dict)


class Backend(Protocol):
    """What a backend provides (engramdb.store's docstring says how to write one)."""

    #: where the store is (a file path, a URL without its password): messages and stats
    #: name it, and two store objects with one ``path`` share their user locks
    path: str

    # ---- writes: each one transaction
    def add(self, items: Sequence[NewRecord], vectors: np.ndarray | None,
            session: Session | None = None) -> list[tuple[Record, bool]]:
        """Insert records as given (and their session), with their keys, vector, links,
        history and slot facts; returns (record, created) — an existing record is
        returned with ``created=False`` when its content hash is already stored in the
        scope, and then nothing of the item is written."""
        ...

    def apply(self, scope: Scope, changes: Sequence[Change], *,
              wait: float | None = None) -> None:
        """Write these change records (:mod:`engramdb.store._changes`) in order, in one
        transaction (joining :meth:`transaction` when inside one); the user's
        generation advances unless every change is a ``Reinforce``. ``wait``: seconds
        to wait for other writers before StoreBusyError (None: the store's timeout)."""
        ...

    # ---- transactions and locks
    def transaction(self, scope: Scope) -> ContextManager[None]:
        """A write transaction on the scope's user: writers of that user queue behind
        it; reads and :meth:`apply` inside it join it (read, decide, write atomically)."""
        ...

    def snapshot(self) -> ContextManager[None]:
        """Every read inside the block sees one consistent state of the store (a read
        transaction): a write committed meanwhile elsewhere is seen entirely or not at
        all. Re-entrant; no write may run inside it."""
        ...

    def exclusive(self, key: str) -> ContextManager[None]:
        """A lock on ``key`` between processes (not re-entrant, not between threads:
        :meth:`Store.user_lock` is in front of it)."""
        ...

    # ---- one statement of the shared SQL (engramdb.store._reads)
    #: how this backend spells a parameter, a list parameter, a JSON column, write order
    dialect: Dialect

    def query(self, scope: Scope | None, sql: str, params: Sequence[Any] = (), *,
              write: bool = False) -> list[tuple[Any, ...]]:
        """Run one statement in this thread's transaction (joining :meth:`transaction` or
        :meth:`snapshot`) or in its own (``write``: a write transaction); returns its rows.
        ``scope`` names the user whose rows it reads (None: store-wide)."""
        ...

    # ---- reads whose SQL or storage differs between backends
    def find(self, scope: Scope, filters: Filters, *, limit: int | None = None,
             offset: int = 0, newest_first: bool = False,
             ids: Sequence[str] | None = None) -> list[Record]:
        """Records passing ``filters`` (and, with ``ids``, among those), in time order."""
        ...

    def edges(self, scope: Scope, ids: Sequence[str] | None = None, *, kind: str | None = None,
              incoming: bool = False) -> list[tuple[str, str, str, float]]:
        """(src_id, dst_id, kind, weight) links from ``ids`` (``incoming``: to them; None:
        every link of the user), in the order they were written."""
        ...

    def taken(self, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` any user's record has (ids are unique store-wide): an importer
        must know an id is taken without learning whose or what it holds."""
        ...

    def mentions(self, scope: Scope) -> list[tuple[str, str]]:
        """(record id, entity) edges of the user's entity graph."""
        ...

    def vectors(self, scope: Scope, ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    # ---- search
    def lexical(self, scope: Scope, terms: Sequence[str], k: int, filters: Filters,
                *, index: str = "text") -> list[Match]:
        """BM25 (FTS5's) over the records' text or their expanded keys."""
        ...

    def dense(self, scope: Scope, vector: np.ndarray, k: int, filters: Filters) -> list[Match]:
        """Cosine over the records' vectors."""
        ...

    # ---- maintenance
    def compact(self, *, wait: float = 0.0, needles: Sequence[str] = ()) -> dict[str, Any]:
        """Make deleted content unrecoverable from storage (index merge, vacuum, log
        truncation); returns what was done, with ``wal_truncated`` (False: a reader held
        the log; ``wait`` seconds retries) and ``residue``: where in storage (e.g. ``"main
        file"``, ``"WAL"``) any of these erased ``needles`` is still present although no
        live row holds it (empty: provably gone). Slow: proportional to the store's size."""
        ...

    def stats(self) -> Stats: ...

    def close(self) -> None: ...


class Store(Backend, Protocol):
    """What the engine needs: the primitives and what StoreBase builds from them."""

    # ---- the plain reads, shared SQL (engramdb.store._reads)
    def sessions(self, scope: Scope) -> list[Session]: ...

    def participants(self, scope: Scope) -> list[str]:
        """Every participant of the user's sessions, sorted (what ``sessions`` lists)."""
        ...

    def users(self) -> list[str]: ...

    def past(self, scope: Scope, ids: Sequence[str] | None = None) -> Past:
        """Stored versions and past validity of these records (None: all the user's)."""
        ...

    def slot_holders(self, scope: Scope, keys: Sequence[tuple[str, str]]) -> list[SlotFact]:
        """Slot facts of current records (no ``valid_to``) for these (subject, slot) keys."""
        ...

    def audit(self, scope: Scope, *, limit: int = 100, record_id: str | None = None,
              actions: Sequence[str] | None = None) -> list[AuditEntry]:
        """The user's lifecycle log, newest first."""
        ...

    def generation(self, scope: Scope) -> int:
        """A number that grows with every write to the scope's user (cache key)."""
        ...

    def meta(self, key: str) -> str | None:
        """A database-wide setting (e.g. which embedder built the vectors)."""
        ...

    def set_meta(self, key: str, value: str) -> None: ...

    # ---- compositions and lifecycle verbs (engramdb.store._base)
    def get(self, scope: Scope, ids: Sequence[str]) -> list[Record]: ...

    def admit(self, scope: Scope, ids: Sequence[str], filters: Filters) -> set[str]:
        """Those of ``ids`` that pass ``filters``."""
        ...

    def count(self, scope: Scope, filters: Filters, *, at_most: int | None = None) -> int: ...

    def neighbours(self, scope: Scope, record: Record, before: int, after: int) -> list[Record]: ...

    def history(self, scope: Scope, record_id: str) -> list[Version]: ...

    def links(self, scope: Scope, ids: Sequence[str], *, kind: str | None = None,
              incoming: bool = False) -> list[tuple[str, str, str]]:
        """(src_id, dst_id, kind) links from ``ids`` (or, ``incoming=True``, to them)."""
        ...

    def iter_export(self, scope: Scope | None) -> Iterator[Session | ExportedRecord]:
        """Everything of one user (or all users), for a lossless export: per user its
        sessions, then every record (archived and superseded too) with its history and
        outgoing links."""
        ...

    def update(self, scope: Scope, record_id: str, *, text: str | None, index_text: str | None,
               vector: np.ndarray | None, reason: str | None, op: str = "update",
               fields: dict[str, Any] | None = None, keys: Sequence["Key"] = ()) -> Record: ...

    def set_keys(self, scope: Scope, record_id: str, keys: Sequence["Key"]) -> None: ...

    def set_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> int: ...

    def set_slot_facts(self, scope: Scope, record_id: str, facts: Sequence[SlotFact]) -> None: ...

    def supersede(self, scope: Scope, changes: Sequence[Supersession]) -> int: ...

    def reassert(self, scope: Scope, record_id: str, at: datetime, *,
                 reason: str | None = None) -> Record | None: ...

    def archive(self, scope: Scope, ids: Sequence[str], *, reason: str | None,
                archived: bool = True, detail: dict[str, Any] | None = None) -> int: ...

    def touch(self, scope: Scope, ids: Sequence[str], at: datetime,
              gains: Sequence[float] | None = None) -> None: ...

    def delete(self, scope: Scope, ids: Sequence[str], *, reason: str | None = None) -> int: ...

    def delete_scope(self, scope: Scope, *, reason: str | None = None) -> int: ...

    def user_lock(self, scope: Scope, name: str = "lifecycle") -> ContextManager[None]:
        """Serializes work of one kind on one user across threads and processes;
        re-entrant within a thread. Plain writes do not take it: each is atomic."""
        ...
