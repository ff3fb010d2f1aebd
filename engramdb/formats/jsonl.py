"""engramdb's own interchange format, written by ``engram export`` and read by
``engram import``: JSON Lines (https://jsonlines.org), UTF-8, one object a line.

Line 1 is the header ``{"type": "engramdb-export", "version": 2}``; then
``{"type": "session", "user_id", "agent_id", "session_id", "started_at",
"participants", "metadata"}`` lines and ``{"type": "record", ...}`` lines
carrying every field of :meth:`engramdb.Record.to_dict` (timestamps as ISO 8601)
and, since version 2, what else makes the memory whole (``ExportedRecord``):

* ``history``: every version of a record that was changed, oldest first, as
  ``{"version", "text", "changed_at", "op", "reason"}`` (absent: one version,
  the record itself);
* ``links``: the record's outgoing links, ``{"kind", "to", "weight"}``
  (``derived_from`` from a summary to its sources, ``supersedes`` from a newer
  fact to the one it closed);
* ``past_validity``: earlier ``{"from", "to"}`` intervals of valid time of a fact
  that was superseded and later stated again (absent: none).

The version tells an importer what the file is: a version-2 file is a snapshot,
restored as it was (ids, history, validity, archived state, links); a version-1
file (older engramdb, or written by hand) is a list of things to add. Vectors and
index keys are never exported: they depend on the embedder and are rebuilt from
the text.

Reading validates each line; a record needs only ``text`` and ``user_id``
(``id`` is generated, ``kind`` defaults to ``"memory"``, ``content_hash`` is
computed), so hand-written files import too. Keys the reader does not know
are ignored. Blank lines are skipped.
"""

from __future__ import annotations

import json
import math
import os
from datetime import datetime
from typing import Any, Iterable, Iterator, Mapping, Protocol

from .._validate import loads_json
from .._errors import EngramError, ImportFormatError, InvalidInputError
from .._models import (
    RECORD_KINDS,
    ExportedRecord,
    Interval,
    Link,
    Record,
    RecordKind,
    Scope,
    Session,
    Version,
    check_id,
    content_hash,
    new_id,
    to_utc,
)
from ._read import Item, json_problem, json_type

__all__ = ["write_jsonl", "read_jsonl", "read_jsonl_lines", "jsonl_version", "FORMAT_VERSION",
           "HEADER_TYPE"]

#: value of ``type`` in the header line
HEADER_TYPE = "engramdb-export"
#: the format version this engramdb writes and the newest it reads
FORMAT_VERSION = 2

_TIMES = ("timestamp", "created_at", "updated_at", "valid_from", "valid_to", "last_recalled_at")
_OPTIONAL_STR = ("agent_id", "session_id", "speaker", "role")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _dumps(obj: Mapping[str, Any], what: str) -> str:
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} cannot be written as JSON: {exc}") from exc


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _session_line(s: Session) -> dict[str, Any]:
    return {"type": "session", "user_id": s.user_id, "agent_id": s.agent_id,
            "session_id": s.session_id, "started_at": _iso(s.started_at),
            "participants": list(s.participants), "metadata": s.metadata}


def _record_line(item: ExportedRecord) -> dict[str, Any]:
    line = {"type": "record", **item.record.to_dict()}
    if item.history:
        line["history"] = [{"version": v.version, "text": v.text, "changed_at": _iso(v.changed_at),
                            "op": v.op, "reason": v.reason} for v in item.history]
    if item.links:
        line["links"] = [{"kind": k.kind, "to": k.dst_id, "weight": k.weight}
                         for k in item.links]
    if item.past_validity:
        line["past_validity"] = [{"from": _iso(i.valid_from), "to": _iso(i.valid_to)}
                                 for i in item.past_validity]
    return line


def write_jsonl(fp: _Writable, sessions: Iterable[Session],
                records: Iterable[ExportedRecord | Record]) -> int:
    """Write the header, then every session, then every record (with its history and
    links when given as :class:`ExportedRecord`), one JSON object a line, to the text
    file ``fp`` (open it with ``encoding="utf-8"``). Returns the lines written.

    Raises :class:`~engramdb.InvalidInputError` if a metadata value is not JSON
    (or is NaN/infinite), or if ``fp`` is not a text file open for writing.
    """
    _check_writable(fp)
    fp.write(_dumps({"type": HEADER_TYPE, "version": FORMAT_VERSION}, "header") + "\n")
    lines = 1
    for session in sessions:
        fp.write(_dumps(_session_line(session), f"session {session.session_id!r}") + "\n")
        lines += 1
    for item in records:
        item = item if isinstance(item, ExportedRecord) else ExportedRecord(item)
        fp.write(_dumps(_record_line(item), f"record {item.record.id}") + "\n")
        lines += 1
    return lines


def _check_writable(fp: Any) -> None:
    """A write of nothing finds a file that is binary, read-only or closed (or no file)
    before a line is written."""
    try:
        fp.write("")
    except (AttributeError, TypeError, ValueError, OSError) as exc:  # io.UnsupportedOperation
        raise InvalidInputError(f"export needs a text file open for writing, not "
                                f"{type(fp).__name__}: {exc}") from None


def _time(obj: Mapping[str, Any], key: str, item: Item,
          field: str | None = None) -> datetime | None:
    value = item.get(obj, key, str, field, optional=True)
    try:
        return to_utc(value)
    except ValueError as exc:
        raise item.error(field or key, str(exc)) from None


def _number(obj: Mapping[str, Any], key: str, default: float, item: Item,
            field: str | None = None) -> float:
    value = item.get(obj, key, (int, float), field, optional=True)
    if value is None:
        return default
    if not math.isfinite(value):
        raise item.error(field or key, f"must be a finite number, got {value!r}")
    return float(value)


def _scope(obj: Mapping[str, Any], item: Item, *, session: bool = False) -> Scope:
    """The owner fields, each checked as :class:`Scope` checks it (``session_id`` is
    required when ``session``)."""
    parts = {"user_id": item.get(obj, "user_id", str),
             "agent_id": item.get(obj, "agent_id", str, optional=True),
             "session_id": item.get(obj, "session_id", str, optional=not session)}
    for key, value in parts.items():
        try:
            Scope(**{"user_id": "-", key: value})
        except EngramError as exc:
            raise item.error(key, str(exc)) from None
    return Scope(**parts)


def _an_id(value: str | None, field: str, item: Item) -> str | None:
    try:
        return check_id(value) if value is not None else None
    except EngramError as exc:
        raise item.error(field, str(exc)) from None


def _record(obj: Mapping[str, Any], item: Item) -> Record:
    text = item.get(obj, "text", str)
    if not text.strip():
        raise item.error("text", "must not be empty")
    scope = _scope(obj, item)
    kind: RecordKind = item.get(obj, "kind", str, optional=True) or "memory"
    if kind not in RECORD_KINDS:
        raise item.error("kind", f"must be one of {', '.join(RECORD_KINDS)}, got {kind!r}")
    speaker, role = (item.get(obj, k, str, optional=True) for k in ("speaker", "role"))
    position = item.get(obj, "position", int, optional=True)
    version = item.get(obj, "version", int, optional=True)
    version = 1 if version is None else version
    if version < 1:
        raise item.error("version", f"must be 1 or more, got {version}")
    times = {key: _time(obj, key, item) for key in _TIMES}
    digest = item.get(obj, "content_hash", str, optional=True) or content_hash(
        kind, text, session_id=scope.session_id, position=position, speaker=speaker)
    return Record(
        id=_an_id(item.get(obj, "id", str, optional=True), "id", item) or new_id(),
        kind=kind, text=text, user_id=scope.user_id, agent_id=scope.agent_id,
        session_id=scope.session_id, speaker=speaker, role=role, position=position,
        metadata=item.get(obj, "metadata", dict, optional=True) or {},
        content_hash=digest, version=version,
        superseded_by=_an_id(item.get(obj, "superseded_by", str, optional=True),
                             "superseded_by", item),
        importance=_number(obj, "importance", 0.5, item),
        strength=_number(obj, "strength", 1.0, item),
        archived=bool(item.get(obj, "archived", bool, optional=True)),
        **times,
    )


def _entries(obj: Mapping[str, Any], key: str,
             item: Item) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(``"key[i]"``, object) for each entry of an optional list of objects."""
    for i, entry in enumerate(item.get(obj, key, list, optional=True) or []):
        yield f"{key}[{i}]", item.obj(entry, f"{key}[{i}]")


def _history(obj: Mapping[str, Any], record: Record, item: Item) -> list[Version]:
    """The versions of ``history``: each checked, numbered upwards, the last one the
    record's own (a file cut or edited by hand must not leave a history that lies)."""
    out: list[Version] = []
    for where, entry in _entries(obj, "history", item):
        version = item.get(entry, "version", int, f"{where}.version")
        if version <= (out[-1].version if out else 0):
            raise item.error(f"{where}.version", "versions must be 1 or more and increasing")
        text = item.get(entry, "text", str, f"{where}.text")
        try:
            changed_at = to_utc(item.get(entry, "changed_at", str, f"{where}.changed_at"))
        except ValueError as exc:
            raise item.error(f"{where}.changed_at", str(exc)) from None
        assert changed_at is not None
        out.append(Version(record.id, version, text, changed_at,
                           item.get(entry, "op", str, f"{where}.op"),
                           item.get(entry, "reason", str, f"{where}.reason", optional=True)))
    if out and out[-1].version != record.version:
        raise item.error("history", f"the last version is {out[-1].version}, but the record "
                         f"is at version {record.version}")
    return out


def _links(obj: Mapping[str, Any], item: Item) -> list[Link]:
    out = []
    for where, entry in _entries(obj, "links", item):
        kind = item.get(entry, "kind", str, f"{where}.kind")
        if not kind.strip():
            raise item.error(f"{where}.kind", "must not be empty")
        dst = _an_id(item.get(entry, "to", str, f"{where}.to"), f"{where}.to", item)
        assert dst is not None
        out.append(Link(kind, dst, _number(entry, "weight", 1.0, item, f"{where}.weight")))
    return out


def _past_validity(obj: Mapping[str, Any], item: Item) -> list[Interval]:
    out = []
    for where, entry in _entries(obj, "past_validity", item):
        start, end = (_time(entry, key, item, f"{where}.{key}") for key in ("from", "to"))
        if start is None or end is None or start > end:
            raise item.error(where, "needs \"from\" before \"to\" (ISO 8601 timestamps)")
        if start < end:  # an empty interval (older exports wrote some) holds no time
            out.append(Interval(start, end))
    return out


def _exported(obj: Mapping[str, Any], item: Item) -> ExportedRecord:
    record = _record(obj, item)
    return ExportedRecord(record, _history(obj, record, item), _links(obj, item),
                          _past_validity(obj, item))


def _session(obj: Mapping[str, Any], item: Item) -> Session:
    scope = _scope(obj, item, session=True)
    assert scope.session_id is not None
    participants = item.get(obj, "participants", list, optional=True) or []
    for i, name in enumerate(participants):
        item.check(name, str, f"participants[{i}]")
    return Session(session_id=scope.session_id, user_id=scope.user_id, agent_id=scope.agent_id,
                   started_at=_time(obj, "started_at", item), participants=tuple(participants),
                   metadata=item.get(obj, "metadata", dict, optional=True) or {})


def _header(obj: Mapping[str, Any], item: Item) -> int:
    """The format version of a valid header line."""
    if obj.get("type") != HEADER_TYPE:
        raise item.error("type", "not an engramdb export: the first line must be "
                         f'{{"type": "{HEADER_TYPE}", "version": {FORMAT_VERSION}}}')
    version = item.get(obj, "version", int)
    if version > FORMAT_VERSION:
        raise item.error("version", f"format version {version} was written by a newer "
                         f"engramdb; this one reads up to {FORMAT_VERSION}")
    if version < 1:
        raise item.error("version", f"format version must be 1 or more, got {version}")
    return int(version)


def _parse_line(raw: bytes, path: str, line: int) -> dict[str, Any] | None:
    """One line as a JSON object, or None for a blank line."""
    try:
        text = raw.decode("utf-8-sig" if line == 1 else "utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"not UTF-8 text: undecodable byte at column {exc.start + 1}",
                                path=path, line=line) from exc
    if not text.strip():
        return None
    try:
        obj = loads_json(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(json_problem(exc, one_line=True)[0], path=path,
                                line=line) from exc
    if not isinstance(obj, dict):
        raise ImportFormatError(f"expected a JSON object, got {json_type(obj)}",
                                path=path, line=line)
    return obj


def _label(obj: Mapping[str, Any], seen_header: bool) -> str:
    """How an error message names the line's object: header, session 's1', record <id>."""
    kind = obj.get("type")
    if not seen_header:
        return "header"
    if kind == "session" and isinstance(obj.get("session_id"), str):
        return f"session {obj['session_id']!r}"
    if kind == "record" and isinstance(obj.get("id"), str):
        return f"record {obj['id']}"
    return kind if kind in ("session", "record") else "line"


def jsonl_version(path: str | os.PathLike[str]) -> int:
    """The format version in an export file's header (1 or :data:`FORMAT_VERSION`).
    Raises :class:`~engramdb.ImportFormatError` as :func:`read_jsonl` does for a bad or
    missing header."""
    where = os.fspath(path)
    with open(where, "rb") as fh:
        for line, raw in enumerate(fh, 1):
            obj = _parse_line(raw, where, line)
            if obj is not None:
                return _header(obj, Item(where, "header", line))
    raise ImportFormatError("file is empty", path=where)


def read_jsonl_lines(path: str | os.PathLike[str]
                     ) -> Iterator[tuple[int, Session | ExportedRecord | ImportFormatError]]:
    """Yield ``(line number, session or record)`` for each line of an export file, and
    ``(line number, ImportFormatError)`` for a bad line instead of raising, so an
    importer can report or skip bad lines and go on. Blank lines are skipped.

    A bad or missing header still raises: then the file is not an export at all.
    """
    where = os.fspath(path)
    seen_header = False
    with open(where, "rb") as fh:
        for line, raw in enumerate(fh, 1):
            try:
                obj = _parse_line(raw, where, line)
                if obj is None:
                    continue
                item = Item(where, _label(obj, seen_header), line)
                if not seen_header:
                    _header(obj, item)
                    seen_header = True
                elif obj.get("type") == "record":
                    yield line, _exported(obj, item)
                elif obj.get("type") == "session":
                    yield line, _session(obj, item)
                else:
                    raise item.error("type", "expected 'session' or 'record', "
                                     f"got {obj.get('type')!r}")
            except ImportFormatError as exc:
                if not seen_header:
                    raise
                yield line, exc
    if not seen_header:
        raise ImportFormatError("file is empty", path=where)


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[Session | ExportedRecord]:
    """Yield the sessions and records (each with its history and links) of an export
    file, in file order.

    Lazy: the file is read as you iterate. Each line is checked; the first
    problem raises :class:`~engramdb.ImportFormatError` naming file, line and
    field (bad JSON, missing ``text``/``user_id``, wrong types, bad
    timestamps, an unknown ``type``, a missing or newer header).
    """
    for _, value in read_jsonl_lines(path):
        if isinstance(value, ImportFormatError):
            raise value
        yield value
