"""The grammar behind :mod:`engramdb.text.timeexpr`: the rule table and the scanner.

A text is tokenised once. Only word starts within a few words before a *trigger* word (a
month or weekday name, "week", "ago", "yesterday", a number...) can begin a time
expression, and at each such start only the rules that can begin with that word are tried,
in priority order: where several rules could match at the same place the first listed wins
(so "8 May 2023" is a day, not the month "May" and the year "2023"). A handler may reject a
match in context (capitalisation, tense, a unit noun after a number); the next rule is then
tried. A turn without a trigger word costs one ``findall``.

The rule set follows the HeidelTime recipe of pattern + normalisation function per
expression type (Strötgen & Gertz, "Multilingual and cross-domain temporal tagging", LRE
2013) and SUTime's treatment of relative and fuzzy expressions (Chang & Manning, LREC
2012), cut down to what conversational memories use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from ._timelex import (
    DAYNUM_RE,
    DECADE_WORDS,
    MOD_RE,
    MONTH_RE,
    MONTHS,
    NOT_DAY_OR_YEAR,
    NUM_RE,
    NUMBERS,
    SEASON_RE,
    SEASONS,
    TENS,
    TOD_RE,
    TRIGGERS,
    UNIT_RE,
    WEEKDAY_RE,
    WEEKDAYS,
    YEAR_RE,
    Ctx,
    Hit,
    Res,
)
from ._timerules import (
    h_ago,
    h_before_last,
    h_dayword,
    h_decade,
    h_dmy,
    h_for_n,
    h_from_now,
    h_holiday,
    h_in_n,
    h_iso,
    h_iso_month,
    h_lastnext,
    h_mdy,
    h_month,
    h_my,
    h_nth,
    h_numeric,
    h_past_n,
    h_season,
    h_the_past,
    h_vague,
    h_weekday,
    h_weekend,
    h_year,
)

__all__ = ["scan"]

# -- the rule table -------------------------------------------------------------------------

_Handler = Callable[[re.Match, Ctx], "Res | None"]

#: (name, pattern, handler, strip a leading neutral preposition from the matched text)
_RULES: list[tuple[str, str, _Handler, bool]] = [
    ("iso", r"(?<![\d/.-])(?P<y>\d{4})-(?P<m>0?[1-9]|1[0-2])-(?P<d>[12]\d|3[01]|0?[1-9])(?![\d-])",
     h_iso, False),
    ("isomonth", r"(?<![\d/.-])(?P<y>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])(?![\d-])", h_iso_month,
     False),
    ("numeric", r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)"
                r"(?P<y>\d{4}|\d{2})(?![\d/.-]\d)", h_numeric, False),
    ("holiday", r"(?:(?P<which>last|this\s+past|this\s+coming|this|next)\s+)?(?P<hol>christmas"
                r"\s+eve|christmas(?:\s+day)?|xmas|new\s+year['’]?s(?:\s+eve|\s+day)?|halloween"
                r"|thanksgiving|valentine['’]?s(?:\s+day)?|easter|independence\s+day"
                r"|(?:the\s+)?fourth\s+of\s+july)(?![a-z])(?:,?\s+" + YEAR_RE + ")?",
     h_holiday, False),
    ("dmy", r"(?:" + WEEKDAY_RE + r",?\s+)?(?:the\s+)?" + DAYNUM_RE
            + r"(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<mon>" + MONTH_RE + r")(?:,?\s+" + YEAR_RE + ")?",
     h_dmy, False),
    ("mdy", r"(?:" + WEEKDAY_RE + r",?\s+)?(?P<mon>" + MONTH_RE + r")\s+(?:the\s+)?" + DAYNUM_RE
            + r"(?:st|nd|rd|th)?(?![\d:a-z])(?:,?\s+" + YEAR_RE + ")?", h_mdy, False),
    ("my", MOD_RE + r"(?P<mon>" + MONTH_RE + r"),?\s+(?:of\s+)?" + YEAR_RE, h_my, False),
    ("decade", r"(?:the\s+)?" + MOD_RE + r"(?P<core>['’]?(?P<dec>(?:18|19|20)\d0|\d0)['’]?s"
               r"|(?P<w>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties))"
               r"(?![a-z])", h_decade, False),
    ("year", MOD_RE + r"(?<![$£€#.,/:\d])(?:the\s+year\s+)?" + YEAR_RE + r"(?![a-z'’]|[.,]\d)",
     h_year, False),
    ("ago", r"(?:(?P<q>about|around|roughly|almost|nearly|over|more\s+than|less\s+than|just\s+over"
            r"|like|maybe)\s+)?(?P<n>" + NUM_RE + r")\s+" + UNIT_RE
            + r"(?P<or>\s+or\s+(?:so|two|three))?\s+(?:ago|back)(?![a-z])", h_ago, False),
    ("in_n", r"(?:in|within)\s+(?P<nx>(?:the\s+)?next\s+)?(?:(?P<q>about|around|another|roughly|"
             r"just|only)\s+)?(?P<n>" + NUM_RE + r")\s+" + UNIT_RE
             + r"(?P<or>\s+or\s+(?:so|two|three))?(?!\s+(?:ago|back|old|of|before|after|later))",
     h_in_n, False),
    ("for_n", r"for\s+(?:(?P<q>about|around|almost|nearly|over|like|roughly|the\s+(?:past|last))"
              r"\s+)?(?P<n>" + NUM_RE + r")\s+" + UNIT_RE + r"(?P<or>\s+or\s+(?:so|two|three))?"
              r"(?!\s+(?:ago|back|old|of|before|after|later|from))", h_for_n, False),
    ("from_now", r"(?P<q>)(?P<n>" + NUM_RE + r")\s+" + UNIT_RE
                 + r"(?P<or>)\s+from\s+(?:now|today)", h_from_now, False),
    ("past_n", r"(?:the\s+)?(?P<dir>past|last|previous|next|coming)\s+(?P<n>" + NUM_RE + r")\s+"
               + UNIT_RE + r"(?!\s+of\b)", h_past_n, False),
    ("the_past", r"the\s+(?P<dir>past|last|previous)\s+(?P<n>)(?P<u>day|week|fortnight|month"
                 r"|year|decade)(?![a-z])(?!\s+of\b)(?!\s+(?:or|and|before|after)\b)", h_the_past,
     False),
    ("before_last", r"the\s+(?P<u>week|weekend)\s+before\s+last(?![a-z])", h_before_last, False),
    ("dayword", r"(?P<w>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday|today"
                r"|tonight|tomorrow|tmrw|tmr|last\s+night|this\s+(?:morning|afternoon|evening)"
                r"|earlier\s+today|later\s+today)" + TOD_RE + r"(?![a-z])", h_dayword, False),
    ("vague", r"(?P<w>the\s+other\s+day|recently|lately|not\s+(?:so\s+)?long\s+ago"
              r"|(?:earlier|later)\s+this\s+(?:week|month|year))(?![a-z])", h_vague, False),
    ("season", r"(?:(?P<prep>in|during|over|through|throughout|all|since|until|till|by|for|around)"
               r"\s+)?(?:the\s+)?" + MOD_RE + r"(?:the\s+)?(?P<s>" + SEASON_RE + r")(?![a-z])"
               r"(?:,?\s+(?:of\s+)?" + YEAR_RE + ")?", h_season, True),
    ("lastnext", MOD_RE + r"(?P<which>last|this\s+past|this\s+coming|this|next|past|coming"
                 r"|previous|the)\s+(?P<what>weekend|week|month|year|" + SEASON_RE + "|"
                 + MONTH_RE + "|" + WEEKDAY_RE + r")" + TOD_RE + r"(?![a-z])", h_lastnext, False),
    ("weekend", r"(?P<prep>over|during|on|at|for|by|until|till|all|the\s+whole)\s+(?:the\s+)?"
                r"weekend(?![a-z])", h_weekend, False),
    ("month", r"(?:(?P<prep>in|since|during|until|till|through|throughout|by|from|around|before"
              r"|after|all)\s+)?" + MOD_RE + r"(?P<mon>" + MONTH_RE + r")" + NOT_DAY_OR_YEAR,
     h_month, True),
    ("weekday", r"(?:(?P<prep>on|by|until|till|since|from|before|after)\s+)?(?P<wd>"
                + WEEKDAY_RE + r")" + TOD_RE + r"(?![a-z])(?!,?\s+(?:the\s+)?\d)(?!,?\s+" + MONTH_RE
                + ")", h_weekday, True),
    ("nth", r"on\s+the\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)(?=\s*(?:[.,!?;)]|$))", h_nth,
     False),
]


_MOD_FIRST = frozenset("early mid late the very beginning start end middle".split())
_NUM_FIRST = frozenset(["#", "a", "an", "couple", "few", "several", *NUMBERS, *TENS])
_PREPS = frozenset("in since during until till through throughout by from around before after all "
                   "over for on at".split())
#: the words a match of each rule can begin with ("#" stands for a number)
_FIRST: dict[str, frozenset[str]] = {
    "iso": frozenset("#"), "isomonth": frozenset("#"), "numeric": frozenset("#"),
    "holiday": frozenset("last this next christmas xmas new halloween thanksgiving valentine "
                         "valentines easter independence the fourth".split()),
    "dmy": frozenset([*WEEKDAYS, "the", "#"]),
    "mdy": frozenset([*WEEKDAYS, *MONTHS]),
    "my": _MOD_FIRST | frozenset(MONTHS),
    "decade": _MOD_FIRST | frozenset(["#", *DECADE_WORDS]),
    "year": _MOD_FIRST | frozenset("#"),
    "ago": _NUM_FIRST | frozenset("about around roughly almost nearly over more less just like "
                                  "maybe".split()),
    "in_n": frozenset(["in", "within"]),
    "for_n": frozenset(["for"]),
    "from_now": _NUM_FIRST,
    "past_n": frozenset("the past last previous next coming".split()),
    "the_past": frozenset(["the"]), "before_last": frozenset(["the"]),
    "dayword": frozenset("the day yesterday today tonight tomorrow tmrw tmr last this earlier "
                         "later".split()),
    "vague": frozenset("the recently lately not earlier later".split()),
    "season": _PREPS | _MOD_FIRST | frozenset(SEASONS),
    "lastnext": _MOD_FIRST | frozenset("last this next past coming previous".split()),
    "weekend": _PREPS | frozenset(["the"]),
    "month": _PREPS | _MOD_FIRST | frozenset(MONTHS),
    "weekday": _PREPS | frozenset(WEEKDAYS),
    "nth": frozenset(["on"]),
}
_LEAD_WORDS = 8  # no rule puts more words than this before its first trigger word


def _compile() -> dict[str, tuple[tuple[re.Pattern[str], _Handler, bool], ...]]:
    """Per-rule regexes, grouped by the first word they can start with, in priority order."""
    compiled = [(_FIRST[name], (re.compile(r"(?<!\w)(?:" + pattern + ")", re.IGNORECASE),
                                handler, strip)) for name, pattern, handler, strip in _RULES]
    words = {w for first, _ in compiled for w in first}
    return {w: tuple(rule for first, rule in compiled if w in first) for w in words}


_DISPATCH = _compile()
_WORDS = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"(?<!\w)(?:[a-z]+|\d+)", re.IGNORECASE)
_LEAD = re.compile(r"(?:in|on|during|by|until|till|through|throughout|from|before|after|at|for"
                   r"|over|all)\s+", re.IGNORECASE)
_PRE_MOD = re.compile(r"\b(?:since|around|about|approximately|circa|roughly)\s+$", re.IGNORECASE)


def scan(text: str, ref: date) -> list[Hit]:
    """All time expressions of ``text`` resolved against ``ref``, in text order.

    Only word starts within a few words before a trigger word (a month, "week", "ago", a
    digit...) are tried, and at each only the rules that can begin with that word: a chat
    turn without a trigger costs one ``findall``.
    """
    low = text.lower()
    if not (_DIGIT.search(text) or not TRIGGERS.isdisjoint(_WORDS.findall(low))):
        return []
    words = _TOKEN.findall(low)
    hot = [i for i, w in enumerate(words) if w in TRIGGERS or w.isdigit()]
    if not hot:
        return []
    offsets = [m.start() for m in _TOKEN.finditer(low)]
    starts = sorted({j for i in hot for j in range(max(0, i - _LEAD_WORDS), i + 1)})
    ctx, out, pos = Ctx(text, ref), [], 0
    for j in starts:
        at, word = offsets[j], words[j]
        if at < pos:
            continue
        for regex, handler, strip in _DISPATCH.get("#" if word.isdigit() else word, ()):
            m = regex.match(text, at)
            if m is None:
                continue
            try:
                res = handler(m, ctx)
            except (ValueError, OverflowError):  # a date outside datetime's range
                res = None
            if res is None:
                continue
            start, end, gran, mod, relative = res
            s, e = m.span()
            if strip and (lead := _LEAD.match(text, s, e)) and lead.end() < e and not mod:
                s = lead.end()
            if not mod and (pre := _PRE_MOD.search(text, max(0, s - 16), s)):
                mod = "since" if pre[0].lower().startswith("since") else "approx"
            out.append((start, end, gran, s, e, mod, relative))
            pos = e
            break
    return out
