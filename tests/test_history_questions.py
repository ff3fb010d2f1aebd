"""History questions and what a question asks (recall.current, recall._topics), sixth session:
the newer value named in more ways, the value said last before it, the asked noun."""

from __future__ import annotations

import pytest

from engramdb import Memory
from engramdb.recall._topics import asked_families, own_statement
from engramdb.recall.current import named_value
from engramdb.recall.pipeline import RecallConfig


@pytest.mark.parametrize(("question", "named"), [
    ("Where did Maya live before Denver?", "denver"),
    ("what town did Maya leave behind for Cheyenne", "cheyenne"),  # leaving X for Y
    ("Which team did he quit for Redline Haulage?", "redline haulage"),
    ("what did Maya do before the fleet trainer job", "fleet trainer"),  # "job" says which
    ("what did Maya do for fun before getting into rug hooking", "rug hooking"),
    ("What was Maya's rent before it became $1,565?", "$1,565"),
    ("What was Maya's job before becoming a nurse?", "nurse"),
    ("What pet did Maya have before Mr. Pickles?", "mr. pickles"),  # a period inside a name
    ("how much was Maya paid before the change", None),  # no value named
    ("What was her rent before it changed?", None),
    ("How much did Maya earn before?", None),
])
def test_the_newer_value_a_history_question_names(question, named):
    assert named_value(question) == named


@pytest.mark.parametrize(("question", "families"), [
    # the noun asked for decides between two families the words name
    ("Which pet lives with Bertrand today?", {"pet"}),
    ("What is Clement's role at work now?", {"job"}),
    ("Which eating plan is Solveig following at the moment?", {"diet"}),
    # one family named: as before
    ("Where does Maya work?", {"employer"}),
    ("What company does Maya work for now?", {"employer"}),
    ("What does Maya do for a living?", {"job"}),
    # general words for plans and pastimes
    ("What does Marisol hope to do next?", {"plan"}),
    ("How does Bertrand spend free evenings these days?", {"hobby"}),
])
def test_what_a_question_asks(question, families):
    assert asked_families(question) == families


@pytest.mark.parametrize(("text", "own"), [
    ("They made me teacher.", True),  # "they" did it, the news is the speaker's
    ("She just got a new job at the bakery.", False),
    # no sentence names the attribute: the turn opens with someone else's news
    ("my brother just got offered $117,800 and he's complaining. unbelievable", False),
    ("Oksana stayed over again, so I think we're official? I haven't felt this in years.", True),
])
def test_whose_statement_a_turn_is(text, own):
    family = "job" if "teacher" in text or "job" in text else (
        "salary" if "$" in text else "partner")
    assert own_statement(text, frozenset({family})) is own


def _maya(path, sessions) -> Memory:
    m = Memory(path, embedder="minilm", extractor=None, reinforce=False,
               recall=RecallConfig(latest_first=True))
    for i, (when, texts) in enumerate(sessions):
        turns = []
        for text in texts:
            turns += [{"speaker": "Maya", "role": "user", "text": text},
                      {"speaker": "assistant", "role": "assistant", "text": "Good to know."}]
        m.add_session(turns, user_id="maya", session_id=f"s{i}", started_at=when)
    return m


# two moves: Portland, then Seattle, then Denver; Denver said often
_TWO_MOVES = [
    ("2024-01-10T18:00:00Z", ["Quick background: I'm based in Portland, near the river.",
                              "Work has been hectic this week."]),
    ("2024-02-10T18:00:00Z", ["The Denver airport was chaotic on my layover.",
                              "A friend from Denver sent me a live concert recording."]),
    ("2024-03-02T18:00:00Z", ["I just relocated to Seattle, the new flat is tiny.",
                              "We watched the Denver game last night, what a finish."]),
    ("2024-05-20T18:00:00Z", ["Big news: we moved to Denver last month!",
                              "Denver has so many good breweries.", "I live for weekends like this."]),
    ("2024-07-01T18:00:00Z", ["Did you know Denver is a mile high?",
                              "I finally finished that book you recommended."]),
]


def test_the_value_replaced_is_the_one_said_last_before_its_successor(tmp_path):
    with _maya(tmp_path / "m.db", _TWO_MOVES) as m:
        hits = m.search("Where did Maya live before Denver?", user_id="maya", limit=5)
    texts = [h.text for h in hits]
    at = next(i for i, t in enumerate(texts) if "Denver" in t)  # the first naming Denver
    assert "Seattle" in texts[at + 1], texts  # right after it; not the first home, Portland


def test_leaving_one_place_for_another_names_the_newer_one(tmp_path):
    with _maya(tmp_path / "m.db", _TWO_MOVES) as m:
        hits = m.search("what city did Maya leave behind for Denver", user_id="maya", limit=5)
    assert any("Seattle" in h.text for h in hits[:2]), [h.text for h in hits]


@pytest.mark.parametrize(("question", "tense"), [
    # a supposition about now is neither the past ("had") nor a guess ("would")
    ("If I had to mail Maya a letter today, which city would it go to?", "current"),
    ("If you were to visit Maya now, which city would you fly to?", "current"),
    ("Where did Maya live before Denver?", "history"),
    ("Would Maya move to Denver?", None),  # a guess, not the present
])
def test_a_supposition_about_now_asks_the_current_value(question, tense):
    from engramdb.recall.current import question_tense
    from engramdb.recall.query import analyze

    assert question_tense(analyze(question, ["Maya"])) == tense
