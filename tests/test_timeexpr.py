"""Time expression extraction and resolution (engramdb.text.timeexpr).

Expected dates were worked out by hand from a calendar; the weekday of every reference
date is asserted below so a typo in a reference date cannot silently shift the answers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engramdb.text import timeexpr as te
from engramdb.text.timeexpr import QueryTime, TimeSpan, extract, parse_query_time

D = date.fromisoformat

MON = D("2023-05-08")  # Monday: the first LoCoMo session date
FRI = D("2023-05-12")
SAT = D("2023-05-13")
SUN = D("2023-05-14")
THU = D("2023-05-25")
JAN = D("2023-01-15")  # Sunday


def test_reference_weekdays() -> None:
    names = {MON: "Monday", FRI: "Friday", SAT: "Saturday", SUN: "Sunday", THU: "Thursday",
             JAN: "Sunday", D("2023-07-17"): "Monday", D("2023-07-20"): "Thursday",
             D("2023-07-15"): "Saturday", D("2023-10-28"): "Saturday", D("2023-05-06"): "Saturday"}
    for d, name in names.items():
        assert d.strftime("%A") == name
        assert d.weekday() == ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                               "Saturday", "Sunday").index(name)


# (text, reference date, expected start, expected end, granularity)
CASES: list[tuple[str, date, str, str, str]] = [
    # explicit dates
    ("I moved on 8 May 2023.", MON, "2023-05-08", "2023-05-08", "day"),
    ("It was May 8, 2023 when we met", MON, "2023-05-08", "2023-05-08", "day"),
    ("see you on May 8th", MON, "2023-05-08", "2023-05-08", "day"),
    ("the 2023-05-08 entry", MON, "2023-05-08", "2023-05-08", "day"),
    ("signed on 05/08/2023", MON, "2023-05-08", "2023-05-08", "day"),  # US month/day
    ("signed on 25/12/2022", MON, "2022-12-25", "2022-12-25", "day"),  # day/month fallback
    ("Saturday, 6th of May 2023 was fun", MON, "2023-05-06", "2023-05-06", "day"),
    ("on Saturday, May 6th, 2023", MON, "2023-05-06", "2023-05-06", "day"),
    ("Her birthday is 13 August", D("2023-08-14"), "2023-08-13", "2023-08-13", "day"),
    ("The concert is on August 20", MON, "2023-08-20", "2023-08-20", "day"),  # nearest
    ("My birthday was on 13 August", MON, "2022-08-13", "2022-08-13", "day"),  # past tense
    ("We'll meet on 2 Feb", MON, "2024-02-02", "2024-02-02", "day"),  # future tense
    ("Sept 5 works", MON, "2023-09-05", "2023-09-05", "day"),
    ("on the 5th.", MON, "2023-05-05", "2023-05-05", "day"),
    # month + year
    ("in May 2023", MON, "2023-05-01", "2023-05-31", "month"),
    ("back in Jan 2022", MON, "2022-01-01", "2022-01-31", "month"),
    ("since Dec. 2021", MON, "2021-12-01", "2021-12-31", "month"),
    ("the 2023-04 report", MON, "2023-04-01", "2023-04-30", "month"),
    ("early June 2023", MON, "2023-06-01", "2023-06-10", "month"),
    # bare months: the latest not after ref, the next one in a future-tense sentence
    ("We went camping in June", MON, "2022-06-01", "2022-06-30", "month"),
    ("I'm going camping in June", MON, "2023-06-01", "2023-06-30", "month"),
    ("What a trip that was in May", MON, "2023-05-01", "2023-05-31", "month"),
    ("January was rough", MON, "2023-01-01", "2023-01-31", "month"),
    ("we will travel in january", MON, "2024-01-01", "2024-01-31", "month"),
    ("painting since March", MON, "2023-03-01", "2023-03-31", "month"),
    ("around April we met", MON, "2023-04-01", "2023-04-30", "month"),
    ("in early June", D("2023-07-10"), "2023-06-01", "2023-06-10", "month"),
    ("by the end of May", MON, "2023-05-21", "2023-05-31", "month"),
    ("mid-March", MON, "2023-03-11", "2023-03-20", "month"),
    # years and decades
    ("in 2022", MON, "2022-01-01", "2022-12-31", "year"),
    ("2019 was a great year", MON, "2019-01-01", "2019-12-31", "year"),
    ("late 2022", MON, "2022-09-01", "2022-12-31", "year"),
    ("mid-2021", MON, "2021-05-01", "2021-08-31", "year"),
    ("by the end of the year", MON, "2023-09-01", "2023-12-31", "year"),
    ("music from the 90s", MON, "1990-01-01", "1999-12-31", "decade"),
    ("in the 1980s", MON, "1980-01-01", "1989-12-31", "decade"),
    ("the late 80s", MON, "1987-01-01", "1989-12-31", "decade"),
    ("the nineties", MON, "1990-01-01", "1999-12-31", "decade"),
    ("the '70s", MON, "1970-01-01", "1979-12-31", "decade"),
    # days relative to the session date
    ("I went to a support group yesterday.", MON, "2023-05-07", "2023-05-07", "day"),
    ("today", MON, "2023-05-08", "2023-05-08", "day"),
    ("sushi for tonight", MON, "2023-05-08", "2023-05-08", "day"),
    ("this morning I ran", MON, "2023-05-08", "2023-05-08", "day"),
    ("tomorrow", MON, "2023-05-09", "2023-05-09", "day"),
    ("last night was amazing", MON, "2023-05-07", "2023-05-07", "day"),
    ("the day before yesterday", MON, "2023-05-06", "2023-05-06", "day"),
    ("the day after tomorrow", MON, "2023-05-10", "2023-05-10", "day"),
    ("yesterday morning", JAN, "2023-01-14", "2023-01-14", "day"),
    # weeks and weekends (ISO weeks, Monday first)
    ("last week", MON, "2023-05-01", "2023-05-07", "week"),
    ("this week", MON, "2023-05-08", "2023-05-14", "week"),
    ("next week", MON, "2023-05-15", "2023-05-21", "week"),
    ("last week", JAN, "2023-01-02", "2023-01-08", "week"),
    ("last weekend", MON, "2023-05-06", "2023-05-07", "week"),
    ("last weekend", SUN, "2023-05-06", "2023-05-07", "week"),
    ("this weekend", MON, "2023-05-13", "2023-05-14", "week"),
    ("next weekend", MON, "2023-05-20", "2023-05-21", "week"),
    ("did anything fun over the weekend?", MON, "2023-05-06", "2023-05-07", "week"),
    ("we hiked over the weekend", SUN, "2023-05-13", "2023-05-14", "week"),
    ("I can't wait for the weekend", MON, "2023-05-13", "2023-05-14", "week"),
    ("this past weekend", MON, "2023-05-06", "2023-05-07", "week"),
    ("the week before last", MON, "2023-04-24", "2023-04-30", "week"),
    ("camping two weekends ago", D("2023-07-17"), "2023-07-08", "2023-07-09", "week"),
    # months and years relative to ref
    ("last month", MON, "2023-04-01", "2023-04-30", "month"),
    ("this month", MON, "2023-05-01", "2023-05-31", "month"),
    ("next month", MON, "2023-06-01", "2023-06-30", "month"),
    ("last month", JAN, "2022-12-01", "2022-12-31", "month"),
    ("early next month", MON, "2023-06-01", "2023-06-10", "month"),
    ("last May", MON, "2022-05-01", "2022-05-31", "month"),
    ("next March", MON, "2024-03-01", "2024-03-31", "month"),
    ("last year", MON, "2022-01-01", "2022-12-31", "year"),
    ("next year", MON, "2024-01-01", "2024-12-31", "year"),
    # seasons: northern-hemisphere meteorological
    ("last summer", MON, "2022-06-01", "2022-08-31", "season"),
    ("last summer", D("2023-10-28"), "2023-06-01", "2023-08-31", "season"),
    ("this winter", MON, "2023-12-01", "2024-02-29", "season"),
    ("last winter", MON, "2022-12-01", "2023-02-28", "season"),
    ("next spring", MON, "2024-03-01", "2024-05-31", "season"),
    ("this fall", MON, "2023-09-01", "2023-11-30", "season"),
    ("last autumn", MON, "2022-09-01", "2022-11-30", "season"),
    ("in the summer of 2019", MON, "2019-06-01", "2019-08-31", "season"),
    ("winter 2022", MON, "2022-12-01", "2023-02-28", "season"),
    ("we swam a lot over the summer", D("2023-10-01"), "2023-06-01", "2023-08-31", "season"),
    ("We're heading to the lake in the summer", MON, "2023-06-01", "2023-08-31", "season"),
    # weekdays
    ("last Saturday", MON, "2023-05-06", "2023-05-06", "day"),
    ("last Saturday", SAT, "2023-05-06", "2023-05-06", "day"),
    ("last Sunday", MON, "2023-05-07", "2023-05-07", "day"),
    ("We went hiking on Saturday", MON, "2023-05-06", "2023-05-06", "day"),
    ("We'll go hiking on Saturday", MON, "2023-05-13", "2023-05-13", "day"),
    ("Saturday works for me!", D("2023-10-28"), "2023-11-04", "2023-11-04", "day"),
    ("next Friday", MON, "2023-05-12", "2023-05-12", "day"),
    ("next Friday", FRI, "2023-05-19", "2023-05-19", "day"),
    ("this Friday", MON, "2023-05-12", "2023-05-12", "day"),
    ("my car broke down last Fri", MON, "2023-05-05", "2023-05-05", "day"),
    ("joined a group last Tues.", D("2023-07-20"), "2023-07-18", "2023-07-18", "day"),
    ("Friday night was fun", D("2023-07-15"), "2023-07-14", "2023-07-14", "day"),
    ("sick since Monday", THU, "2023-05-22", "2023-05-22", "day"),
    # counts: "N units ago", "in N units", vague counts
    ("two years ago", MON, "2021-01-01", "2021-12-31", "year"),
    ("for my 18th birthday 10 years ago", MON, "2013-01-01", "2013-12-31", "year"),
    ("three days ago", MON, "2023-05-05", "2023-05-05", "day"),
    ("2 weeks ago", MON, "2023-04-24", "2023-04-30", "week"),
    ("a month ago", MON, "2023-04-01", "2023-04-30", "month"),
    ("a few days ago", MON, "2023-05-03", "2023-05-06", "day"),
    ("a couple of weeks ago", MON, "2023-04-17", "2023-04-30", "week"),
    ("a year or two ago", MON, "2021-01-01", "2022-12-31", "year"),
    ("twenty-one years ago", MON, "2002-01-01", "2002-12-31", "year"),
    ("in 3 days", MON, "2023-05-11", "2023-05-11", "day"),
    ("in two weeks", MON, "2023-05-22", "2023-05-28", "week"),
    ("2 weeks from now", MON, "2023-05-22", "2023-05-28", "week"),
    ("in a few months", MON, "2023-07-01", "2023-10-31", "month"),
    ("over the past few weeks", MON, "2023-04-03", "2023-05-08", "week"),
    ("in the next few days", MON, "2023-05-08", "2023-05-13", "day"),
    # vague windows before ref
    ("I recently adopted a pup", MON, "2023-04-08", "2023-05-08", "day"),
    ("we had a walk the other day", MON, "2023-05-01", "2023-05-07", "day"),
    ("earlier this week", THU, "2023-05-22", "2023-05-25", "week"),
    ("later this month", D("2023-05-20"), "2023-05-20", "2023-05-31", "month"),
    # holidays (U.S. calendar)
    ("we had a lovely Christmas", MON, "2022-12-25", "2022-12-25", "day"),
    ("next Christmas", MON, "2023-12-25", "2023-12-25", "day"),
    ("Thanksgiving 2022", MON, "2022-11-24", "2022-11-24", "day"),
    ("an egg hunt at Easter", MON, "2023-04-09", "2023-04-09", "day"),
    # anchored on an explicit date instead of ref (LoCoMo's answer phrasing)
    ("The sunday before 25 May 2023", MON, "2023-05-21", "2023-05-21", "day"),
    ("The week before 9 June 2023", MON, "2023-05-29", "2023-06-04", "week"),
    ("two weekends before 17 July 2023", MON, "2023-07-08", "2023-07-09", "week"),
    ("The Friday before 15 July 2023", MON, "2023-07-14", "2023-07-14", "day"),
    ("the Saturday after October 28, 2023", MON, "2023-11-04", "2023-11-04", "day"),
    ("last weekend before April 10, 2023", MON, "2023-04-08", "2023-04-09", "week"),
    ("the day after 8 May 2023", MON, "2023-05-09", "2023-05-09", "day"),
    ("the first weekend of August 2023", MON, "2023-08-05", "2023-08-06", "week"),
    ("the last Friday of May 2023", MON, "2023-05-26", "2023-05-26", "day"),
    ("the second week of June 2023", MON, "2023-06-05", "2023-06-11", "week"),
    ("The week of 23 August 2023", MON, "2023-08-21", "2023-08-27", "week"),
    ("week of 2023-05-01", MON, "2023-05-01", "2023-05-07", "week"),  # labels parse back
    # present-perfect durations: the state began N units before ref
    ("I've known these friends for 4 years", D("2023-06-09"), "2019-01-01", "2019-12-31", "year"),
    ("It's been raining for two days", MON, "2023-05-06", "2023-05-06", "day"),
]


@pytest.mark.parametrize(("text", "ref", "start", "end", "granularity"), CASES,
                         ids=[f"{c[0][:40]}@{c[1]}" for c in CASES])
def test_extract_resolves(text: str, ref: date, start: str, end: str, granularity: str) -> None:
    spans = extract(text, ref)
    assert len(spans) == 1, spans
    span = spans[0]
    assert (span.start, span.end, span.granularity) == (D(start), D(end), granularity)
    assert text[span.start_char:span.end_char] == span.text
    assert span.start <= span.end


FALSE_POSITIVES = [
    "May I ask you something?",
    "I may go to the gym later",
    "This may take a while",
    "March on, friends!",
    "Wait a second",
    "The fall of Rome was sudden",
    "in the fall of Rome",
    "Any fun summer camp ideas?",
    "She's in her 20s",
    "I loved my twenties",
    "We raised 2000 dollars",
    "It cost $2019",
    "I see them every Saturday",
    "We go on Saturdays",
    "Anything new since last time?",
    "I did it for the first time in 5 years",
    "August is my best friend",
    "I love April's paintings",
    "He is 3 years old",
    "a day at the beach",
    "the last day of school",
    "Sun was shining",
    "at 5:30 we ate",
    "add 3/4 cup of flour",
    "Can we talk in a minute?",
    "June said hello",
    "It was a long week",
    "I work weekends",
    "the 2 may go together",
    "room 2010 is ours",
    "I'm going away for 2 weeks",
    "I have to wait for 2 weeks",
    "",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_no_false_positive(text: str) -> None:
    assert extract(text, MON) == []


def test_several_expressions_in_order() -> None:
    text = "Last week I went to Paris, and next month I fly to Rome; I was there in 2019 too."
    spans = extract(text, MON)
    assert [s.text for s in spans] == ["Last week", "next month", "2019"]
    assert [s.label() for s in spans] == ["week of 2023-05-01", "June 2023", "2019"]


def test_datetime_reference_uses_its_date() -> None:
    spans = extract("yesterday", datetime(2023, 5, 8, 13, 56))
    assert spans[0].start == D("2023-05-07")


def test_locomo_session_header_parses() -> None:
    (span,) = [s for s in extract("1:56 pm on 8 May, 2023", MON) if s.granularity == "day"]
    assert span.start == MON and not span.relative


def test_modifiers_and_flags() -> None:
    (few,) = extract("a few days ago", MON)
    assert few.mod == "approx" and few.relative
    (since,) = extract("since May 2023", MON)
    assert since.mod == "since" and not since.relative
    (early,) = extract("early June 2023", MON)
    assert early.mod == "early"
    (absolute,) = extract("8 May 2023", MON)
    assert not absolute.relative and absolute.mod == ""


@pytest.mark.parametrize(("text", "label"), [
    ("6 May 2023", "2023-05-06"),
    ("in May 2023", "May 2023"),
    ("in 2023", "2023"),
    ("last week", "week of 2023-05-01"),
    ("last weekend", "weekend of 2023-05-06"),
    ("last summer", "summer 2022"),
    ("this winter", "winter 2023-24"),
    ("early June 2023", "early June 2023"),
    ("the 1990s", "1990s"),
    ("a few days ago", "about 2023-05-03..2023-05-06"),
    ("since March", "since March 2023"),
])
def test_label(text: str, label: str) -> None:
    assert extract(text, MON)[0].label() == label


def test_keys_of_a_day() -> None:
    (span,) = extract("on 6 May 2023", MON)
    assert span.keys() == ["2023-05-06", "6 May 2023", "May 2023", "2023", "Saturday"]


def test_keys_of_wider_spans() -> None:
    assert extract("in May 2023", MON)[0].keys() == ["May 2023", "2023"]
    assert extract("last week", MON)[0].keys() == ["week of 2023-05-01", "May 2023", "2023"]
    # a week across a month boundary is indexed under both months
    assert extract("last week", D("2023-06-05"))[0].keys() == [
        "week of 2023-05-29", "May 2023", "June 2023", "2023"]
    assert extract("last weekend", MON)[0].keys() == [
        "weekend of 2023-05-06", "2023-05-06", "6 May 2023", "2023-05-07", "7 May 2023",
        "May 2023", "2023"]
    assert extract("last summer", MON)[0].keys() == ["summer 2022", "2022"]
    assert extract("the 90s", MON)[0].keys() == ["1990s"]


def test_anchored_question_shares_keys_with_the_turn() -> None:
    """"last week" said on 9 June 2023 and "the week before 9 June 2023" are one span."""
    turn = extract("I gave a talk at a school last week", D("2023-06-09"))[0]
    q = parse_query_time("When did Caroline give a speech in the week before 9 June 2023?")
    assert q is not None and q.asks_when and q.span is not None
    assert (q.span.start, q.span.end) == (turn.start, turn.end)
    assert q.span.keys()[0] == turn.keys()[0] == "week of 2023-05-29"


def test_keys_match_question_wording() -> None:
    """A turn said "yesterday" on 8 May 2023 shares a key with questions about 7 May 2023."""
    turn_keys = set(extract("I went to a support group yesterday", MON)[0].keys())
    for question in ("on 7 May 2023", "in May 2023", "on 2023-05-07"):
        q = parse_query_time(f"What did Caroline do {question}?")
        assert q is not None and q.span is not None
        assert turn_keys & set(q.span.keys())


# -- questions ------------------------------------------------------------------------------

def test_query_asks_when_without_span() -> None:
    q = parse_query_time("When did Caroline go to the LGBTQ support group?")
    assert q == QueryTime(None, "during", True)


@pytest.mark.parametrize("question", [
    "When did Melanie paint a sunrise?",
    "What date did John start his job?",
    "What year did Melanie read the book?",
    "How long ago was Caroline's 18th birthday?",
    "Which month did they go camping?",
    "Since when has Andrew had dogs?",
    "In what year did Maria move?",
    "And when was that?",
])
def test_query_asks_when(question: str) -> None:
    q = parse_query_time(question)
    assert q is not None and q.asks_when


@pytest.mark.parametrize(("question", "start", "end", "relation"), [
    ("What did Caroline do on 6 May 2023?", "2023-05-06", "2023-05-06", "on"),
    ("What did Melanie paint in May 2023?", "2023-05-01", "2023-05-31", "during"),
    ("What happened before June 2023?", "2023-06-01", "2023-06-30", "before"),
    ("What did John do after 2020?", "2020-01-01", "2020-12-31", "after"),
    ("What has Maria done since March 2022?", "2022-03-01", "2022-03-31", "after"),
    ("Where did they travel between 2019 and 2021?", "2019-01-01", "2021-12-31", "during"),
    ("What did Jon do in the summer of 2022?", "2022-06-01", "2022-08-31", "during"),
    ("How many pets did Andrew have, as of September 2023?", "2023-09-01", "2023-09-30", "before"),
    ("What did John do the week before August 3, 2023?", "2023-07-24", "2023-07-30", "during"),
    ("What did Andrew do on the Monday before July 24, 2023?", "2023-07-17", "2023-07-17", "on"),
])
def test_query_absolute_spans(question: str, start: str, end: str, relation: str) -> None:
    q = parse_query_time(question)
    assert q is not None and q.span is not None
    assert (q.span.start, q.span.end, q.relation) == (D(start), D(end), relation)
    assert not q.asks_when


def test_query_relative_needs_now() -> None:
    assert parse_query_time("What did Caroline do last year?") is None
    q = parse_query_time("What did Caroline do last year?", now=MON)
    assert q is not None and q.span is not None
    assert (q.span.start, q.span.end, q.relation) == (D("2022-01-01"), D("2022-12-31"), "during")
    q = parse_query_time("When did Melanie go camping in June?")
    assert q == QueryTime(None, "during", True)
    q = parse_query_time("When did Melanie go camping in June?", now=D("2023-08-01"))
    assert q is not None and q.asks_when and q.span is not None
    assert q.span.label() == "June 2023"


def test_query_without_time() -> None:
    assert parse_query_time("May I ask what Caroline's hobbies are?") is None
    assert parse_query_time("What is Melanie's favourite painting?") is None


# -- calendar helpers -----------------------------------------------------------------------

def test_weekday_arithmetic_brute_force() -> None:
    start = D("2023-01-01")
    for offset in range(60):
        ref = start + timedelta(days=offset)
        for wd in range(7):
            before = te.weekday_before(ref, wd)
            after = te.weekday_after(ref, wd)
            assert before.weekday() == wd and after.weekday() == wd
            assert 1 <= (ref - before).days <= 7 and 1 <= (after - ref).days <= 7
            in_week = te.weekday_in_week(ref, wd)
            assert in_week.weekday() == wd and te.week_span(in_week) == te.week_span(ref)


def test_last_saturday_example() -> None:
    span = te.resolve_relative("last Saturday", MON)
    assert span is not None and span.start == D("2023-05-06") and span.start.weekday() == 5


@pytest.mark.parametrize(("d", "months", "expected"), [
    ("2023-03-31", -1, "2023-02-28"),
    ("2024-03-31", -1, "2024-02-29"),
    ("2023-01-31", 1, "2023-02-28"),
    ("2023-12-15", 1, "2024-01-15"),
    ("2023-01-15", -13, "2021-12-15"),
])
def test_shift_months_clamps(d: str, months: int, expected: str) -> None:
    assert te.shift_months(D(d), months) == D(expected)


def test_shift_years_leap_day() -> None:
    assert te.shift_years(D("2024-02-29"), -1) == D("2023-02-28")


def test_seasons() -> None:
    assert te.season_of(D("2024-01-10")) == ("winter", 2023)
    assert te.season_of(D("2023-12-01")) == ("winter", 2023)
    assert te.season_of(D("2023-06-01")) == ("summer", 2023)
    assert te.season_span("autumn", 2023) == (D("2023-09-01"), D("2023-11-30"))
    assert te.last_season(D("2023-03-01"), "winter") == (D("2022-12-01"), D("2023-02-28"))
    assert te.next_season(D("2023-12-15"), "winter") == (D("2024-12-01"), D("2025-02-28"))
    assert te.this_season(D("2023-02-01"), "winter") == (D("2022-12-01"), D("2023-02-28"))


def test_holiday_dates() -> None:
    from engramdb.text._timecal import easter, thanksgiving

    assert [easter(y) for y in (2023, 2024, 2025)] == [D("2023-04-09"), D("2024-03-31"),
                                                       D("2025-04-20")]
    assert [thanksgiving(y) for y in (2022, 2023)] == [D("2022-11-24"), D("2023-11-23")]


def test_timespan_is_frozen() -> None:
    span = extract("today", MON)[0]
    assert isinstance(span, TimeSpan)
    with pytest.raises(AttributeError):
        span.start = D("2020-01-01")  # type: ignore[misc]


@pytest.mark.parametrize(("text", "expected"), [
    ("on 12/25/99", "1999-12-25"),
    ("on 5/8/23", "2023-05-08"),
    ("am 08.05.2023", "2023-05-08"),  # dotted dates are day.month.year
    ("on 2023-5-8", "2023-05-08"),
])
def test_numeric_dates(text: str, expected: str) -> None:
    assert [s.start for s in extract(text, MON)] == [D(expected)]


def test_out_of_range_counts_are_ignored() -> None:
    assert extract("300 decades ago", MON) == []
    assert extract("999 years ago", MON) == []
    assert extract("300 decades before 8 May 2023", MON)[-1].start == MON


_VOCAB = ["last", "next", "this", "the", "in", "on", "since", "ago", "a", "few", "two", "12",
          "2023", "May", "may", "March", "Saturday", "Sat", "week", "weekend", "month", "year",
          "summer", "fall", "of", "before", "after", "early", "late", "mid-", "'90s", "the 1990s",
          "yesterday", "tomorrow", "recently", "every", "8th", "5/8/2023", "2023-05-08", ",", "."]


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(_VOCAB), max_size=12),
                  ref=st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)))
def test_extract_never_fails_and_offsets_hold(words: list[str], ref: date) -> None:
    text = " ".join(words)
    spans = extract(text, ref)
    last_end = 0
    for span in spans:
        assert span.start <= span.end
        assert text[span.start_char:span.end_char] == span.text
        assert span.start_char >= last_end  # in order, not overlapping
        last_end = span.end_char
        assert span.label() and span.keys()


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80), ref=st.dates(min_value=date(1950, 1, 1),
                                                       max_value=date(2090, 12, 31)))
def test_extract_total_on_arbitrary_text(text: str, ref: date) -> None:
    for span in extract(text, ref):
        assert text[span.start_char:span.end_char] == span.text
