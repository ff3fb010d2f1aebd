"""Rule handlers of the time-expression grammar: validate a match in context, resolve it.

Each ``h_*`` takes the rule's regex match and the scan context and returns
``(start, end, granularity, mod, relative)`` or None to reject the match. The resolution
conventions are those documented in :mod:`engramdb.text.timeexpr`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from . import _timecal as cal
from ._timelex import (
    AMBIGUOUS_MONTHS,
    DECADE_WORDS,
    FULL_MONTHS,
    MONTHS,
    SEASONS,
    WEEKDAYS,
    Ctx,
    Res,
    count_range,
    make_date,
    shift,
    unit_name,
    unit_span,
)

__all__ = [
    "h_ago", "h_before_last", "h_dayword", "h_decade", "h_dmy", "h_for_n", "h_from_now",
    "h_holiday", "h_in_n", "h_iso", "h_iso_month", "h_lastnext", "h_mdy", "h_month", "h_my",
    "h_nth", "h_numeric", "h_past_n", "h_season", "h_the_past", "h_vague", "h_weekday",
    "h_weekend", "h_year",
]


def _narrow(start: date, end: date, gran: str, mod: str | None) -> tuple[date, date, str]:
    """Apply early/mid/late (TIMEX3 START/MID/END) to a calendar unit: the days 1-10, 11-20
    and 21-end of a month; January-April, May-August, September-December of a year; the
    months of a season; years 0-3, 4-6, 7-9 of a decade; Mon-Tue, Wed-Thu, Fri-Sun of a week.
    "beginning/start of" reads as early, "middle of" as mid, "end of" as late."""
    if not mod or gran == "day" or (end - start).days < 6:
        return start, end, ""
    mod = mod.lower()
    mod = ("early" if ("beginning" in mod or "start" in mod) else "late" if "end" in mod
           else "mid" if "middle" in mod else mod)
    after = end + timedelta(days=1)
    if gran == "month":
        cuts = (start, start.replace(day=11), start.replace(day=21), after)
    elif gran == "year":
        cuts = (start, start.replace(month=5), start.replace(month=9), after)
    elif gran == "season":
        cuts = (start, cal.shift_months(start, 1), cal.shift_months(start, 2), after)
    elif gran == "decade":
        y = start.year
        cuts = (start, start.replace(year=y + 4), start.replace(year=y + 7), after)
    else:
        cuts = (start, start + timedelta(days=2), start + timedelta(days=4), after)
    i = ("early", "mid", "late").index(mod)
    return cuts[i], cuts[i + 1] - timedelta(days=1), mod


def _pick(cands: list[tuple[date, date]], ref: date, tense: str, nearest: bool = False
          ) -> tuple[date, date] | None:
    """Choose among yearly candidates: future -> first not ended before ref; past -> last
    started on or before ref; otherwise the nearest (``nearest``) or the past one."""
    future = [c for c in cands if c[1] >= ref]
    past = [c for c in cands if c[0] <= ref]
    if tense == "future":
        return future[0] if future else None
    if nearest and tense != "past" and future and past:
        f, p = future[0], past[-1]
        return f if (f[0] - ref) < (ref - p[1]) else p
    return past[-1] if past else None


def _explicit_day(ctx: Ctx, pos: int, month: int, day: int, year: str | None) -> Res | None:
    """A day and month, with the year given or else the nearest one (by tense if known)."""
    if year:
        d = make_date(int(year), month, day)
        return (d, d, "day", "", False) if d else None
    cands = [(d, d) for y in (ctx.ref.year - 1, ctx.ref.year, ctx.ref.year + 1)
             if (d := make_date(y, month, day))]
    got = _pick(cands, ctx.ref, ctx.tense(pos), nearest=True)
    return (got[0], got[1], "day", "", True) if got else None


def h_iso(m: re.Match, ctx: Ctx) -> Res | None:
    """ISO 8601 calendar date, 2023-05-08."""
    d = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return (d, d, "day", "", False) if d else None


def h_iso_month(m: re.Match, ctx: Ctx) -> Res | None:
    """ISO 8601 year-month, 2023-05."""
    return (*cal.month_span(int(m["y"]), int(m["m"])), "month", "", False)


def h_numeric(m: re.Match, ctx: Ctx) -> Res | None:
    """05/08/2023 and 05-08-2023 are US month/day/year, 08.05.2023 is European day.month.year;
    the other order is used when the first reading is impossible (25/12/2022). Two-digit
    years are 20xx unless that is more than five years after ref (12/25/99 is 1999)."""
    a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
    if y < 100:
        y = 2000 + y if 2000 + y <= ctx.ref.year + 5 else 1900 + y
    month, day = (b, a) if m["sep"] == "." else (a, b)
    d = make_date(y, month, day) or make_date(y, day, month)
    return (d, d, "day", "", len(m["y"]) == 2) if d else None


def _month_ok(word: str, cue: bool) -> bool:
    """A month name with no day or year beside it: an ambiguous one ("March on", "June said",
    an abbreviation) needs a cue word before it ("in", "since", "early"...), and "may" is the
    modal verb unless capitalised ("May I ask" has no cue either)."""
    low = word.lower().rstrip(".")
    if low == "may" and not word[0].isupper():
        return False
    return cue or (low in FULL_MONTHS and low not in AMBIGUOUS_MONTHS)


def h_dmy(m: re.Match, ctx: Ctx) -> Res | None:
    """"8 May 2023", "the 8th of May", "May 8th, 2023", "Saturday, May 6" (also ``h_mdy``)."""
    word = m["mon"]
    if word == "may" and not m["y"]:  # "the 2 may go": lowercase "may" is the modal
        return None
    return _explicit_day(ctx, m.start(), MONTHS[word.lower().rstrip(".")], int(m["d"]),
                         m["y"])


h_mdy = h_dmy


def h_my(m: re.Match, ctx: Ctx) -> Res | None:
    """"May 2023", "early June 2023", "May of 2023"."""
    start, end = cal.month_span(int(m["y"]), MONTHS[m["mon"].lower().rstrip(".")])
    start, end, mod = _narrow(start, end, "month", m["mod"])
    return start, end, "month", mod, False


_UNIT_NOUN = re.compile(
    r"\s*(?:%|\+|k\b|(?:people|persons|dollars|bucks|euros|pounds|yen|rupees|miles|km|kilomet\w*"
    r"|met(?:er|re)s|feet|ft|steps|calories|kcal|words|pages|points|followers|subscribers|likes"
    r"|views|members|students|kids|children|times|pieces|items|copies|units|hours|minutes|seconds"
    r"|days|weeks|months|years|sq|square|mg|ml|lbs|kg|grams|votes|signatures|books|songs|photos"
    r"|pictures|posts|gallons|acres|participants|runners|attendees|visitors|volunteers|meals"
    r"|tickets|plus|of\s+(?:them|those|these|us))\b)", re.IGNORECASE)
_NOT_YEAR_BEFORE = re.compile(
    r"(?:[$£€#]|\bno\.?|\bnumber|\broom|\bpage|\broute|\bflight|\bapt\.?|\bsuite|\bmodel"
    r"|\bversion|\bexit|\bhighway|\bcode|\bpin|\bscored?|\btop|\bover|\bthan|\bnearly"
    r"|\balmost|\bapproximately)\s*$", re.IGNORECASE)


def h_year(m: re.Match, ctx: Ctx) -> Res | None:
    """A year 1900-2099 ("in 2019", "late 2022", "the year 2020"), not a count ("2000 people",
    "$2019", "room 2010")."""
    if _UNIT_NOUN.match(ctx.text, m.end()) or _NOT_YEAR_BEFORE.search(ctx.before(m.start())):
        return None
    start, end, mod = _narrow(*cal.year_span(int(m["y"])), "year", m["mod"])
    return start, end, "year", mod, False


_AGE_BEFORE = re.compile(r"(?:\b(?:my|his|her|their|our|your|its|[a-z]+['’]s)\s+"
                         r"(?:(?:early|mid|late)[\s-]*)?|\bwas\s+in\s+(?:the\s+)?)$", re.IGNORECASE)


def h_decade(m: re.Match, ctx: Ctx) -> Res | None:
    """"the 1990s", "the '90s", "the nineties"; two-digit decades take the latest century
    not after ref ("the 20s" in 2023 is the 2020s); "in her 20s" (an age) is rejected."""
    text = m[0].lower()
    if _AGE_BEFORE.search(ctx.before(m.start("core"), 40)):
        return None
    if m["w"]:
        if not text.startswith(("the", "early", "mid", "late")):
            return None
        digits = DECADE_WORDS[m["w"].lower()]
    else:
        digits = int(m["dec"])
    if digits >= 100:
        year, relative = digits, False
    else:
        year = 2000 + digits if 2000 + digits <= ctx.ref.year else 1900 + digits
        relative = digits < 30
    start, end, mod = _narrow(*cal.decade_span(year), "decade", m["mod"])
    return start, end, "decade", mod, relative


def _count_span(ctx: Ctx, m: re.Match, sign: int) -> Res | None:
    """"N units ago" (sign -1) or "in N units" (sign +1): the calendar unit N units away;
    a vague count ("a few", "or so") gives the covering range, marked ``approx``."""
    rng = count_range(m["n"])
    if rng is None or rng[1] > 400:
        return None
    lo, hi = rng
    unit = unit_name(m["u"])
    mod = "approx" if (lo != hi or m["q"] or m["or"]) else ""
    if m["or"]:
        hi = hi + 1 if "so" not in m["or"].lower() else hi
    a = unit_span(unit, shift(ctx.ref, unit, sign * lo))
    b = unit_span(unit, shift(ctx.ref, unit, sign * hi))
    start, end = min(a[0], b[0]), max(a[1], b[1])
    return start, end, a[2], mod, True


def h_ago(m: re.Match, ctx: Ctx) -> Res | None:
    """"two years ago", "a few days back", "about a week ago"."""
    return _count_span(ctx, m, -1)


_DURATION_BEFORE = re.compile(r"\b(?:time|times|ever|once|twice|all|only)\s*$", re.IGNORECASE)


def h_in_n(m: re.Match, ctx: Ctx) -> Res | None:
    """"in 3 days", "within two weeks", "in the next few days": not "first time in 5 years"."""
    if _DURATION_BEFORE.search(ctx.before(m.start())):
        return None
    if m["nx"] or m[0].lower().startswith("within"):
        return _rolling(ctx, m, +1)
    return _count_span(ctx, m, +1)


_PERFECT = re.compile(r"\bbeen\b|(?:['’]ve|\bhave|\bhas)\s+(?:\w+\s+)?(?:known|had|\w+ed)\b",
                      re.IGNORECASE)


def h_for_n(m: re.Match, ctx: Ctx) -> Res | None:
    """"I've known them for 4 years" / "been painting for a few months": a state that began
    N units before ref, so the span of "N units ago" marked ``since``. Only in a present-perfect
    sentence: "I'm going for 2 weeks" or "I had a cold for a week" say nothing about when."""
    start = max(ctx.text.rfind(c, 0, m.start()) for c in ".!?;\n") + 1
    if not _PERFECT.search(ctx.text, start, m.start()):
        return None
    res = _count_span(ctx, m, -1)
    return (res[0], res[1], res[2], "since", True) if res else None


def h_from_now(m: re.Match, ctx: Ctx) -> Res | None:
    """"2 weeks from now"."""
    return _count_span(ctx, m, +1)


def _rolling(ctx: Ctx, m: re.Match, sign: int) -> Res | None:
    """"the past 3 weeks" / "the next few days": the rolling window up to/from ref."""
    rng = count_range(m["n"]) if m["n"] else (1, 1)
    if rng is None:
        return None
    unit = unit_name(m["u"])
    far = shift(ctx.ref, unit, sign * rng[1])
    start, end = (far, ctx.ref) if sign < 0 else (ctx.ref, far)
    gran = {"fortnight": "week", "weekend": "week"}.get(unit, unit)
    return start, end, gran, "approx" if rng[0] != rng[1] else "", True


def h_past_n(m: re.Match, ctx: Ctx) -> Res | None:
    """"the past few weeks", "last 3 months", "the next two days", "the past year"."""
    sign = +1 if m["dir"].lower() in ("next", "coming") else -1
    return _rolling(ctx, m, sign)


h_the_past = h_past_n


def h_before_last(m: re.Match, ctx: Ctx) -> Res | None:
    """"the week/weekend before last": two calendar weeks back."""
    if m["u"].lower() == "weekend":
        return (*cal.weekend_span(ctx.ref - timedelta(days=14)), "week", "", True)
    return (*cal.week_span(ctx.ref - timedelta(days=14)), "week", "", True)


_DAYWORDS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1,
             "last night": -1, "this morning": 0, "this afternoon": 0, "this evening": 0,
             "earlier today": 0, "later today": 0}


def h_dayword(m: re.Match, ctx: Ctx) -> Res | None:
    """"yesterday", "tonight", "this morning", "last night", "the day before yesterday"."""
    word = " ".join(m["w"].lower().split())
    offset = -2 if "before" in word else 2 if "after" in word else _DAYWORDS[word]
    d = ctx.ref + timedelta(days=offset)
    return d, d, "day", "", True


def h_vague(m: re.Match, ctx: Ctx) -> Res | None:
    """"the other day" -> 1-7 days back; "recently"/"lately" -> the last 30 days;
    "earlier/later this week|month|year" -> that part of the unit."""
    word, ref = " ".join(m["w"].lower().split()), ctx.ref
    if word == "the other day":
        return ref - timedelta(days=7), ref - timedelta(days=1), "day", "approx", True
    if word.startswith(("earlier", "later")):
        start, end, gran = unit_span(word.rsplit(" ", 1)[1], ref)
        return (start, ref, gran, "", True) if word.startswith("earlier") else (
            ref, end, gran, "", True)
    return ref - timedelta(days=30), ref, "day", "approx", True


def _which(word: str) -> str:
    """Normalise last/this/next synonyms: "this past" -> last, "coming" -> next."""
    word = " ".join(word.lower().split())
    return {"this past": "last", "past": "last", "previous": "last", "this coming": "next",
            "coming": "next"}.get(word, word)


def h_lastnext(m: re.Match, ctx: Ctx) -> Res | None:
    """last/this/next + week, weekend, month, year, season, month name or weekday."""
    which, what, ref = _which(m["which"]), m["what"], ctx.ref
    low = what.lower().rstrip(".")
    if which == "the" and not m["mod"]:
        return None
    if which == "the":
        which = "this"
    if low in WEEKDAYS:
        wd = WEEKDAYS[low]
        d = (cal.weekday_before(ref, wd) if which == "last" else
             cal.weekday_after(ref, wd) if which == "next" else cal.weekday_in_week(ref, wd))
        return d, d, "day", "", True
    step = {"last": -1, "this": 0, "next": 1}[which]
    if low in MONTHS:
        if low == "may" and not what[0].isupper():
            return None
        # last May: the latest May over before ref; next May: the first May starting after it
        month = MONTHS[low]
        year = ref.year + (step if (month - ref.month) * step <= 0 else 0)
        start, end = cal.month_span(year, month)
        gran = "month"
    elif low in SEASONS:
        fn = {"last": cal.last_season, "this": cal.this_season, "next": cal.next_season}[which]
        start, end = fn(ref, low)
        gran = "season"
    elif low == "weekend":
        start, end = cal.weekend_span(ref + timedelta(days=7 * step))
        gran = "week"
    else:
        unit = low
        start, end, gran = unit_span(unit, shift(ref, unit, step))
    start, end, mod = _narrow(start, end, gran, m["mod"])
    return start, end, gran, mod, True


def h_weekend(m: re.Match, ctx: Ctx) -> Res | None:
    """"over the weekend": the weekend just gone (the current one when said on a Sunday);
    the coming one in future-tense sentences or after for/by/until."""
    prep, ref = m["prep"].lower(), ctx.ref
    if prep in ("for", "by", "until", "till") or ctx.tense(m.start()) == "future":
        return (*cal.weekend_span(ref), "week", "", True)
    if ref.weekday() == 6:
        return (*cal.weekend_span(ref), "week", "", True)
    return (*cal.last_weekend(ref), "week", "", True)


def h_season(m: re.Match, ctx: Ctx) -> Res | None:
    """"in the summer", "summer 2022", "the fall of 2019" - not "the fall of Rome"."""
    season, year, prep = m["s"].lower(), m["y"], m["prep"]
    if year:
        start, end = cal.season_span(season, int(year))
        relative = False
    else:
        if not (prep or m["mod"]) or re.match(r"\s+of\b", ctx.text[m.end():]):
            return None
        cands = [cal.season_span(season, y) for y in range(ctx.ref.year - 2, ctx.ref.year + 2)]
        got = _pick(cands, ctx.ref, ctx.tense(m.start()))
        if got is None:
            return None
        start, end = got
        relative = True
    start, end, mod = _narrow(start, end, "season", m["mod"])
    return start, end, "season", mod or _since(prep), relative


def _since(prep: str | None) -> str:
    """The ``mod`` a preposition gives: "since May" -> since, "around May" -> approx."""
    return {"since": "since", "around": "approx"}.get((prep or "").lower(), "")


def h_month(m: re.Match, ctx: Ctx) -> Res | None:
    """A month name alone: the latest such month not after ref ("in May" said in July 2023 is
    May 2023, said in April 2023 is May 2022), the next one in future-tense sentences."""
    word, prep = m["mon"], m["prep"]
    if not _month_ok(word, cue=bool(prep or m["mod"])):
        return None
    month = MONTHS[word.lower().rstrip(".")]
    if ctx.tense(m.start()) == "future":
        start, end = cal.month_after(ctx.ref, month)
    else:
        start, end = cal.month_before(ctx.ref, month)
    start, end, mod = _narrow(start, end, "month", m["mod"])
    return start, end, "month", mod or _since(prep), True


_HABITUAL = re.compile(r"\b(?:every|each|most|all|some|any)\s+(?:other\s+)?$", re.IGNORECASE)


def h_weekday(m: re.Match, ctx: Ctx) -> Res | None:
    """A weekday alone: the most recent one strictly before ref (on a Monday, "Saturday" is
    two days back; on a Saturday it is a week back), the next one strictly after ref in a
    future-tense sentence or after by/until. Habitual "every Saturday" is not a date."""
    word, prep = m["wd"], (m["prep"] or "").lower()
    if not prep and len(word.rstrip(".")) <= 5:  # "Sun", "Wed", "Sat": words first
        return None
    if _HABITUAL.search(ctx.before(m.start())):
        return None
    wd = WEEKDAYS[word.lower().rstrip(".")]
    if prep in ("by", "until", "till") or ctx.tense(m.start()) == "future":
        d = cal.weekday_after(ctx.ref, wd)
    else:
        d = cal.weekday_before(ctx.ref, wd)
    return d, d, "day", _since(prep), True


def h_nth(m: re.Match, ctx: Ctx) -> Res | None:
    """"on the 8th": that day of ref's month, or of the month before/after by tense."""
    day, ref = int(m["d"]), ctx.ref
    cands = [(d, d) for k in (-1, 0, 1) if (d := _nth(ref, k, day))]
    got = _pick(cands, ref, ctx.tense(m.start()))
    return (got[0], got[1], "day", "", True) if got else None


def _nth(ref: date, k: int, day: int) -> date | None:
    index = ref.year * 12 + ref.month - 1 + k
    return make_date(index // 12, index % 12 + 1, day)


def h_holiday(m: re.Match, ctx: Ctx) -> Res | None:
    """U.S. holidays ("Christmas", "last Thanksgiving", "Easter 2022"): with last/this/next as
    for weekdays, else the nearest by tense (the last one not after ref by default)."""
    name = " ".join(m["hol"].lower().replace("’", "'").split())
    which = _which(m["which"]) if m["which"] else ""

    def on(year: int) -> date:
        if "eve" in name:
            return date(year, 12, 24) if "christmas" in name else date(year, 12, 31)
        if "new year" in name:
            return date(year, 1, 1)
        fixed = {"christmas": (12, 25), "xmas": (12, 25), "halloween": (10, 31),
                 "valentine": (2, 14), "independence": (7, 4), "fourth": (7, 4), "july": (7, 4)}
        for key, (mo, dd) in fixed.items():
            if key in name:
                return date(year, mo, dd)
        return cal.easter(year) if "easter" in name else cal.thanksgiving(year)

    if m["y"]:
        d = on(int(m["y"]))
        return d, d, "day", "", False
    ref = ctx.ref
    days = [on(y) for y in (ref.year - 1, ref.year, ref.year + 1)]
    if which == "this":
        d = days[1]
    elif which == "last":
        d = max(x for x in days if x < ref)
    elif which == "next":
        d = min(x for x in days if x > ref)
    else:
        got = _pick([(x, x) for x in days], ref, ctx.tense(m.start()))
        if got is None:
            return None
        d = got[0]
    return d, d, "day", "", True
