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
    "Rex, my childhood dog, loved the beach.",
    "There's so much work left to do for UNICEF and others.",
    "I joined a mentoring program for NASA interns.",
    "I have been reading a lot lately.",
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


# Written after the rules above, in three more batches (short varied phrasings; lowercase
# chat; long chatty turns) to measure generalisation before changing any rule: at first
# 24 of 56, 18 of 36 and 10 of 21 were read; the rules were then generalised (cue +
# typed value, clause subjects; then clause-scoped hedges, values said apart from their
# cue, news told to the speaker) and the 9 phrasings missed, xfail until then, are read.
MORE = [
    ('location', 'austin', 'Finally unpacked in Austin.'),
    ('location', 'seattle', 'Our new address is in Seattle.'),
    ('location', 'vienna', 'I live over in Vienna now.'),
    ('location', 'madrid', 'The new neighbourhood in Madrid is so lively.'),
    ('location', 'boston', 'Been in Boston three months now and loving it.'),
    ('location', 'oslo', 'Our flat in Oslo is tiny but cosy.'),
    ('location', 'atlanta', 'The move to Atlanta went smoothly.'),
    ('location', 'melbourne', 'Greetings from my new home in Melbourne!'),
    ('location', 'portland', 'Now living in Portland.'),
    ('location', 'boston', 'Just landed in my new city, Boston!'),
    ('employer', 'helio health', "I'm now at Helio Health."),
    ('employer', 'orchard media', 'Accepted an offer from Orchard Media!'),
    ('employer', 'quarry software', 'New job at Quarry Software starts Monday.'),
    ('employer', 'juniper bank', 'Day one at Juniper Bank went fine.'),
    ('employer', 'helio health', 'Helio Health offered me the position and I said yes!'),
    ('employer', 'cobalt robotics', "I'm with Cobalt Robotics now."),
    ('employer', 'brightline labs', 'Three weeks into the job at Brightline Labs.'),
    ('employer', 'orchard media', "I'm part of the Orchard Media team now."),
    ('job', 'nurse', "I'm a nurse now."),
    ('job', 'senior accountant', "I've been promoted; I'm a senior accountant now."),
    ('job', 'product manager', 'I started my new role as product manager.'),
    ('job', 'marketing lead', 'They gave me the marketing lead title.'),
    ('job', 'research scientist', 'Promotion came through: research scientist!'),
    ('partner', 'chloe', "Chloe's my girlfriend now."),
    ('partner', 'hannah', 'Hannah and I are a couple now.'),
    ('partner', 'liam', "Been on a few dates with Liam, it's going well."),
    ('partner', 'omar', 'We got married! Omar is my husband now.'),
    ('partner', 'jonas', 'My partner, Jonas, is a great cook.'),
    ('pet', 'rocket', 'We have a new dog, Rocket.'),
    ('pet', 'luna', 'Got a kitten! Her name is Luna.'),
    ('pet', 'mochi', 'Say hello to Mochi, our rescue cat.'),
    ('pet', 'bruno', "The puppy's name is Bruno."),
    ('diet', 'vegetarian', 'I stopped eating meat in March.'),
    ('diet', 'pescatarian', 'I gave up meat but I still eat fish.'),
    ('diet', 'vegan', 'Going vegan was the best decision I made.'),
    ('diet', 'vegan', "I've been eating plant-based for a while."),
    ('hobby', 'pottery', "I've started going to pottery classes."),
    ('hobby', 'rock climbing', 'My weekends are all about rock climbing now.'),
    ('hobby', 'photography', 'Photography has become my thing.'),
    ('hobby', 'salsa dancing', "I've been doing a lot of salsa dancing lately."),
    ('hobby', 'birdwatching', 'I go birdwatching every Sunday.'),
    ('hobby', 'knitting', 'I picked up knitting.'),
    ('plan', 'run a marathon', 'I want to run a marathon next year.'),
    ('plan', 'learn japanese', 'Big goal for 2025: learn Japanese.'),
    ('plan', 'travel around south america', 'My dream is to travel around South America.'),
    ('rent', '$2,400', "We're paying $2,400 for the new apartment."),
    ('rent', '$1,850', 'The new place is $1,850 a month.'),
    ('rent', '$1,200', 'Rent went down to $1,200.'),
    ('salary', '$95,000', 'New salary: $95,000.'),
    ('salary', '$110k', "I'm making $110k now."),
    ('salary', '$82,000', 'They bumped me to $82,000.'),
    ('location', 'denver', 'so we actually ended up moving to Denver in the end, crazy right?'),
    ('location', 'denver', 'i moved to denver last month'),
    ('location', 'lisbon', "Oh and by the way, since we last talked I've relocated to Lisbon."),
    ('location', 'toronto', "We're Toronto-based now."),
    ('location', 'seattle', 'Life update: new city! Seattle!'),
    ('location', 'chicago', 'After years in Portland, we packed up and headed to Chicago.'),
    ('location', 'dublin', 'Loving our new life in Dublin.'),
    ('location', 'madrid', 'I now live in Madrid, which still feels unreal.'),
    ('employer', 'helio health', 'i work at helio health now'),
    ('employer', 'harbor games', 'So I finally got hired at Harbor Games!'),
    ('employer', 'quarry software', "Guess who's the newest employee at Quarry Software? Me!"),
    ('employer', 'juniper bank', 'I got an offer from Juniper Bank and took it.'),
    ('employer', 'summit insurance', 'Work is good, Summit Insurance treats people well, glad I made the switch.'),
    ('employer', 'tidewater energy', 'Just finished my first month at Tidewater Energy.'),
    ('job', 'teacher', "i'm a teacher now"),
    ('job', 'data analyst', 'I moved into a data analyst role.'),
    ('job', 'architect', "I'm now working as an architect."),
    ('job', 'sales director', "I've stepped up to sales director."),
    ('partner', 'marco', 'me and Marco are dating now'),
    ('partner', 'priya', "I've got a girlfriend now, Priya."),
    ('partner', 'daniel', 'Daniel, my boyfriend, says hi.'),
    ('partner', 'sofia', 'Sofia and I tied the knot last weekend!'),
    ('pet', 'luna', "We brought home a kitten yesterday, we're calling her Luna."),
    ('pet', 'rocket', 'Rocket, our new puppy, chewed my shoes.'),
    ('diet', 'vegan', "i'm vegan now"),
    ('diet', 'vegetarian', "I've gone vegetarian."),
    ('diet', 'pescatarian', "These days I'm a pescatarian."),
    ('hobby', 'rock climbing', "I've been climbing a lot, rock climbing is my new obsession."),
    ('hobby', 'knitting', "i've been knitting like crazy lately"),
    ('hobby', 'chess', 'I play chess every evening now.'),
    ('plan', 'open a bakery', "I'm seriously planning to open a bakery."),
    ('plan', 'buy a house', "We're hoping to buy a house next spring."),
    ('rent', '$2,100', 'we pay $2,100 in rent now'),
    ('rent', '$1,850', 'Our rent is $1,850 now, ugh.'),
    ('salary', '$95,000', 'The new job pays $95,000.'),
    ('salary', '$110,000', 'i make $110,000 a year now'),
    ('location', 'denver', 'Honestly the best part of this month has been finally getting settled into our place in Denver after all that chaos.'),
    ('location', 'austin', "I'm still getting used to the heat here since we relocated down to Austin, but the tacos make up for it."),
    ('location', 'seattle', "It rains a lot more than I expected, but I'm slowly falling in love with living in Seattle."),
    ('location', 'boston', "Now that we've got our own apartment in Boston, I finally have room for a proper desk."),
    ('location', 'oslo', 'The movers showed up late, but everything is finally unpacked and we are officially Oslo residents.'),
    ('employer', 'helio health', 'My first few weeks at Helio Health have been a whirlwind of onboarding sessions and new faces.'),
    ('employer', 'quarry software', "I wanted to tell you that I accepted the offer from Quarry Software, so I'm starting there on Monday."),
    ('employer', 'cobalt robotics', 'Work has been intense since I joined Cobalt Robotics, but the team is really supportive and smart.'),
    ('employer', 'juniper bank', 'Since switching over to Juniper Bank my commute is shorter and the people are much friendlier.'),
    ('job', 'product manager', "It still feels strange to introduce myself as a product manager, but I think I'm growing into it."),
    ('job', 'nurse', "After years of studying I finally passed my boards, so I'm a registered nurse now."),
    ('job', 'marketing lead', "My boss called me in on Friday and told me they're making me the new marketing lead."),
    ('partner', 'liam', "Things with Liam are getting serious, we've been together for about three months now and it feels right."),
    ('partner', 'elena', "I've been spending most weekends with Elena, my new girlfriend, and we just booked our first trip together."),
    ('pet', 'pepper', "We finally adopted a little terrier from the shelter last weekend and named her Pepper, she's adorable."),
    ('diet', 'vegan', "I've been fully vegan for about two months now and honestly I feel more energetic than I have in years."),
    ('hobby', 'pottery', "I signed up for a weekly pottery class at the community center and I'm already hooked on it."),
    ('hobby', 'rock climbing', 'Most evenings after work you can find me at the gym doing rock climbing with a couple of friends.'),
    ('plan', 'run a marathon', "I've been training a lot because my big goal this year is to run a marathon before the fall."),
    ('rent', '$2,400', 'Our landlord just told us the rent is going up to $2,400 next month, which is a bit painful.'),
    ('salary', '$95,000', 'After the review they bumped my salary up to $95,000, which makes a real difference for us.'),
]
MISSED: set[str] = set()  # phrasings still not read stay here as xfail: none now


@pytest.mark.parametrize(("slot", "value", "text"), MORE, ids=[t[:60] for *_, t in MORE])
def test_more_phrasings(slot: str, value: str, text: str) -> None:
    found = {(s, v) for s, v, neg in _facts(text) if not neg}
    read = any(s == slot and v is not None and value in v for s, v in found)
    if text in MISSED and not read:
        pytest.xfail("not read yet")
    assert read, found


MORE_ENDED = [
    ('employer', 'fernwood', 'Left Fernwood for Helio.'),
    ('employer', 'fernwood', "I'm done with Fernwood."),
    ('employer', 'fernwood', 'Handed in my notice at Fernwood.'),
    ('partner', 'daniel', "I'm not with Daniel anymore."),
    ('diet', None, 'I eat meat again.'),
]


@pytest.mark.parametrize(("slot", "value", "text"), MORE_ENDED, ids=[t for *_, t in MORE_ENDED])
def test_more_endings(slot: str, value: str | None, text: str) -> None:
    assert (slot, value, True) in _facts(text)


# A cue in one sentence, its value in another (text._slot_across): read by the rules
# (capitalised words where a value of the type stands), with spaCy's entities when
# installed; a value of another type, a hedge, or someone else's news says nothing.
APART = [
    ("location", "seattle", "Life update: new city! Seattle!"),
    ("location", "ballard", "We finally signed the lease! The place is tiny but it's in Ballard."),
    ("location", "tacoma", "Got my library card from the Tacoma public library, so I guess "
                           "it's official, I'm a local."),
    ("employer", "quarry software", "Guess who's the newest employee at Quarry Software? Me!"),
]
NOT_APART = [
    "We moved! Jake helped us carry the couch.",
    "My sister moved to Denver. It's a new city for her.",
    "If we ever moved, maybe a new city like Boston?",
    "I might take a new job soon, maybe at Juniper Bank or Cobalt Robotics.",
    "Rotterdam or Valencia? We need a new city, we just can't pick one.",
]


def _ner():  # spaCy's entity finder, or skip when the nlp extra is absent
    from engramdb.text.slots import spacy_entities

    finder = spacy_entities()
    if finder is None or finder("Seattle") is None:
        pytest.skip("spaCy and its English model are not installed")
    return finder


@pytest.mark.parametrize("ner", [False, True], ids=["rules", "spacy"])
@pytest.mark.parametrize(("slot", "value", "text"), APART, ids=[t[:40] for *_, t in APART])
def test_a_value_said_apart_from_its_cue(slot: str, value: str, text: str, ner: bool) -> None:
    found = {(st.slot, st.value) for st in extract(
        text, in_conversation=True, entities=_ner() if ner else None)
        if st.subject == "self" and st.confidence >= 0.7 and not st.negated}
    assert (slot, value) in found


@pytest.mark.parametrize("ner", [False, True], ids=["rules", "spacy"])
@pytest.mark.parametrize("text", NOT_APART)
def test_no_value_apart_from_a_hedged_or_ambiguous_cue(text: str, ner: bool) -> None:
    found = [st for st in extract(text, in_conversation=True, entities=_ner() if ner else None)
             if st.subject == "self" and st.confidence >= 0.7 and not st.negated]
    assert not found, found


def test_the_tagger_path_reads_an_organisation_in_another_clause() -> None:
    text = "Work is good, Summit Insurance treats people well, glad I made the switch."
    found = {(st.slot, st.value) for st in extract(text, in_conversation=True, entities=_ner())
             if st.subject == "self" and st.confidence >= 0.7}
    assert ("employer", "summit insurance") in found


@pytest.mark.parametrize("nlp", ["rules", "auto"])
def test_the_rule_extractor_reads_a_value_apart_with_or_without_spacy(nlp: str) -> None:
    from datetime import UTC, datetime

    from engramdb.write import RuleExtractor, TurnInput

    extractor = RuleExtractor(nlp=nlp)
    assert (extractor.entities is None) == (nlp == "rules")
    turn = TurnInput("t1", "Life update: new city! Seattle!", "ana", datetime.now(UTC), "user")
    facts = extractor.extract([turn])
    assert [(f.subject, f.attribute, f.value) for f in facts] == [("user", "location", "Seattle")]


# Values in relative clauses and appositions; settled statements (news told to the
# speaker, a scheduled rent change, a hedge in another clause) against hedged ones.
SETTLED = [
    ("location", "denver", "We love Denver, where we live now, even in winter."),
    ("location", "lisbon", "The city I call home now, Lisbon, is so hilly."),
    ("employer", "helio health", "The company I work for, Helio Health, just got acquired."),
    ("partner", "marco", "The guy I'm seeing, Marco, cooks amazing pasta."),
    ("job", "marketing lead", "My boss told me they're making me the new marketing lead."),
    ("rent", "$2,400", "The landlord told us the rent is going up to $2,400 next month."),
    ("partner", "lena", "Kofi and I broke up back in the spring, and I've been seeing "
                        "someone new: Lena."),
    ("salary", "$61,500", "I make $61,500 a year, which sounded like a lot until I saw "
                          "what groceries cost."),
]
HEDGED = [
    "I think we're moving to Denver.",
    "I'm probably going to take the job at Juniper Bank.",
    "Hopefully I'll be working at Cobalt Robotics by spring.",
    "He told me he got promoted to director.",
    "My sister told me she's moving to Lisbon.",
]


@pytest.mark.parametrize(("slot", "value", "text"), SETTLED, ids=[t[:50] for *_, t in SETTLED])
def test_a_settled_statement_is_read(slot: str, value: str, text: str) -> None:
    assert (slot, value, False) in _facts(text)


@pytest.mark.parametrize("text", HEDGED)
def test_a_hedged_or_second_hand_statement_is_not_a_fact(text: str) -> None:
    assert not {f for f in _facts(text) if not f[2]}, text
