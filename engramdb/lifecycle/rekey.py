"""Re-keying a memory: every record's expanded keys and entity edges built again.

Ingest writes only the key kinds the recall signals that are on need
(``recall.signals.ingest_kinds``): a file written with the graph signal off has no
entity edges, one written before a new key kind existed lacks it. ``rekey`` rebuilds
each record's keys from its stored text with the given :class:`ExpandOptions`, so
switching a signal on does not mean importing everything again. Turns are keyed per
session, in order (a window key quotes the turns before it, a date key resolves
"last Saturday" against the session's start); other records (facts, notes, summaries)
one by one. Text, vectors, history and ids are untouched; running it twice is
harmless (the keys are replaced, not added).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from .._models import Filters, Record, Scope
from ..recall.expand import ExpandOptions, expand_record, expand_session
from ..store import Key, Store

__all__ = ["rekey"]

Progress = Callable[[int, int], None]


def rekey(store: Store, users: Sequence[str], opts: ExpandOptions,
          progress: Progress | None = None) -> int:
    """Replace the keys of every record of ``users`` (archived and superseded too);
    returns the number of records re-keyed."""
    todo = {user: store.find(Scope(user), Filters(include_archived=True)) for user in users}
    total, done = sum(len(records) for records in todo.values()), 0
    for user, records in todo.items():
        scope = Scope(user)
        starts = {s.session_id: s.started_at for s in store.sessions(scope)}
        for group, start in _groups(records, starts):
            keyed = _keys(group, start, opts)
            with store.transaction(scope):  # one commit per session, not per record
                for record, keys in zip(group, keyed):
                    store.set_keys(scope, record.id, keys)
            done += len(group)
            if progress is not None:
                progress(done, total)
    return done


def _groups(records: Sequence[Record], starts: dict[str, datetime | None]
            ) -> list[tuple[list[Record], datetime | None]]:
    """A session's turns in position order (keyed together), then each other record
    alone (``start`` None: a stand-alone record is keyed by its own timestamp)."""
    sessions: dict[str, list[Record]] = {}
    alone: list[tuple[list[Record], datetime | None]] = []
    for r in records:
        if r.kind == "turn" and r.session_id is not None:
            sessions.setdefault(r.session_id, []).append(r)
        else:
            alone.append(([r], None))
    turns = [(sorted(group, key=lambda r: r.position or 0), starts.get(sid))
             for sid, group in sessions.items()]
    return turns + alone


def _keys(group: list[Record], start: datetime | None, opts: ExpandOptions) -> list[list[Key]]:
    if start is None and len(group) == 1 and group[0].kind != "turn":
        return [expand_record(group[0], opts)]
    return expand_session(group, start, opts)
