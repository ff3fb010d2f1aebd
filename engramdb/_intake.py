"""Turning what a caller gives into records: checks, PII redaction, construction.

Every write path of :class:`engramdb.Memory` passes through one :class:`Intake`, so
a text, a metadata mapping or a turn is validated the same way everywhere and a bad
one is refused before anything is written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ._errors import InvalidInputError, PayloadTooLargeError
from ._models import (
    ExportedRecord,
    Record,
    Scope,
    Turn,
    check_kind,
    check_text,
    content_hash,
    identity_error,
    new_id,
    shown,
    to_utc,
    utcnow,
)
from .lifecycle.decay import importance_signal
from .store import NewRecord

__all__ = ["Intake", "bounded", "coerce_turn", "index_text", "memory_fields", "positive",
           "seconds", "when"]


@dataclass(slots=True)
class Intake:
    """The limits and redaction of one :class:`~engramdb.Memory`."""

    max_text_chars: int = 100_000
    max_metadata_bytes: int = 65_536
    #: PII kinds replaced by placeholders at ingest (engramdb.lifecycle.privacy)
    redact: tuple[str, ...] = ()

    def __post_init__(self) -> None:  # a limit of 0 refused every text, but only later
        positive("max_text_chars", self.max_text_chars)
        positive("max_metadata_bytes", self.max_metadata_bytes)

    def redacted(self, text: str, metadata: Mapping[str, Any] | None,
                 redact: bool | Sequence[str] | None) -> tuple[str, dict[str, Any] | None]:
        """Replace PII spans in text and metadata by placeholders; the spans are not kept."""
        from .lifecycle.privacy import redact as scrub
        from .lifecycle.privacy import redact_value, resolve_kinds

        kinds = self.redact if redact is None else resolve_kinds(redact)
        if not kinds:
            return text, None if metadata is None else dict(metadata)
        result = scrub(text, kinds)
        counts = dict(result.counts)
        meta = None if metadata is None else redact_value(dict(metadata), kinds, counts)
        if counts:
            meta = {**(meta or {}), "redacted": counts}
        return result.text, meta

    def redacted_turn(self, turn: Turn, redact: bool | Sequence[str] | None) -> Turn:
        if not isinstance(turn.text, str) or not turn.text.strip():
            return turn  # check_text reports it
        text, meta = self.redacted(turn.text, turn.metadata, redact)
        return Turn(text=text, speaker=turn.speaker, timestamp=turn.timestamp, role=turn.role,
                    metadata=meta or {})

    def turn_item(self, scope: Scope, i: int, turn: Turn, start: datetime,
                  first: int = 0) -> NewRecord:
        """Turn ``i`` of a batch; ``first`` is the position of the batch's first turn (a
        batch appended to a stored session continues its positions)."""
        text = check_text(turn.text, what=f"turn {i} text", limit=self.max_text_chars)
        when = turn.timestamp or start + timedelta(seconds=i)
        record = self.record(scope, text, kind="turn", timestamp=when, metadata=turn.metadata,
                             speaker=turn.speaker, role=turn.role, position=first + i)
        return NewRecord(record, index_text(record))

    def record(self, scope: Scope, text: str, *, kind: str, timestamp: datetime | None,
                    metadata: Mapping[str, Any] | None, importance: float | None = None,
                    speaker: str | None = None, role: str | None = None,
                    position: int | None = None) -> Record:
        check_kind(kind)
        now = utcnow()
        return Record(
            id=new_id(), kind=kind, text=text, user_id=scope.user_id,  # type: ignore[arg-type]
            agent_id=scope.agent_id, session_id=scope.session_id, speaker=speaker, role=role,
            position=position, timestamp=timestamp or now, created_at=now, updated_at=now,
            metadata=self.metadata(metadata),
            importance=_importance(importance) if importance is not None or kind not in (
                "turn", "memory") else importance_signal(text, speaker),
            content_hash=content_hash(kind, text, session_id=scope.session_id,
                                      position=position, speaker=speaker),
            valid_from=timestamp or now)

    def metadata(self, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        if metadata is None:
            return {}
        if not isinstance(metadata, Mapping):
            raise InvalidInputError("metadata must be a mapping")
        try:
            # allow_nan=False: NaN/Infinity are not JSON; stored, they would break
            # export and metadata filters (SQLite's json functions reject them)
            blob = json.dumps(dict(metadata), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"metadata must be JSON-serialisable: {exc}") from exc
        if len(blob) > self.max_metadata_bytes:
            raise PayloadTooLargeError(
                f"metadata is {len(blob)} bytes; the limit is {self.max_metadata_bytes}")
        return dict(metadata)

    def restored(self, item: ExportedRecord) -> NewRecord:
        r = item.record
        found = identity_error(r)
        if found is not None:
            raise found[1]
        check_text(r.text, limit=self.max_text_chars)
        self.metadata(r.metadata)
        now = utcnow()  # a hand-written record may lack what the store requires
        record = replace(r, created_at=r.created_at or now,
                         updated_at=r.updated_at or r.created_at or now)
        return NewRecord(record, index_text(record), links=list(item.links),
                         history=list(item.history), past_validity=list(item.past_validity))


def index_text(record: Record) -> str:
    """What the lexical index and the embedder see: a turn with its speaker ("Ana: ..."),
    as questions name people; any other record as it is."""
    if record.kind == "turn" and record.speaker:
        return f"{record.speaker}: {record.text}"
    return record.text


def when(value: datetime | str | float | None) -> datetime | None:
    try:
        return to_utc(value)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc


def positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{name} must be a positive integer, not {shown(value)}")


def seconds(name: str, value: float) -> float:
    """``value`` if it is a duration: a finite number, 0 or more."""
    if not 0 <= value < math.inf:  # -1 was read as 0: a caller's bug went unnoticed
        raise InvalidInputError(f"{name} must be 0 or more seconds, not {shown(value)}")
    return value


def bounded(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInputError(f"{name} must be an integer between {low} and {high}, "
                                f"not {shown(value)}")


def coerce_turn(index: int, turn: Turn | Mapping[str, Any]) -> Turn:
    """``Turn.coerce``, its ValueError (a bad timestamp) raised as an engramdb error."""
    try:
        return Turn.coerce(turn)
    except InvalidInputError:
        raise
    except ValueError as exc:
        raise InvalidInputError(f"turn {index}: {exc}") from exc


def memory_fields(item: str | Mapping[str, Any], index: int) -> dict[str, Any]:
    if isinstance(item, str):
        return {"text": item}
    if not isinstance(item, Mapping):
        raise InvalidInputError(f"item {index}: expected a text or a mapping with 'text'")
    unknown = set(item) - {"text", "timestamp", "metadata", "importance"}
    if unknown:
        raise InvalidInputError(f"item {index}: unknown fields {sorted(unknown)}")
    return {"text": item.get("text"), "timestamp": item.get("timestamp"),
            "metadata": item.get("metadata"), "importance": item.get("importance")}


def _importance(value: float | None) -> float:
    if value is None:
        return 0.5
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidInputError("importance must be between 0 and 1")
    return float(value)
