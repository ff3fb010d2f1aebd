"""Values read by their form and their place, not by one set's phrasing (issue 9, fifth session).

Written for this test from how people type to an assistant (values, names and wording of
its own, none taken from a benchmark set), one group per mechanism:

- money by its size: a rent is a month's, a salary a year's ("Yearly pay: $84,000" is no
  rent), an old amount ("instead of $1,700") is not the value, an ad's or a recruiter's
  offer is not the speaker's;
- names by the words before them: "the X" and acronyms are no person or pet, "everyone at
  X" works somewhere rather than lives there;
- diets by form ("grain-free", "high-fibre") and by name (macrobiotic, Atkins);
- an ending ("dropped the paleo thing") or someone else's value ("my flatmate went
  Atkins") is never re-read as the speaker's by the general path;
- pets named by definition ("Pickle is a one-year-old beagle"), apposition ("Noodle, a shy
  tabby") or opening a sentence of a turn about an animal;
- "here in X", "X born and raised" (and never left); the people at X with the speaker
  among them; "been with The X for years";
- hobbies: "been into X", "the X club meets", "a course in X", "lately it's all X";
- a job title as one's badge or signature says it.

Each end-to-end case goes through :class:`~engramdb.Memory`: an old value, then a new one
said in the new way, and the profile must show the new one (the old fact closed).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engramdb import Memory
from engramdb.embed import get_embedder
from engramdb.text._slot_typed import read_typed, typed_values
from engramdb.text._slot_values import money_fits
from engramdb.text.slots import extract
from engramdb.write.extract import RuleExtractor, TurnInput

WHEN = datetime(2025, 5, 1, tzinfo=timezone.utc)


def _rules(text: str) -> set[tuple[str, str | None, bool]]:
    """(slot, value, negated) of the speaker's rule statements sure enough to be stored."""
    return {(st.slot, st.value, st.negated) for st in extract(text, in_conversation=True)
            if st.subject == "self" and st.confidence >= 0.7}


@pytest.fixture(scope="module")
def general() -> RuleExtractor:
    return RuleExtractor(embedder=get_embedder("minilm"))


def _facts(extractor: RuleExtractor, text: str) -> set[tuple[str, str | None, bool]]:
    turns = [TurnInput("t0", text, "Robin", WHEN, "user")]
    return {(f.attribute, f.value, f.polarity) for f in extractor.extract(turns)
            if f.confidence >= 0.7 and f.subject == "user"}


# ------------------------------------------------------------------ money by its size
@pytest.mark.parametrize("slot, raw, sentence, fits", [
    ("rent", "$84,000", "Yearly pay: $84,000.", False),
    ("salary", "$84,000", "Yearly pay: $84,000.", True),
    ("rent", "$1,450", "The flat is $1,450.", True),
    ("salary", "$1,450", "Ugh, $1,450 gone already.", False),
    ("salary", "$4,200", "They pay me $4,200 a month.", True),
    ("location", "$5", "", True),
])
def test_money_fits_its_slot_by_size(slot: str, raw: str, sentence: str, fits: bool) -> None:
    assert money_fits(slot, raw, sentence) is fits


def test_a_yearly_amount_sensed_as_rent_is_a_salary() -> None:
    """The sense says money (rent passed its cut); the size says which."""
    ranked = [("rent", True), ("salary", False), ("employer", False)]
    assert read_typed("It's $47,500 now, backdated to March.", ranked) == [("salary", "$47,500")]
    assert read_typed("It's $1,380 now, backdated to March.", ranked) == [("rent", "$1,380")]


def test_the_old_amount_is_not_the_value() -> None:
    ranked = [("rent", True)]
    assert read_typed("My place now costs me $2,100 instead of $1,700.", ranked) == [
        ("rent", "$2,100")]
    assert read_typed("My rent went up to $2,100 from $1,700.", ranked) == [("rent", "$2,100")]


@pytest.mark.parametrize("sentence, attribute", [
    ("Spotted a job listing offering $95,000 for exactly what I do.", "salary"),
    ("A headhunter from Birchwood Labs emailed me this morning.", "employer"),
    ("Some recruiter keeps pitching me Halvard Systems.", "employer"),
])
def test_an_offer_or_a_stranger_is_not_the_speaker(sentence: str, attribute: str) -> None:
    assert typed_values(sentence, attribute) == []


# ------------------------------------------------------------- names by what precedes
@pytest.mark.parametrize("sentence, attribute", [
    ("I have been with The Copper Kettle for six years now.", "partner"),
    ("Same HR form since my first week, it's absurd.", "partner"),
    ("Everyone at Lantern Freight is off today except me.", "location"),
])
def test_names_are_typed_by_the_words_before_them(sentence: str, attribute: str) -> None:
    assert typed_values(sentence, attribute) == []


def test_people_at_an_organisation_is_still_an_employer() -> None:
    # the general path reads "..., but payroll keeps losing my timesheets" clause by clause
    assert typed_values("The people at Lantern Freight are kind", "employer") == [
        "Lantern Freight"]


# ------------------------------------------------------------------- diets by form
@pytest.mark.parametrize("text, value", [
    ("I eat grain-free these days, so no pasta ideas please.", "grain-free"),
    ("Going dairy-free from now on, doctor's advice.", "dairy-free"),
    ("Been doing high-fibre for about a year and I feel great.", "high-fibre"),
    ("I'm macrobiotic, so keep that in mind.", "macrobiotic"),
    ("Atkins for me since January.", "atkins"),
])
def test_diets_by_form_and_by_name(text: str, value: str) -> None:
    assert ("diet", value, False) in _rules(text)


@pytest.mark.parametrize("text", [
    "I grabbed a fat-free yogurt and a low-sodium soup.",
    "It's a stress-free commute now.",
])
def test_food_words_that_are_no_diet(text: str) -> None:
    assert not {f for f in _rules(text) if f[0] == "diet"}


def test_an_ending_is_not_read_again_as_a_value(general: RuleExtractor) -> None:
    facts = _facts(general, "Quick food update: I've dropped the paleo thing. Going "
                            "sugar-free from now on, my dentist insisted.")
    assert ("diet", "sugar-free", True) in facts
    assert ("diet", "paleo", True) not in facts  # said to have ended, never to hold


def test_someone_elses_value_is_not_read_again_as_mine(general: RuleExtractor) -> None:
    assert not {f for f in _facts(general, "My flatmate went macrobiotic for a month and "
                                           "gave up after a week.") if f[0] == "diet"}


# ------------------------------------------------------------------------- pets
@pytest.mark.parametrize("text, value", [
    ("Papers signed! Pickle is a one-year-old beagle and already owns the sofa.", "pickle"),
    ("The flat felt empty, so we went to the shelter. Say hi to Noodle, a shy tabby.",
     "noodle"),
    ("Any advice for a kitten that bites? Noodle is adorable but fierce.", "noodle"),
    ("Crate training a puppy is exhausting. Waffle has chewed two cables today.", "waffle"),
])
def test_a_pet_named_by_definition_apposition_or_opening(text: str, value: str) -> None:
    assert ("pet", value, False) in _rules(text)


@pytest.mark.parametrize("text", [
    "My cousin has a new puppy. Biscuit is huge already.",
    "We walked the dog early. Dinner is at eight tonight.",
    "My girlfriend loves my dog. Sarah is great with him.",
    "The cat slept all day. Training is exhausting this week.",
])
def test_an_opening_word_is_no_pet_when_the_animal_is_not_mine_or_the_word_is_common(
        text: str) -> None:
    assert not {f for f in _rules(text) if f[0] == "pet"}


# ------------------------------------------------------- places and organisations
@pytest.mark.parametrize("text, fact", [
    ("The bakery here in Utrecht does a sourdough class on Sundays and I signed up.",
     ("location", "utrecht", False)),
    ("Leeds born and raised, and I've never really left.", ("location", "leeds", False)),
    ("Everyone at Lantern Freight is off this week except me, so it's quiet.",
     ("employer", "lantern freight", False)),
    ("I've been with The Copper Kettle going on six years.", ("employer", "copper kettle", False)),
])
def test_places_and_workplaces_by_form(text: str, fact: tuple[str, str, bool]) -> None:
    assert fact in _rules(text)


@pytest.mark.parametrize("text", [
    "We're visiting for the week and the museum here in Utrecht is lovely.",
    "Leeds born and raised, though I moved away at eighteen.",
    "My brother says everyone at Lantern Freight is overworked.",
])
def test_visits_leavers_and_hearsay_are_not_mine(text: str) -> None:
    assert not {f for f in _rules(text) if f[0] in ("location", "employer")}


def test_a_capitalised_the_stays_in_an_organisation_name() -> None:
    shown = {st.display for st in extract("I've been with The Copper Kettle for six years.",
                                          in_conversation=True) if st.slot == "employer"}
    assert shown == {"The Copper Kettle"}


# ----------------------------------------------------------------------- hobbies
@pytest.mark.parametrize("text, value", [
    ("I've been into birdwatching since college, never got bored of it.", "birdwatching"),
    ("The pottery club meets on Mondays now, so I moved my gym night.", "pottery"),
    ("Signed up for an evening course in woodturning. Loved the first session.",
     "woodturning"),
    ("Chess lost its shine. Lately it's all crochet, every free evening.", "crochet"),
    ("I needed something new. It's fencing now, twice a week.", "fencing"),
])
def test_hobbies_by_form(text: str, value: str) -> None:
    assert ("hobby", value, False) in _rules(text)


def test_giving_up_on_a_hobby_ends_that_hobby() -> None:
    assert ("hobby", "chess", True) in _rules("Gave up on chess, no patience for it.")


# --------------------------------------------------------------------------- jobs
@pytest.mark.parametrize("text, value", [
    ("My badge says charge nurse now, which still feels strange.", "charge nurse"),
    ("Work-wise I'm a research fellow, so long days.", "research fellow"),
])
def test_a_title_as_documents_say_it(text: str, value: str) -> None:
    assert ("job", value, False) in _rules(text)


# ------------------------------------------------------------- through Memory
def _turn(text: str) -> dict[str, str]:
    return {"speaker": "Robin", "role": "user", "text": text}


@pytest.mark.parametrize("attribute, first, second, expect", [
    ("rent", "My rent is $1,700 a month.",
     "Budget question. Income is unchanged but my housing now eats $2,350 every month "
     "instead of $1,700.", "$2,350"),
    ("diet", "I'm vegetarian, for what it's worth.",
     "Food update: I've dropped the vegetarian thing. Going grain-free from now on.",
     "grain-free"),
    ("pet", "I have no pets yet, just plants.",
     "Any advice for a puppy that chews? Waffle is sweet but relentless.", "Waffle"),
    ("location", "I live in Leeds.",
     "The library here in Utrecht has a book swap on Saturday and I said I'd help.",
     "Utrecht"),
    ("employer", "I work at Juniper Bank.",
     "I've been with The Copper Kettle going on two years now, love it.", "The Copper Kettle"),
    ("hobby", "I'm really into chess.",
     "Gave up on chess, no patience. Lately it's all crochet, every free evening.", "crochet"),
])
def test_the_profile_follows_a_value_read_by_form(tmp_path, attribute: str, first: str,
                                                  second: str, expect: str) -> None:
    with Memory(tmp_path / "m.db", embedder="minilm") as m:
        for i, text in enumerate((first, second)):
            m.add_session([_turn(text)], user_id="robin", session_id=f"s{i}",
                          started_at=(WHEN + timedelta(days=40 * i)).isoformat())
        shown = m.profile(user_id="robin").values(attribute)
        assert shown and expect.lower() in shown[0].lower(), shown


# ------------------------------------------------- a value said again is no new fact
def test_a_value_said_again_is_no_second_fact(tmp_path) -> None:
    """A restatement ("Pickle is ..." after "a beagle named Pickle") would compete with the
    first fact for the same questions; a more precise value still refines the old one."""
    with Memory(tmp_path / "m.db", embedder="minilm") as m:
        said = ["We adopted a beagle, her name is Pickle. I live in Leeds.",
                "Any tips for a dog that pulls on the lead? Pickle is sweet but strong. "
                "Also my dog Pickle ate a sock.",
                "I live in Headingley, Leeds."]
        for i, text in enumerate(said):
            m.add_session([_turn(text)], user_id="robin", session_id=f"s{i}",
                          started_at=(WHEN + timedelta(days=10 * i)).isoformat())
        facts = m.list(user_id="robin", kinds=["fact"], include_superseded=True)
        pets = [f.metadata["value"] for f in facts if f.metadata["family"] == "pet"]
        homes = [f.metadata["value"] for f in facts if f.metadata["family"] == "location"
                 and f.valid_to is None]
        assert pets == ["beagle Pickle"]  # one pet, whatever kind it is called again
        assert homes == ["Headingley, Leeds"]
