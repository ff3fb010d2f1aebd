"""Importing files into a :class:`Memory`: engramdb's JSONL export, LoCoMo, LongMemEval.

Two phases. First the whole file is parsed and checked into a list of planned
writes; only if that succeeds is anything written, so a malformed file imports
nothing (``skip_bad`` instead lists and drops the bad lines or turns). Then the
plan is written, one atomic call per session or batch of records.

**Restore.** An engramdb export of format version 2 (what :meth:`Memory.export`
writes) is a snapshot, written back as it was by :meth:`Memory.add_exported`: records
keep their ids, kind, text, owner, speaker/role/position, timestamps, metadata,
version and history, validity (``valid_from``/``valid_to``/``superseded_by``),
archived state, importance/strength/last recall and links; sessions keep their
metadata and participants; summaries and the profile come back too (with their
``derived_from`` links, so they stay refreshable). Only the indexes — full text,
keys, vectors — are rebuilt from the text. Into a memory that already holds some
of those ids:

* a stored record with the same content (kind, owner, speaker, role, position,
  text, version) is skipped: re-importing is idempotent, and what changed since
  the export (strength, archiving, validity) is kept;
* a *different* stored record under the same id — of any user, since an id names
  one record in the whole database — is a conflict, and so is an id the file
  gives to two different records: nothing is written and
  :class:`ImportConflictError` lists every one (``skip_bad`` lists them in
  ``report.skipped`` and imports the rest, leaving the stored records);
* a record whose content is stored under another id is not stored twice.

With ``user_id`` the records move to that user under new ids (an id names one
record of one user), derived from the old ids so that importing the same file
twice still stores nothing twice; references between them follow. Their sessions
move as ``"<old user>:<session id>"``, so that two users' ``"s1"`` stay two sessions.

**Replay.** Everything else — a version-1 export of an older engramdb, a
hand-written JSONL file, LoCoMo, LongMemEval — is added through the ordinary
write path: a session is one ``add_session`` call, a stand-alone record one
``add``, under new ids, with merging, knowledge updates and redaction as on any
write. Re-importing is idempotent because the store dedupes by content hash.

>>> from engramdb import Memory
>>> from engramdb._importer import import_file
>>> report = import_file(Memory(":memory:", embedder="fake"), "export.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any

from ._errors import ImportConflictError, ImportFormatError, InvalidInputError
from ._models import (
    ExportedRecord,
    Record,
    Scope,
    Session,
    Turn,
    check_text,
    content_hash,
    identity_error,
)

if TYPE_CHECKING:
    from ._memory import Memory
    from .formats import Dataset

__all__ = ["FORMATS", "ImportReport", "import_file"]

log = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("jsonl", "locomo", "longmemeval")

#: ``progress(done, total)``: records written so far, records planned
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ImportReport:
    """What an import did. ``skipped`` lists ``"file:line: reason"`` for each dropped item."""

    format: str
    sessions: int = 0
    records: int = 0
    skipped: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    created: int = 0  # records that were new (the rest were already stored)


@dataclass(slots=True)
class _Write:
    """One planned call: ``add_session`` when ``turns`` is set, else ``add``."""

    user_id: str
    args: dict[str, Any]
    turns: list[Turn] | None = None

    @property
    def size(self) -> int:
        return len(self.turns) if self.turns is not None else 1


@dataclass(slots=True)
class _Checker:
    """Checks what the store would reject later, so it fails before the first write."""

    path: str
    max_text: int
    max_metadata: int
    skip_bad: bool
    skipped: list[str] = field(default_factory=list)

    def problem(self, text: str, metadata: Mapping[str, Any],
                importance: float = 0.5) -> tuple[str, str] | None:
        """(field, reason) of the first problem, or None."""
        try:  # the write's own text rule: empty, invisible, too long, lone surrogates
            check_text(text, limit=self.max_text)
        except InvalidInputError as exc:
            return "text", str(exc)
        try:
            size = len(json.dumps(dict(metadata), allow_nan=False))
        except ValueError:  # NaN/Infinity: accepted by json.loads, but not JSON
            return "metadata", "metadata holds NaN or Infinity, which JSON cannot store"
        if size > self.max_metadata:
            return "metadata", f"metadata is {size} bytes; the limit is {self.max_metadata}"
        if not 0.0 <= importance <= 1.0:
            return "importance", f"importance must be between 0 and 1, got {importance}"
        return None

    def restorable(self, row: _Row) -> bool:
        """Whether :meth:`Memory.add_exported` takes the record as it will be written (after
        a move to another user): the owner, kind and id checks it makes beside those of
        text and metadata (``problem``, on reading), so that a bad record fails before the
        first write rather than after a batch was committed."""
        r = row.record
        problem = identity_error(r)
        if problem is not None:
            name, error = problem
            self.reject(ImportFormatError(f"record {r.id}: {error}", path=self.path,
                                          line=row.line, field=name))
        return problem is None

    def reject(self, error: ImportFormatError) -> None:
        """Raise (the default) or, with ``skip_bad``, note the problem and go on."""
        if not self.skip_bad:
            raise error
        self.skipped.append(str(error))


def import_file(memory: Memory, path: str | os.PathLike[str], *, format: str | None = None,
                user_id: str | None = None, skip_bad: bool = False,
                progress: Progress | None = None) -> ImportReport:
    """Import ``path`` into ``memory``; ``format`` is sniffed when not given.

    ``user_id`` puts everything under that user (by default a JSONL record keeps
    its ``user_id``, a LoCoMo conversation is user ``sample_id``, a LongMemEval
    instance is user ``question_id``). Raises :class:`ImportFormatError` naming
    file, line or item, and field, or :class:`ImportConflictError` when records of an
    export have the ids of different stored records; nothing is written then.
    """
    where = os.fspath(path)
    if user_id is not None:
        Scope(user_id)  # a bad --user must fail before the first write, not halfway
    checker = _Checker(where, memory.max_text_chars, memory.max_metadata_bytes, skip_bad)
    try:
        fmt = _format(where, format)
        plan = _plan(fmt, where, user_id, checker)
    except OSError as exc:  # missing or unreadable file: the caller's to fix, not a bug
        raise InvalidInputError(f"cannot read {where}: {exc.strerror or exc}") from exc
    _drop_conflicts(memory, plan, checker)
    report = ImportReport(fmt, skipped=checker.skipped)
    _execute(memory, plan, report, progress)
    log.info("imported %s as %s: %d record(s), %d new, %d session(s), %d skipped", where, fmt,
             report.records, report.created, report.sessions, len(report.skipped))
    return report


def _format(path: str, given: str | None) -> str:
    if given is None:
        from .formats import sniff_format

        return sniff_format(path)
    if given not in FORMATS:
        raise InvalidInputError(f"unknown import format {given!r}; choose one of {FORMATS}")
    return given


def _plan(fmt: str, path: str, user_id: str | None, checker: _Checker) -> list[_Planned]:
    if fmt == "jsonl":
        from .formats import jsonl_version

        if jsonl_version(path) >= RESTORE_VERSION:
            return _plan_restore(path, user_id, checker)
        return _plan_jsonl(path, user_id, checker)
    from .formats import load_locomo, load_longmemeval

    dataset = load_locomo(path) if fmt == "locomo" else load_longmemeval(path)
    return _plan_dataset(dataset, user_id, checker)


def _execute(memory: Memory, plan: list[_Planned], report: ImportReport,
             progress: Progress | None) -> None:
    total, done = sum(w.size for w in plan), 0
    before = memory.stats().records
    users: dict[str, None] = {}
    if progress:
        progress(0, total)
    for batch in _batches(plan):
        first = batch[0]
        if isinstance(first, _Restore):
            memory.add_exported([row.item for row in first.rows], session=first.session)
            report.sessions += first.session is not None
        elif first.turns is not None:  # consecutive sessions: each user's written as
            # add_session writes them, embedded together (a bulk import's main cost)
            for (user, agent), run in _by_user(batch):
                memory.add_sessions([{"turns": w.turns or [], **_session_args(w.args)}
                                     for w in run], user_id=user, agent_id=agent)
            report.sessions += len(batch)
        else:  # consecutive stand-alone records of one scope: embedded together
            memory.add_many([_memory_item(w.args) for w in batch if isinstance(w, _Write)],
                            user_id=first.user_id, **_scope_args(first.args))
        done += sum(w.size for w in batch)
        users.update(dict.fromkeys(w.user_id for w in batch))
        if progress:
            progress(done, total)
    report.records = done
    report.created = memory.stats().records - before
    report.users = sorted(users)


_BATCH = 64


def _scope_args(args: dict[str, Any]) -> dict[str, Any]:
    return {"agent_id": args.get("agent_id"), "session_id": args.get("session_id"),
            "kind": args.get("kind", "memory")}


def _session_args(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args.get(k) for k in ("session_id", "started_at", "metadata")}


def _by_user(batch: list[_Planned]) -> list[tuple[tuple[str, str | None], list[_Write]]]:
    """Consecutive runs of one user's (and agent's) sessions: one add_sessions call each."""
    runs: list[tuple[tuple[str, str | None], list[_Write]]] = []
    for w in batch:
        if not isinstance(w, _Write):
            continue
        key = (w.user_id, w.args.get("agent_id"))
        if runs and runs[-1][0] == key:
            runs[-1][1].append(w)
        else:
            runs.append((key, [w]))
    return runs


def _memory_item(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args.get(k) for k in ("text", "timestamp", "metadata", "importance")}


def _batches(plan: list[_Planned]) -> Iterator[list[_Planned]]:
    """Runs of sessions, and runs of stand-alone records of one scope, together (a
    restore is planned in batches already)."""
    batch: list[_Planned] = []
    for write in plan:
        head = batch[0] if batch else None
        sessions = (isinstance(write, _Write) and isinstance(head, _Write)
                    and write.turns is not None and head.turns is not None)
        joins = sessions or (isinstance(write, _Write) and isinstance(head, _Write)
                             and write.turns is None and head.turns is None
                             and (write.user_id, _scope_args(write.args))
                             == (head.user_id, _scope_args(head.args)))
        joins = joins and len(batch) < _BATCH
        if batch and not joins:
            yield batch
            batch = []
        batch.append(write)
    if batch:
        yield batch


# ---------------------------------------------------------------------- JSONL
#: the export format version from which a file is restored rather than replayed
RESTORE_VERSION = 2


@dataclass(slots=True)
class _Row:
    line: int
    item: ExportedRecord

    @property
    def record(self) -> Record:
        return self.item.record


@dataclass(slots=True)
class _Restore:
    """One planned :meth:`Memory.add_exported` call: a session (its turns in order, maybe
    none) or a batch of one user's stand-alone records."""

    user_id: str
    rows: list[_Row]
    session: Session | None = None

    @property
    def size(self) -> int:
        return len(self.rows)


_Planned = _Write | _Restore
_SessionKey = tuple[str, str]


def _read_export(path: str, checker: _Checker
                 ) -> tuple[dict[_SessionKey, Session], list[_Row]]:
    """The file's sessions by (user, session id), and its good record lines."""
    from .formats import read_jsonl_lines

    sessions: dict[_SessionKey, Session] = {}
    rows: list[_Row] = []
    # A bad line comes as its error, not raised, so that skip_bad can go on; a bad or
    # missing header still raises (then the file is not an export at all).
    for line, item in read_jsonl_lines(path):
        if isinstance(item, ImportFormatError):
            checker.reject(item)
        elif isinstance(item, Session):
            sessions[(item.user_id, item.session_id)] = item
        elif _checked_export(item, line, checker):
            rows.append(_Row(line, item))
    return sessions, rows


def _split_turns(rows: list[_Row], sessions: Mapping[_SessionKey, Session] | None = None
                 ) -> tuple[dict[_SessionKey, list[_Row]], list[_Row]]:
    """Turns by (user, session), in position order (a turn without one keeps its place
    in the file) — only those of ``sessions`` when given; and the other records, in file
    order."""
    turns: dict[_SessionKey, list[_Row]] = {}
    loose: list[_Row] = []
    for row in rows:
        r = row.record
        key = (r.user_id, r.session_id or "")
        if r.kind == "turn" and r.session_id is not None and (sessions is None
                                                              or key in sessions):
            turns.setdefault(key, []).append(row)
        else:
            loose.append(row)
    for group in turns.values():
        group.sort(key=lambda t: (t.record.position is None, t.record.position or 0, t.line))
    return turns, loose


def _plan_jsonl(path: str, user_id: str | None, checker: _Checker) -> list[_Planned]:
    sessions, rows = _read_export(path, checker)
    turns, loose = _split_turns(rows)
    plan = [_session_write(group, sessions.get(key), user_id) for key, group in turns.items()]
    # Sessions first, in the order they started: an import replays history in order.
    plan.sort(key=lambda w: _sort_time(w.args["started_at"]))
    return [*plan, *(_record_write(row.record, user_id) for row in loose)]


def _checked_export(item: ExportedRecord, line: int, checker: _Checker) -> bool:
    if not _checked_record(item.record, line, checker):
        return False
    for i, version in enumerate(item.history):
        problem = checker.problem(version.text, {})
        if problem is not None:
            checker.reject(ImportFormatError(f"record {item.record.id}: {problem[1]}",
                                             path=checker.path, line=line,
                                             field=f"history[{i}].text"))
            return False
    return True


def _checked_record(record: Record, line: int, checker: _Checker) -> bool:
    problem = checker.problem(record.text, record.metadata, record.importance)
    if problem is not None:
        name, reason = problem
        checker.reject(ImportFormatError(f"record {record.id}: {reason}", path=checker.path,
                                         line=line, field=name))
    return problem is None


def _record_write(r: Record, user_id: str | None) -> _Write:
    return _Write(user_id or r.user_id, {
        "text": r.text, "agent_id": r.agent_id, "session_id": r.session_id,
        "timestamp": r.timestamp, "metadata": r.metadata, "importance": r.importance,
        "kind": r.kind})


def _session_write(rows: list[_Row], session: Session | None, user_id: str | None) -> _Write:
    first = rows[0].record
    turns = [Turn(text=t.record.text, speaker=t.record.speaker or "user",
                  timestamp=t.record.timestamp, role=t.record.role,
                  metadata=dict(t.record.metadata)) for t in rows]
    started = session.started_at if session and session.started_at else first.timestamp
    return _Write(user_id or first.user_id, {
        "session_id": first.session_id,
        "agent_id": session.agent_id if session else first.agent_id,
        "started_at": started, "metadata": session.metadata if session else None}, turns)


def _sort_time(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("inf")


# -------------------------------------------------------------- JSONL restore
def _plan_restore(path: str, user_id: str | None, checker: _Checker) -> list[_Planned]:
    sessions, rows = _read_export(path, checker)
    # A turn without its session line was added alone (``add(kind="turn")``), and is
    # restored alone: a session is created only where the file has one.
    turns, loose = _split_turns(rows, sessions)
    plan = [_Restore(key[0], turns.get(key, []), s) for key, s in sessions.items()]
    plan.sort(key=lambda w: _sort_time(w.session.started_at if w.session else None))
    for user, run in groupby(loose, key=lambda row: row.record.user_id):
        batch = list(run)
        plan += [_Restore(user, batch[i:i + _BATCH]) for i in range(0, len(batch), _BATCH)]
    if user_id is not None:
        plan = _rehomed(plan, user_id)
    for write in plan:  # after the move: what is written is the moved record
        write.rows = [row for row in write.rows if checker.restorable(row)]
    return list(plan)  # list[_Restore] -> list[_Planned]


def _moved_id(record_id: str, user_id: str) -> str:
    """A record's id under another user: the time part kept (ids stay time-ordered), the
    rest derived from the old id and the user, so the same import gives the same ids."""
    digest = hashlib.sha256(f"{user_id}\x00{record_id}".encode()).hexdigest()
    return record_id[:12] + digest[:12]


#: the longest id of a user, agent or session (``Scope``)
_MAX_SCOPE_ID = 200


def _moved_session(session_id: str, old_user: str, user_id: str) -> str:
    """A session's id under ``user_id``: prefixed with its old user, so that two users'
    "s1" stay two sessions. Too long for an id, it is cut and ends in a digest of the
    whole, so that two long ids cut alike still differ."""
    if old_user == user_id:
        return session_id
    moved = f"{old_user}:{session_id}"
    if len(moved) <= _MAX_SCOPE_ID:
        return moved
    digest = hashlib.sha256(moved.encode()).hexdigest()[:16]
    return f"{moved[:_MAX_SCOPE_ID - len(digest) - 1]}~{digest}"


def _rehomed(plan: list[_Restore], user_id: str) -> list[_Restore]:
    """Everything moved to ``user_id``: moved records get new ids and session ids, and
    every reference to them (``superseded_by``, links) follows."""
    ids = {row.record.id: _moved_id(row.record.id, user_id)
           for write in plan for row in write.rows if row.record.user_id != user_id}

    def moved(row: _Row) -> _Row:
        r, new_id = row.record, ids.get(row.record.id, row.record.id)
        session = (None if r.session_id is None
                   else _moved_session(r.session_id, r.user_id, user_id))
        digest = r.content_hash
        if r.kind == "turn" and session != r.session_id:  # a turn's hash names its session
            digest = content_hash(r.kind, r.text, session_id=session, position=r.position,
                                  speaker=r.speaker)
        record = replace(r, id=new_id, user_id=user_id, session_id=session, content_hash=digest,
                         superseded_by=ids.get(r.superseded_by or "", r.superseded_by))
        return _Row(row.line, replace(  # replace: what else the item carries comes along
            row.item, record=record,
            history=[replace(v, record_id=new_id) for v in row.item.history],
            links=[replace(k, dst_id=ids.get(k.dst_id, k.dst_id)) for k in row.item.links]))

    def moved_session(s: Session) -> Session:
        return replace(s, user_id=user_id,
                       session_id=_moved_session(s.session_id, s.user_id, user_id))

    return [_Restore(user_id, [moved(row) for row in w.rows],
                     moved_session(w.session) if w.session else None) for w in plan]


#: what makes a stored record "the same" as one to import: the rest (strength,
#: archiving, validity, metadata) is state that may have moved on since the export
_IDENTITY = ("kind", "user_id", "agent_id", "session_id", "speaker", "role", "position",
             "text", "version")

_Conflict = tuple[_Row, str]


def _differ(a: Record, b: Record) -> str:
    """The identity fields in which two records differ, "" for the same record."""
    differ = [f for f in _IDENTITY if getattr(a, f) != getattr(b, f)]
    # The store finds an already stored record by its content hash, so under one id a
    # hash of its own (a hand-edited file) would fail the write too. It follows from the
    # fields above, so it is named only when it alone differs.
    if not differ and a.content_hash != b.content_hash:
        differ = ["content_hash"]
    return ", ".join(differ)


def _drop_conflicts(memory: Memory, plan: list[_Planned], checker: _Checker) -> None:
    """Find records to restore whose id holds a different stored record, or that the
    file gives to two different records, before anything is written: raise
    :class:`ImportConflictError`, or with ``skip_bad`` list and drop them. The same
    record already stored (or repeated) is left to the store (it is skipped there)."""
    first, repeats = _first_rows(plan)
    stored = _stored_conflicts(memory, first)
    conflicts = sorted(repeats + stored, key=lambda c: c[0].line)
    messages = [f"{checker.path}:{row.line}: record {row.record.id}: {reason}"
                for row, reason in conflicts]
    if messages and not checker.skip_bad:
        raise ImportConflictError(messages)
    checker.skipped.extend(messages)
    # a stored clash drops every row of that id; a repeat drops only itself, not the first
    ids, lines = {row.record.id for row, _ in stored}, {row.line for row, _ in repeats}
    for write in plan:
        if isinstance(write, _Restore) and conflicts:
            write.rows = [row for row in write.rows
                          if row.record.id not in ids and row.line not in lines]
    plan[:] = [w for w in plan if not isinstance(w, _Restore) or w.rows or w.session]


def _first_rows(plan: list[_Planned]) -> tuple[dict[str, _Row], list[_Conflict]]:
    """The first row of each id to restore (in file order), and the later rows that give
    that id to a different record: the store would refuse them halfway through."""
    rows = sorted((row for w in plan if isinstance(w, _Restore) for row in w.rows),
                  key=lambda row: row.line)
    first: dict[str, _Row] = {}
    repeats: list[_Conflict] = []
    for row in rows:
        earlier = first.setdefault(row.record.id, row)
        differ = _differ(earlier.record, row.record) if earlier is not row else ""
        if differ:
            repeats.append((row, f"line {earlier.line} has this id, with other {differ}"))
    return first, repeats


def _stored_conflicts(memory: Memory, rows: Mapping[str, _Row]) -> list[_Conflict]:
    """Rows whose id holds a different stored record, of their user or any other."""
    mine: dict[str, list[str]] = {}
    for record_id, row in rows.items():
        mine.setdefault(row.record.user_id, []).append(record_id)
    out: list[_Conflict] = []
    found: set[str] = set()
    for user, ids in mine.items():
        for stored in memory.store.get(Scope(user), ids):
            found.add(stored.id)
            differ = _differ(stored, rows[stored.id].record)
            if differ:
                out.append((rows[stored.id], f"{differ} differ from the stored record's"))
    # An id is unique in the whole database, so one that another user holds clashes as
    # surely. Only ids not found above can be such; the message does not say whose it is
    # (that is not the importer's to know), nor how that record differs.
    others = [record_id for record_id in rows if record_id not in found]
    out += [(rows[record_id], "a different stored record has this id")
            for record_id in sorted(memory.store.taken(others))]
    return out


# ------------------------------------------------------------ LoCoMo / LME
def _plan_dataset(dataset: Dataset, user_id: str | None, checker: _Checker) -> list[_Planned]:
    plan: list[_Planned] = []
    for conv in dataset.conversations:
        for session in conv.sessions:
            turns = [t for i, t in enumerate(session.turns)
                     if _checked_turn(t, f"conversation {conv.conv_id!r} {session.session_id} "
                                         f"turn {i}", checker)]
            if not turns:
                continue
            # Forced into one user, two conversations' "session_1" must not merge.
            sid = session.session_id if user_id is None else f"{conv.conv_id}:{session.session_id}"
            plan.append(_Write(user_id or conv.conv_id, {
                "session_id": sid, "started_at": session.started_at,
                "metadata": {"source": dataset.name, "conversation": conv.conv_id}}, turns))
    return plan


def _checked_turn(turn: Turn, label: str, checker: _Checker) -> bool:
    problem = checker.problem(turn.text, turn.metadata)
    if problem is not None:
        name, reason = problem
        checker.reject(ImportFormatError(f"{label}: {reason}", path=checker.path, field=name))
    return problem is None
