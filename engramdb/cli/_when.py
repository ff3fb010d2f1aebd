"""``--since``, ``--until`` and ``--as-of`` in ISO 8601 or in words ("yesterday",
"last week", "3 days ago", "in March"), read by the engine's own time parser
(the one that dates "last Saturday" in stored turns) against today's date, UTC."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

from .._errors import InvalidInputError
from .._models import to_utc

__all__ = ["when_flag"]

_END_OF_DAY = time(23, 59, 59, 999_999)
_FILLER = re.compile(r"^(?:\s|[,.]|\b(?:in|on|at|of|the|since|during|from|until|by)\b)*$",
                     re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def when_flag(value: str | None, *, edge: str, flag: str,
              today: date | None = None) -> datetime | None:
    """The instant ``value`` names: for words, the first moment of the span they name
    (``edge="start"``, for --since) or its last (``edge="end"``, for --until, --as-of)."""
    if value is None:
        return None
    if _DATE.match(value.strip()):  # a bare date is the whole day: --until 2025-06-01 keeps it
        try:
            day = date.fromisoformat(value.strip())
        except ValueError as exc:  # 2025-13-45: the shape of a date, not a real one
            raise InvalidInputError(f"{flag}: {value.strip()!r} is not a date ({exc})") from None
        return datetime.combine(day, time.min if edge == "start" else _END_OF_DAY, timezone.utc)
    try:
        return to_utc(value)
    except ValueError as exc:
        if value.strip()[:4].isdigit() and value.strip()[4:5] == "-":  # ISO, but wrong
            raise InvalidInputError(f"{flag}: {exc}") from None
    # not ISO: words
    span = _span(value, today or datetime.now(timezone.utc).date())
    if span is None:
        raise InvalidInputError(
            f"{flag}: cannot read {value!r} as a date: give ISO 8601 (2025-06-01, "
            "2025-06-01T09:30) or words such as 'yesterday', 'last week', '3 days ago', "
            "'March 2025'")
    day = span[0] if edge == "start" else span[1]
    return datetime.combine(day, time.min if edge == "start" else _END_OF_DAY, timezone.utc)


def _span(text: str, today: date) -> tuple[date, date] | None:
    from ..text.timeexpr import resolve_relative
    if text.strip().lower() in ("now", "today"):
        return today, today
    found = resolve_relative(text, today)
    if found is None or not _only_filler(text[:found.start_char] + text[found.end_char:]):
        return None  # "yesterday-ish", "after lunch yesterday": not only a date
    # "since 3 days ago" is a since-span running to today; the parser gives its start
    return found.start, today if found.mod == "since" else found.end


def _only_filler(rest: str) -> bool:
    return bool(_FILLER.match(rest))
