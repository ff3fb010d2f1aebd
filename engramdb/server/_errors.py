"""One error shape for every failure: ``{"error": {"code": ..., "message": ...}}``.

Each :class:`EngramError` subclass has a code (its name in snake case, without
``_error``) and a 4xx status; the client maps the code back to the same class, so a
remote call raises what the embedded call would. Nothing here ever echoes a request
header: API keys must not reach a log or an error message.
"""

from __future__ import annotations

import logging
from typing import Any

from .. import _errors as errors

__all__ = ["STATUS", "ApiError", "code_of", "error_body", "install_handlers"]

log = logging.getLogger("engramdb.server")

#: HTTP status of each error class; the most specific class listed wins
STATUS: dict[type[errors.EngramError], int] = {
    errors.EngramError: 400,
    errors.InvalidInputError: 400,
    errors.PayloadTooLargeError: 413,
    errors.ImportConflictError: 409,
    errors.NotFoundError: 404,
    errors.StoreError: 409,  # the file's state (not ours, too new): the operator's to fix
    errors.StoreBusyError: 429,  # another process holds the write lock: retry
    errors.ProviderError: 424,  # the embedder or LLM the server depends on failed
    errors.MissingExtraError: 424,
}


class ApiError(Exception):
    """An HTTP-level refusal that is no library error: auth, scope, size, routing."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def code_of(exc: errors.EngramError) -> str:
    """``NotFoundError`` -> ``"not_found"``; ``EngramError`` -> ``"engram"``."""
    from ..client._wire import error_code

    return error_code(type(exc))


def status_of(exc: errors.EngramError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def install_handlers(app: Any, on_error: Any) -> None:
    """Exception handlers on a FastAPI ``app``; ``on_error(code)`` counts each."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    def reply(status: int, code: str, message: str, headers: dict[str, str] | None = None,
              **extra: Any) -> JSONResponse:
        on_error(code)
        return JSONResponse(error_body(code, message, **extra), status_code=status,
                            headers=headers)

    async def engram(request: Any, exc: errors.EngramError) -> JSONResponse:
        status = status_of(exc)
        headers = {"Retry-After": "1"} if status == 429 else None
        extra = {"conflicts": exc.conflicts} if isinstance(exc, errors.ImportConflictError) else {}
        return reply(status, code_of(exc), str(exc), headers, **extra)

    async def api(request: Any, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return reply(exc.status, exc.code, exc.message, headers)

    async def validation(request: Any, exc: RequestValidationError) -> JSONResponse:
        return reply(422, "validation", _validation_message(exc.errors()))

    async def http(request: Any, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http")
        return reply(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    async def internal(request: Any, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return reply(500, "internal", "internal server error (logged on the server)")

    app.add_exception_handler(errors.EngramError, engram)
    app.add_exception_handler(ApiError, api)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(Exception, internal)


def _validation_message(problems: Any) -> str:
    """One line per problem: where it is and what is wrong (never the whole value)."""
    parts = []
    for problem in list(problems)[:5]:
        if problem.get("type") == "json_invalid":  # was "1: JSON decode error"
            at = problem.get("loc", (None, None))[-1]
            why = (problem.get("ctx") or {}).get("error", "malformed")
            parts.append(f"the request body is not valid JSON: {why} (at character {at})")
            continue
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    more = len(problems) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
