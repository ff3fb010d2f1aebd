"""OpenAI Agents SDK conversation memory on engramdb: a ``Session`` (``pip install
'engramdb[frameworks]'``).

>>> from agents import Agent, Runner                                   # doctest: +SKIP
>>> from engramdb import Memory
>>> from engramdb.integrations.openai_agents import EngramSession
>>> session = EngramSession("chat-42", Memory("memory.db"), user_id="ana")  # doctest: +SKIP
>>> await Runner.run(agent, "Where do I live?", session=session)       # doctest: +SKIP

The session's items are the turns of one engramdb session (``session_id``) of the
user: each item is kept whole in its turn's metadata and its text (message content,
tool name and arguments, tool output) is indexed, so :meth:`EngramSession.search`
recalls across all of the user's past sessions — long-term memory an agent can put in
its instructions or behind a tool. Calls run in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .._models import utcnow
from ._lazy import need

if TYPE_CHECKING:
    from .._memory import Memory
    from .._models import Hit, Record

SessionABC = need("agents.memory.session", "openai-agents").SessionABC

__all__ = ["EngramSession"]

_KEY = "oa_item"  # the turn metadata holding the SDK's item as given


class EngramSession(SessionABC):  # type: ignore[misc,valid-type]
    """The Agents SDK ``Session`` protocol over :class:`engramdb.Memory` (the caller's
    to close): ``get_items``, ``add_items``, ``pop_item``, ``clear_session``; plus
    ``search`` over every session of the user."""

    def __init__(self, session_id: str, memory: Memory, *, user_id: str,
                 agent_id: str | None = None, session_settings: Any = None) -> None:
        self.session_id = session_id
        self.session_settings = session_settings
        self.memory, self.user_id, self.agent_id = memory, user_id, agent_id

    # ------------------------------------------------------------- protocol
    async def get_items(self, limit: int | None = None) -> list[Any]:
        """The session's items, oldest first; with ``limit``, the latest ``limit``."""
        records = await asyncio.to_thread(self._records)
        if limit is not None:
            records = records[-limit:] if limit > 0 else []
        return [r.metadata[_KEY] for r in records]

    async def add_items(self, items: list[Any]) -> None:
        if items:
            await asyncio.to_thread(self._add, list(items))

    async def pop_item(self) -> Any | None:
        """Remove and return the latest item (None when the session is empty)."""
        return await asyncio.to_thread(self._pop)

    async def clear_session(self) -> None:
        await asyncio.to_thread(self.memory.delete_all, user_id=self.user_id,
                                session_id=self.session_id, purge=False)

    # ------------------------------------------------------------ long-term
    def search(self, query: str, *, limit: int = 5, this_session_only: bool = False,
               min_confidence: float | None = None) -> list[Hit]:
        """What the user said or was told that is relevant to ``query``, from every
        session (or only this one), best first."""
        return list(self.memory.search(
            query, user_id=self.user_id, limit=limit, min_confidence=min_confidence,
            session_id=self.session_id if this_session_only else None))

    async def asearch(self, query: str, **options: Any) -> list[Hit]:
        return await asyncio.to_thread(self.search, query, **options)

    # ------------------------------------------------------------- internals
    def _records(self) -> list[Record]:
        records = self.memory.list(user_id=self.user_id, session_id=self.session_id,
                                   kinds=("turn",))
        return [r for r in records if _KEY in r.metadata]

    def _add(self, items: list[Any]) -> None:
        last = self.memory.list(user_id=self.user_id, session_id=self.session_id,
                                kinds=("turn",), newest_first=True, limit=1)
        start = utcnow()
        if last and last[0].timestamp is not None and last[0].timestamp >= start:
            start = last[0].timestamp + timedelta(microseconds=1)  # order survives fast calls
        turns = [{"speaker": _speaker(item), "text": _text(item),
                  "timestamp": start + timedelta(microseconds=i),
                  "metadata": {_KEY: _plain(item)}} for i, item in enumerate(items)]
        self.memory.add_session(turns, user_id=self.user_id, session_id=self.session_id,
                                agent_id=self.agent_id)

    def _pop(self) -> Any | None:
        records = self._records()
        if not records:
            return None
        last = records[-1]
        self.memory.delete(last.id, user_id=self.user_id, reason="session pop_item")
        return last.metadata[_KEY]


def _plain(item: Any) -> Any:
    """The item as JSON data (the SDK's items are dicts; a pydantic model is dumped)."""
    dump = getattr(item, "model_dump", None)
    return dump(exclude_unset=True) if callable(dump) else json.loads(json.dumps(item))


def _speaker(item: Any) -> str:
    data = _plain(item)
    if isinstance(data, Mapping):
        return str(data.get("role") or data.get("type") or "item")
    return "item"


def _text(item: Any) -> str:
    """What recall reads: message text, a tool call's name and arguments, tool output."""
    data = _plain(item)
    if not isinstance(data, Mapping):
        return json.dumps(data, ensure_ascii=False)
    parts: list[str] = []
    content = data.get("content")
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, Sequence):
        parts.extend(p.get("text") or "" for p in content if isinstance(p, Mapping))
    if data.get("type") == "function_call":
        parts.append(f"{data.get('name', 'tool')}({data.get('arguments', '')})")
    if isinstance(data.get("output"), str):
        parts.append(data["output"])
    text = " ".join(p for p in parts if p and p.strip())
    return text or json.dumps(data, ensure_ascii=False)
