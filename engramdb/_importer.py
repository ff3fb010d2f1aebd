"""Importing files into a :class:`Memory`: engramdb's JSONL export, LoCoMo, LongMemEval.

Two phases. First the whole file is parsed and checked into a list of planned
writes; only if that succeeds is anything written, so a malformed file imports
nothing (``skip_bad`` instead lists and drops the bad lines or turns). Then the
plan is written: a session is one atomic ``add_session`` call, a stand-alone
record one ``add``. Re-importing is idempotent because the store dedupes by
content hash.

>>> from engramdb import Memory
>>> from engramdb._importer import import_file
>>> report = import_file(Memory(":memory:", embedder="fake"), "export.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._errors import ImportFormatError, InvalidInputError
from ._models import Record, Scope, Session, Turn

if TYPE_CHECKING:
    from ._memory import Memory
    from .formats import Dataset

__all__ = ["FORMATS", "ImportReport", "import_file"]

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
        if not text.strip():
            return "text", "empty text"
        if len(text) > self.max_text:
            return "text", f"text has {len(text)} characters; the limit is {self.max_text}"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # "\ud800" in a JSON file: no database can store it
            return "text", "text is not valid Unicode: it holds a lone surrogate"
        try:
            size = len(json.dumps(dict(metadata), allow_nan=False))
        except ValueError:  # NaN/Infinity: accepted by json.loads, but not JSON
            return "metadata", "metadata holds NaN or Infinity, which JSON cannot store"
        if size > self.max_metadata:
            return "metadata", f"metadata is {size} bytes; the limit is {self.max_metadata}"
        if not 0.0 <= importance <= 1.0:
            return "importance", f"importance must be between 0 and 1, got {importance}"
        return None

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
    file, line or item, and field; nothing is written then.
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
    report = ImportReport(fmt, skipped=checker.skipped)
    _execute(memory, plan, report, progress)
    return report


def _format(path: str, given: str | None) -> str:
    if given is None:
        from .formats import sniff_format

        return sniff_format(path)
    if given not in FORMATS:
        raise InvalidInputError(f"unknown import format {given!r}; choose one of {FORMATS}")
    return given


def _plan(fmt: str, path: str, user_id: str | None, checker: _Checker) -> list[_Write]:
    if fmt == "jsonl":
        return _plan_jsonl(path, user_id, checker)
    from .formats import load_locomo, load_longmemeval

    dataset = load_locomo(path) if fmt == "locomo" else load_longmemeval(path)
    return _plan_dataset(dataset, user_id, checker)


def _execute(memory: Memory, plan: list[_Write], report: ImportReport,
             progress: Progress | None) -> None:
    total, done = sum(w.size for w in plan), 0
    before = memory.stats().records
    users: dict[str, None] = {}
    if progress:
        progress(0, total)
    for batch in _batches(plan):
        first = batch[0]
        if first.turns is not None:
            memory.add_session(first.turns, user_id=first.user_id, **first.args)
            report.sessions += 1
        else:  # consecutive stand-alone records of one scope: embedded together
            memory.add_many([_memory_item(w.args) for w in batch], user_id=first.user_id,
                            **_scope_args(first.args))
        done += sum(w.size for w in batch)
        users[first.user_id] = None
        if progress:
            progress(done, total)
    report.records = done
    report.created = memory.stats().records - before
    report.users = sorted(users)


_BATCH = 64


def _scope_args(args: dict[str, Any]) -> dict[str, Any]:
    return {"agent_id": args.get("agent_id"), "session_id": args.get("session_id"),
            "kind": args.get("kind", "memory")}


def _memory_item(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args.get(k) for k in ("text", "timestamp", "metadata", "importance")}


def _batches(plan: list[_Write]) -> Iterator[list[_Write]]:
    """Sessions one at a time; runs of stand-alone records of one scope together."""
    batch: list[_Write] = []
    for write in plan:
        joins = (batch and write.turns is None and batch[0].turns is None
                 and (write.user_id, _scope_args(write.args))
                 == (batch[0].user_id, _scope_args(batch[0].args)) and len(batch) < _BATCH)
        if batch and not joins:
            yield batch
            batch = []
        batch.append(write)
    if batch:
        yield batch


# ---------------------------------------------------------------------- JSONL
@dataclass(slots=True)
class _TurnRow:
    line: int
    record: Record


def _plan_jsonl(path: str, user_id: str | None, checker: _Checker) -> list[_Write]:
    from .formats import read_jsonl_lines

    sessions: dict[tuple[str, str], Session] = {}
    turns: dict[tuple[str, str], list[_TurnRow]] = {}
    plan: list[_Write] = []
    # A bad line comes as its error, not raised, so that skip_bad can go on; a bad or
    # missing header still raises (then the file is not an export at all).
    for line, item in read_jsonl_lines(path):
        if isinstance(item, ImportFormatError):
            checker.reject(item)
        elif isinstance(item, Session):
            sessions[(item.user_id, item.session_id)] = item
        elif _checked_record(item, line, checker):
            if item.kind == "turn" and item.session_id is not None:
                turns.setdefault((item.user_id, item.session_id), []).append(_TurnRow(line, item))
            else:
                plan.append(_record_write(item, user_id))
    sessions_plan = [_session_write(rows, sessions.get(key), user_id)
                     for key, rows in turns.items()]
    # Sessions first, in the order they started: an import replays history in order.
    sessions_plan.sort(key=lambda w: _sort_time(w.args["started_at"]))
    return sessions_plan + plan


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


def _session_write(rows: list[_TurnRow], session: Session | None,
                   user_id: str | None) -> _Write:
    # Position order; a record without one keeps its place in the file.
    rows = sorted(rows, key=lambda t: (t.record.position is None, t.record.position or 0, t.line))
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


# ------------------------------------------------------------ LoCoMo / LME
def _plan_dataset(dataset: Dataset, user_id: str | None, checker: _Checker) -> list[_Write]:
    plan = []
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
