"""Storage backends behind one protocol.

``open_store(target)`` picks the backend from the target: a ``postgresql://`` (or
``postgres://``) URL opens :class:`PostgresStore` (psycopg 3, pgvector; the
``postgres`` extra), anything else is a SQLite file (the embedded default).

**The contract.** Two layers. What a backend provides is the :class:`Backend`
protocol: the 16 methods of ``_base.PRIMITIVES`` (34 before the reshape, then 24)
and two attributes, ``path`` and ``dialect``. What the engine uses is
:class:`Store`: those, plus the 26 methods of ``_base.SHARED`` that
:class:`~engramdb.store._base.StoreBase` builds from them once for every backend.
Above the store sit key expansion (``recall.expand``), slot grammar and
knowledge-update decisions (``text``, ``lifecycle.updates``), scoring and fusion
(``recall``), merging and consolidation (``lifecycle``); the meaning of a
:class:`Filters` as SQL is ``store._filters`` (one WHERE builder, two dialects).

Written once above the backends:

* the plain reads, as one SQL text each (``store._reads``): ``users``,
  ``generation``, ``meta``, ``set_meta``, ``sessions``, ``past``, ``audit``,
  ``slot_holders``; a backend runs them through :meth:`~Backend.query` (in its
  transaction; PostgreSQL names the user for row-level security) and spells them
  with its :class:`~engramdb.store._filters.Dialect` (parameter mark, a list as
  one parameter, JSON columns, the column of write order);
* every lifecycle verb — update, merge, re-key, re-embed, new slot facts,
  supersede, reassert, archive, restore, delete, reinforce — as a decision in
  ``StoreBase`` (read the current state inside :meth:`~Backend.transaction`, decide,
  then one :meth:`~Backend.apply`) handed to the backend as typed change records
  (``store._changes``): ``Patch`` (set columns), ``Reindex`` (text, keys, vector),
  ``AddHistory`` (versions, past validity), ``SetFacts``, ``AddLink``, ``Log``
  (audit), ``Erase``, ``EraseSessions``, ``Reinforce``. A backend writes them in
  order, in one transaction, and decides nothing;
* the user locks' re-entrancy and thread exclusion (``store._userlock``); a backend
  only says how to lock between processes (:meth:`~Backend.exclusive`).

The 16 primitives, in six groups:

* writes (2): ``add`` (records with their keys, vector, links, history, slot
  facts; deduplicated by content hash), ``apply`` (the change records above, each
  one to three SQL statements);
* transactions and locks (3): ``transaction`` (a write transaction on one user,
  which reads and applies inside join), ``snapshot`` (a read transaction),
  ``exclusive`` (a lock between processes);
* shared SQL (1): ``query`` (one statement of ``store._reads``, rows back);
* reads whose SQL or storage differs (5): ``find`` (Filters, optional ids, paging;
  each backend has its own plan for a list of ids), ``edges`` (links in the order
  of the ids asked), ``taken`` (ids held by any user: SQLite's unique ``records.id``,
  PostgreSQL's ``record_ids``), ``mentions`` (entity keys), ``vectors`` (float32
  blobs, pgvector);
* search (2): ``lexical`` (FTS5's BM25 over text or keys), ``dense`` (cosine);
* maintenance (3): ``compact`` (and where erased text remains: ``residue``),
  ``stats``, ``close``.

**Writing a third backend** (a day's work for an SQL engine): subclass
``StoreBase``; keep the tables and columns of the two schemas
(``_migrations.py``, ``_pg_schema.py``: times as unix seconds) so that
``store._reads`` runs unchanged, give a ``Dialect`` and a ``query``; reuse
``_filters.where_clause`` with your dialect for ``find``; write ``add`` and the
nine change handlers of ``apply`` (the SQLite ones, ``_sqlite_lifecycle.py``, are
the reference: about 120 lines); make ``transaction`` serialize the writers of
one user and ``generation`` grow in every non-``Reinforce`` apply; ``lexical`` must
rank as FTS5's BM25 (``_pg_search`` shows it computed in SQL from postings);
``dense`` is cosine, exact or approximate with exact re-scoring. Then add the
backend to the ``backend`` fixture of ``tests/conftest.py``: the conformance suites
(``tests/test_store.py``, ``tests/test_memory.py``, ``tests/test_concurrency.py``
and every test using that fixture) hold it to the same behaviour, and
``test_each_backend_provides_every_primitive_and_inherits_the_rest`` to the
contract. The PostgreSQL backend is about 1,500 lines (``postgres.py``,
``_pg_*.py``: schema, pool and options, BM25 in SQL, per-user HNSW), the SQLite one
about 1,000 (``sqlite.py``, ``_sqlite_*.py``).
"""

from __future__ import annotations

import os
import re
from typing import Any

from .._errors import InvalidInputError
from ._protocol import GRAPH_KEY_KINDS, Backend, Key, Match, NewRecord, Store
from .sqlite import SQLiteStore, open_sqlite

__all__ = ["Backend", "Store", "SQLiteStore", "NewRecord", "Key", "Match", "open_sqlite", "open_store",
           "is_postgres_url", "GRAPH_KEY_KINDS"]


def is_postgres_url(target: object) -> bool:
    """True for a ``postgresql://`` or ``postgres://`` URL."""
    return isinstance(target, str) and target.split("://", 1)[0] in ("postgresql", "postgres")


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")

#: options of the SQLite backend, which a PostgreSQL store does not need
_SQLITE_OPTIONS = ("busy_timeout", "synchronous", "mmap_size")


def open_store(target: str | os.PathLike[str], **options: Any) -> Store:
    """The store at ``target``: a PostgreSQL URL or a SQLite path.

    ``options`` of a SQLite file: ``busy_timeout``, ``synchronous``, ``ann_threshold``,
    ``mmap_size``.
    Of PostgreSQL: ``pool_size``, ``pool_min``, ``pool_timeout``, ``statement_timeout``,
    ``lock_timeout``, ``connect_timeout`` (seconds) and ``ann_threshold``, also read from
    the URL (``postgresql://app@db/engram?pool_size=20&statement_timeout=30``); the
    SQLite ones are ignored there (``Memory`` passes them to either)."""
    if is_postgres_url(target):
        from .postgres import open_postgres

        return open_postgres(str(target), **{k: v for k, v in options.items()
                                             if k not in _SQLITE_OPTIONS})
    from ._pg_base import URL_OPTIONS

    scheme = _SCHEME.match(target) if isinstance(target, str) else None
    if scheme:  # "postgresq://u:pw@db/x" would be a SQLite file in a folder "postgresq:"
        raise InvalidInputError(f"{scheme.group(1)}:// is not a database engramdb opens: give "
                                "a SQLite file path or a postgresql:// URL")
    wrong = sorted(set(options) & set(URL_OPTIONS))
    if wrong:
        raise InvalidInputError(f"{wrong}: options of a PostgreSQL store, not of a SQLite file")
    return open_sqlite(target, **options)
