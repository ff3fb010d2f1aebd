"""The calls of the HTTP API, built once for both clients.

Each ``Memory`` method becomes a :class:`Call` (method, path, query, JSON body and a
decoder for the answer); :class:`~engramdb.client.Client` sends it with
``httpx.Client``, :class:`~engramdb.client.AsyncClient` with ``httpx.AsyncClient``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._wire import decode, decode_profile, decode_recall

__all__ = ["Call", "Calls"]


def _plain(value: Any) -> Any:
    """Arguments as JSON: datetimes in ISO-8601, Turn objects as dicts, tuples as lists."""
    from .. import Turn

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Turn):
        out = {"text": value.text, "speaker": value.speaker, "role": value.role,
               "timestamp": value.timestamp, "metadata": value.metadata}
        return {k: _plain(v) for k, v in out.items() if v is not None}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _query(**params: Any) -> dict[str, Any]:
    return {k: (str(v).lower() if isinstance(v, bool) else v)
            for k, v in params.items() if v is not None}


def _when(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _json_text(value: Mapping[str, Any] | None) -> str | None:
    """A mapping as one query parameter (the server parses it back)."""
    import json

    if value is None:
        return None
    try:
        return json.dumps(dict(value))
    except (TypeError, ValueError) as exc:
        from .._errors import InvalidInputError

        raise InvalidInputError(f"metadata must be a JSON object: {exc}") from None


@dataclass(slots=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    decode: Callable[[Any], Any] = lambda data: data


def _records(data: Any) -> Any:
    from .. import Record

    return decode(list[Record], data)


def _record(data: Any) -> Any:
    from .. import Record

    return decode(Record, data)


def _one_or_many(data: Any) -> Any:
    """``add`` of a text answers a record; of chat messages, the session's records."""
    return _records(data) if isinstance(data, list) else _record(data)


def _erasure(data: Any) -> Any:
    from ..lifecycle.erasure import Erasure

    return None if data is None else decode(Erasure, data)


def _deleted(data: Any) -> Any:
    from ..lifecycle.erasure import Deleted

    return Deleted(data["deleted"], _erasure(data.get("erasure")))


def _forgotten(data: Any) -> Any:
    from ..lifecycle.erasure import Forgotten

    return Forgotten(_records(data["records"]), _erasure(data.get("erasure")))


class Calls:
    """One method per ``Memory`` method, each returning what ``_call`` makes of a Call."""

    def _call(self, call: Call) -> Any:  # pragma: no cover - the clients define it
        raise NotImplementedError

    # ----------------------------------------------------------------- write
    def add(self, text: str | Sequence[Any], *, user_id: str, agent_id: str | None = None,
            session_id: str | None = None, timestamp: datetime | str | None = None,
            metadata: Mapping[str, Any] | None = None, importance: float | None = None,
            kind: str = "memory", redact: bool | Sequence[str] | None = None,
            merge: bool | None = None) -> Any:
        body = _plain(dict(text=text, user_id=user_id, agent_id=agent_id, session_id=session_id,
                           timestamp=timestamp, metadata=metadata, importance=importance,
                           kind=kind, redact=redact, merge=merge))
        return self._call(Call("POST", "/v1/memories", json=body, decode=_one_or_many))

    def add_many(self, items: Iterable[str | Mapping[str, Any]], *, user_id: str,
                 agent_id: str | None = None, session_id: str | None = None,
                 kind: str = "memory", redact: bool | Sequence[str] | None = None,
                 merge: bool | None = None) -> Any:
        body = _plain(dict(items=list(items), user_id=user_id, agent_id=agent_id,
                           session_id=session_id, kind=kind, redact=redact, merge=merge))
        return self._call(Call("POST", "/v1/memories/batch", json=body, decode=_records))

    def add_session(self, turns: Iterable[Any], *, user_id: str, session_id: str | None = None,
                    agent_id: str | None = None, started_at: datetime | str | None = None,
                    metadata: Mapping[str, Any] | None = None,
                    redact: bool | Sequence[str] | None = None) -> Any:
        body = _plain(dict(turns=list(turns), user_id=user_id, session_id=session_id,
                           agent_id=agent_id, started_at=started_at, metadata=metadata,
                           redact=redact))
        return self._call(Call("POST", "/v1/sessions", json=body, decode=_records))

    def add_sessions(self, sessions: Iterable[Mapping[str, Any]], *, user_id: str,
                     agent_id: str | None = None,
                     redact: bool | Sequence[str] | None = None) -> Any:
        body = _plain(dict(sessions=list(sessions), user_id=user_id, agent_id=agent_id,
                           redact=redact))
        return self._call(Call("POST", "/v1/sessions/batch", json=body,
                               decode=lambda data: [_records(d) for d in data]))

    # ------------------------------------------------------------------ read
    def search(self, query: str | None = None, *, user_id: str, limit: int = 10,
               messages: Sequence[Mapping[str, Any]] | None = None, agent_id: str | None = None,
               session_id: str | None = None, since: datetime | str | None = None,
               until: datetime | str | None = None, metadata: Mapping[str, Any] | None = None,
               kinds: Sequence[str] | None = None, speaker: str | None = None,
               context: int = 0, method: str = "engram",
               min_confidence: float | None = None, as_of: datetime | str | None = None,
               include_superseded: bool = False, unit: str = "turn") -> Any:
        body = _plain(dict(query=query, user_id=user_id, limit=limit, messages=messages,
                           agent_id=agent_id,
                           session_id=session_id, since=since, until=until, metadata=metadata,
                           kinds=kinds, speaker=speaker, context=context, method=method,
                           min_confidence=min_confidence, as_of=as_of,
                           include_superseded=include_superseded, unit=unit))
        return self._call(Call("POST", "/v1/search", json=body, decode=decode_recall))

    def get(self, record_id: str, *, user_id: str) -> Any:
        return self._call(Call("GET", f"/v1/memories/{_segment(record_id)}",
                               _query(user_id=user_id), decode=_record))

    def list(self, *, user_id: str, agent_id: str | None = None, session_id: str | None = None,
             kinds: Sequence[str] | None = None, limit: int | None = None, offset: int = 0,
             newest_first: bool = False, include_superseded: bool = False,
             since: datetime | str | None = None, until: datetime | str | None = None,
             metadata: Mapping[str, Any] | None = None, include_archived: bool = False) -> Any:
        params = _query(user_id=user_id, agent_id=agent_id, session_id=session_id,
                        kinds=list(kinds) if kinds else None, limit=limit, offset=offset,
                        newest_first=newest_first, include_superseded=include_superseded,
                        since=_when(since), until=_when(until),
                        metadata=_json_text(metadata), include_archived=include_archived)
        return self._call(Call("GET", "/v1/memories", params, decode=_records))

    def history(self, record_id: str, *, user_id: str) -> Any:
        from .. import Version

        return self._call(Call("GET", f"/v1/memories/{_segment(record_id)}/history",
                               _query(user_id=user_id), decode=lambda d: decode(list[Version], d)))

    def sessions(self, *, user_id: str) -> Any:
        from .. import Session

        return self._call(Call("GET", "/v1/sessions", _query(user_id=user_id),
                               decode=lambda d: decode(list[Session], d)))

    def users(self) -> Any:
        return self._call(Call("GET", "/v1/users"))

    def stats(self) -> Any:
        from .. import Stats

        return self._call(Call("GET", "/v1/stats", decode=lambda d: decode(Stats, d)))

    # ---------------------------------------------------------- change/erase
    def update(self, record_id: str, text: str, *, user_id: str, reason: str | None = None,
               redact: bool | Sequence[str] | None = None) -> Any:
        body = _plain(dict(text=text, user_id=user_id, reason=reason, redact=redact))
        return self._call(Call("PATCH", f"/v1/memories/{_segment(record_id)}", json=body,
                               decode=_record))

    def delete(self, record_id: str, *, user_id: str, reason: str | None = None,
               purge: bool = False, wait: float = 0.0) -> Any:
        return self._call(Call("DELETE", f"/v1/memories/{_segment(record_id)}",
                               _query(user_id=user_id, reason=reason, purge=purge, wait=wait),
                               decode=lambda d: _erasure(d.get("erasure"))))

    def delete_all(self, *, user_id: str, agent_id: str | None = None,
                   session_id: str | None = None, reason: str | None = None,
                   purge: bool = True, wait: float = 0.0) -> Any:
        params = _query(user_id=user_id, agent_id=agent_id, session_id=session_id,
                        reason=reason, purge=purge, wait=wait)
        return self._call(Call("DELETE", "/v1/memories", params, decode=_deleted))

    def forget(self, query: str, *, user_id: str, min_confidence: float | None = None,
               limit: int = 20, dry_run: bool = False, purge: bool = True,
               kinds: Sequence[str] | None = None, wait: float = 0.0) -> Any:
        body = _plain(dict(query=query, user_id=user_id, min_confidence=min_confidence,
                           limit=limit, dry_run=dry_run, purge=purge, kinds=kinds, wait=wait))
        return self._call(Call("POST", "/v1/forget", json=body, decode=_forgotten))

    def restore(self, record_id: str, *, user_id: str) -> Any:
        return self._call(Call("POST", f"/v1/memories/{_segment(record_id)}/restore",
                               _query(user_id=user_id), decode=_record))

    def decay(self, *, user_id: str, now: datetime | str | None = None,
              threshold: float | None = None, capacity: int | None = None,
              kinds: Sequence[str] | None = None, dry_run: bool = False) -> Any:
        from .. import ArchivePlan

        body = _plain(dict(user_id=user_id, now=now, threshold=threshold, capacity=capacity,
                           kinds=kinds, dry_run=dry_run))
        return self._call(Call("POST", "/v1/decay", json=body,
                               decode=lambda d: decode(ArchivePlan, d)))

    def compact(self, *, wait: float = 0.0) -> Any:
        return self._call(Call("POST", "/v1/compact", _query(wait=wait)))

    def refresh_derived(self, record_ids: Sequence[str], *, user_id: str) -> Any:
        if isinstance(record_ids, str):  # one id would otherwise travel as its characters
            from .. import InvalidInputError

            raise InvalidInputError("record_ids must be a list of ids, not one string")
        body = _plain(dict(user_id=user_id, record_ids=list(record_ids)))
        return self._call(Call("POST", "/v1/refresh-derived", json=body,
                               decode=lambda d: None))

    def reembed(self, *, user_id: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> Any:
        """Re-embed on the server, with its embedder; ``progress`` is called once, at the
        end (the server does not stream its progress)."""
        def done(data: Any) -> int:
            if progress is not None:
                progress(data["records"], data["records"])
            return int(data["records"])

        return self._call(Call("POST", "/v1/reembed", json=_plain(dict(user_id=user_id)),
                               decode=done))

    def rekey(self, *, user_id: str | None = None, expand: Any = None,
              progress: Callable[[int, int], None] | None = None) -> Any:
        """Re-key on the server, with its key expansion; ``progress`` is called once."""
        from .. import InvalidInputError

        if expand is not None:
            raise InvalidInputError("a remote memory re-keys with the server's own key "
                                    "expansion: expand cannot be sent over HTTP")

        def done(data: Any) -> int:
            if progress is not None:
                progress(data["records"], data["records"])
            return int(data["records"])

        return self._call(Call("POST", "/v1/rekey", json=_plain(dict(user_id=user_id)),
                               decode=done))

    # --------------------------------------------------------- consolidation
    def consolidate(self, *, user_id: str, llm: Any = None, session_id: str | None = None) -> Any:
        from .. import ConsolidationReport, InvalidInputError

        if llm is not None:
            raise InvalidInputError("a remote memory consolidates with the server's own "
                                    "settings: llm cannot be sent over HTTP")
        body = _plain(dict(user_id=user_id, session_id=session_id))
        return self._call(Call("POST", "/v1/consolidate", json=body,
                               decode=lambda d: decode(ConsolidationReport, d)))

    def profile(self, *, user_id: str) -> Any:
        return self._call(Call("GET", "/v1/profile", _query(user_id=user_id),
                               decode=decode_profile))

    def audit(self, *, user_id: str, limit: int = 100, record_id: str | None = None,
              actions: str | Sequence[str] | None = None) -> Any:
        from .. import AuditEntry

        acts = [actions] if isinstance(actions, str) else (list(actions) if actions else None)
        params = _query(user_id=user_id, limit=limit, record_id=record_id, actions=acts)
        return self._call(Call("GET", "/v1/audit", params,
                               decode=lambda d: decode(list[AuditEntry], d)))


def _segment(record_id: Any) -> str:
    """An id as one path segment: anything else is the server's to refuse, not a new path."""
    from urllib.parse import quote

    return quote(str(record_id), safe="") or "%20"
