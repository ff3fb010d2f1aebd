"""The MCP tools of engramdb, written once for the stdio and the HTTP transport.

A :class:`Binding` says, for one tool call, which memory and which user it acts on:
over stdio the user is fixed by ``engram mcp --user``; over HTTP it comes from the
caller's API key (and ``user_id`` when the key covers several users), with the same
tenancy as the HTTP API.
"""

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from .._errors import EngramError
from .._intake import bounded
from ..client._wire import error_code

if TYPE_CHECKING:
    from .._memory import Memory
    from .._models import Record

__all__ = ["Binding", "build_server", "INSTRUCTIONS"]

INSTRUCTIONS = (
    "Long-term memory of the user. Call search_memory before answering anything that may "
    "depend on what the user said earlier (names, places, plans, preferences, dates). "
    "Call add_memory for durable facts the user states about themselves or asks you to "
    "remember; do not store small talk. When a fact changes, update_memory the old one "
    "(or just add the new one: the engine supersedes stale facts). When the user asks to "
    "forget something, call forget with their words.")


class Binding(Protocol):
    def memory(self, ctx: Any, user_id: str | None, mode: str) -> tuple["Memory", str]:
        """(memory, user) for this call. ``mode``: "read", "change" (existing records) or
        "add". Outside the caller's tenant a read or change finds an empty memory, and
        an add is refused."""

    def writing(self) -> contextlib.AbstractContextManager[None]: ...


class MemoryItem(BaseModel):
    id: str
    text: str
    date: str | None = Field(None, description="when it was said or happened (ISO-8601)")
    speaker: str | None = None
    kind: str
    version: int


class MemoryHit(BaseModel):
    id: str
    text: str
    date: str | None = Field(None, description="when it was said or happened (ISO-8601)")
    speaker: str | None = None
    confidence: float = Field(description="calibrated probability that this hit answers "
                              "the query, 0..1")


class SearchResult(BaseModel):
    hits: list[MemoryHit]
    abstained: bool = Field(description="true when no hit is confident enough: say you do "
                            "not know rather than guess")


class ChatMessage(BaseModel):
    role: str = Field(description="user, assistant or system")
    content: str


class Deleted(BaseModel):
    deleted: bool
    id: str


class Forgotten(BaseModel):
    deleted: bool = Field(description="false for a dry run")
    memories: list[MemoryItem]


class ProfileResult(BaseModel):
    name: str | None = None
    location: str | None = None
    places: list[str] = []
    people: list[str] = []
    preferences: list[str] = []
    summary: str = Field(description="the profile as one paragraph")


def _item(record: "Record") -> MemoryItem:
    when = record.timestamp or record.created_at
    return MemoryItem(id=record.id, text=record.text, date=when.isoformat() if when else None,
                      speaker=record.speaker, kind=record.kind, version=record.version)


@contextlib.contextmanager
def _tool_errors() -> Iterator[None]:
    """Library errors as tool errors the model can read: code and message, no traceback."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except EngramError as exc:
        raise ToolError(f"{error_code(type(exc))}: {exc}") from None


_USER = Field(None, description="whose memory; leave empty: the server knows the user")


def build_server(binding: Binding, *, name: str = "engramdb") -> Any:
    from mcp.server.mcpserver import Context, MCPServer

    from .. import __version__

    server = MCPServer(name, version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(description="Store a durable fact or note about the user (their name, "
                 "where they live, plans, preferences, people in their life). Returns the "
                 "stored memory with its id; the same fact twice is stored once.")
    def add_memory(ctx: Context, text: str = Field(description="the fact, in a full sentence"),
                   timestamp: str | None = Field(None, description="when it happened, "
                                                 "ISO-8601; default now"),
                   user_id: str | None = _USER) -> MemoryItem:
        with _tool_errors():
            memory, user = binding.memory(ctx, user_id, "add")
            with binding.writing():
                return _item(memory.add(text, user_id=user, timestamp=timestamp))

    @server.tool(description="Search the user's long-term memory. Call it before answering "
                 "anything that depends on the past: give a query, or instead the recent "
                 "conversation as messages to recall what to bring up before your next reply. "
                 "Hits come best first with a calibrated confidence; if 'abstained' is "
                 "true, nothing relevant is known.")
    def search_memory(ctx: Context,
                      query: str | None = Field(None, description="a question or keywords"),
                      messages: list[ChatMessage] | None = Field(
                          None, description="instead of query: the conversation so far, oldest "
                          "first (the last few turns are enough)"),
                      limit: int = Field(5, description="most hits to return (1-50)"),
                      since: str | None = Field(None, description="only after, ISO-8601"),
                      until: str | None = Field(None, description="only before, ISO-8601"),
                      user_id: str | None = _USER) -> SearchResult:
        with _tool_errors():
            memory, user = binding.memory(ctx, user_id, "read")
            chat = [m.model_dump() for m in messages] if messages is not None else None
            bounded("limit", limit, 1, 50)  # was clamped: 0 or 10**6 quietly gave 1 or 50
            recall = memory.search(query, user_id=user, limit=limit,
                                   messages=chat, since=since, until=until)
            hits = [MemoryHit(**_item(h.record).model_dump(exclude={"kind", "version"}),
                              confidence=round(h.confidence, 4)) for h in recall]
            return SearchResult(hits=hits, abstained=recall.abstained)

    @server.tool(description="Read one memory by its id (from search_memory or add_memory).")
    def get_memory(ctx: Context, memory_id: str, user_id: str | None = _USER) -> MemoryItem:
        with _tool_errors():
            memory, user = binding.memory(ctx, user_id, "read")
            return _item(memory.get(memory_id, user_id=user))

    @server.tool(description="Replace the text of a memory that is wrong or out of date; "
                 "the old text stays in its history.")
    def update_memory(ctx: Context, memory_id: str,
                      text: str = Field(description="the corrected fact"),
                      user_id: str | None = _USER) -> MemoryItem:
        with _tool_errors():
            memory, user = binding.memory(ctx, user_id, "change")
            with binding.writing():
                return _item(memory.update(memory_id, text, user_id=user, reason="mcp"))

    @server.tool(description="Delete one memory by id, with every trace of it.")
    def delete_memory(ctx: Context, memory_id: str, user_id: str | None = _USER) -> Deleted:
        with _tool_errors():
            memory, user = binding.memory(ctx, user_id, "change")
            with binding.writing():
                memory.get(memory_id, user_id=user)
                memory.delete(memory_id, user_id=user, reason="mcp")
            return Deleted(deleted=True, id=memory_id)

    @server.tool(description="Forget what the user asks to be forgotten: deletes the "
                 "memories that match the query with high confidence, everywhere. Use "
                 "dry_run=true to see what would go first.")
    def forget(ctx: Context, query: str = Field(description="what to forget, in the user's "
                                                "words"),
               dry_run: bool = False, user_id: str | None = _USER) -> Forgotten:
        with _tool_errors():
            memory, user = binding.memory(ctx, user_id, "change")
            with binding.writing():
                gone = memory.forget(query, user_id=user, dry_run=dry_run)
            return Forgotten(deleted=not dry_run, memories=[_item(r) for r in gone])

    @server.tool(description="What is known about the user: name, where they live, places, "
                 "people, preferences. Cheap; call it at the start of a conversation.")
    def profile(ctx: Context, user_id: str | None = _USER) -> ProfileResult:
        with _tool_errors():
            memory, user = binding.memory(ctx, user_id, "read")
            with binding.writing():
                p = memory.profile(user_id=user)
            return ProfileResult(name=p.name, location=p.location, places=p.places,
                                 people=p.people, preferences=p.preferences, summary=p.text())

    return server
