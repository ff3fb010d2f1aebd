"""Calendar arithmetic for time expressions: small pure functions over ``datetime.date``.

Conventions (each one documented where it is decided):

* Weeks are ISO 8601 weeks: Monday to Sunday. "This week" is the ISO week of the
  reference date; a weekend is the Saturday and Sunday that close an ISO week.
* Seasons are the meteorological seasons of the northern hemisphere (WMO; UK Met
  Office): spring = March-May, summer = June-August, fall/autumn =
  September-November, winter = December-February. The winter of year *Y* starts
  in December *Y* and ends in February *Y+1*.
* Shifting by months clamps the day to the length of the target month (31 March
  minus one month is 28/29 February), as ``dateutil.relativedelta`` does.
* Holidays are those of the United States calendar; Easter uses the anonymous
  Gregorian algorithm (Meeus, *Astronomical Algorithms*, 1991, ch. 8) and
  Thanksgiving is the fourth Thursday of November (5 U.S.C. § 6103).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

__all__ = [
    "DAY", "weekday_before", "weekday_after", "weekday_in_week",
    "week_span", "weekend_span", "last_weekend", "month_span", "year_span", "decade_span",
    "shift_months", "shift_years", "season_span", "season_of", "last_season", "this_season",
    "next_season", "month_before", "month_after", "easter", "thanksgiving", "clamp_date",
]

DAY = timedelta(days=1)

_SEASON_START = {"spring": 3, "summer": 6, "fall": 9, "winter": 12}


def clamp_date(year: int, month: int, day: int) -> date:
    """The date, with ``day`` clamped to the last day of the month."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def weekday_before(ref: date, weekday: int) -> date:
    """The last ``weekday`` (Monday=0) strictly before ``ref``: 1-7 days back.

    ``weekday_before(Mon 8 May 2023, SATURDAY)`` is Sat 6 May 2023; asked on a
    Saturday it gives the Saturday a week earlier.
    """
    return ref - timedelta(days=(ref.weekday() - weekday - 1) % 7 + 1)


def weekday_after(ref: date, weekday: int) -> date:
    """The first ``weekday`` (Monday=0) strictly after ``ref``: 1-7 days ahead."""
    return ref + timedelta(days=(weekday - ref.weekday() - 1) % 7 + 1)


def weekday_in_week(ref: date, weekday: int) -> date:
    """The ``weekday`` (Monday=0) of the ISO week of ``ref``: past or future."""
    return ref + timedelta(days=weekday - ref.weekday())


def week_span(d: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week containing ``d``."""
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def weekend_span(d: date) -> tuple[date, date]:
    """Saturday and Sunday closing the ISO week containing ``d``."""
    saturday = d + timedelta(days=5 - d.weekday())
    return saturday, saturday + DAY


def last_weekend(ref: date) -> tuple[date, date]:
    """The weekend of the previous ISO week (said on Mon 8 May 2023: 6-7 May)."""
    return weekend_span(ref - timedelta(days=7))


def month_span(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def decade_span(year: int) -> tuple[date, date]:
    """The calendar decade containing ``year`` (1990-1999 for 1994)."""
    first = year - year % 10
    return date(first, 1, 1), date(first + 9, 12, 31)


def shift_months(d: date, months: int) -> date:
    """``d`` moved by whole months, the day clamped (31 Mar - 1 month = 28/29 Feb)."""
    index = d.year * 12 + d.month - 1 + months
    return clamp_date(index // 12, index % 12 + 1, d.day)


def shift_years(d: date, years: int) -> date:
    """``d`` moved by whole years; 29 February becomes 28 February in common years."""
    return clamp_date(d.year + years, d.month, d.day)


def month_before(ref: date, month: int) -> tuple[date, date]:
    """The latest ``month`` that started on or before ``ref`` (May 2023 asked in May 2023)."""
    year = ref.year if month <= ref.month else ref.year - 1
    return month_span(year, month)


def month_after(ref: date, month: int) -> tuple[date, date]:
    """The earliest ``month`` that has not ended before ``ref`` (May 2023 asked in May 2023)."""
    year = ref.year if month >= ref.month else ref.year + 1
    return month_span(year, month)


def season_span(season: str, year: int) -> tuple[date, date]:
    """Meteorological season of ``year``; winter runs December ``year`` to February ``year+1``."""
    season = "fall" if season == "autumn" else season
    start = date(year, _SEASON_START[season], 1)
    return start, shift_months(start, 3) - DAY


def season_of(d: date) -> tuple[str, int]:
    """The season containing ``d`` and the year that labels it (Jan 2024 is winter 2023)."""
    if d.month == 12:
        return "winter", d.year
    if d.month <= 2:
        return "winter", d.year - 1
    return ("spring", "summer", "fall")[(d.month - 3) // 3], d.year


def this_season(ref: date, season: str) -> tuple[date, date]:
    """The ``season`` of ``ref``'s year: "this summer" said in May or October 2023 is summer 2023.

    For winter, the one that contains ``ref`` in January/February, else the coming one.
    """
    season = "fall" if season == "autumn" else season
    year = ref.year - 1 if season == "winter" and ref.month <= 2 else ref.year
    return season_span(season, year)


def last_season(ref: date, season: str) -> tuple[date, date]:
    """The most recent ``season`` that ended before ``ref`` ("last summer" in Oct 2023 is 2023)."""
    for year in (ref.year, ref.year - 1, ref.year - 2):
        start, end = season_span(season, year)
        if end < ref:
            return start, end
    raise AssertionError("unreachable")  # pragma: no cover


def next_season(ref: date, season: str) -> tuple[date, date]:
    """The earliest ``season`` that starts after ``ref`` ("next summer" in May 2023 is 2023)."""
    for year in (ref.year - 1, ref.year, ref.year + 1):
        start, end = season_span(season, year)
        if start > ref:
            return start, end
    raise AssertionError("unreachable")  # pragma: no cover


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm, Meeus 1991)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def thanksgiving(year: int) -> date:
    """U.S. Thanksgiving: the fourth Thursday of November."""
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)
