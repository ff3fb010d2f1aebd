"""The verdict of an erasure: are the erased words provably gone from the bytes?

A deletion removes a record from every table at once, but the bytes can outlive it:
FTS5 keeps a deleted row's terms in index segments until they merge, the WAL keeps
old page images until a checkpoint, and a checkpoint cannot complete while another
connection reads an older snapshot. So every erasure reports what it could verify:

* ``compacted``: the file was compacted (FTS merge, VACUUM, WAL checkpoint);
* ``wal_truncated``: the WAL was emptied — False when a reader held it;
* ``residue``: where a sample of the erased content (texts, metadata values, earlier
  versions, merged wordings) was still found in the raw bytes of the main file or
  the WAL, and no live record explains it.

``verified`` is all three. When it is not, the erasure is complete for every API
and :meth:`engramdb.Memory.compact` (``wait=`` seconds for readers) finishes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._models import Record, Version

__all__ = ["Erasure", "Deleted", "Forgotten", "needles_of", "MAX_NEEDLES"]

#: erased strings sampled for the byte scan (each up to 64 characters)
MAX_NEEDLES = 64
_ID = re.compile(r"[0-9a-f]{24}")
#: shorter strings prove nothing (they occur by chance)
_MIN_NEEDLE = 8


@dataclass(frozen=True, slots=True)
class Erasure:
    """Whether an erasure is provably complete on disk (see the module docstring)."""

    compacted: bool
    wal_truncated: bool
    residue: tuple[str, ...] = ()
    checked: int = 0
    on_disk: bool = True

    @property
    def verified(self) -> bool:
        return not self.on_disk or (self.compacted and self.wal_truncated and not self.residue)

    @property
    def message(self) -> str:
        if not self.on_disk:
            return "erased (an in-memory database: nothing on disk)"
        if not self.compacted:
            return ("erased from every API; the bytes stay in the file until the next "
                    "compaction (Memory.compact / engram compact)")
        if self.verified:
            return (f"erased and verified: the file was compacted, the WAL truncated, and "
                    f"none of {self.checked} erased strings is left in the bytes")
        where = " and ".join(self.residue) or "the WAL"
        why = ("another connection was reading, so the WAL could not be truncated"
               if not self.wal_truncated else "compaction left them")
        return (f"erased from every API, NOT yet from the bytes: erased content is still in "
                f"{where} ({why}); run compact again when readers are done "
                "(Memory.compact(wait=seconds))")

    def to_dict(self) -> dict[str, Any]:
        return {"verified": self.verified, "compacted": self.compacted,
                "wal_truncated": self.wal_truncated, "residue": list(self.residue),
                "checked": self.checked, "message": self.message}


class Deleted(int):
    """How many records went (an ``int``, as before), with the :class:`Erasure`."""

    erasure: Erasure

    def __new__(cls, count: int, erasure: Erasure) -> Deleted:
        out = super().__new__(cls, count)
        out.erasure = erasure
        return out

    @property
    def verified(self) -> bool:
        return self.erasure.verified


class Forgotten(list):  # type: ignore[type-arg]
    """The forgotten records (a ``list``, as before), with the :class:`Erasure`
    (None for a dry run or when nothing matched)."""

    def __init__(self, records: Iterable[Record] = (), erasure: Erasure | None = None):
        super().__init__(records)
        self.erasure = erasure

    @property
    def verified(self) -> bool:
        return self.erasure is not None and self.erasure.verified


def needles_of(records: Sequence[Record], history: Iterable[Version] = (),
               metadata: Iterable[Any] = ()) -> list[str]:
    """A sample of the strings the erased records put in the file, as stored: texts and
    old versions raw, metadata values JSON-escaped (metadata is stored as JSON)."""
    out: dict[str, None] = {}
    for text in [r.text for r in records] + [v.text for v in history]:
        _add(out, text[:64])
    for meta in [r.metadata for r in records] + list(metadata):
        for value in _strings(meta):
            _add(out, json.dumps(value)[1:-1][:64])
    return list(out)[:MAX_NEEDLES]


def _add(out: dict[str, None], needle: str) -> None:
    # record ids (derived_from links...) are not content: the audit keeps them on purpose
    if len(needle.encode()) >= _MIN_NEEDLE and not _ID.fullmatch(needle):
        out[needle] = None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []

