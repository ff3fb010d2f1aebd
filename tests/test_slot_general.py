"""The rule extractor's general path: an attribute read by meaning, its value by type.

The sentences here were written for this test, not taken from any benchmark set: what
no cue word of the rules reads ("Payroll finally sorted out at X"), and what must give
nothing (someone else's, a hypothetical, who is spoken to, the past, "you").
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engramdb import Memory
from engramdb.embed import get_embedder
from engramdb.text._slot_sense import load_sense
from engramdb.text._slot_typed import pet_or_partner, read_typed, worth_sensing
from engramdb.write.extract import GENERAL_CONFIDENCE, RuleExtractor, TurnInput

WHEN = datetime(2025, 3, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def general() -> RuleExtractor:
    return RuleExtractor(embedder=get_embedder("minilm"))


def _facts(extractor: RuleExtractor, *texts: str) -> set[tuple[str, str, str | None]]:
    turns = [TurnInput(f"t{i}", text, "Dana", WHEN, "user") for i, text in enumerate(texts)]
    return {(f.subject, f.attribute, f.value) for f in extractor.extract(turns)
            if f.confidence >= 0.7}


@pytest.mark.parametrize("text, fact", [
    ("Payroll finally sorted out at Harrow Robotics. My first paycheck lands Friday.",
     ("user", "employer", "Harrow Robotics")),
    ("Our landlord sent the new lease over. The monthly figure is $1,950, which I can stomach.",
     ("user", "rent", "$1,950")),
    ("Random thought, but all I can think about lately is how to build a cabin in the woods.",
     ("user", "plan", "build a cabin in the woods")),
])
def test_general_path_reads_what_no_rule_reads(general: RuleExtractor, text: str,
                                               fact: tuple[str, str, str]) -> None:
    assert fact not in _facts(RuleExtractor(), text)  # the rules alone miss it
    assert fact in _facts(general, text)


@pytest.mark.parametrize("text", [
    "My cousin just got a job at Harrow Robotics and loves it.",
    "Wow, Maria! That's great news about the move.",
    "If I ever moved I'd pick Lisbon, the light there is something else.",
    "You must be a great nurse, I can tell.",
    "My sister's dog Pepper chewed my shoe again.",
    "Back when I lived in Oslo the winters were brutal.",
    "Is $2,400 a month too much for a one-bedroom?",
    "Our neighbours' cat Biscuit sleeps on my car.",
    "If I could, I would want to sail around the world.",
    "It drives me to do what I can to make it better.",
    "I hope I can have such a strong bond with Toby as well.",
    "Yep, Toby and I are gonna have a blast exploring outdoors!",
])
def test_general_path_says_nothing_of_others_or_maybes(general: RuleExtractor, text: str) -> None:
    assert {f for f in _facts(general, text) if f[0] == "user"} == set()


def test_two_names_of_a_type_say_nothing() -> None:
    ranked = [("pet", True), ("partner", True)]
    assert read_typed("Luna and Oliver are such sweet cats, I adore them.", ranked) == []
    assert read_typed("Three weeks in Bergen and my feet still think they are in Tallinn.",
                      [("location", True)]) == []


def test_the_nearest_attribute_with_a_value_decides() -> None:
    """The nearer in meaning wins, and a nearest short of its cut reads nothing, even when
    a farther one passed its own. Money is the exception: when the sense says money (rent
    or salary passed), its size says which ("$110,000" is no month's rent)."""
    sentence = "My new salary is $110,000 and I am thrilled."
    assert read_typed(sentence, [("salary", True), ("rent", True)]) == [("salary", "$110,000")]
    assert read_typed(sentence, [("salary", False), ("rent", True)]) == [("salary", "$110,000")]
    assert read_typed("Lisbon in spring is lovely and I am thrilled.",
                      [("location", False), ("employer", True)]) == []


def test_speakers_are_no_values() -> None:
    assert read_typed("Thanks so much for the tip about Andrew today!", [("pet", True)],
                      {"andrew"}) == []


def test_prefilter_is_cheap_and_skips_questions() -> None:
    assert not worth_sensing("Where should I move next?")
    assert worth_sensing("I pay $1,200 for the flat.")


def test_rules_only_without_a_fitted_model() -> None:
    """An embedder without a fitted sense model (here the test one): the rules alone."""
    assert load_sense("fake") is None
    fake = RuleExtractor(embedder=get_embedder("fake"))
    text = "Payroll finally sorted out at Harrow Robotics. My first paycheck lands Friday."
    assert _facts(fake, text) == _facts(RuleExtractor(), text)


def test_memory_general_fact_and_no_second_embedding(tmp_path) -> None:
    """Through Memory: the fact is written, and the write's embed step finds the
    passages the extractor embedded in the memory's cache (no second embedding)."""
    with Memory(tmp_path / "m.db", embedder="minilm") as m:
        m.add_session([{"speaker": "Dana", "role": "user",
                        "text": "Payroll finally sorted out at Harrow Robotics. "
                                "My first paycheck lands Friday."}],
                      user_id="dana", session_id="s1", started_at=WHEN.isoformat())
        facts = m.list(user_id="dana", kinds=["fact"])
        assert [(f.metadata["attribute"], f.metadata["value"]) for f in facts] == [
            ("employer", "Harrow Robotics")]
        assert facts[0].metadata["confidence"] == pytest.approx(GENERAL_CONFIDENCE)
        cache = m._vectors.passages
        assert cache.hits >= 2  # both passages of the turn, embedded once


def test_the_default_embedders_have_a_sense_model() -> None:
    """Both default embedders (minilm-int8 with ONNX Runtime, minilm without) are fitted:
    a new default without a model would silently turn the general path off."""
    from engramdb.embed import DEFAULT_EMBEDDER, default_embedder

    for name in {DEFAULT_EMBEDDER, default_embedder(), "minilm", "minilm-int8"}:
        assert load_sense(name) is not None, name


@pytest.mark.parametrize("turn, before, attribute", [
    # an animal word in the turn, or in the turn it answers: the name is a pet
    ("Every night Pickle steals my spot on the sofa. The vet says he is fine.", "", "pet"),
    ("Every night Pickle steals my spot on the sofa.", "Did you get the puppy after all?", "pet"),
    # no animal word, or a couple's: the nearest attribute in meaning (a partner) stands
    ("Every night Pickle steals my spot on the sofa.", "How was your week?", "partner"),
    ("Every night Pickle steals my spot on the sofa since our anniversary.",
     "Did you get the puppy after all?", "partner"),
])
def test_a_bare_name_is_a_pet_by_the_animal_words_around_it(turn: str, before: str,
                                                             attribute: str) -> None:
    """The sense model puts someone close and named near a partner, a pet alike ("Her
    name is Shadow!" after "I just adopted a pup", on LoCoMo, was read as a partner)."""
    ranked = pet_or_partner([("partner", True), ("pet", False), ("location", True)],
                            turn, before)
    assert read_typed(turn.split(". ")[0], ranked) == [(attribute, "Pickle")]


def test_a_name_said_after_an_animal_question_is_a_pet_not_a_partner(
        general: RuleExtractor) -> None:
    """End to end: before the animal words were read, this named a partner."""
    turns = [TurnInput("t0", "So you got a kitten after all? What do you call her?", "Sam", WHEN,
                       "speaker:sam"),
             TurnInput("t1", "Her name is Juniper! She has so much energy and always makes me "
                       "laugh.", "Dana", WHEN, "user")]
    facts = {(f.subject, f.attribute, f.value) for f in general.extract(turns)}
    assert ("user", "pet", "Juniper") in facts
    assert not any(attribute == "partner" for _, attribute, _ in facts)
