"""Storage backends behind one small protocol.

``open_store(target)`` picks the backend from the target: a ``postgresql://`` (or
``postgres://``) URL opens :class:`PostgresStore` (psycopg 3, pgvector; the
``postgres`` extra), anything else is a SQLite file (the embedded default).
"""

from __future__ import annotations

import os
from typing import Any

from ._protocol import Key, Match, NewRecord, Store
from .sqlite import SQLiteStore, open_sqlite

__all__ = ["Store", "SQLiteStore", "NewRecord", "Key", "Match", "open_sqlite", "open_store",
           "is_postgres_url"]


def is_postgres_url(target: object) -> bool:
    """True for a ``postgresql://`` or ``postgres://`` URL."""
    return isinstance(target, str) and target.split("://", 1)[0] in ("postgresql", "postgres")


def open_store(target: str | os.PathLike[str], **options: Any) -> Store:
    """The store at ``target``: a PostgreSQL URL or a SQLite path. ``options`` go to the
    SQLite backend (``busy_timeout``, ``synchronous``); PostgreSQL takes its settings
    from the URL (e.g. ``?connect_timeout=5``) and ignores them."""
    if is_postgres_url(target):
        from .postgres import open_postgres

        return open_postgres(str(target))
    return open_sqlite(target, **options)
