"""Verified deletion: when a record goes, every copy of its content goes with it.

A delete removes, in one store transaction, the record's row, its history
(``versions``), its lexical index entries and expanded keys, its vector, its
graph mentions and links, the entities only it mentioned, and the reasons and
details of its earlier audit rows (the audit keeps *that* it was changed and
deleted, never *what* it said). Then the derived records built from it — session
and user summaries, the profile — are rebuilt from the sources that remain.

What stays on disk after that is physical: FTS5 keeps a deleted row's terms in
index segments until they are merged, and the WAL keeps old page images until a
checkpoint. ``secure_delete`` (always on) zeroes freed space in the main file;
:meth:`Store.compact` merges the FTS segments, VACUUMs and truncates the WAL so
nothing is left to recover. Compaction rewrites the whole file, so:

* ``delete(id)`` does **not** compact by default (``purge=False``): the content is
  gone from every API at once, and from the bytes at the next compaction — pass
  ``purge=True``, or batch many deletes and call ``Memory.compact()`` once;
* ``delete_all(...)`` and ``forget(...)`` **do** compact by default
  (``purge=True``): they are what a user's "forget me" request calls, so privacy
  is the default where it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .._models import Filters, Hit, Record, Scope
from ..text.tokens import terms, words
from ..recall.expand import ExpandOptions, rekey_followers
from ..store import Store
from .consolidate import RAW_KINDS, Consolidator

__all__ = ["FORGET_MIN_CONFIDENCE", "delete_records", "delete_scope", "forget"]

#: Default confidence a hit needs before ``forget`` deletes it: conservative, since a
#: wrong deletion cannot be undone (a missed one can be forgotten again more precisely).
FORGET_MIN_CONFIDENCE = 0.5

Search = Callable[..., Sequence[Hit]]


def delete_records(store: Store, consolidator: Consolidator, scope: Scope, ids: Sequence[str],
                   *, reason: str | None, purge: bool, expand: ExpandOptions | None = None) -> int:
    """Delete ``ids``, rebuild what was derived from them and the window keys of the
    turns that followed them, compact if ``purge``."""
    dependents = consolidator.dependents(scope, ids)
    gone = store.get(scope, ids)
    count = store.delete(scope, ids, reason=reason)
    for record in gone:
        rekey_followers(store, scope, record, expand)
    if dependents:
        consolidator.refresh(scope, dependents)
    if purge:
        store.compact()
    return count


def delete_scope(store: Store, consolidator: Consolidator, scope: Scope, *,
                 reason: str | None, purge: bool) -> int:
    """Delete everything in ``scope`` (a user, or one agent or session of it)."""
    dependents: list[str] = []
    if scope.agent_id or scope.session_id:  # user-wide derived records may quote this part
        inside = [r.id for r in store.find(scope, Filters(include_archived=True))]
        dependents = [d for d in consolidator.dependents(scope, inside) if d not in set(inside)]
    count = store.delete_scope(scope, reason=reason)
    if dependents:
        consolidator.refresh(scope, dependents)
    if purge:
        store.compact()
    return count


def forget(search: Search, store: Store, consolidator: Consolidator, query: str, scope: Scope,
           *, min_confidence: float = FORGET_MIN_CONFIDENCE, limit: int = 20,
           dry_run: bool = False, purge: bool = True, kinds: Sequence[str] | None = None,
           expand: ExpandOptions | None = None, **filters: Any) -> list[Record]:
    """Delete the records that match ``query``; returns them (or, ``dry_run``, what would go).

    Conservative: a hit goes if its own text contains every content word of the query
    ("forget Biscuit" takes every record that says Biscuit), or if it reaches
    ``min_confidence`` *and* contains at least one of them — dense similarity alone
    never deletes. Only stored records (turns, memories, documents) are matched;
    summaries and the profile quoting them are rebuilt without them. The audit records
    ``forget`` as the reason, never the query.
    """
    wanted = tuple(kinds) if kinds else RAW_KINDS
    hits = search(query, user_id=scope.user_id, limit=limit, kinds=list(wanted), **filters)
    needed = set(terms(query))
    chosen = [h.record for h in hits if (needed and needed <= set(words(h.record.text))) or (
        h.confidence >= min_confidence and h.features.get("coverage", 0.0) > 0)]
    if dry_run or not chosen:
        return chosen
    delete_records(store, consolidator, Scope(scope.user_id), [r.id for r in chosen],
                   reason="forget", purge=purge, expand=expand)
    return chosen
