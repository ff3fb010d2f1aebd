"""Abstention: calibrated confidence on hits, min_confidence, the Recall result, the curve."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from engramdb import InvalidInputError, Memory
from engramdb.bench.abstention import collect, curve_report, load_set
from engramdb.recall.confidence import PREMISE_GAIN as G
from engramdb.recall.confidence import (
    Calibrator,
    Recall,
    abstention_curve,
    fit_logistic,
    hit_features,
)

FACTS = ["My dog is a greyhound called Pixel.", "I moved to Lisbon in March for a new job.",
         "My sister Marta lives in Porto.", "I'm allergic to peanuts.",
         "I usually run 5k every Saturday morning along the river."]


@pytest.fixture
def ana(mem):
    for fact in FACTS:
        mem.add(fact, user_id="ana")
    return mem


def test_every_hit_has_a_confidence_in_0_1(ana):
    for method in ("bm25", "dense", "hybrid", "engram"):
        hits = ana.search("What is my dog called?", user_id="ana", method=method)
        assert hits and all(0.0 <= h.confidence <= 1.0 for h in hits)
        assert hits[0].features["coverage"] >= 0
        assert ("cosine" in hits[0].features) == (method != "bm25")


def test_answerable_question_is_more_confident_than_unanswerable(ana):
    known = ana.search("What is the name of my dog Pixel?", user_id="ana")
    unknown = ana.search("What is my blood type?", user_id="ana")
    assert known[0].text == FACTS[0]
    assert known.confidence > unknown.confidence
    assert not known.abstained and unknown.abstained


def test_min_confidence_drops_hits_and_abstains(ana):
    hits = ana.search("What is my blood type?", user_id="ana", min_confidence=0.5)
    assert hits == [] and isinstance(hits, Recall) and hits.abstained
    assert hits.confidence < 0.5  # the best that was dropped, for the caller to see
    kept = ana.search("Pixel greyhound", user_id="ana", min_confidence=0.5)
    assert kept and all(h.confidence >= 0.5 for h in kept) and not kept.abstained


def test_recall_is_a_list(ana):
    hits = ana.search("Lisbon", user_id="ana", limit=2)
    assert isinstance(hits, list) and len(hits) == 2 and hits[0].text == FACTS[1]
    assert [h.id for h in hits[:1]] == [hits[0].id]
    assert json.loads(json.dumps([h.to_dict() for h in hits]))[0]["confidence"] == \
        hits[0].confidence
    empty = ana.search("anything", user_id="nobody")
    assert empty == [] and empty.abstained and empty.confidence == 0.0


def test_min_confidence_is_validated(ana):
    with pytest.raises(InvalidInputError):
        ana.search("x", user_id="ana", min_confidence=1.5)


def test_more_query_words_covered_means_more_confidence():
    cal = Calibrator.for_embedder("fake")
    low = cal.probability({"cosine": 0.3, "margin": 0.1, "coverage": 0.0, "agreement": 0.0,
                           "recip_rank": 1.0})
    high = cal.probability({"cosine": 0.3, "margin": 0.1, "coverage": 1.0, "agreement": 1.0,
                            "recip_rank": 1.0})
    assert 0 < low < high < 1


def test_unknown_embedder_uses_the_default_model():
    assert Calibrator.for_embedder("openai:1536").name == "minilm"
    assert Calibrator.for_embedder("fake:64").name == "fake"


def test_features_without_dense_are_lexical_only(ana):
    hits = ana.search("Marta Porto", user_id="ana", method="bm25")
    feats = hit_features("Marta Porto", hits, None)
    assert set(feats[0]) == {"coverage", "agreement", "recip_rank"}
    assert feats[0]["coverage"] == 1.0 and feats[0]["agreement"] == 1.0


def test_abstention_curve_counts():
    scores = [0.9, 0.8, 0.2, 0.1, 0.6]
    answerable = [True, True, False, False, True]
    rows = abstention_curve(scores, answerable, [0.15, 0.5, 0.95])
    assert rows[0] == {"threshold": 0.15, "abstained": 1, "precision": 1.0, "recall": 0.5,
                       "answer_recall": 1.0}
    assert rows[1] == {"threshold": 0.5, "abstained": 2, "precision": 1.0, "recall": 1.0,
                       "answer_recall": 1.0}
    assert rows[2]["abstained"] == 5 and rows[2]["precision"] == 0.4
    assert rows[2]["answer_recall"] == 0.0
    assert abstention_curve([0.9], [True], [0.5])[0]["precision"] is None
    with pytest.raises(ValueError):
        abstention_curve([0.1], [True, False])


def test_fit_logistic_recovers_a_separable_direction():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - 0.5 * x[:, 1] > 0).astype(float)
    bias, w = fit_logistic(x, y, l2=1.0)
    assert w[0] > 0 > w[1] and abs(bias) < 1


def test_labelled_set_is_big_enough_and_well_formed():
    data = load_set()
    questions = [q for item in data for q in item["questions"]]
    assert len(questions) >= 60
    answerable = sum(1 for q in questions if q["evidence"])
    assert 0.3 < answerable / len(questions) < 0.7
    for item in data:
        assert all(0 <= i < len(item["memories"]) for q in item["questions"]
                   for i in q["evidence"])
    text = resources.files("engramdb.bench").joinpath("data/abstention.jsonl").read_text()
    assert len(text.splitlines()) == len(data)


def test_the_curve_separates_on_the_labelled_set():
    report = curve_report(collect(load_set(), "fake"), "fake")
    base_rate = report["unanswerable"] / report["questions"]
    row = next(r for r in report["cross_validated"] if r["threshold"] == 0.3)
    assert row["precision"] > base_rate  # abstaining is better than chance
    recalls = [r["recall"] for r in report["cross_validated"]]
    assert recalls == sorted(recalls)  # a higher threshold abstains more


def test_cli_search_min_confidence(tmp_path, capsys, monkeypatch):
    from engramdb import Memory
    from engramdb.cli import main

    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    db = str(tmp_path / "cli.db")
    with Memory(db, embedder="fake") as mem:
        for fact in FACTS:
            mem.add(fact, user_id="ana")
    capsys.readouterr()
    assert main(["--db", db, "--user", "ana", "search", "blood type",
                 "--min-confidence", "0.5"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "nothing relevant" in captured.err
    assert main(["--db", db, "--user", "ana", "search", "Pixel greyhound",
                 "--min-confidence", "0.5", "--json"]) == 0
    recall = json.loads(capsys.readouterr().out)
    hits = recall["hits"]
    assert hits and all(h["confidence"] >= 0.5 for h in hits)
    assert recall["abstained"] is False and recall["confidence"] >= 0.5


@pytest.mark.parametrize("speakers, factor", [
    (["Mel", "Mel", "Mel"], 1.0),  # all hers
    (["Ana", "Ana", "Ana", "Ana"], 0.0),  # all someone else's
    (["Ana", "Mel", "Ana"], G * (1 / 2) / (1 + 1 / 2 + 1 / 3)),  # weighted by rank, times G
    (["Mel", "Mel", "Ana", "Ana"], min(1.0, G * (1 + 1 / 2) / (1 + 1 / 2 + 1 / 3 + 1 / 4))),
    ([None, None, "Ana", "Ana"], 1.0),  # fewer than three with a speaker: cannot tell
    (["Ana", None, "mel", "Ana"], G * (1 / 3) / (1 + 1 / 3 + 1 / 4)),  # any case; None skipped
])
def test_premise_factor(speakers, factor):
    from engramdb.recall.confidence import premise_factor

    assert premise_factor("Mel", speakers) == pytest.approx(factor)


def test_the_assistants_turns_say_nothing_about_whose_event_it_is():
    """The premise check weighs the people's turns only: an assistant that talks a lot
    about Maya's dog does not make the dog someone else's."""
    turns = [{"speaker": "Maya", "role": "user", "text": t} for t in (
        "I adopted a dog named Rex.", "My dog Rex loves the park.",
        "Walking the dog every morning now.")]
    turns += [{"speaker": "assistant", "role": "assistant", "text": t} for t in (
        "A dog needs daily walks, and the name of a dog matters less than its walks.",
        "Dog parks are great for socialising a dog.", "Rex is a lovely name for a dog.",
        "Dog training classes help a young dog too.")]
    with Memory(":memory:", embedder="fake") as mem:
        mem.add_session(turns, user_id="u")
        hits = mem.search("What is the name of Maya's dog?", user_id="u")
    assert hits[0].features["premise"] == 1.0


def test_a_question_about_the_wrong_person_gets_lower_confidence():
    turns = [{"speaker": "Mel", "text": t} for t in (
        "I ran a charity race for the animal shelter last Sunday.",
        "The charity race taught me that every step counts.",
        "After the charity race I realized how much I love running.")]
    turns += [{"speaker": "Ana", "text": t} for t in (
        "I spent the weekend painting a sunset.", "My painting class starts next week.",
        "I bought new brushes for the painting class.")]
    with Memory(":memory:", embedder="fake") as mem:
        mem.add_session(turns, user_id="u")
        right = mem.search("What did Mel realize after the charity race?", user_id="u")
        wrong = mem.search("What did Ana realize after the charity race?", user_id="u")
        race = "After the charity race I realized how much I love running."
        mel = next(h for h in right if h.text == race)
        ana = next(h for h in wrong if h.text == race)
        assert ana.confidence < mel.confidence / 2  # the same turn, but not Ana's event
        assert wrong.confidence < right.confidence / 2


def test_a_question_about_what_was_never_said_gets_no_confidence(tmp_path) -> None:
    from engramdb.recall.confidence import absence_factor, asked_terms

    assert asked_terms("What is the name of Maya's brother?", ["Maya"]) == ["brother"]
    assert absence_factor(1, 2) == 1.0 and absence_factor(2, 2) == 0.0
    assert absence_factor(0, 0) == 1.0
    assert absence_factor(2, 2, near=0.5, near_below=0.3) == 1.0  # said in other words
    assert absence_factor(2, 2, near=0.2, near_below=0.3) == 0.0
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        m.add_session([{"speaker": "Maya", "text": "My sister Leah is a nurse."},
                       {"speaker": "bot", "text": "Nice!"}], user_id="maya")
        assert m.search("What is the name of Maya's brother?", user_id="maya").confidence == 0
        assert m.search("What does Maya's sister do?", user_id="maya").confidence > 0


def test_word_forms_find_inflections_of_the_asked_word() -> None:
    from engramdb.recall.confidence import word_forms

    assert {"plan", "plans", "planned"} <= set(word_forms("planning"))
    assert {"dog", "dogs"} <= set(word_forms("dog's"))
    assert {"study", "studies", "studied"} <= set(word_forms("studying")) | set(
        word_forms("study"))
    assert "earn" in word_forms("earned") and "earning" in word_forms("earn")


def test_never_said_rule_knows_inflection_and_paraphrase(tmp_path) -> None:
    """minilm: "earned" is said as "earn" (inflection), "earn" as "I make $88,500 a year"
    (a dense neighbour): neither question is zeroed; a brother never mentioned still is."""
    with Memory(tmp_path / "m.db", embedder="minilm") as m:
        m.add_session([{"speaker": "Dmitri", "text": "I make $88,500 a year before taxes."},
                       {"speaker": "bot", "text": "Good to know."},
                       {"speaker": "Dmitri", "text": "My sister wants to earn more too."},
                       {"speaker": "bot", "text": "Fair."}], user_id="d")
        inflected = m.search("What has Dmitri's sister earned?", user_id="d")
        assert inflected[0].features["absent"] == 0.0 and inflected.confidence > 0
    with Memory(tmp_path / "n.db", embedder="minilm") as m:
        m.add_session([{"speaker": "Dmitri", "text": "I make $88,500 a year before taxes."},
                       {"speaker": "bot", "text": "Good to know."}], user_id="d")
        paraphrased = m.search("How much does Dmitri earn?", user_id="d")
        never = m.search("What is the name of Dmitri's brother?", user_id="d")
    assert paraphrased[0].features["absent"] == 1.0 and paraphrased[0].features["near"] > 0
    assert paraphrased.confidence > 0 and never.confidence == 0.0
    assert never[0].features["near"] < paraphrased[0].features["near"]


def test_coverage_counts_a_word_however_its_silent_e_is_stemmed() -> None:
    """The light stem keeps "live" but cuts "lives" to "liv": a question asking where
    someone lives must still read full coverage on the fact that says it."""
    from engramdb.recall.confidence import coverage, query_terms

    asked = query_terms("Where does Maya live?")
    assert coverage(asked, "Maya lives in Highland, Denver.") == 1.0
    assert coverage(query_terms("Which trees did she plant?"), "She planted a tree.") == 1.0
    assert coverage(asked, "Maya works at Helio Health.") < 1.0
