"""What is true now at recall time, from turns alone (recall.current, recall._topics)."""

from __future__ import annotations

import pytest
from _sessions import maya_memory

from engramdb import Memory
from engramdb.recall.current import LatestModel, question_tense
from engramdb.recall.query import analyze
from engramdb.recall._topics import asked_families, own_statement


@pytest.mark.parametrize(("question", "tense"), [
    ("Where does Maya live now?", "current"),
    ("Who is her manager these days?", "current"),
    ("What does he do for a living?", "current"),
    ("Which company does Maya work for at the moment?", "current"),
    ("Where did Maya live before Denver?", "history"),
    ("What diet did she follow previously?", "history"),
    ("When did Maya move to Denver?", "when"),
    ("How many dogs does Maya have?", None),  # a count, not one value
    ("How much rent does Maya pay now?", "current"),  # one amount
    ("What is the weather like?", None),  # no attribute asked
    # a list or a description is not one changing value (LoCoMo lost these to the step)
    ("What events is Maya planning for the shelter fundraiser?", None),
    ("How is Maya's new puppy adjusting to its new home?", None),
    ("How much rent does Maya pay?", "current"),
])
def test_question_tense(question, tense):
    assert question_tense(analyze(question, ["Maya"])) == tense


def test_asked_families_reads_a_living_as_a_job_not_a_home():
    assert asked_families("What does Maya do for a living now?") == {"job"}
    assert "location" in asked_families("Which city is Maya living in?")


@pytest.mark.parametrize(("text", "own"), [
    ("We just moved to Denver, the new apartment is great.", True),
    ("My sister lives in Austin and loves it.", False),
    ("I might move to Oslo someday, who knows.", False),
    ("If I ever got the chance I'd move to Lisbon, but that's a fantasy.", False),
    ("Back in college I lived in Leeds for a year.", False),
    ("Any tips for a small apartment? Mine gets dark by four.", False),
    # one sentence of the turn is the speaker's own: the relative's does not hide it
    ("My brother moved to Boise. I'm still in Tucson, in the same flat.", True),
])
def test_own_statement(text, own):
    assert own_statement(text, frozenset({"location"})) is own


_LIVED = [
    ("2024-01-10T18:00:00Z", ["Quick background: I live in Portland, near the river.",
                              "Work has been hectic this week.",
                              "I watched a documentary about octopuses."]),
    ("2024-03-02T18:00:00Z", ["My sister lives in Austin and loves it.",
                              "Can you suggest something quick for dinner?"]),
    ("2024-05-20T18:00:00Z", ["Big news: we moved to Denver last month!",
                              "Long day, I'm going to bed early tonight."]),
    ("2024-07-01T18:00:00Z", ["I might move to Oslo someday, who knows.",
                              "I finally finished that book you recommended."]),
]


def _maya(path, latest: bool, sessions=None) -> Memory:
    return maya_memory(path, sessions or _LIVED, extractor=None, latest=latest)


def test_the_latest_statement_comes_first_and_the_old_one_stays_findable(tmp_path):
    with _maya(tmp_path / "on.db", latest=True) as m:
        assert "Denver" in m.search("Where does Maya live now?", user_id="maya", limit=5)[0].text
        history = m.search("Where did Maya live before Denver?", user_id="maya", limit=5)
        assert any("Portland" in h.text for h in history)
        # what was true then: only what had been said by then is seen
        then = m.search("Where does Maya live now?", user_id="maya", limit=5,
                        as_of="2024-02-01T00:00:00Z")
        assert "Portland" in then[0].text


def test_without_the_step_the_first_statement_wins(tmp_path):
    """The same memory with the step off: what the test above guards against."""
    with _maya(tmp_path / "off.db", latest=False) as m:
        assert "Denver" not in m.search("Where does Maya live now?", user_id="maya",
                                        limit=5)[0].text


# the new city said often, and "live" said of other things: the old home is far down
_MOVED = [
    ("2024-01-10T18:00:00Z", ["Quick background: I'm based in Portland, near the river.",
                              "Work has been hectic this week."]),
    ("2024-02-10T18:00:00Z", ["The Denver airport was chaotic on my layover.",
                              "A friend from Denver sent me a live concert recording."]),
    ("2024-03-02T18:00:00Z", ["My sister lives in Austin and loves it.",
                              "We watched the Denver game last night, what a finish."]),
    ("2024-05-20T18:00:00Z", ["Big news: we moved to Denver last month!",
                              "Denver has so many good breweries.", "I live for weekends like this."]),
    ("2024-07-01T18:00:00Z", ["Did you know Denver is a mile high?",
                              "I finally finished that book you recommended."]),
]


@pytest.mark.parametrize("latest", [True, False])
def test_a_history_question_gets_the_statement_the_named_value_replaced(tmp_path, latest):
    with _maya(tmp_path / "m.db", latest, _MOVED) as m:
        hits = m.search("Where did Maya live before Denver?", user_id="maya", limit=5)
    # with the step: right after the statement naming Denver; without it: not in the top 5
    assert any("Portland" in h.text for h in hits[:2]) is latest


def test_a_model_is_fitted_for_the_default_embedder():
    model = LatestModel.for_embedder("minilm")
    assert model is not None and 0 < model.cut < 1 and model.depth > 0
    assert LatestModel.for_embedder("openai:text-embedding-3-small") == model  # minilm's


def test_the_fake_embedder_has_no_model_unless_fitted():
    assert LatestModel.for_embedder("fake") is None
