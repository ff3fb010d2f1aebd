"""The data model: typed records in, typed results out.

A *turn* is one message of a *session*; a stand-alone *memory* (a fact or note
added directly) is the same kind of record without a session. Every record is
owned by a :class:`Scope`. Raw turns are the stored values; later layers index
them under expanded *keys* (facts, keyphrases, resolved dates) that point back
to the record — the key/value design LongMemEval found best.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Mapping, get_args

from ._errors import (
    EmptyTextError,
    EngramError,
    InvalidIdError,
    InvalidInputError,
    MissingScopeError,
)

__all__ = [
    "Scope", "Turn", "Session", "Record", "Version", "Hit", "Filters", "Stats", "RecordKind",
    "AuditEntry", "Link", "ExportedRecord",
    "utcnow", "to_utc", "content_hash", "new_id", "check_id",
]

RecordKind = Literal["turn", "memory", "summary", "profile", "document", "fact"]

# full match (``$`` would let a trailing newline through: "alice\n" as a second alice);
# no control characters (C0, DEL, C1), line separators or lone surrogates
_SCOPE_PART = re.compile(r"[^\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]{1,200}")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters: a message
    must not echo a whole oversized input back."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[:limit] + "…")
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def to_utc(value: datetime | str | float | int | None) -> datetime | None:
    """Normalise a timestamp to an aware UTC datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    given = value
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(float(value), timezone.utc)
        if isinstance(value, str):
            text = value.strip().replace("Z", "+00:00")
            try:
                value = datetime.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"not an ISO-8601 timestamp: {shown(value)}") from exc
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    except (OverflowError, OSError) as exc:  # e.g. year 1 at +05:00 is before year 1 UTC
        raise ValueError(f"timestamp out of range: {shown(given)}") from exc


@dataclass(frozen=True, slots=True)
class Scope:
    """Who owns a record. ``user_id`` is required: no read or write happens without it."""

    user_id: str
    agent_id: str | None = None
    session_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.user_id, str) or not self.user_id.strip():
            raise MissingScopeError("user_id is required and must be a non-empty string")
        for name in ("user_id", "agent_id", "session_id"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str)
                                      or not _SCOPE_PART.fullmatch(value)):
                raise MissingScopeError(f"{name} must be 1-200 printable characters (no "
                                        f"control characters): {shown(value)}")


@dataclass(slots=True)
class Turn:
    """One message of a conversation, as given to :meth:`Memory.add_session`."""

    text: str
    speaker: str = "user"
    timestamp: datetime | None = None
    role: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def coerce(cls, value: "Turn | Mapping[str, Any]") -> "Turn":
        """Accept a Turn, or a dict in our shape or the OpenAI chat shape (role/content)."""
        if isinstance(value, Turn):
            return value
        data = dict(value)
        text = data.pop("text", None)
        if text is None:
            text = data.pop("content", None)
        role = data.pop("role", None)
        speaker = data.pop("speaker", None) or role or "user"
        ts = to_utc(data.pop("timestamp", None))
        meta = dict(data.pop("metadata", None) or {})
        meta.update(data)  # anything else (dia_id, img caption...) is kept, never dropped
        return cls(text=text if isinstance(text, str) else "", speaker=str(speaker),
                   timestamp=ts, role=role, metadata=meta)


@dataclass(frozen=True, slots=True)
class Session:
    session_id: str
    user_id: str
    agent_id: str | None
    started_at: datetime | None
    participants: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    turn_count: int = 0


@dataclass(slots=True)
class Record:
    """A stored memory: a conversation turn or a stand-alone fact/note."""

    id: str
    kind: RecordKind
    text: str
    user_id: str
    agent_id: str | None = None
    session_id: str | None = None
    speaker: str | None = None
    role: str | None = None
    position: int | None = None
    timestamp: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    version: int = 1
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    superseded_by: str | None = None
    importance: float = 0.5
    strength: float = 1.0
    last_recalled_at: datetime | None = None
    archived: bool = False

    @property
    def scope(self) -> Scope:
        return Scope(self.user_id, self.agent_id, self.session_id)

    @property
    def superseded(self) -> bool:
        """True once a later record replaced this one (its validity has ended)."""
        return self.valid_to is not None and self.valid_to <= utcnow()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out


@dataclass(frozen=True, slots=True)
class Version:
    """One entry of a record's history."""

    record_id: str
    version: int
    text: str
    changed_at: datetime
    op: str  # "add" | "update" | "supersede" | ...
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A typed edge from one record to another: ``derived_from`` (a summary or profile to
    a record it was built from), ``supersedes`` (a newer fact to the one it closed)."""

    kind: str
    dst_id: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Interval:
    """A span of valid time a record had and lost: [valid_from, valid_to)."""

    valid_from: datetime
    valid_to: datetime


@dataclass(slots=True)
class ExportedRecord:
    """A record with what a lossless export carries beside its fields (see
    :mod:`engramdb.formats.jsonl`): its edit history and its outgoing links.

    ``history`` is empty for a record that never changed (its one version is the
    record itself), else every version, oldest first.
    """

    record: Record
    history: list[Version] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    #: earlier validity intervals of a fact that was superseded and later stated again
    past_validity: list[Interval] = field(default_factory=list)


@dataclass(slots=True)
class Hit:
    """A search result: the record, its fused score and the signals that matched."""

    record: Record
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)
    context: list[Record] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    #: calibrated P(this hit answers the query), in [0, 1] (engramdb.recall.confidence)
    confidence: float = 0.0
    #: the raw features the confidence was computed from (cosine, coverage, ...)
    features: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def text(self) -> str:
        return self.record.text

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record.to_dict(), "score": self.score, "signals": self.signals,
                "ranks": self.ranks, "keys": self.keys, "confidence": self.confidence,
                "features": self.features, "context": [r.to_dict() for r in self.context]}


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrowing a search or listing inside a user's scope."""

    agent_id: str | None = None
    session_id: str | None = None
    kinds: tuple[str, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None
    metadata: Mapping[str, Any] | None = None
    speaker: str | None = None
    speaker_keeps_facts: bool = False  # with speaker: also records that have no speaker
    include_archived: bool = False  # True: every record, archived and superseded alike
    #: False: records whose validity ended (``valid_to`` <= now) are left out, except
    #: conversation turns, which are a log of what was said (ranked lower, never hidden)
    include_superseded: bool = False
    #: what was true then: valid_from <= as_of < valid_to (valid time, not insertion time)
    as_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One lifecycle action on a user's memory: supersede, archive, delete, update..."""

    at: datetime
    action: str
    record_id: str | None
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "action": self.action, "record_id": self.record_id,
                "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Stats:
    path: str
    users: int
    sessions: int
    records: int
    turns: int
    memories: int
    vectors: int
    size_bytes: int
    schema_version: int
    embedder: str | None
    nlp: str | None = None  # the language analyser ingest uses (text.nlp): spacy:... or rules


_WS = re.compile(r"\s+")


def content_hash(kind: str, text: str, *, session_id: str | None = None,
                 position: int | None = None, speaker: str | None = None) -> str:
    """Hash that makes the same content in the same scope a duplicate.

    Whitespace and case are normalised for stand-alone memories; turns also
    hash their session and position, so that "ok" said twice is two turns.
    """
    norm = _WS.sub(" ", text.strip()).lower()
    parts = [kind, norm] if kind != "turn" else [kind, session_id or "", str(position), speaker or "", norm]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def check_text(text: object, *, what: str = "text", limit: int = 100_000) -> str:
    from ._errors import PayloadTooLargeError

    if not isinstance(text, str) or not text.strip() or not _visible(text):
        raise EmptyTextError(f"{what} must be a non-empty string")
    if len(text) > limit:
        raise PayloadTooLargeError(f"{what} has {len(text)} characters; the limit is {limit}")
    if not _encodable(text):
        raise InvalidInputError(f"{what} is not valid Unicode: it holds a lone surrogate "
                                "(often bytes that are not UTF-8)")
    return text


# Zero-width and other format characters (Unicode category Cf) print as nothing.
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\u061c]+")


def _visible(text: str) -> bool:
    """False for text made only of whitespace and zero-width characters."""
    return bool(_INVISIBLE.sub("", text))


def _encodable(text: str) -> bool:
    """False for text UTF-8 cannot store: lone surrogates, e.g. from undecodable argv bytes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_ID = re.compile(r"[0-9a-f]{24}")  # used with fullmatch: no trailing newline


def new_id() -> str:
    """A 24-hex-digit id, time-ordered (48-bit ms clock + 48 random bits)."""
    import os
    import time

    return f"{int(time.time() * 1000):012x}{os.urandom(6).hex()}"


RECORD_KINDS: tuple[str, ...] = get_args(RecordKind)


def check_kind(kind: object) -> str:
    if kind not in RECORD_KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(RECORD_KINDS)}, "
                                f"not {shown(kind)}")
    return kind  # type: ignore[return-value]


def identity_error(record: Record) -> tuple[str, EngramError] | None:
    """(field, error) for the first part of a record's identity the store refuses — an
    owner id (user, agent, session), the kind or the record id — or None."""
    for name in ("user_id", "agent_id", "session_id"):  # one at a time: to name the field
        try:
            Scope(**{"user_id": "-", name: getattr(record, name)})
        except EngramError as exc:
            return name, exc
    for name, check in (("kind", check_kind), ("id", check_id)):
        try:
            check(getattr(record, name))
        except EngramError as exc:
            return name, exc
    return None


def check_id(value: object) -> str:
    """The id in canonical (lower-case) form; ids copied in upper case are accepted."""
    if not isinstance(value, str) or not _ID.fullmatch(value.lower()):
        raise InvalidIdError(f"not an engramdb id (24 hex digits): {shown(value)}")
    return value.lower()
