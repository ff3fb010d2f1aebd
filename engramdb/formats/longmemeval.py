"""Loader for LongMemEval (Wu et al., ICLR 2025, "LongMemEval: Benchmarking Chat
Assistants on Long-Term Interactive Memory"; xiaowu0162/LongMemEval, files
``longmemeval_s.json``, ``longmemeval_m.json``, ``longmemeval_oracle.json``).

The file is a JSON list of instances, each one question with its own haystack::

    {"question_id": "e47becba", "question_type": "single-session-user",
     "question": ..., "answer": ..., "question_date": "2023/05/30 (Tue) 23:40",
     "haystack_session_ids": [...], "haystack_dates": [...],
     "haystack_sessions": [[{"role": "user", "content": ..., "has_answer": true}, ...], ...],
     "answer_session_ids": [...]}

A ``question_id`` ending in ``_abs`` is an abstention question: the haystack
does not hold the answer.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from .._models import Turn
from ._read import MISSING, Item, expect_list, read_json
from ._types import Conversation, ConvSession, Dataset, Question

__all__ = ["load_longmemeval", "parse_longmemeval_date"]

_DATE = re.compile(r"\s*(\d{4})/(\d{1,2})/(\d{1,2})(?:\s*\([A-Za-z]{2,9}\))?"
                   r"(?:\s+(\d{1,2}):(\d{2}))?\s*")


def parse_longmemeval_date(text: str) -> datetime:
    """``"2023/05/20 (Sat) 02:21"`` -> 2023-05-20 02:21 UTC.

    The weekday in brackets is optional and not checked; a date without a time
    is midnight. The dataset gives no time zone; times are taken as UTC.
    Raises ``ValueError``.
    """
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a LongMemEval date like '2023/05/20 (Sat) 02:21': {text!r}")
    year, month, day, hour, minute = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)
    except ValueError as exc:
        raise ValueError(f"{exc}: {text!r}") from None


def _date(value: Any, item: Item, field: str) -> datetime:
    text = item.check(value, str, field)  # outside the try: ImportFormatError is a ValueError
    try:
        return parse_longmemeval_date(text)
    except ValueError as exc:
        raise item.error(field, str(exc)) from None


def _session(raw: Any, session_id: Any, date: Any, item: Item, j: int) -> ConvSession:
    sid = item.check(session_id, str, f"haystack_session_ids[{j}]")
    start = _date(date, item, f"haystack_dates[{j}]")
    turns = []
    for i, value in enumerate(item.check(raw, list, f"haystack_sessions[{j}]")):
        field = f"haystack_sessions[{j}][{i}]"
        turn = item.obj(value, field)
        role = item.get(turn, "role", str, f"{field}.role")
        has_answer = item.get(turn, "has_answer", bool, f"{field}.has_answer", optional=True)
        turns.append(Turn(
            text=item.get(turn, "content", str, f"{field}.content"),
            speaker=role, role=role, timestamp=start + timedelta(seconds=i),
            metadata={"turn_id": f"{sid}:{i + 1}", "has_answer": bool(has_answer)}))
    return ConvSession(sid, start, turns)


def _instance(raw: Any, index: int, path: str) -> Conversation:
    item = Item(path, f"item {index}")
    inst = item.obj(raw, None)
    qid = item.get(inst, "question_id", str)
    item = Item(path, f"item {index} (question_id {qid!r})")
    ids = item.get(inst, "haystack_session_ids", list)
    dates = item.get(inst, "haystack_dates", list)
    raws = item.get(inst, "haystack_sessions", list)
    if not len(ids) == len(dates) == len(raws):
        raise item.error("haystack_sessions", "haystack_session_ids, haystack_dates and "
                         f"haystack_sessions differ in length ({len(ids)}, {len(dates)}, "
                         f"{len(raws)})")
    sessions = [_session(r, s, d, item, j)
                for j, (r, s, d) in enumerate(zip(raws, ids, dates, strict=True))]
    known = {s.session_id for s in sessions}
    wanted = [item.check(s, str, f"answer_session_ids[{j}]")
              for j, s in enumerate(item.get(inst, "answer_session_ids", list))]
    evidence_sessions = tuple(dict.fromkeys(s for s in wanted if s in known))
    question = Question(
        qid=qid,
        question=item.get(inst, "question", str),
        answer=item.answer(inst, "answer", "answer"),
        category=item.get(inst, "question_type", str),
        evidence_turns=tuple(t.metadata["turn_id"] for s in sessions for t in s.turns
                             if t.metadata["has_answer"]),
        evidence_sessions=evidence_sessions,
        question_date=_date(inst.get("question_date", MISSING), item, "question_date"),
        abstention=qid.endswith("_abs"),
    )
    skipped = sum(1 for s in wanted if s not in known)
    return Conversation(qid, ("user", "assistant"), sessions, [question], skipped)


def load_longmemeval(path: str | os.PathLike[str]) -> Dataset:
    """Load a LongMemEval JSON file; each instance becomes one :class:`Conversation`
    (``conv_id`` = ``question_id``) holding one :class:`Question`.

    Sessions keep their ``haystack_session_ids`` and start at their
    ``haystack_dates``; each turn is a :class:`~engramdb.Turn` with ``speaker`` and
    ``role`` = the source's ``role``, ``timestamp`` = session start + *i* seconds,
    and ``metadata`` ``{"turn_id": "<session_id>:<i>", "has_answer": bool}`` where
    ``i`` counts from 1 over all turns of the session (user and assistant), as
    LongMemEval's own corpus ids ``<session_id>_<i>`` do.

    The question's ``category`` is ``question_type``; ``evidence_sessions`` are the
    ``answer_session_ids`` found in the haystack (others are skipped and counted in
    ``skipped_evidence``); ``evidence_turns`` are the ids of turns marked
    ``has_answer`` (in either role: LongMemEval's turn-level retrieval scores user
    turns only, so restrict to those when reproducing it).

    Raises :class:`~engramdb.ImportFormatError` naming file, item and field.
    """
    where = os.fspath(path)
    data = expect_list(read_json(where), where, "LongMemEval instances")
    return Dataset("longmemeval", where, [_instance(raw, i, where) for i, raw in enumerate(data)])
