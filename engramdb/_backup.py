"""``Memory.backup`` / ``engram backup``: a consistent copy of a live SQLite database.

SQLite's online backup API copies the pages under one read transaction, so the copy is
a snapshot of one moment even while writers run (in WAL mode readers do not block
them). The copy goes to a temporary file beside the target, is reopened and checked
(``PRAGMA integrity_check``, engramdb's schema, the record count), and only then
renamed over the target: a failed backup leaves an earlier one whole.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from ._errors import InvalidInputError, StoreError

__all__ = ["backup", "install"]

log = logging.getLogger(__name__)


def backup(store: Any, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Copy ``store`` (a SQLite store) to ``path``; returns records, sessions, bytes, path."""
    source = _source_path(store)
    target = _target(path)
    if target.exists() and source != ":memory:" and target.resolve() == Path(source).resolve():
        raise InvalidInputError(f"{target} is the database itself: back up to another file")
    out = install(target, lambda tmp: _copy(store, source, tmp))
    log.info("backup of %s to %s: %d records", source, target, out["records"])
    return out


def install(path: str | os.PathLike[str], write: Any) -> dict[str, Any]:
    """``write(tmp)`` a database copy to a temporary file beside ``path``, check it, then
    rename it over ``path`` (also how a remote client saves a served backup)."""
    target = _target(path)
    if target.is_dir():
        raise InvalidInputError(f"{target} is a folder: give a file name, e.g. {target}/memory.db")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        counts = _verify(tmp)
        os.replace(tmp, target)
    except OSError as exc:  # a folder that cannot be made, no permission, a full disk
        raise StoreError(f"cannot write the backup to {target}: "
                         f"{exc.strerror or exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if leftover.exists():
                leftover.unlink()
    return {"path": str(target), **counts, "bytes": target.stat().st_size}


def _target(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise InvalidInputError(f"backup needs a file path, not {path!r:.60}")
    return Path(path).expanduser()


def _source_path(store: Any) -> str:
    from .store.sqlite import SQLiteStore

    if not isinstance(store, SQLiteStore):
        raise InvalidInputError("backup copies SQLite databases; back up PostgreSQL with "
                                "pg_dump (or `engram export` for a portable copy)")
    return os.fspath(store.path)


def _copy(store: Any, source: str, tmp: Path) -> None:
    dst = sqlite3.connect(tmp)
    try:
        if source == ":memory:":  # only the store's own connection sees that database
            with store._db.read() as conn:
                conn.backup(dst)
        else:  # our own reader: the store's connection stays free for its writers
            src = sqlite3.connect(source, timeout=30)
            try:
                src.backup(dst)  # pages=-1: every page in one step, one snapshot
            finally:
                src.close()
    except sqlite3.Error as exc:
        raise StoreError(f"backup of {source} failed: {exc}") from exc
    finally:
        dst.close()


def _verify(tmp: Path) -> dict[str, int]:
    """Reopen the copy as engramdb would; a copy that fails here never replaces a backup."""
    from .store import open_sqlite

    conn = sqlite3.connect(tmp)
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:  # not a database at all
        raise StoreError(f"the backup copy is not a usable database: {exc}") from None
    finally:
        conn.close()
    if verdict != "ok":
        raise StoreError(f"the backup copy failed its integrity check: {verdict}")
    store = open_sqlite(tmp)
    try:
        stats = store.stats()
    finally:
        store.close()
    return {"records": stats.records, "sessions": stats.sessions, "users": stats.users}
