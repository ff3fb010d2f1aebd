"""The audit log of lifecycle actions: reading it, and printing it.

Every lifecycle action the engine takes on a user's memory leaves one row:
``supersede`` (a newer record replaced this one), ``reinstate`` (what replaced
it was deleted), ``reassert`` (it was stated again after it had been superseded),
``archive`` / ``restore`` (decay and capacity), ``merge`` (a near-duplicate folded
in), ``update`` and ``delete``. A row says what, when, on which record and why —
never the content: reasons name slots, scores and rules, and a deleted record's
earlier reasons are blanked.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._errors import InvalidInputError
from .._models import AuditEntry, Scope, check_id
from ..store import Store

__all__ = ["ACTIONS", "format_entry", "read_audit"]

#: Actions written by the engine (the store accepts any name; these are documented).
ACTIONS: tuple[str, ...] = ("supersede", "reinstate", "reassert", "archive", "restore", "merge",
                            "update", "delete")


def read_audit(store: Store, scope: Scope, *, limit: int = 100, record_id: str | None = None,
               actions: str | Sequence[str] | None = None) -> list[AuditEntry]:
    """The user's audit log, newest first, optionally for one record or some actions."""
    if not 1 <= limit <= 100_000:
        raise InvalidInputError("limit must be between 1 and 100000")
    if record_id is not None:
        record_id = check_id(record_id)
    wanted = (actions,) if isinstance(actions, str) else tuple(actions or ())
    return store.audit(scope, limit=limit, record_id=record_id, actions=wanted or None)


def format_entry(entry: AuditEntry) -> str:
    """One line: ``2024-05-01 10:00:00  supersede  <id>  location update (confidence 0.85)``."""
    when = entry.at.strftime("%Y-%m-%d %H:%M:%S")
    extra = ""
    if entry.detail.get("by"):
        extra = f"  (by {entry.detail['by']})"
    return f"{when}  {entry.action:<9}  {entry.record_id or '-':<24}  {entry.reason or ''}{extra}"
