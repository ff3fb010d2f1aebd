"""Expressions anchored on another date instead of the reference date.

"the week before 9 June 2023", "two weekends before 17 July 2023", "the Friday before
15 July 2023", "the first weekend of August 2023", "the week of 23 August 2023". LoCoMo's
annotators wrote their gold answers and many questions this way (Maharana et al., ACL 2024):
a turn that says "last week" in a session of 9 June 2023 becomes "the week before 9 June
2023". Resolving the anchored phrase with the same functions that resolve "last week"
against a session date gives the question and the turn the same span, hence the same index
keys.

This is a second pass over the hits of :func:`engramdb.text._timeparse.scan`: a day (or a
month, for "first ... of") preceded by such a phrase is replaced by the anchored span.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from . import _timecal as cal
from ._timelex import NUM_RE, WEEKDAY_RE, WEEKDAYS, Hit, count_range, shift, unit_span

__all__ = ["anchor"]

_UNITS = r"(?:day|weekend|week|month|year)"
_RELATIVE_TO = re.compile(
    r"(?<!\w)(?:(?:the|last)\s+)?(?:(?P<n>" + NUM_RE + r")\s+(?P<u>" + _UNITS + r")s?"
    r"|(?P<wd>" + WEEKDAY_RE + r")|(?P<u1>" + _UNITS + r"))"
    r"\s+(?P<dir>before|after|prior\s+to|following)\s+(?:the\s+)?$", re.IGNORECASE)
_WEEK_OF = re.compile(r"(?<!\w)(?:the\s+)?(?P<u>week|weekend)\s+of\s+(?:the\s+)?$",
                      re.IGNORECASE)
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4, "last": -1}
_OF_MONTH = re.compile(
    r"(?<!\w)(?:the\s+)?(?P<ord>"
    + "|".join(_ORDINAL) + r")\s+(?P<what>weekend|week|" + WEEKDAY_RE + r")\s+(?:of|in)\s+$",
    re.IGNORECASE)


def _relative_to(m: re.Match, anchor: date) -> tuple[date, date, str, str] | None:
    """The span of "<phrase> before|after <anchor>", resolved like the matching phrase said
    on the anchor day ("the week before D" is "last week" said on D)."""
    sign = 1 if m["dir"].lower() in ("after", "following") else -1
    if m["wd"]:
        wd = WEEKDAYS[m["wd"].lower().rstrip(".")]
        d = cal.weekday_after(anchor, wd) if sign > 0 else cal.weekday_before(anchor, wd)
        return d, d, "day", ""
    unit = (m["u"] or m["u1"]).lower()
    count = count_range(m["n"]) if m["n"] else (1, 1)
    if count is None:
        return None
    lo, hi = count
    if unit == "weekend":
        if sign < 0:
            spans = [cal.weekend_span(anchor - timedelta(days=7 * k)) for k in (lo, hi)]
        else:
            first = anchor + timedelta(days=7 if anchor.weekday() >= 5 else 0)
            spans = [cal.weekend_span(first + timedelta(days=7 * (k - 1))) for k in (lo, hi)]
        start, end = min(s[0] for s in spans), max(s[1] for s in spans)
        return start, end, "week", "approx" if lo != hi else ""
    a = unit_span(unit, shift(anchor, unit, sign * lo))
    b = unit_span(unit, shift(anchor, unit, sign * hi))
    return min(a[0], b[0]), max(a[1], b[1]), a[2], "approx" if lo != hi else ""


def _of_month(m: re.Match, first: date, last: date) -> tuple[date, date, str, str] | None:
    """"the first weekend of August 2023" (weekends start on their Saturday), "the last
    Friday of May", "the second week of June" (the ISO week holding the 8th)."""
    k, what = _ORDINAL[m["ord"].lower()], m["what"].lower().rstrip(".")
    if what == "week":
        d = last if k < 0 else first + timedelta(days=7 * (k - 1))
        return (*cal.week_span(d), "week", "") if d <= last else None
    wd = 5 if what == "weekend" else WEEKDAYS[what]
    if k < 0:
        d = last - timedelta(days=(last.weekday() - wd) % 7)
    else:
        d = first + timedelta(days=(wd - first.weekday()) % 7 + 7 * (k - 1))
    if d > last:
        return None
    return (d, d + timedelta(days=1), "week", "") if what == "weekend" else (d, d, "day", "")


def anchor(text: str, hits: list[Hit]) -> list[Hit]:
    """Replace each anchored day/month hit (and the hits its phrase swallowed) by the
    anchored span; hits without an anchoring phrase pass through unchanged."""
    out: list[Hit] = []
    for hit in hits:
        start, end, gran, s, e, mod, relative = hit
        lo = max(0, s - 60)
        got, m = None, None
        try:
            if gran == "day" and start == end and not mod:
                m = _RELATIVE_TO.search(text, lo, s)
                got = _relative_to(m, start) if m else None
                if m is None and (m := _WEEK_OF.search(text, lo, s)):  # "the week of 1 May"
                    weekend = m["u"].lower() == "weekend"
                    got = (*(cal.weekend_span if weekend else cal.week_span)(start), "week", "")
            elif gran == "month" and not mod:
                m = _OF_MONTH.search(text, lo, s)
                got = _of_month(m, start, end) if m else None
        except (ValueError, OverflowError):  # a date outside datetime's range
            got = None
        if got is None or m is None:
            out.append(hit)
            continue
        new_s = m.start()
        while out and out[-1][4] > new_s:  # the phrase held an earlier hit ("last weekend")
            out.pop()
        out.append((got[0], got[1], got[2], new_s, e, got[3], relative))
    return out
