"""``Memory``: the one facade of engramdb. Every call is scoped by ``user_id``."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np

from ._errors import InvalidInputError, PayloadTooLargeError, ProviderError
from ._models import (Filters, Hit, Record, RecordKind, Scope, Session, Stats, Turn, Version,
                      check_id, check_text, content_hash, new_id, to_utc, utcnow)
from .embed import Embedder, embed_texts, get_embedder
from .recall.pipeline import RecallConfig, Retriever
from .store import NewRecord, SQLiteStore, Store

__all__ = ["Memory", "default_path"]

_KINDS: tuple[str, ...] = ("turn", "memory", "summary", "profile", "document")


def default_path() -> Path:
    """Where ``Memory()`` keeps its file when no path is given."""
    return Path.home() / ".engramdb" / "memory.db"


class Memory:
    """Long-term memory for assistants and agents, in one SQLite file by default.

    >>> m = Memory(":memory:", embedder="fake")
    >>> rec = m.add("I moved to Berlin last May.", user_id="ana")
    >>> m.search("where does Ana live?", user_id="ana")[0].text
    'I moved to Berlin last May.'
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 embedder: str | Embedder = "minilm", store: Store | None = None,
                 recall: RecallConfig | None = None, busy_timeout: float = 5.0,
                 max_text_chars: int = 100_000, max_metadata_bytes: int = 65_536) -> None:
        self.embedder = get_embedder(embedder)
        self.store = store if store is not None else _open_sqlite(path, busy_timeout)
        self.max_text_chars = max_text_chars
        self.max_metadata_bytes = max_metadata_bytes
        self._retriever = Retriever(self.store, self._embed_query, recall)
        self._embedder_checked = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Memory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- write
    def add(self, text: str, *, user_id: str, agent_id: str | None = None,
            session_id: str | None = None, timestamp: datetime | str | None = None,
            metadata: Mapping[str, Any] | None = None, importance: float | None = None,
            kind: RecordKind = "memory") -> Record:
        """Store a stand-alone memory (fact, note). The same text twice is stored once."""
        scope = Scope(user_id, agent_id, session_id)
        record = self._new_record(scope, check_text(text, limit=self.max_text_chars), kind=kind,
                                  timestamp=_when(timestamp), metadata=metadata,
                                  importance=importance)
        return self._write([NewRecord(record, record.text)], None)[0]

    def add_session(self, turns: Iterable[Turn | Mapping[str, Any]], *, user_id: str,
                    session_id: str | None = None, agent_id: str | None = None,
                    started_at: datetime | str | None = None,
                    metadata: Mapping[str, Any] | None = None) -> list[Record]:
        """Store a conversation session: every turn verbatim, in order, atomically."""
        scope = Scope(user_id, agent_id, session_id or new_id())
        coerced = [Turn.coerce(t) for t in turns]
        if not coerced:
            raise InvalidInputError("a session needs at least one turn")
        start = _when(started_at) or coerced[0].timestamp or utcnow()
        items = [self._turn_item(scope, i, t, start) for i, t in enumerate(coerced)]
        session = Session(scope.session_id or "", user_id, agent_id, start,
                          tuple(dict.fromkeys(t.speaker for t in coerced)),
                          self._check_metadata(metadata))
        return self._write(items, session)

    def _turn_item(self, scope: Scope, i: int, turn: Turn, start: datetime) -> NewRecord:
        text = check_text(turn.text, what=f"turn {i} text", limit=self.max_text_chars)
        when = turn.timestamp or start + timedelta(seconds=i)
        record = self._new_record(scope, text, kind="turn", timestamp=when,
                                  metadata=turn.metadata, speaker=turn.speaker, role=turn.role,
                                  position=i)
        return NewRecord(record, f"{turn.speaker}: {text}")

    def _new_record(self, scope: Scope, text: str, *, kind: str, timestamp: datetime | None,
                    metadata: Mapping[str, Any] | None, importance: float | None = None,
                    speaker: str | None = None, role: str | None = None,
                    position: int | None = None) -> Record:
        if kind not in _KINDS:
            raise InvalidInputError(f"kind must be one of {_KINDS}, not {kind!r}")
        now = utcnow()
        return Record(
            id=new_id(), kind=kind, text=text, user_id=scope.user_id,  # type: ignore[arg-type]
            agent_id=scope.agent_id, session_id=scope.session_id, speaker=speaker, role=role,
            position=position, timestamp=timestamp or now, created_at=now, updated_at=now,
            metadata=self._check_metadata(metadata), importance=_importance(importance),
            content_hash=content_hash(kind, text, session_id=scope.session_id,
                                      position=position, speaker=speaker),
            valid_from=timestamp or now)

    def _check_metadata(self, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        if metadata is None:
            return {}
        if not isinstance(metadata, Mapping):
            raise InvalidInputError("metadata must be a mapping")
        try:
            blob = json.dumps(dict(metadata))
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"metadata must be JSON-serialisable: {exc}") from exc
        if len(blob) > self.max_metadata_bytes:
            raise PayloadTooLargeError(
                f"metadata is {len(blob)} bytes; the limit is {self.max_metadata_bytes}")
        return dict(metadata)

    def _write(self, items: list[NewRecord], session: Session | None) -> list[Record]:
        self._check_embedder()
        vectors = self._embed([item.index_text for item in items])
        return [record for record, _ in self.store.add(items, vectors, session)]

    # ------------------------------------------------------------ embeddings
    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        try:
            return embed_texts(self.embedder, texts)
        except ProviderError:
            raise
        except Exception as exc:  # a provider bug must not look like a store failure
            raise ProviderError(f"embedder {self.embedder.name!r} failed: {exc}") from exc

    def _embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]

    def _check_embedder(self) -> None:
        """Vectors of two embedders are not comparable: one file, one embedder."""
        if self._embedder_checked or not isinstance(self.store, SQLiteStore):
            return
        with self._lock:
            want = f"{self.embedder.name}:{self.embedder.dim}"
            have = self.store.meta("embedder")
            if have is None:
                self.store.set_meta("embedder", want)
            elif have != want:
                raise InvalidInputError(
                    f"this database was built with embedder {have}; it cannot be used with {want}")
            self._embedder_checked = True

    # ------------------------------------------------------------------ read
    def search(self, query: str, *, user_id: str, limit: int = 10, agent_id: str | None = None,
               session_id: str | None = None, since: datetime | str | None = None,
               until: datetime | str | None = None, metadata: Mapping[str, Any] | None = None,
               kinds: Sequence[str] | None = None, speaker: str | None = None,
               context: int = 0, method: str = "engram") -> list[Hit]:
        """Recall what is relevant to ``query`` in this user's memory, best first."""
        scope = Scope(user_id)
        check_text(query, what="query", limit=self.max_text_chars)
        if not 1 <= limit <= 1000:
            raise InvalidInputError("limit must be between 1 and 1000")
        if not 0 <= context <= 20:
            raise InvalidInputError("context must be between 0 and 20")
        filters = Filters(agent_id=agent_id, session_id=session_id, since=_when(since),
                          until=_when(until), metadata=metadata,
                          kinds=tuple(kinds) if kinds else None, speaker=speaker)
        self._check_embedder()
        return self._retriever.search(scope, query, limit=limit, filters=filters,
                                      method=method, context=context)

    def get(self, record_id: str, *, user_id: str) -> Record:
        """One record by id; :class:`NotFoundError` if it is not this user's."""
        from ._errors import NotFoundError

        found = self.store.get(Scope(user_id), [check_id(record_id)])
        if not found:
            raise NotFoundError(f"no record {record_id} for user {user_id!r}")
        return found[0]

    def list(self, *, user_id: str, agent_id: str | None = None, session_id: str | None = None,
             kinds: Sequence[str] | None = None, limit: int | None = None, offset: int = 0,
             newest_first: bool = False) -> list[Record]:
        filters = Filters(agent_id=agent_id, session_id=session_id,
                          kinds=tuple(kinds) if kinds else None)
        return self.store.find(Scope(user_id), filters, limit=limit, offset=offset,
                               newest_first=newest_first)

    def history(self, record_id: str, *, user_id: str) -> list[Version]:
        """Every version of a record, oldest first, with when and why it changed."""
        return self.store.history(Scope(user_id), record_id)

    def sessions(self, *, user_id: str) -> list[Session]:
        return self.store.sessions(Scope(user_id))

    def users(self) -> list[str]:
        return self.store.users()

    def stats(self) -> Stats:
        return self.store.stats()

    # ---------------------------------------------------------- change/erase
    def update(self, record_id: str, text: str, *, user_id: str,
               reason: str | None = None) -> Record:
        """Replace a record's text; the previous text stays in :meth:`history`."""
        scope = Scope(user_id)
        old = self.get(record_id, user_id=user_id)
        text = check_text(text, limit=self.max_text_chars)
        index_text = f"{old.speaker}: {text}" if old.kind == "turn" else text
        self._check_embedder()
        vector = self._embed([index_text])[0]
        return self.store.update(scope, record_id, text=text, index_text=index_text,
                                 vector=vector, reason=reason)

    def delete(self, record_id: str, *, user_id: str, reason: str | None = None) -> None:
        """Hard-delete one record and every trace of it (history, indexes, vectors)."""
        self.store.delete(Scope(user_id), [check_id(record_id)], reason=reason)

    def delete_all(self, *, user_id: str, agent_id: str | None = None,
                   session_id: str | None = None, reason: str | None = None) -> int:
        """Hard-delete everything in a scope; returns how many records went."""
        return self.store.delete_scope(Scope(user_id, agent_id, session_id), reason=reason)

    # --------------------------------------------------------- import/export
    def export(self, fp: IO[str], *, user_id: str | None = None) -> int:
        """Write the memory (one user, or all) as JSONL; returns records written."""
        from .formats.jsonl import write_jsonl

        items = list(self.store.iter_export(Scope(user_id) if user_id else None))
        sessions = [i for i in items if isinstance(i, Session)]
        records = [i for i in items if isinstance(i, Record)]
        write_jsonl(fp, sessions, records)
        return len(records)


def _open_sqlite(path: str | os.PathLike[str] | None, busy_timeout: float) -> SQLiteStore:
    target = Path(path) if path is not None else default_path()
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(target, busy_timeout=busy_timeout)


def _when(value: datetime | str | float | None) -> datetime | None:
    try:
        return to_utc(value)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc


def _importance(value: float | None) -> float:
    if value is None:
        return 0.5
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidInputError("importance must be between 0 and 1")
    return float(value)
