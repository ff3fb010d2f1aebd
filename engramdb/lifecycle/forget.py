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

import logging
from collections.abc import Callable, Sequence
from typing import Any

from .._models import Filters, Hit, Record, Scope, Version
from ..recall.expand import ExpandOptions, rekey_followers
from ..store import Store
from ..text.tokens import terms, words
from .consolidate import RAW_KINDS, Consolidator
from .erasure import Deleted, Erasure, Forgotten, needles_of

log = logging.getLogger(__name__)

__all__ = ["FORGET_MIN_CONFIDENCE", "delete_records", "delete_scope", "forget",
           "verify_erasure", "record_words"]

#: Default confidence a hit needs before ``forget`` deletes it: conservative, since a
#: wrong deletion cannot be undone (a missed one can be forgotten again more precisely).
FORGET_MIN_CONFIDENCE = 0.5

Search = Callable[..., Sequence[Hit]]

_DERIVED_KINDS = ("summary", "profile")


def verify_erasure(store: Store, needles: Sequence[str], *, compact: bool,
                   wait: float = 0.0) -> Erasure:
    """Compact (if asked), then check the raw bytes for the erased ``needles``."""
    on_disk = getattr(store, "path", "") != ":memory:"
    if not compact:
        return Erasure(False, False, (), 0, on_disk)
    done = store.compact(wait=wait, needles=needles)
    residue = tuple(done.get("residue", ()))
    return Erasure(True, bool(done.get("wal_truncated")), residue, len(needles), on_disk)


def _history(store: Store, scope: Scope, records: Sequence[Record]) -> list[Version]:
    return [v for r in records for v in store.history(scope, r.id)]


def _needles(store: Store, scope: Scope, records: Sequence[Record]) -> list[str]:
    """What the erasure scan looks for: the records' texts, metadata and history, and
    their sessions' metadata (a session goes with its last record; while it lives the
    scan counts it as live, not as residue)."""
    sessions = {r.session_id for r in records if r.session_id}
    meta = [s.metadata for s in store.sessions(Scope(scope.user_id))
            if s.session_id in sessions and s.metadata]
    return needles_of(records, _history(store, scope, records), meta)


def delete_records(store: Store, consolidator: Consolidator, scope: Scope, ids: Sequence[str],
                   *, reason: str | None, purge: bool, expand: ExpandOptions | None = None,
                   wait: float = 0.0) -> Deleted:
    """Delete ``ids``, rebuild what was derived from them and the window keys of the
    turns that followed them, compact if ``purge``; returns the count and the verdict."""
    dependents = consolidator.dependents(scope, ids)
    # facts read from a deleted turn quote it: they go with it
    facts = [r.id for r in store.get(scope, dependents) if r.kind == "fact"]
    dependents = [d for d in dependents if d not in set(facts)]
    dependents += [d for d in consolidator.dependents(scope, facts) if d not in dependents]
    gone = store.get(scope, ids)
    needles = _needles(store, scope, gone) if purge else []
    count = store.delete(scope, ids, reason=reason)
    if facts:
        store.delete(scope, facts, reason=reason)
    for record in gone:
        rekey_followers(store, scope, record, expand)
    if dependents:
        consolidator.refresh(scope, dependents)
    log.info("deleted %d record(s) of user %s (%d derived rebuilt)", count, scope.user_id,
             len(dependents))
    return Deleted(count, verify_erasure(store, needles, compact=purge, wait=wait))


def delete_scope(store: Store, consolidator: Consolidator, scope: Scope, *,
                 reason: str | None, purge: bool, wait: float = 0.0) -> Deleted:
    """Delete everything in ``scope`` (a user, or one agent or session of it)."""
    dependents: list[str] = []
    inside = store.find(scope, Filters(include_archived=True)) if purge or (
        scope.agent_id or scope.session_id) else []
    if scope.agent_id or scope.session_id:  # user-wide derived records may quote this part
        ids = {r.id for r in inside}
        dependents = [d for d in consolidator.dependents(scope, list(ids)) if d not in ids]
    needles = _needles(store, scope, inside) if purge else []
    count = store.delete_scope(scope, reason=reason)
    log.info("deleted %d record(s) in scope user=%s agent=%s session=%s", count,
             scope.user_id, scope.agent_id, scope.session_id)
    if dependents:
        consolidator.refresh(scope, dependents)
    return Deleted(count, verify_erasure(store, needles, compact=purge, wait=wait))


def record_words(record: Record) -> set[str]:
    """The words a record holds anywhere: its text and every string of its metadata
    (a merged near-duplicate's wordings live in ``metadata["merged_from"]``)."""
    from .erasure import _strings

    return set(words(" ".join([record.text, *_strings(record.metadata)])))


def _literal(store: Store, scope: Scope, needed: set[str], kinds: Sequence[str]) -> list[Record]:
    """Every record (archived and superseded too) holding all of ``needed`` in its text
    or metadata: a literal mention is found however the ranking places it."""
    everything = store.find(Scope(scope.user_id), Filters(kinds=tuple(kinds),
                                                          include_archived=True,
                                                          include_superseded=True))
    out = []
    for record in everything:
        blob = (record.text + " " + str(record.metadata)).lower()
        if all(t in blob for t in needed) and needed <= record_words(record):
            out.append(record)
    return out


def forget(search: Search, store: Store, consolidator: Consolidator, query: str, scope: Scope,
           *, min_confidence: float = FORGET_MIN_CONFIDENCE, limit: int = 20,
           dry_run: bool = False, purge: bool = True, kinds: Sequence[str] | None = None,
           expand: ExpandOptions | None = None, wait: float = 0.0,
           **filters: Any) -> Forgotten:
    """Delete the records that match ``query``; returns them (or, ``dry_run``, what would
    go) with the erasure verdict.

    Conservative: a record goes if it contains every content word of the query — in its
    text or its metadata, merged wordings included ("forget Biscuit" takes every record
    that says Biscuit) — or if it is a search hit reaching ``min_confidence`` that
    contains at least one of them — dense similarity alone never deletes. Only stored
    records (turns, memories, documents) are matched; summaries and the profile quoting
    them are rebuilt without them, and a derived record still quoting the query after
    that is deleted (the next consolidation rebuilds it). The audit records ``forget``
    as the reason, never the query.
    """
    wanted = tuple(kinds) if kinds else RAW_KINDS
    hits = search(query, user_id=scope.user_id, limit=limit, kinds=list(wanted), **filters)
    needed = set(terms(query))
    chosen = {h.record.id: h.record for h in hits if (needed and needed <= record_words(
        h.record)) or (h.confidence >= min_confidence and h.features.get("coverage", 0.0) > 0)}
    if needed:
        chosen.update((r.id, r) for r in _literal(store, scope, needed, wanted))
    records = list(chosen.values())
    if dry_run or not records:
        return Forgotten(records)
    user = Scope(scope.user_id)
    needles = _needles(store, user, records) if purge else []
    delete_records(store, consolidator, user, [r.id for r in records], reason="forget",
                   purge=False, expand=expand)
    if needed:  # a summary or profile that still quotes it (an LLM's wording...) goes too
        stale = _literal(store, user, needed, _DERIVED_KINDS)
        if stale:
            store.delete(user, [r.id for r in stale], reason="forget")
    return Forgotten(records, verify_erasure(store, needles, compact=purge, wait=wait))
