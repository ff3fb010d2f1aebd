"""The SQLite side of erasure: compaction, and a scan of the raw bytes for residue."""

from __future__ import annotations

import mmap
import os
import sqlite3
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._vectors import ExactVectorIndex

if TYPE_CHECKING:
    from ._sqlite_base import Connection

__all__ = ["ErasureMixin"]

#: live places a string may legitimately still be (another record saying the same)
_LIVE = ("SELECT 1 FROM records WHERE instr(text, ?1) OR instr(metadata, ?1) UNION ALL "
         "SELECT 1 FROM versions WHERE instr(text, ?1) UNION ALL "
         "SELECT 1 FROM sessions WHERE instr(metadata, ?1) UNION ALL "
         "SELECT 1 FROM keys WHERE instr(text, ?1) LIMIT 1")


class ErasureMixin:
    _db: Connection
    _vectors: ExactVectorIndex
    path: str

    def compact(self, *, wait: float = 0.0, needles: Sequence[str] = ()) -> dict[str, Any]:
        """Merge FTS5 segments (a deleted row's terms stay in old segments until then),
        VACUUM (rewrites the file without free pages) and truncate the WAL (which holds
        old page images). ``secure_delete`` already zeroes freed space on every write.
        A reader holding an old snapshot stops the truncation: ``wait`` seconds retries
        it (``wal_truncated`` says whether it happened). ``residue``: where (``"main
        file"``, ``"WAL"``) any of the erased ``needles`` is still in the raw bytes
        although no live row holds it (empty: provably gone)."""
        with self._db.bare() as conn:  # VACUUM cannot run in a transaction
            fts = [name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND "
                "lower(sql) LIKE 'create virtual table%using fts5%'")]
            for name in fts:
                conn.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'optimize\')')
            conn.execute("VACUUM")
            truncated = _truncate_wal(conn, time.monotonic() + max(0.0, wait))
        self._vectors.clear()
        return {"fts_optimized": fts, "vacuumed": True, "wal_truncated": truncated,
                "residue": self._residue(needles)}

    def _residue(self, needles: Sequence[str]) -> list[str]:
        if self.path == ":memory:" or not needles:
            return []
        with self._db.read() as conn:
            dead = [n for n in needles if conn.execute(_LIVE, (n,)).fetchone() is None]
        found = []
        for where, path in (("main file", self.path), ("WAL", self.path + "-wal")):
            if dead and _contains_any(path, [n.encode() for n in dead]):
                found.append(where)
        return found


def _truncate_wal(conn: sqlite3.Connection, deadline: float) -> bool:
    while True:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy == 0 or time.monotonic() >= deadline:
            return busy == 0
        time.sleep(0.05)


def _contains_any(path: str, needles: list[bytes]) -> bool:
    try:
        size = os.path.getsize(path)
        if size == 0:
            return False
        with open(path, "rb") as fp, mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return any(data.find(n) != -1 for n in needles)
    except (FileNotFoundError, ValueError):
        return False
