"""Vocabulary, regex fragments and shared helpers of the time-expression grammar.

Part of :mod:`engramdb.text.timeexpr` (see ``_timeparse`` for how a text is scanned and
``_timerules`` for how each expression is validated and resolved).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from . import _timecal as cal

__all__ = [
    "MONTHS", "WEEKDAYS", "SEASONS", "NUMBERS", "TENS", "FUZZY", "DECADE_WORDS", "FULL_MONTHS",
    "AMBIGUOUS_MONTHS", "TRIGGERS", "MONTH_RE", "WEEKDAY_RE", "SEASON_RE", "NUM_RE", "UNIT_RE",
    "MOD_RE", "DAYNUM_RE", "YEAR_RE", "TOD_RE", "NOT_DAY_OR_YEAR", "FUTURE", "PAST", "Res", "Hit",
    "Ctx", "count_range", "unit_name", "unit_span", "shift", "make_date",
]

#: what a rule handler returns: (start, end, granularity, mod, relative)
Res = tuple[date, date, str, str, bool]
#: what a scan returns: (start, end, granularity, start_char, end_char, mod, relative)
Hit = tuple[date, date, str, int, int, str, bool]

# -- vocabulary ---------------------------------------------------------------------------

MONTHS = {name: i + 1 for i, names in enumerate((
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
    "august aug", "september sep sept", "october oct", "november nov", "december dec"))
    for name in names.split()}
FULL_MONTHS = frozenset(n for n in MONTHS if len(n) > 4 or n in ("may", "june", "july"))
#: month words that are also common English words or given names
AMBIGUOUS_MONTHS = frozenset({"may", "march", "april", "june", "august"})
WEEKDAYS = {name: i for i, names in enumerate((
    "monday mon", "tuesday tue tues", "wednesday wed weds", "thursday thu thur thurs",
    "friday fri", "saturday sat", "sunday sun")) for name in names.split()}
SEASONS = ("spring", "summer", "fall", "autumn", "winter")
NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
#: vague counts as (low, high) ranges
FUZZY = {"couple": (2, 3), "few": (2, 5), "several": (3, 7)}
DECADE_WORDS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenties thirties forties fifties sixties seventies eighties nineties".split())}

#: words that make a text worth scanning (a digit also does)
TRIGGERS = frozenset(
    list(MONTHS) + list(WEEKDAYS) + list(SEASONS) + list(DECADE_WORDS) + """
    yesterday today tonight tomorrow tmrw tmr week weeks weekend weekends month months year years
    day days decade decades fortnight fortnights yr yrs wk wks mo mos ago recently lately morning
    afternoon evening night christmas xmas halloween thanksgiving easter valentine valentines
    independence eve""".split())

# -- regex fragments ----------------------------------------------------------------------

MONTH_RE = (r"(?:january|february|march|april|may|june|july|august|september|october"
            r"|november|december|(?:sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)"
            r"(?:\.|(?!\.)))(?![a-z])")  # an abbreviation takes its full stop along
WEEKDAY_RE = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
              r"|(?:mon|tues|tue|weds|wed|thurs|thur|thu|fri|sat|sun)(?:\.|(?!\.)))(?![a-z])")
SEASON_RE = r"(?:spring|summer|fall|autumn|winter)"
ONES_RE = "one|two|three|four|five|six|seven|eight|nine"
NUM_RE = (r"(?:\d{1,3}|a\s+couple(?:\s+of)?|couple\s+of|a\s+few|few|several|"
          r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:" + ONES_RE
          + r"))?|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
          r"|ten|" + ONES_RE + r"|an|a)")
UNIT_RE = r"(?P<u>day|weekend|week|fortnight|month|year|decade|yr|wk|mo)s?(?![a-z])"
MOD_RE = (r"(?:(?P<mod>early|mid|late|(?:the\s+)?(?:very\s+)?(?:beginning|start|end|middle)"
          r"\s+of)(?:\s*-\s*|\s+))?")
DAYNUM_RE = r"(?P<d>[12]\d|3[01]|0?[1-9])"
YEAR_RE = r"(?P<y>(?:19|20)\d{2})(?!\d)"
TOD_RE = r"(?:\s+(?:morning|afternoon|evening|night))?"
#: a bare month must not be followed by a year or a day (those are other rules' matches)
NOT_DAY_OR_YEAR = (r"(?!['’]s)(?!,?\s+(?:of\s+)?(?:19|20)\d{2}(?!\d))"
                   r"(?!\s+(?:the\s+)?(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:a-z]))")

#: words that put a sentence in the future ("will", "going to", "let's", "next", "I'm flying")
FUTURE = re.compile(
    r"\b(?:will|won['’]?t|shall|gonna|going\s+to|plan(?:s|ning)?\s+(?:to|on)|planning|"
    r"hop(?:e|es|ing)\s+to|intend|can['’]?t\s+wait|cannot\s+wait|look(?:ing)?\s+forward|"
    r"upcoming|coming\s+up|soon|plans|let['’]?s|sounds?\s+good|works\s+for|how\s+about|"
    r"are\s+you\s+free|see\s+you|want\s+to|wanna|would\s+love\s+to|excited\s+(?:for|about)|"
    r"scheduled|next|tomorrow|(?:am|are|is|['’]m|['’]re)\s+(?:heading|flying|leaving|"
    r"travell?ing|moving|starting|hosting|visiting|attending|throwing|taking|getting\s+married)|"
    r"['’]ll|(?:am|are|['’]m|['’]re)\s+going(?!\s+(?:well|good|great|fine|ok|okay|through|"
    r"smoothly|alright|strong|along|crazy|nuts)\b))(?![a-z])", re.IGNORECASE)
#: words that put a sentence in the past (only breaks ties; the default is already the past)
PAST = re.compile(
    r"\b(?:was|were|went|did|had|got|came|saw|made|took|gave|met|visited|ago|yesterday|last|"
    r"used\s+to)\b", re.IGNORECASE)

# -- shared helpers ------------------------------------------------------------------------


class Ctx:
    """The text being scanned, its reference date, and a per-sentence tense cache."""

    __slots__ = ("text", "ref", "_tense")

    def __init__(self, text: str, ref: date) -> None:
        self.text, self.ref = text, ref
        self._tense: dict[int, str] = {}

    def tense(self, pos: int) -> str:
        """'future', 'past' or '' for the sentence around ``pos`` (future cues win)."""
        text = self.text
        start = max(text.rfind(c, 0, pos) for c in ".!?;\n") + 1
        if start in self._tense:
            return self._tense[start]
        ends = [i for i in (text.find(c, pos) for c in ".!?;\n") if i >= 0]
        sentence = text[start:min(ends) if ends else len(text)]
        value = "future" if FUTURE.search(sentence) else "past" if PAST.search(sentence) else ""
        self._tense[start] = value
        return value

    def before(self, pos: int, width: int = 24) -> str:
        return self.text[max(0, pos - width):pos]


def count_range(word: str) -> tuple[int, int] | None:
    """A count word as a (low, high) range: "3" -> (3, 3), "a few" -> (2, 5)."""
    word = " ".join(word.lower().split()).replace("-", " ")
    if word.isdigit():
        return int(word), int(word)
    for key, span in FUZZY.items():
        if key in word:
            return span
    if word in ("a", "an"):
        return 1, 1
    if word in NUMBERS:
        return NUMBERS[word], NUMBERS[word]
    tens, _, ones = word.partition(" ")
    if tens in TENS:
        value = TENS[tens] + (NUMBERS[ones] if ones else 0)
        return value, value
    return None


def unit_name(word: str) -> str:
    """The canonical unit of a unit word: "yrs" -> "year", "weeks" -> "week"."""
    word = word.lower().rstrip("s")
    return {"yr": "year", "wk": "week", "mo": "month", "fortnight": "fortnight"}.get(word, word)


def unit_span(unit: str, d: date) -> tuple[date, date, str]:
    """The calendar unit (day/week/month/year/decade) containing ``d``."""
    if unit == "day":
        return d, d, "day"
    if unit in ("week", "fortnight"):
        return (*cal.week_span(d), "week")
    if unit == "weekend":
        return (*cal.weekend_span(d), "week")
    if unit == "month":
        return (*cal.month_span(d.year, d.month), "month")
    if unit == "year":
        return (*cal.year_span(d.year), "year")
    return (*cal.decade_span(d.year), "decade")


def shift(d: date, unit: str, n: int) -> date:
    """``d`` moved by ``n`` units (months and years clamp the day)."""
    if unit == "day":
        return d + timedelta(days=n)
    if unit in ("week", "weekend", "fortnight"):
        return d + timedelta(days=n * (14 if unit == "fortnight" else 7))
    if unit == "month":
        return cal.shift_months(d, n)
    return cal.shift_years(d, n * (10 if unit == "decade" else 1))


def make_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist (30 February)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None
