"""Conversation-calibrated confidence: the offline scoring the fit is judged by is the
engine's own, the question-level features reach the hits, and the report is honest."""

from __future__ import annotations

import pytest

from engramdb import Memory
from engramdb.bench.abstention_convs import Asked, _updates, evaluate, fit_models, score
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
    model = dict(Calibrator.for_embedder("fake").full)
    assert score(asked, model) == pytest.approx(hits.confidence, abs=1e-3)


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
