"""Request bodies of the HTTP API (pydantic): the arguments of the ``Memory`` methods.

Values the library checks itself (text, ids, timestamps, limits) are passed through,
so that the HTTP API refuses exactly what the Python API refuses, with the same error.
Unknown fields are refused: a misspelt filter must not silently widen a search.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AddIn", "AddManyIn", "SessionIn", "SessionsIn", "SearchIn", "UpdateIn", "ForgetIn",
           "ConsolidateIn", "DecayIn", "Imported", "ErrorOut", "ERRORS", "Health"]

Kind = Literal["turn", "memory", "summary", "profile", "document"]
Redact = bool | list[str] | None
_TIME = "ISO-8601 timestamp (naive values are UTC)"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddIn(_In):
    text: str | list[dict[str, Any]] = Field(
        description="the memory, verbatim; or chat messages [{role, content}], stored as a "
                    "session")
    user_id: str
    agent_id: str | None = None
    session_id: str | None = None
    timestamp: str | None = Field(None, description=_TIME)
    metadata: dict[str, Any] | None = None
    importance: float | None = Field(None, description="0..1; default from the text")
    kind: Kind = "memory"
    redact: Redact = Field(None, description="PII kinds to replace, or true/false")
    merge: bool | None = Field(None, description="false keeps a near-duplicate separate")


class AddManyIn(_In):
    items: list[str | dict[str, Any]] = Field(
        description="texts, or objects with text and optional timestamp, metadata, importance")
    user_id: str
    agent_id: str | None = None
    session_id: str | None = None
    kind: Kind = "memory"
    redact: Redact = None
    merge: bool | None = None


class SessionIn(_In):
    turns: list[dict[str, Any]] = Field(
        description="turns: {text|content, speaker|role, timestamp?, metadata?}")
    user_id: str
    session_id: str | None = None
    agent_id: str | None = None
    started_at: str | None = Field(None, description=_TIME)
    metadata: dict[str, Any] | None = None
    redact: Redact = None


class SessionsIn(_In):
    sessions: list[dict[str, Any]] = Field(
        description="sessions of one user: {turns, session_id?, started_at?, metadata?}")
    user_id: str
    agent_id: str | None = None
    redact: Redact = None


class SearchIn(_In):
    query: str | None = Field(None, description="the question (or give messages)")
    user_id: str
    limit: int = 10
    messages: list[dict[str, Any]] | None = Field(
        None, description="a live conversation [{role, content}]: recall what to bring up "
                          "before the next reply")
    agent_id: str | None = None
    session_id: str | None = None
    since: str | None = Field(None, description=_TIME)
    until: str | None = Field(None, description=_TIME)
    metadata: dict[str, Any] | None = Field(None, description="exact matches on metadata keys")
    kinds: list[str] | None = None
    speaker: str | None = None
    context: int = Field(0, description="turns of context around each hit (0-20)")
    method: str = "engram"
    min_confidence: float | None = Field(None, description="drop hits below it (0..1)")
    as_of: str | None = Field(None, description="what was true then; " + _TIME)
    include_superseded: bool = False
    unit: str = Field("turn", description="turn, window or session")


class UpdateIn(_In):
    text: str
    user_id: str
    reason: str | None = None
    redact: Redact = None


class ForgetIn(_In):
    query: str
    user_id: str
    min_confidence: float | None = None
    limit: int = 20
    dry_run: bool = False
    purge: bool = True
    kinds: list[str] | None = None
    wait: float = Field(0.0, ge=0, le=30, description="seconds to wait for readers so the "
                        "erasure can be verified")


class DecayIn(_In):
    user_id: str
    now: str | None = Field(None, description=_TIME)
    threshold: float | None = Field(None, description="retention below it is archived (0..1)")
    capacity: int | None = Field(None, description="most active records to keep")
    kinds: list[str] | None = None
    dry_run: bool = False


class ConsolidateIn(_In):
    user_id: str
    session_id: str | None = None


class Imported(BaseModel):
    format: str
    sessions: int
    records: int
    created: int
    skipped: list[str]
    users: list[str]


class ErrorDetail(BaseModel):
    code: str = Field(description="not_found, invalid_input, empty_text, unauthorized...")
    message: str


class ErrorOut(BaseModel):
    """Every error: one shape."""

    error: ErrorDetail


#: the error answers every route may give, for the OpenAPI document
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": what} for status, what in (
        (400, "bad input (the message says which field and why)"),
        (401, "missing or invalid API key"),
        (403, "the key lacks the scope, or may not write for this user"),
        (404, "no such record for this user"),
        (409, "conflict (import ids) or a store problem"),
        (413, "request body too large"),
        (422, "request does not match the schema"),
        (424, "the embedder or LLM failed"),
        (429, "the database is busy; retry"),
        (503, "the server is shutting down"))}


class Health(BaseModel):
    status: str
