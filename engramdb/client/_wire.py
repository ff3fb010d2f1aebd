"""The JSON wire form of engramdb's types, shared by the server and the clients.

Dataclasses travel as pydantic renders them (datetimes in ISO-8601) and come back
through the same ``TypeAdapter``, so a remote ``Record`` equals the embedded one.
Errors travel as ``{"error": {"code", "message"}}``; :func:`error_class` maps a code
back to the library's exception class.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .. import _errors

__all__ = ["error_code", "error_class", "decode", "decode_recall", "decode_profile",
           "RemoteError", "AuthError", "ForbiddenError", "raise_for"]


class RemoteError(_errors.StoreError):
    """The server could not be reached, or answered something that is not engramdb's."""


class AuthError(_errors.EngramError):
    """The server refused the API key (missing, unknown or revoked)."""


class ForbiddenError(AuthError):
    """The API key lacks the scope for this call, or may not write for this user."""


def error_code(cls: type[BaseException]) -> str:
    """``NotFoundError`` -> ``"not_found"``: the nearest class of engramdb's own tree."""
    if issubclass(cls, AuthError):
        return "forbidden" if issubclass(cls, ForbiddenError) else "unauthorized"
    for base in cls.__mro__:
        if base.__module__ == _errors.__name__:
            cls = base
            break
    name = re.sub(r"Error$", "", cls.__name__) or cls.__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@lru_cache(maxsize=1)
def _classes() -> dict[str, type[_errors.EngramError]]:
    found = {error_code(getattr(_errors, n)): getattr(_errors, n) for n in _errors.__all__}
    found.update({"unauthorized": AuthError, "forbidden": ForbiddenError,
                  "validation": _errors.InvalidInputError,
                  "payload_too_large": _errors.PayloadTooLargeError})
    return found


def error_class(code: str) -> type[_errors.EngramError]:
    return _classes().get(code, _errors.EngramError)


def raise_for(status: int, body: Any) -> None:
    """Raise the library's exception for an error answer."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise RemoteError(f"HTTP {status} without an engramdb error body")
    cls, message = error_class(str(error.get("code"))), str(error.get("message", ""))
    if cls is _errors.ImportConflictError:
        raise cls(list(error.get("conflicts") or [message]))
    if cls is _errors.ImportFormatError:
        raise cls(message)
    raise cls(message)


@lru_cache(maxsize=None)
def _adapter(tp: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(tp)


def decode(tp: Any, data: Any) -> Any:
    """``data`` (parsed JSON) as an instance of ``tp`` (a dataclass, or a list of them)."""
    return _adapter(tp).validate_python(data)


def decode_recall(data: dict[str, Any]) -> Any:
    from .. import Hit, Recall

    hits = decode(list[Hit], data["hits"])
    return Recall(hits, threshold=data["threshold"], confidence=data["confidence"])


def decode_profile(data: dict[str, Any]) -> Any:
    from .. import Fact, Profile

    updated = data.get("updated_at")
    return Profile(user_id=data["user_id"], facts=decode(list[Fact], data["facts"]),
                   updated_at=_datetime(updated) if updated else None,
                   record_id=data.get("record_id"))


def _datetime(value: str) -> Any:
    from datetime import datetime

    return _adapter(datetime).validate_python(value)
