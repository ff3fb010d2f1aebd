"""The default abstention threshold is fitted, stored per embedder, and used by search."""

from __future__ import annotations

import pytest

from engramdb import Memory
from engramdb.bench.abstention_threshold import (
    THRESHOLD_ON,
    Scored,
    balanced_accuracy,
    fit_threshold,
    threshold_report,
)
from engramdb.recall.confidence import DEFAULT_ABSTAIN_BELOW, Calibrator, Recall, load_models


def test_balanced_accuracy_by_hand() -> None:
    scores, labels = [0.9, 0.4, 0.1, 0.05, 0.3], [True, True, True, False, False]
    # at 0.2: answered 2 of 3 answerable, abstained on 1 of 2 unanswerable
    assert balanced_accuracy(scores, labels, 0.2) == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert balanced_accuracy(scores, labels, 0.35) == pytest.approx((2 / 3 + 1) / 2)
    assert balanced_accuracy([0.5], [True], 0.3) is None


def _set(source: str, group: str, answerable: list[float], unanswerable: list[float]
         ) -> list[Scored]:
    return [Scored(source, group, True, s) for s in answerable] + \
        [Scored(source, group, False, s) for s in unanswerable]


def test_fit_takes_the_middle_of_the_best_plateau() -> None:
    scored = _set("updates-dev", "p", [0.5, 0.6, 0.7], [0.0, 0.1, 0.2])
    t = fit_threshold(scored)
    assert 0.2 < t <= 0.5  # separates the two perfectly
    assert t == pytest.approx(0.35, abs=0.011)  # and sits in the middle of the gap


def test_families_weigh_the_same_whatever_their_number_of_sets() -> None:
    # four update sets want a low threshold (0.06-0.1 only separates them), LoCoMo a
    # high one (0.5-0.8); each family counts half, so neither just outvotes the other
    updates = [q for i in range(4) for q in _set(f"updates-s{i}", f"u{i}", [0.1, 0.9], [0.05])]
    locomo = _set("locomo-dev", "c", [0.8, 0.85], [0.2, 0.3, 0.45])
    t = fit_threshold(updates + locomo)
    assert balanced_accuracy([0.8, 0.85, 0.2, 0.3, 0.45], [True] * 2 + [False] * 3, t) == 1.0
    per_set_vote = fit_threshold(updates)
    assert per_set_vote <= 0.1


def test_report_scores_each_set_with_a_threshold_fitted_without_it() -> None:
    tuned = _set("updates-dev", "a", [0.6, 0.7], [0.0, 0.1]) + \
        _set("updates-dev", "b", [0.5, 0.8], [0.2, 0.05]) + \
        _set("locomo-dev", "c", [0.6, 0.4], [0.3, 0.1]) + \
        _set("standalone", "s", [0.9, 0.2], [0.1, 0.5])
    report = threshold_report(tuned, tuned)
    assert report["abstain_below"] == fit_threshold(
        [q for q in tuned if q.source in THRESHOLD_ON])
    rows = report["sources"]
    assert rows["updates-dev"]["tuned"] == 1.0 and rows["updates-dev"]["in_fit"]
    assert rows["locomo-dev"]["threshold_set_out"] == fit_threshold(
        [q for q in tuned if q.source == "updates-dev"])
    assert not rows["standalone"]["in_fit"] and rows["standalone"]["tuned"] == 0.5
    assert "updates-fresh3" not in THRESHOLD_ON and "updates-fresh4" not in THRESHOLD_ON
    assert "updates-fresh5" not in THRESHOLD_ON
    assert "standalone" not in THRESHOLD_ON


def test_search_abstains_below_its_embedders_fitted_threshold() -> None:
    models = load_models()
    assert DEFAULT_ABSTAIN_BELOW == models["minilm"]["abstain_below"]
    for name in ("minilm", "fake"):
        assert 0.0 < models[name]["abstain_below"] < 1.0
        assert Calibrator.for_embedder(name).abstain_below == models[name]["abstain_below"]
    with Memory(":memory:", embedder="fake") as m:
        m.add("My dog Pixel is a greyhound.", user_id="u")
        hits = m.search("What is my dog called?", user_id="u")
    assert hits.threshold == models["fake"]["abstain_below"]
    assert hits.abstained == (hits.confidence < models["fake"]["abstain_below"])
    assert Recall.of(list(hits), None, default=1.0).abstained  # nothing reaches 1.0
