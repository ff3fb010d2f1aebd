"""Values said in passing, as asides and presumptions (issue 9, sixth session).

Written for this test from how people type to an assistant on a phone (values, names and
wording of its own, none taken from a benchmark set), one group per mechanism:

- whose: "a friend of mine", "a coworker" is someone else; "Annual pay:" has no subject
  named Annual; "good news for once" is no past;
- a form that presumes its value says it inside a question, a hedge or with a date to come
  ("too soon to introduce X to my parents?", "X is moving in with me next week", "is $X
  a month fair for what I've got?", "should be X since the reshuffle" when the old title
  "still says" otherwise);
- what follows "so I'm ..." is the speaker's own, whatever was said before it;
- plans as decisions ("I've decided I'm going to X"), list items, advice on how to do
  them, savings labelled with them, reminders that say them;
- pets by a young one called X in a turn about an animal, a vet visit for X, X's shots, a
  name after "because" in a turn about an animal, a title in a name ("Sir Wiggles");
- titles said bare ("I'm X since ..."), on a rota, as one's answer to "what do you do",
  written on a form, on a sentence of their own after news of a new title;
- "first week done at X", "orientation at X"; "been in X so long"; one's own street with
  the one place the turn names; "still says X and I haven't lived there since" ends X;
- hobbies one's evenings are all, one's whole personality, whole days on (in a turn that
  calls it a hobby), "love X, it's my thing", "my one thing outside work";
- pay one brings in, before tax; what a negotiation came back with; rent the renewal
  wants, rent gone on rent day, housing that eats it;
- the general path never re-reads a value a rule read for another attribute.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engramdb import Memory
from engramdb.embed import get_embedder
from engramdb.text.slots import extract
from engramdb.write.extract import RuleExtractor, TurnInput

WHEN = datetime(2025, 5, 1, tzinfo=timezone.utc)


def _rules(text: str) -> set[tuple[str, str | None, bool]]:
    """(slot, value, negated) of the speaker's rule statements sure enough to be stored."""
    return {(st.slot, st.value, st.negated) for st in extract(text, in_conversation=True)
            if st.subject == "self" and st.confidence >= 0.7}


def _slots(text: str) -> set[str]:
    return {slot for slot, _, _ in _rules(text)}


# ------------------------------------------------------------------------ whose
@pytest.mark.parametrize("text", [
    "a friend of mine is saving up to buy a sailboat, is that realistic on a teacher's pay",
    "A coworker has decided to retrain as a welder, wild right",
    "some neighbours of ours moved to Galway last spring",
])
def test_someone_the_speaker_knows_is_not_the_speaker(text: str) -> None:
    assert not _rules(text) & {("plan", "buy a sailboat", False), ("location", "galway", False)}
    assert not {f for f in _rules(text) if f[0] in ("plan", "location", "job")}


def test_an_amount_word_is_no_one_named() -> None:
    said = extract("Monthly take home: $3,900. Is that enough for a mortgage?", in_conversation=True)
    assert not [st for st in said if st.subject.startswith("name:")]
    said = extract("Annual pay: $58,400. Budgeting for a car now.", in_conversation=True)
    assert [(st.subject, st.value) for st in said if st.slot == "salary"] == [("self", "$58,400")]


def test_for_once_is_not_the_past() -> None:
    assert ("rent", "$1,640", False) in _rules(
        "good news for once, the new flat is $1,640 a month, cheaper than I feared")


# ------------------------------------------------------ forms that presume their value
@pytest.mark.parametrize("text, fact", [
    ("would it be weird to introduce Tamsin to my parents at christmas? been five months",
     ("partner", "tamsin", False)),
    ("Ezra finally met my folks on sunday and survived my uncle's questions",
     ("partner", "ezra", False)),
    ("huge news, Lorcan is moving in with me next month!! where do I put his records",
     ("partner", "lorcan", False)),
    ("Is $1,480 a month fair for my place? One bedroom and the landlord never fixes anything.",
     ("rent", "$1,480", False)),
    ("fix my email footer? It still says junior analyst. Should be risk analyst since March.",
     ("job", "risk analyst", False)),
])
def test_a_presumed_value_is_read_inside_a_question_or_a_date_to_come(
        text: str, fact: tuple[str, str, bool]) -> None:
    assert fact in _rules(text)


@pytest.mark.parametrize("text", [
    "Is $1,480 a month fair for a one-bedroom in Cork?",  # nobody's own place
    "should I introduce my dog Pepper to my parents' cat?",  # an animal
    "Maybe I should be a risk analyst since I like numbers.",  # no old title said
])
def test_presumption_needs_its_whole_form(text: str) -> None:
    assert not {f for f in _rules(text) if f[0] in ("rent", "partner", "job")}


def test_what_follows_so_I_am_is_the_speakers() -> None:
    assert ("diet", "kosher", False) in _rules(
        "my rabbi said it would help so I'm keeping kosher now, week two")
    assert ("diet", "halal", False) in _rules(
        "doc said my cholesterol was awful so I am halal and lean now")
    # a hedge before "so I can" still hedges
    assert not _rules("if I get the transfer so I can move to Lyon that'd be perfect")


# ------------------------------------------------------------------------- diets
@pytest.mark.parametrize("text, value", [
    ("since I went ayurvedic lol my kitchen smells amazing", "ayurvedic"),
    ("fully anti-inflammatory as of march, joints feel better", "anti-inflammatory"),
    ("went low-oxalate after the kidney stone lol", "low-oxalate"),
])
def test_named_diets_and_chat_endings(text: str, value: str) -> None:
    assert ("diet", value, False) in _rules(text)


# ------------------------------------------------------------------------- plans
@pytest.mark.parametrize("text, value", [
    ("after the year I've had I've decided I'm going to learn the cello. no backing out",
     "learn the cello"),
    ("top of my bucket list: cycle the Danube. can you plan stages?", "cycle the danube"),
    ("next big thing on my list: run a marathon. help me make a schedule", "run a marathon"),
    ("booked a call with a pension advisor about how to retire at fifty-five. eek",
     "retire at fifty-five"),
    ("there's a savings tin on my shelf labelled 'open a pottery studio', about half full",
     "open a pottery studio"),
    ("My phone wallpaper is a reminder to learn Portuguese, cheesy I know",
     "learn portuguese"),
    ("I redid my vision board last night. The new one says: buy a narrowboat.",
     "buy a narrowboat"),
])
def test_plans_said_as_decisions_lists_advice_and_reminders(text: str, value: str) -> None:
    assert ("plan", value, False) in _rules(text)


@pytest.mark.parametrize("text", [
    "booked a call with my accountant about my taxes, fun times",
    "My sister's vision board says: move to Rome.",
    "next thing on the agenda is lunch",
])
def test_errands_and_other_peoples_boards_are_no_plan(text: str) -> None:
    assert "plan" not in _slots(text)


# -------------------------------------------------------------------------- pets
@pytest.mark.parametrize("text, value", [
    ("the shelter rang this morning and now a tiny one called Pesto is asleep in my shoe",
     "pesto"),
    ("Vet visit for Truffle this afternoon, she hates the carrier", "truffle"),
    ("how much should a kitten cost to insure? Bramble's booster jabs were $95", "bramble"),
    ("do puppies ever sleep? I'm exhausted because Mochi keeps whining at 3am",
     "mochi"),
    ("got a kitten! her name is Dr. Wiggles and he is a she, long story", "dr. wiggles"),
])
def test_pets_named_by_care_place_and_title(text: str, value: str) -> None:
    assert ("pet", value, False) in _rules(text)


@pytest.mark.parametrize("text", [
    "my neighbour's vet bill for their dog was huge. because Harold keeps complaining about it",
    "the dog park was packed because Priya and her boyfriend brought their pups",
    "Flu shots for Marcus and me today, then a walk",
])
def test_names_near_animal_words_that_are_no_pet_of_mine(text: str) -> None:
    assert "pet" not in _slots(text)


# -------------------------------------------------------------------------- jobs
@pytest.mark.parametrize("text, value", [
    ("update my bio? it says night porter but I'm hotel duty manager since the summer",
     "hotel duty manager"),
    ("Induction done. From Monday I'm on the rota as shift supervisor.", "shift supervisor"),
    ("when people ask what I do I say flight dispatcher and their eyes glaze over",
     "flight dispatcher"),
    ("put 'wildlife ranger' on the census form and felt very official", "wildlife ranger"),
    ("new title on my lanyard! senior estimator. still sinking in", "senior estimator"),
    ("Nobody tells you that being head bookkeeper means every error is yours.",
     "head bookkeeper"),
])
def test_titles_said_bare_on_rotas_forms_and_answers(text: str, value: str) -> None:
    assert ("job", value, False) in _rules(text)


@pytest.mark.parametrize("text", [
    "I am home since noon, bored out of my mind",
    "when my brother asks what I do I say nothing, he wouldn't get it",
    "senior estimator. what does that even mean",  # no news of a new title
])
def test_bare_words_that_are_no_title(text: str) -> None:
    assert "job" not in _slots(text)


# ----------------------------------------------------------- work, home, hobbies
@pytest.mark.parametrize("text, fact", [
    ("first fortnight done at Quillfeather Press and nobody has yelled yet",
     ("employer", "quillfeather press", False)),
    ("first month survived at Ostrander Freight, the canteen is decent",
     ("employer", "ostrander freight", False)),
    ("orientation at Larkspur Water Authority was all fire drills and lanyards",
     ("employer", "larkspur water authority", False)),
    ("I've been in Dunedin so long I forget the accent is an accent",
     ("location", "dunedin", False)),
    ("The bin collection in Harrogate is chaos again. Nine days and our street still smells.",
     ("location", "harrogate", False)),
    ("my evenings are all bouldering now, hands are wrecked", ("hobby", "bouldering", False)),
    ("calligraphy is basically my whole personality this year", ("hobby", "calligraphy", False)),
    ("spent all saturday on model railways again, is that a hobby or a cry for help",
     ("hobby", "model railways", False)),
    ("I love beekeeping, it's my thing honestly.", ("hobby", "beekeeping", False)),
    ("My one thing outside work is lino printing.", ("hobby", "lino printing", False)),
])
def test_work_home_and_hobbies_in_passing(text: str, fact: tuple[str, str, bool]) -> None:
    assert fact in _rules(text)


@pytest.mark.parametrize("text, slot", [
    ("spent all saturday on my tax return, kill me", "hobby"),
    ("work is basically my whole life at the moment", "hobby"),
    ("I'm done at Quillfeather Press, handed in my notice", "employer"),  # an ending still
    ("The traffic in Harrogate is awful on our street after the festival in Leeds.",
     "location"),  # two places: which one is home is not said
])
def test_look_alikes_in_passing(text: str, slot: str) -> None:
    assert (slot, "quillfeather press", False) not in _rules(text)
    if slot != "employer":
        assert slot not in _slots(text)


def test_a_place_one_has_not_lived_in_since_is_ended() -> None:
    assert ("location", "aberdeen", True) in _rules(
        "my bank card still says Aberdeen and I haven't lived there since 2022, ugh")
    assert ("location", "aberdeen", True) not in _rules("Aberdeen is lovely and I live there")


def test_done_at_a_workplace_still_ends_it() -> None:
    assert ("employer", "quillfeather press", True) in _rules(
        "I'm done at Quillfeather Press, handed in my notice")


# ------------------------------------------------------------------ money
@pytest.mark.parametrize("text, fact", [
    ("I bring in $72,800 before tax, can I afford a dog", ("salary", "$72,800", False)),
    ("Negotiated hard and they came back with $88,000! was on $79,000",
     ("salary", "$88,000", False)),
    ("Lease renewal arrived. They want $2,050 from August, it was $1,800.",
     ("rent", "$2,050", False)),
    ("Rent day. $1,275 gone and it's only the 1st.", ("rent", "$1,275", False)),
    ("Same salary but housing now eats $1,990 a month.", ("rent", "$1,990", False)),
])
def test_pay_and_rent_in_passing(text: str, fact: tuple[str, str, bool]) -> None:
    assert fact in _rules(text)


def test_a_gone_amount_is_rent_only_in_a_turn_about_rent() -> None:
    assert "rent" not in _slots("Concert tickets. $240 gone in a minute.")


# ------------------------------------- the general path and what a rule read
@pytest.fixture(scope="module")
def general() -> RuleExtractor:
    return RuleExtractor(embedder=get_embedder("minilm"))


def test_a_value_a_rule_read_is_no_other_attribute(general: RuleExtractor) -> None:
    """The plan "hike the Ridgeback Canyon Loop" holds a name; the general path must not
    read it again as an employer or a home."""
    turns = [TurnInput("t0", "next big thing on my list: hike the Ridgeback Canyon Loop. "
                              "help me train for it", "Robin", WHEN, "user")]
    facts = {(f.attribute, f.value) for f in general.extract(turns)
             if f.confidence >= 0.7 and f.subject == "user"}
    assert ("plan", "hike the Ridgeback Canyon Loop") in facts
    assert not {f for f in facts if f[0] in ("employer", "location", "partner")}


# ------------------------------------------------------------- through Memory
def _turn(text: str) -> dict[str, str]:
    return {"speaker": "Robin", "role": "user", "text": text}


@pytest.mark.parametrize("attribute, first, second, expect", [
    ("person", "I'm dating Soren.",
     "we split a while back. is it too soon to introduce Tamsin to my parents?", "Tamsin"),
    ("plan", "My goal is to learn Italian.",
     "after this year I've decided I'm going to learn the cello. no backing out", "cello"),
    ("job", "I work as a night porter.",
     "update my bio? it says night porter but I'm hotel duty manager since the summer",
     "hotel duty manager"),
    ("pet", "I have no pets.", "Vet visit for Truffle this afternoon, she hates the carrier",
     "Truffle"),
    ("salary", "My salary is $61,000.", "I bring in $72,800 before tax these days.",
     "$72,800"),
])
def test_the_profile_follows_a_value_said_in_passing(tmp_path, attribute: str, first: str,
                                                     second: str, expect: str) -> None:
    with Memory(tmp_path / "m.db", embedder="minilm") as m:
        for i, text in enumerate((first, second)):
            m.add_session([_turn(text)], user_id="robin", session_id=f"s{i}",
                          started_at=(WHEN + timedelta(days=40 * i)).isoformat())
        shown = m.profile(user_id="robin").values(attribute)  # a partner: "partner Tamsin"
        assert shown and expect.lower() in shown[0].lower(), shown
