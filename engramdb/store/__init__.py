"""Storage backends behind one protocol.

``open_store(target)`` picks the backend from the target: a ``postgresql://`` (or
``postgres://``) URL opens :class:`PostgresStore` (psycopg 3, pgvector; the
``postgres`` extra), anything else is a SQLite file (the embedded default).

**The contract.** Everything both backends share lives above them, once: key
expansion (``recall.expand``), slot grammar and knowledge-update decisions
(``text``, ``lifecycle.updates``), scoring and fusion (``recall``), merging and
consolidation (``lifecycle``), the meaning of a :class:`Filters` as SQL
(``store._filters``, one WHERE builder with a dialect) and the compositions and
lifecycle rules of :class:`~engramdb.store._base.StoreBase`: ``get``,
``admit``, ``neighbours``, ``history`` and ``iter_export`` (5 methods) are built
from the primitives, and which fields an update may set and when a superseded
record may be stated again are decided there.

A backend subclasses ``StoreBase`` and provides the 34 primitives of
``_base.PRIMITIVES``, in four groups (each write one transaction):

* writes (12): ``add`` (records with their keys, vector, links, history, slot
  facts), ``update``, ``set_keys``, ``set_vectors``, ``delete``, ``delete_scope``,
  ``touch``, ``supersede``, ``reassert``, ``archive``, ``set_slot_facts``,
  ``set_meta``;
* reads (14): ``find`` (Filters, optional ids), ``count``, ``taken``, ``versions``,
  ``export_extras``, ``sessions``, ``users``, ``slot_holders``, ``links``,
  ``audit``, ``mentions``, ``vectors``, ``generation``, ``meta``;
* search (2): ``lexical`` (BM25 over text or keys), ``dense`` (cosine);
* consistency and maintenance (6): ``snapshot``, ``user_lock``, ``compact``,
  ``residue``, ``stats``, ``close``.

Most are one SQL statement each: the PostgreSQL backend is about 1,300 lines
(``postgres.py``, ``_pg_*.py``), most of it SQL text. The conformance suites
(``tests/test_store.py``, ``tests/test_memory.py``, ``tests/test_concurrency.py``)
run every backend through the same tests (the ``backend`` fixture).
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
