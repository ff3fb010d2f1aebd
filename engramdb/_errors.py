"""The one exception tree of engramdb.

Every error the library raises on purpose is an ``EngramError``. Errors of the
libraries underneath (sqlite3, json, http) are converted at the boundary so a
caller never has to import them.
"""

from __future__ import annotations

__all__ = [
    "EngramError",
    "InvalidInputError",
    "EmptyTextError",
    "MissingScopeError",
    "PayloadTooLargeError",
    "InvalidIdError",
    "NotFoundError",
    "ImportFormatError",
    "ImportConflictError",
    "StoreError",
    "NotAnEngramDatabaseError",
    "SchemaTooNewError",
    "StoreBusyError",
    "ProviderError",
    "MissingExtraError",
]


class EngramError(Exception):
    """Base class of every error raised by engramdb."""

    #: exit code the CLI uses for this error
    exit_code: int = 1


class InvalidInputError(EngramError, ValueError):
    """The caller passed something engramdb cannot store or use."""

    exit_code = 2


class EmptyTextError(InvalidInputError):
    """Text was empty or only whitespace."""


class MissingScopeError(InvalidInputError):
    """A call was made without the ``user_id`` that scopes every read and write."""


class PayloadTooLargeError(InvalidInputError):
    """A text or metadata blob is larger than the configured limit."""


class InvalidIdError(InvalidInputError):
    """An id does not have the shape of an engramdb id."""


class NotFoundError(EngramError, KeyError):
    """No record with that id exists in the caller's scope."""

    exit_code = 3

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0]) if self.args else "not found"


class ImportFormatError(InvalidInputError):
    """A file to import is malformed; the message names the file, line/item and field."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        where = ":".join(str(p) for p in (path, line) if p is not None)
        full = f"{where}: {message}" if where else message
        if field:
            full += f" (field '{field}')"
        super().__init__(full)
        self.path, self.line, self.field = path, line, field


class ImportConflictError(InvalidInputError):
    """Records to import carry ids that already name other records (stored ones, or
    another line of the same file); nothing was imported. ``conflicts`` lists
    ``"file:line: record <id>: what differs"`` for each."""

    def __init__(self, conflicts: list[str]) -> None:
        shown = "; ".join(conflicts[:5]) + (f"; and {len(conflicts) - 5} more"
                                            if len(conflicts) > 5 else "")
        super().__init__(f"{len(conflicts)} record(s) to import have the id of a different "
                         f"record; nothing was imported: {shown}")
        self.conflicts = conflicts


class StoreError(EngramError):
    """The storage backend failed."""

    exit_code = 4


class NotAnEngramDatabaseError(StoreError):
    """The file exists but is not an engramdb database."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer engramdb with a schema we do not know."""


class StoreBusyError(StoreError):
    """Another process holds the write lock for longer than the busy timeout."""

    exit_code = 5


class ProviderError(EngramError):
    """An embedding or LLM provider failed or returned something unusable."""

    exit_code = 6


class MissingExtraError(EngramError, ImportError):
    """An optional dependency is not installed; the message names the extra."""

    exit_code = 7

    @classmethod
    def for_package(cls, package: str, extra: str, hint: str = "") -> "MissingExtraError":
        msg = f"'{package}' is not installed: pip install 'engramdb[{extra}]'"
        return cls(msg + (f" ({hint})" if hint else ""))
