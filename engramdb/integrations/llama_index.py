"""LlamaIndex long-term memory on engramdb: a memory block (``pip install
'engramdb[frameworks]'``).

>>> from llama_index.core.memory import Memory as LlamaMemory           # doctest: +SKIP
>>> from engramdb import Memory
>>> from engramdb.integrations.llama_index import EngramMemoryBlock
>>> block = EngramMemoryBlock(memory=Memory("memory.db"), user_id="ana")  # doctest: +SKIP
>>> chat_memory = LlamaMemory.from_defaults(session_id="s1", memory_blocks=[block])  # doctest: +SKIP

``llama_index.core.memory.Memory`` keeps the recent chat itself; the messages it flushes
out of its short-term window are put into this block, which stores them as turns of an
engramdb session (``session_id``, default one per block). When the memory is read, the
block recalls what is relevant to the latest messages from every session of the user
and renders it as text for the system message: each hit on its own line, with its date
and speaker. Hits below ``min_confidence`` are left out (nothing relevant: no text).
"""

from __future__ import annotations

import asyncio
from typing import Any

from .._models import new_id
from ._lazy import need

BaseMemoryBlock = need("llama_index.core.memory.memory", "llama-index-core").BaseMemoryBlock

__all__ = ["EngramMemoryBlock"]

_QUERY_MESSAGES = 3  # the latest messages that make the recall query


class EngramMemoryBlock(BaseMemoryBlock[str]):  # type: ignore[misc,valid-type]
    """A ``BaseMemoryBlock`` recalling from, and storing into, an :class:`engramdb.Memory`
    (the caller's to close)."""

    name: str = "engramdb"
    description: str | None = "Relevant memories of past conversations (engramdb)."
    memory: Any  # engramdb.Memory (pydantic would copy a typed field)
    user_id: str
    session_id: str | None = None
    limit: int = 5
    min_confidence: float | None = 0.3

    def model_post_init(self, context: Any, /) -> None:
        if self.session_id is None:  # one engramdb session per block unless told
            self.session_id = f"llamaindex-{new_id()}"

    async def _aget(self, messages: list[Any] | None = None, **block_kwargs: Any) -> str:
        query = " ".join(_content(m) for m in (messages or [])[-_QUERY_MESSAGES:]).strip()
        if not query:
            return ""
        hits = await asyncio.to_thread(self.memory.search, query, user_id=self.user_id,
                                       limit=self.limit, min_confidence=self.min_confidence)
        return "\n".join(_line(h) for h in hits)

    async def _aput(self, messages: list[Any]) -> None:
        turns = [{"speaker": str(getattr(m.role, "value", m.role)), "text": _content(m)}
                 for m in messages if _content(m).strip()]
        if turns:
            await asyncio.to_thread(self.memory.add_session, turns, user_id=self.user_id,
                                    session_id=self.session_id)


def _content(message: Any) -> str:
    return str(getattr(message, "content", None) or "")


def _line(hit: Any) -> str:
    r = hit.record
    when = r.timestamp.strftime("%Y-%m-%d") if r.timestamp else ""
    who = f"{r.speaker}: " if r.speaker else ""
    return f"- [{when}] {who}{hit.text}"
