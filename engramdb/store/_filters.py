"""What a :class:`~engramdb._models.Filters` means, written once for every SQL backend.

Both backends keep the same columns (times as unix seconds, ``archived`` as 0/1),
so one function builds the WHERE clause of every read; only the parameter mark
and the JSON lookup differ (``Dialect``).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from .._errors import InvalidInputError
from .._models import Filters, Scope

__all__ = ["Dialect", "SQLITE", "POSTGRES", "where_clause", "has_narrowing"]

_META_KEY = re.compile(r"[A-Za-z0-9_\-]{1,64}")  # fullmatch: no trailing newline


@dataclass(frozen=True, slots=True)
class Dialect:
    mark: str  # parameter placeholder
    json_sqlite: bool  # json_extract(col, '$.k') = value  vs  col -> 'k' = value::jsonb
    seq: str = "rowid"  # the column that orders rows as they were written

    def among(self, column: str, values: Any) -> tuple[str, Any]:
        """``column`` is one of ``values``, as one parameter (no bound-variable limit)."""
        if self.json_sqlite:
            return f"{column} IN (SELECT value FROM json_each({self.mark}))", json.dumps(
                list(values))
        return f"{column} = ANY({self.mark})", list(values)

    def json_value(self, value: Any) -> Any:
        """A JSON column as Python (SQLite hands back its text, psycopg the value)."""
        return json.loads(value) if self.json_sqlite and isinstance(value, str) else value

    def meta_eq(self, alias: str, key: str, value: Any) -> tuple[str, Any]:
        if self.json_sqlite:
            return (f"json_extract({alias}.metadata, '$.{key}') = {self.mark}",
                    json.dumps(value) if isinstance(value, (dict, list)) else value)
        return f"({alias}.metadata -> '{key}')::jsonb = {self.mark}::jsonb", json.dumps(value)


SQLITE = Dialect("?", True)
POSTGRES = Dialect("%s", False, "seq")


def where_clause(scope: Scope, filters: Filters, alias: str = "r",
                 dialect: Dialect = SQLITE) -> tuple[str, list[Any]]:
    """The WHERE clause of every read: the user's scope first, then optional narrowing."""
    a, m = alias, dialect.mark
    parts: list[str] = [f"{a}.user_id = {m}"]
    params: list[Any] = [scope.user_id]
    for column, value in (("agent_id", scope.agent_id or filters.agent_id),
                          ("session_id", scope.session_id or filters.session_id)):
        if value is not None:
            parts.append(f"{a}.{column} = {m}")
            params.append(value)
    if filters.kinds:
        parts.append(f"{a}.kind IN ({','.join([m] * len(filters.kinds))})")
        params.extend(filters.kinds)
    if filters.since is not None:
        parts.append(f"{a}.timestamp >= {m}")
        params.append(filters.since.timestamp())
    if filters.until is not None:
        parts.append(f"{a}.timestamp <= {m}")
        params.append(filters.until.timestamp())
    if filters.speaker is not None:
        # a stand-alone fact has no speaker: it is the user's own, so a speaker
        # narrowing for recall may keep it (never for an explicit --speaker filter)
        unspoken = f" OR {a}.speaker IS NULL" if filters.speaker_keeps_facts else ""
        parts.append(f"(lower({a}.speaker) = lower({m}){unspoken})")
        params.append(filters.speaker)
    if not filters.include_archived:
        parts.append(f"{a}.archived = 0")
    if filters.as_of is not None:  # valid time: what was true then
        at = filters.as_of.timestamp()
        parts.append(f"((coalesce({a}.valid_from, {a}.timestamp, {a}.created_at) <= {m} AND "
                     f"({a}.valid_to IS NULL OR {a}.valid_to > {m})) OR EXISTS (SELECT 1 FROM "
                     f"past_validity p WHERE p.record_id = {a}.id AND p.user_id = {a}.user_id AND "
                     f"p.valid_from <= {m} AND p.valid_to > {m}))")
        params.extend((at, at, at, at))
    elif not (filters.include_superseded or filters.include_archived):
        # turns are a log of what was said: superseded ones rank lower but stay findable
        parts.append(f"({a}.valid_to IS NULL OR {a}.kind = 'turn' OR {a}.valid_to > {m})")
        params.append(time.time())
    for key, value in (filters.metadata or {}).items():
        if not isinstance(key, str) or not _META_KEY.fullmatch(key):
            raise InvalidInputError(f"metadata filter key must be [A-Za-z0-9_-]: {key!r}")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            # matched against one JSON value: a list, dict or object has no one meaning here
            raise InvalidInputError(f"metadata filter {key!r}: value must be a string, number, "
                                    f"boolean or null, not {type(value).__name__}")
        sql, param = dialect.meta_eq(a, key, value)
        parts.append(sql)
        params.append(param)
    return " AND ".join(parts), params


def has_narrowing(scope: Scope, filters: Filters) -> bool:
    """True when a filter goes beyond 'this user, not archived, current' (dense search then
    masks rows; archived and superseded rows are masked by the vector block itself)."""
    return bool(scope.agent_id or scope.session_id or filters.agent_id or filters.session_id
                or filters.kinds or filters.since or filters.until or filters.speaker
                or filters.metadata or filters.as_of)
