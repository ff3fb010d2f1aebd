"""Conversation-calibrated confidence: the offline scoring the fit is judged by is the
engine's own, the question-level features reach the hits, and the report is honest."""

from __future__ import annotations

import pytest

from engramdb import Memory
from engramdb.bench.abstention_convs import (
    Asked,
    _updates,
    evaluate,
    fit_cut,
    fit_models,
    fit_shipped,
    score,
)
from engramdb.recall.confidence import CONTEXT_FEATURES, FEATURES, Calibrator

TURNS = [{"speaker": "Mel", "text": t} for t in (
    "I ran a charity race for the animal shelter last Sunday.",
    "The charity race taught me that every step counts.",
    "After the charity race I realized how much I love running.")] + [
    {"speaker": "Ana", "text": t} for t in (
        "I spent the weekend painting a sunset.", "My painting class starts next week.")]


@pytest.mark.parametrize("question", ["What did Mel realize after the charity race?",
                                      "What did Ana realize after the charity race?",
                                      "What is the name of Mel's brother?",
                                      "painting"])
def test_offline_score_is_the_engine_confidence(question) -> None:
    with Memory(":memory:", embedder="fake") as m:
        m.add_session(TURNS, user_id="u")
        hits = m.search(question, user_id="u", limit=10)
    assert set(CONTEXT_FEATURES) <= set(hits[0].features)
    asked = Asked("t", "u", "x", True, [dict(h.features) for h in hits], [False] * len(hits))
    cal = Calibrator.for_embedder("fake")
    assert score(asked, dict(cal.full), never_said_below=cal.never_said_below) == \
        pytest.approx(hits.confidence, abs=1e-3)


def test_question_level_features_say_who_and_what() -> None:
    with Memory(":memory:", embedder="fake") as m:
        m.add_session(TURNS, user_id="u")
        wrong = m.search("What did Ana realize after the charity race?", user_id="u")
        never = m.search("What is the name of Mel's brother?", user_id="u")
    race = next(h for h in wrong if "realized" in h.text)
    assert race.features["other_speaker"] == 1.0 and race.features["premise"] < 1.0
    assert never[0].features["absent"] == 1.0 and never.confidence == 0.0


def _toy(source: str, group: str, answerable: bool, cos: float) -> Asked:
    feats = {n: 0.0 for n in FEATURES} | {"cosine": cos, "coverage": cos, "premise": 1.0}
    return Asked(source, group, "current" if answerable else "unanswerable", answerable,
                 [feats], [answerable])


def test_evaluate_reports_tuned_and_leave_one_group_out() -> None:
    asked = [_toy("updates-dev", f"p{i % 4}", i % 3 != 0, 0.2 + 0.6 * (i % 3 != 0) +
                  0.01 * i) for i in range(24)]
    asked += [_toy("updates-fresh", "f", i % 2 == 0, 0.5 + 0.1 * (i % 2 == 0)) for i in range(6)]
    report = evaluate(asked, fit_on=("updates-dev",))
    dev, fresh = report["sources"]["updates-dev"], report["sources"]["updates-fresh"]
    assert dev["in_fit"] and not fresh["in_fit"]
    assert dev["auroc_tuned"] == 1.0 and 0.0 <= dev["auroc_leave_one_out"] <= 1.0
    assert fresh["auroc_tuned"] == fresh["auroc_leave_one_out"]  # out of sample either way
    assert [r["threshold"] for r in dev["curve_leave_one_out"]][:2] == [0.1, 0.2]
    model = fit_models(asked)["full"]
    assert model["cosine"] > 0 and set(model) == {"bias", *FEATURES}


def test_update_conversations_are_collected_with_their_kinds() -> None:
    asked = _updates("fake", "fresh")
    kinds = {a.kind for a in asked}
    assert kinds == {"current", "history", "unanswerable"}
    assert all(a.answerable == (a.kind != "unanswerable") for a in asked)
    assert not any(any(a.relevant) for a in asked if not a.answerable)
    assert len({a.group for a in asked}) == 6


def _never_said(answerable: bool, near: float, group: str = "g") -> Asked:
    """A question none of whose asked words the memory says; ``near``: its best dense
    neighbour. The model rates answerable ones higher (cosine), if the rule lets it."""
    feats = {n: 0.0 for n in FEATURES} | {"cosine": 0.8 if answerable else 0.3,
                                          "premise": 1.0, "absent": 1.0, "near": near}
    return Asked("updates-dev", group, "current" if answerable else "unanswerable",
                 answerable, [feats], [answerable])


def test_the_never_said_cut_spares_paraphrase_only_when_that_separates() -> None:
    model = {"bias": -4.0, "cosine": 6.0}
    said_otherwise = [_never_said(True, 0.5 + 0.01 * i) for i in range(6)]
    never = [_never_said(False, 0.1 + 0.01 * i) for i in range(6)]
    cut = fit_cut(said_otherwise + never, model)
    assert 0.15 < cut <= 0.5  # between the two: paraphrases spared, the rest still 0
    assert score(said_otherwise[0], model, never_said_below=cut) > 0.5
    assert score(never[0], model, never_said_below=cut) == 0.0
    # when the neighbours do not tell them apart, the rule stays as it was (cut 1.0)
    mixed = [_never_said(True, 0.4), _never_said(False, 0.45), _never_said(True, 0.2),
             _never_said(False, 0.5)]
    assert fit_cut(mixed, {"bias": 0.0, "cosine": 0.0}) == 1.0
    shipped = fit_shipped(said_otherwise + never + [_toy("updates-dev", "g", True, 0.9)])
    assert set(shipped) == {"full", "lexical", "never_said_below", "abstain_below"}
    assert set(fit_shipped([_toy("standalone", "g", i % 2 == 0, 0.1 * i) for i in range(8)])) \
        == {"full", "lexical", "never_said_below"}  # no threshold source: no threshold


def test_evaluate_can_measure_the_rule_blind_to_paraphrase() -> None:
    asked = [_never_said(i % 2 == 0, 0.6 if i % 2 == 0 else 0.1, f"p{i % 3}")
             for i in range(12)]
    aware = evaluate(asked, fit_on=("updates-dev",))
    blind = evaluate(asked, fit_on=("updates-dev",), paraphrase=False)
    assert blind["never_said_below"] == 1.0 and aware["never_said_below"] < 1.0
    assert blind["sources"]["updates-dev"]["auroc_tuned"] == 0.5  # all zero: no order
    assert aware["sources"]["updates-dev"]["auroc_tuned"] == 1.0
