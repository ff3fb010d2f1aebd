"""The rule extractor on phrasings it was not written for.

Written for this test, from how people say these things in chat, not taken from the
update benchmark: per attribute, many ways of stating a value (each must give the
speaker that value), of ending one, and distractors that must NOT become the speaker's
fact (a sister's city, a friend's employer, a maybe, a question, a recipe).
"""

from __future__ import annotations

import pytest

from engramdb.text.slots import extract


def _facts(text: str) -> set[tuple[str, str | None, bool]]:
    """(slot, value, negated) of the speaker's statements sure enough to be stored."""
    return {(st.slot, st.value, st.negated) for st in extract(text, in_conversation=True)
            if st.subject == "self" and st.confidence >= 0.7}


STATED = [
    # home
    ("location", "lisbon", "Home is Lisbon now."),
    ("location", "lisbon", "Lisbon is home now, and I love it."),
    ("location", "denver", "We finally made the move to Denver."),
    ("location", "toronto", "I'm in Toronto now, still unpacking boxes."),
    ("location", "dublin", "Signed the lease on a flat in Dublin yesterday!"),
    ("location", "oslo", "Settling into our new place in Oslo."),
    ("location", "madrid", "We've been living in Madrid since March."),
    ("location", "chicago", "I call Chicago home these days."),
    ("location", "highland", "The commute from Highland is so much shorter."),
    ("location", "vienna", "Just got the keys to our apartment in Vienna."),
    ("location", "atlanta", "So we relocated to Atlanta for good."),
    ("location", "boston", "Officially a Boston resident: I moved to Boston in May."),
    # employer
    ("employer", "quarry software", "First week at Quarry Software done!"),
    ("employer", "cobalt robotics", "Cobalt Robotics hired me last month."),
    ("employer", "juniper bank", "I took the job at Juniper Bank."),
    ("employer", "orchard media", "Started at Orchard Media on Monday."),
    ("employer", "tidewater energy", "I'm working for Tidewater Energy these days."),
    ("employer", "harbor games", "I switched to Harbor Games in the spring."),
    ("employer", "maple logistics", "My new colleagues at Maple Logistics are great."),
    ("employer", "summit insurance", "I signed with Summit Insurance, start date is the 5th."),
    ("employer", "brightline labs", "Been at Brightline Labs since January."),
    ("employer", "northwind foods", "I joined Northwind Foods as an analyst."),
    # job title
    ("job", "sales director", "They made me sales director."),
    ("job", "product manager", "I'm the new product manager on the team."),
    ("job", "research scientist", "My title is research scientist now."),
    ("job", "nurse", "I retrained as a nurse last year."),
    ("job", "marketing lead", "I got promoted to marketing lead!"),
    ("job", "graphic designer", "I'm working as a graphic designer now."),
    ("job", "pharmacist", "Officially a pharmacist as of this week!"),
    ("job", "software engineer", "Got the software engineer role!"),
    # partner
    ("partner", "marco", "Seeing someone new, his name is Marco."),
    ("partner", "sofia", "Sofia and I have been dating for two months."),
    ("partner", "liam", "I moved in with Liam last week."),
    ("partner", "hannah", "Hannah and I are official now!"),
    ("partner", "omar", "I'm engaged to Omar!"),
    ("partner", "elena", "My girlfriend Elena says hi."),
    ("partner", "ravi", "I've been seeing Ravi since the summer."),
    # pets
    ("pet", "pixel", "Meet Pixel, our new kitten!"),
    ("pet", "bruno", "We adopted a greyhound named Bruno."),
    ("pet", "olive", "Our rescue pup Olive is settling in."),
    ("pet", "ziggy", "We got a puppy and named him Ziggy."),
    ("pet", "maple", "Maple, our new cat, sleeps all day."),
    # diet
    ("diet", "vegan", "Three months vegan and counting."),
    ("diet", "vegetarian", "I went veggie in January."),
    ("diet", "vegan", "I'm fully plant-based now."),
    ("diet", "pescatarian", "I've been pescatarian since the spring."),
    ("diet", "vegetarian", "Vegetarian life is treating me well."),
    # hobby
    ("hobby", "trail running", "I've gotten really into trail running lately."),
    ("hobby", "chess", "Chess is my new thing."),
    ("hobby", "pottery", "I signed up for pottery classes."),
    ("hobby", "knitting", "I'm obsessed with knitting these days."),
    ("hobby", "woodworking", "I spend my weekends on woodworking now."),
    ("hobby", "birdwatching", "New hobby: birdwatching."),
    ("hobby", "photography", "I took up photography this winter."),
    # plan
    ("plan", "open a bakery", "The plan now is to open a bakery."),
    ("plan", "buy a house", "I'm saving up to buy a house."),
    ("plan", "learn japanese", "My goal this year is to learn Japanese."),
    ("plan", "run a marathon", "I've decided to run a marathon."),
    ("plan", "write a novel", "I'm determined to write a novel."),
    ("plan", "go back to school", "Next step: go back to school."),
    # rent
    ("rent", "$2,100", "Rent's $2,100 now."),
    ("rent", "$2,400", "The landlord raised it to $2,400."),
    ("rent", "$1,850", "My rent went from $1,450 to $1,850."),
    ("rent", "$1,200", "We pay $1,200 a month for the new place."),
    ("rent", "$3,000", "Rent is $3,000 a month here."),
    # salary
    ("salary", "$95,000", "They're paying me $95,000 now."),
    ("salary", "$110,000", "The offer came in at $110,000."),
    ("salary", "$82,000", "I'm on $82,000 a year now."),
    ("salary", "$75,000", "Got a raise to $75,000!"),
    ("salary", "$124,000", "My base is $124,000."),
]


@pytest.mark.parametrize(("slot", "value", "text"), STATED, ids=[t for *_, t in STATED])
def test_a_stated_value_is_read(slot: str, value: str, text: str) -> None:
    assert (slot, value, False) in _facts(text)


ENDED = [
    ("diet", "vegetarian", "I'm not vegetarian anymore."),
    ("employer", "helio", "I quit Helio."),
    ("employer", "fernwood", "Friday was my last day at Fernwood."),
    ("partner", None, "We broke up."),
    ("partner", "daniel", "Daniel and I ended things."),
    ("pet", "biscuit", "We lost Biscuit last week."),
    ("location", "portland", "We're no longer living in Portland."),
]


@pytest.mark.parametrize(("slot", "value", "text"), ENDED, ids=[t for *_, t in ENDED])
def test_an_ending_is_read_as_an_ending(slot: str, value: str | None, text: str) -> None:
    assert (slot, value, True) in _facts(text)


# Nothing here is a current fact about the speaker.
DISTRACTORS = [
    "My sister lives in Lisbon and loves it.",
    "My sister's new place in Lisbon is lovely.",
    "My friend just got a job at Harbor Games.",
    "My brother started at Cobalt Robotics.",
    "I might move to Oslo someday, who knows.",
    "Would it be crazy to work at Juniper Bank?",
    "We visited Denver for a wedding.",
    "I didn't get the job at Juniper Bank.",
    "I applied for a job at Orchard Media.",
    "I cooked a vegan lasagna for friends.",
    "Do you know any vegetarian restaurants?",
    "My roommate is vegan.",
    "Our office moved to Potsdam.",
    "The company moved to Austin.",
    "He works at Helio Health.",
    "They live in Boston.",
    "I'm going to bed early tonight.",
    "I'm going to the gym.",
    "I'm seeing Priya for lunch tomorrow.",
    "My friend's rent is $2,400.",
    "Is $2,000 a month too much for rent in Denver?",
    "I worked at Yahoo before Google.",
    "When I was a kid we lived in Ohio.",
    "If I got the job at Summit Insurance I'd move.",
    "My cat knocked over a plant.",
    "I'm thinking about getting into pottery.",
]


@pytest.mark.parametrize("text", DISTRACTORS)
def test_a_distractor_gives_the_speaker_no_fact(text: str) -> None:
    assert not {f for f in _facts(text) if not f[2]}, text


@pytest.mark.parametrize(("text", "subject", "slot", "value"), [
    ("Maya moved to Denver.", "name:maya", "location", "denver"),
    ("Maya no longer works at Fernwood.", "name:maya", "employer", "fernwood"),
    ("My sister lives in Lisbon.", "sister", "location", "lisbon"),
    ("My friend works at Harbor Games.", "friend", "employer", "harbor games"),
    ("Jordan started at Cobalt Robotics last week.", "name:jordan", "employer",
     "cobalt robotics"),
])
def test_other_subjects_are_kept_apart(text: str, subject: str, slot: str, value: str) -> None:
    found = {(st.subject, st.slot, st.value) for st in extract(text)}
    assert (subject, slot, value) in found
    assert not any(s == "self" and sl == slot for s, sl, _ in found)
