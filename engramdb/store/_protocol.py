"""The storage protocol: the only thing above ``store/`` that knows about storage.

Every method takes a :class:`~engramdb._models.Scope` first. A ``Scope`` cannot
be built without a ``user_id``, so no read or write can be issued unscoped:
isolation holds by construction, not by a filter the caller may forget.
A PostgreSQL + pgvector backend implements this same protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator, Protocol, Sequence

import numpy as np

from .._models import Filters, Record, Scope, Session, Stats, Version

__all__ = ["Store", "NewRecord", "Match", "Key"]


@dataclass(slots=True)
class NewRecord:
    """A record about to be written (the store assigns nothing but row keys)."""

    record: Record
    index_text: str  # what the lexical index sees, e.g. "Ana: I moved to Berlin"
    keys: list["Key"] = field(default_factory=list)


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


class Store(Protocol):
    """What the engine needs from a backend. Writes are atomic per call."""

    def add(self, items: Sequence[NewRecord], vectors: np.ndarray | None,
            session: Session | None = None) -> list[tuple[Record, bool]]:
        """Insert records (and their session); returns (record, created) — an existing
        record is returned with ``created=False`` when its content hash is already stored."""
        ...

    def get(self, scope: Scope, ids: Sequence[str]) -> list[Record]: ...

    def find(self, scope: Scope, filters: Filters, *, limit: int | None = None,
             offset: int = 0, newest_first: bool = False) -> list[Record]: ...

    def update(self, scope: Scope, record_id: str, *, text: str | None, index_text: str | None,
               vector: np.ndarray | None, reason: str | None, op: str = "update",
               fields: dict[str, Any] | None = None) -> Record: ...

    def delete(self, scope: Scope, ids: Sequence[str], *, reason: str | None = None) -> int: ...

    def delete_scope(self, scope: Scope, *, reason: str | None = None) -> int: ...

    def history(self, scope: Scope, record_id: str) -> list[Version]: ...

    def lexical(self, scope: Scope, terms: Sequence[str], k: int, filters: Filters,
                *, index: str = "text") -> list[Match]: ...

    def dense(self, scope: Scope, vector: np.ndarray, k: int, filters: Filters) -> list[Match]: ...

    def neighbours(self, scope: Scope, record: Record, before: int, after: int) -> list[Record]: ...

    def sessions(self, scope: Scope) -> list[Session]: ...

    def users(self) -> list[str]: ...

    def iter_export(self, scope: Scope | None) -> Iterator[Session | Record]: ...

    def touch(self, scope: Scope, ids: Sequence[str], at: datetime) -> None:
        """Note that records were recalled (feeds decay/reinforcement)."""
        ...

    def stats(self) -> Stats: ...

    def close(self) -> None: ...
