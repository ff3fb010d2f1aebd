"""The typed change records of :meth:`Store.apply`: every write after ``add``.

A lifecycle verb (update, merge, supersede, reassert, archive, restore, delete,
re-key, re-embed, reinforce) is decided once, above the backends, in
:class:`~engramdb.store._base.StoreBase`, and handed to the backend as a list of
these records, applied in order in one transaction. Each says *what* to store,
never *why*: a backend writes them without deciding anything, so each is one to
three SQL statements in a backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from .._models import Interval, Version

if TYPE_CHECKING:
    from ._protocol import Key, SlotFact

__all__ = ["Patch", "Reindex", "AddHistory", "SetFacts", "AddLink", "Log", "Erase",
           "EraseSessions", "Reinforce", "Change", "quiet"]


@dataclass(frozen=True, slots=True)
class Patch:
    """Set columns of one record. ``fields`` holds :data:`~._base.UPDATABLE` names and,
    for a new wording, ``text``, ``content_hash`` and ``version`` (a ``content_hash`` that
    another record of the scope has raises InvalidInputError); datetimes as datetimes."""

    record_id: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reindex:
    """Replace what the indexes hold for one record; None leaves that part as it is:
    ``index_text`` the lexical text, ``keys`` the expanded keys, ``vector`` the vector."""

    record_id: str
    index_text: str | None = None
    keys: Sequence[Key] | None = None
    vector: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class AddHistory:
    """Append version rows and past validity intervals of one record."""

    record_id: str
    versions: Sequence[Version] = ()
    past: Sequence[Interval] = ()


@dataclass(frozen=True, slots=True)
class SetFacts:
    """Replace one record's slot facts."""

    record_id: str
    facts: Sequence[SlotFact]


@dataclass(frozen=True, slots=True)
class AddLink:
    """Write the link ``src -> dst`` of ``kind`` (an existing one takes the new weight)."""

    src_id: str
    dst_id: str
    kind: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Log:
    """Append an entry to the user's audit log."""

    action: str
    record_id: str | None
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Erase:
    """Remove every trace of these records: rows, versions, past validity, index entries,
    vectors, slot facts and links both ways; earlier audit entries about them lose their
    reason and detail (either may quote the erased text)."""

    record_ids: Sequence[str]


@dataclass(frozen=True, slots=True)
class EraseSessions:
    """Remove the sessions of the transaction's scope (its session, its agent's, or all
    of the user's) and, for a whole user, every store-side trace left of it."""


@dataclass(frozen=True, slots=True)
class Reinforce:
    """A recall: ``last_recalled_at = at``, one more recall, ``strength += gain``."""

    record_ids: Sequence[str]
    at: datetime
    gains: Sequence[float]


Change = Union[Patch, Reindex, AddHistory, SetFacts, AddLink, Log, Erase, EraseSessions,
               Reinforce]


def quiet(changes: Sequence[Change]) -> bool:
    """True when nothing a search can find changes (only reinforcement): such a write
    does not advance the user's generation, so caches above the store stay valid."""
    return all(isinstance(c, Reinforce) for c in changes)
