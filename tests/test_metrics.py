"""Retrieval and answer measures, each on cases computed by hand."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from engramdb import _errors
from engramdb.bench import (
    aggregate,
    count_tokens,
    locomo_qa_score,
    multi_answer_f1,
    ndcg_any_at_k,
    normalize_answer,
    percentiles,
    recall_all_at_k,
    recall_any_at_k,
    recall_frac_at_k,
    token_f1,
)
from engramdb.bench._porter import stem

RANKED = ["a", "b", "c", "d"]


def test_recall_all() -> None:
    assert recall_all_at_k(RANKED, ["a", "c"], 2) == 0.0
    assert recall_all_at_k(RANKED, ["a", "c"], 3) == 1.0
    assert recall_all_at_k(RANKED, ["a", "z"], 10) == 0.0


def test_recall_any() -> None:
    assert recall_any_at_k(RANKED, ["c", "z"], 2) == 0.0
    assert recall_any_at_k(RANKED, ["c", "z"], 3) == 1.0
    assert recall_any_at_k([], ["c"], 3) == 0.0


def test_recall_frac() -> None:
    assert recall_frac_at_k(RANKED, ["b", "d", "z"], 2) == pytest.approx(1 / 3)
    assert recall_frac_at_k(RANKED, ["b", "d", "z"], 4) == pytest.approx(2 / 3)
    assert recall_frac_at_k(RANKED, ["b", "b"], 2) == 1.0  # gold counted once


@pytest.mark.parametrize("metric", [recall_all_at_k, recall_any_at_k, recall_frac_at_k,
                                    ndcg_any_at_k])
def test_no_gold_is_undefined(metric) -> None:
    assert metric(RANKED, [], 5) is None
    assert metric(RANKED, (), 5) is None


@pytest.mark.parametrize("metric", [recall_all_at_k, recall_any_at_k, recall_frac_at_k,
                                    ndcg_any_at_k])
def test_k_must_be_positive(metric) -> None:
    with pytest.raises(_errors.InvalidInputError):
        metric(RANKED, ["a"], 0)


def test_repeated_ids_count_once() -> None:
    # turns mapped to sessions: the top 2 are the first 2 distinct sessions
    sessions = ["s1", "s1", "s2", "s1", "s3"]
    assert recall_any_at_k(sessions, ["s2"], 2) == 1.0
    assert recall_all_at_k(sessions, ["s2", "s3"], 2) == 0.0
    assert recall_all_at_k(sessions, ["s2", "s3"], 3) == 1.0
    assert ndcg_any_at_k(sessions, ["s1"], 5) == 1.0  # not 1 + 1/log2(3) + ...


def test_ndcg_standard() -> None:
    assert ndcg_any_at_k(["g", "x"], ["g"], 10) == 1.0
    assert ndcg_any_at_k(["x", "g"], ["g"], 10) == pytest.approx(1 / math.log2(3))
    assert ndcg_any_at_k(["x", "g"], ["g"], 1) == 0.0
    # gold at ranks 1 and 3: (1 + 1/log2(4)) / (1 + 1/log2(3))
    assert ndcg_any_at_k(["g1", "x", "g2"], ["g1", "g2"], 3) == pytest.approx(
        1.5 / (1 + 1 / math.log2(3)))
    # three gold, k=2, one found at rank 2: the ideal holds min(3, 2) gold ids
    assert ndcg_any_at_k(["x", "g1", "y"], ["g1", "g2", "g3"], 2) == pytest.approx(
        (1 / math.log2(3)) / (1 + 1 / math.log2(3)))


def test_ndcg_longmemeval_variant() -> None:
    # LongMemEval's dcg: rel[0] + sum(rel[i] / log2(i + 1)) for 0-based i >= 1
    assert ndcg_any_at_k(["x", "g"], ["g"], 10, variant="longmemeval") == 1.0
    assert ndcg_any_at_k(["x", "y", "g"], ["g"], 10, variant="longmemeval") == pytest.approx(
        1 / math.log2(3))
    assert ndcg_any_at_k(["g1", "x", "g2"], ["g1", "g2"], 3, variant="longmemeval") == \
        pytest.approx((1 + 1 / math.log2(3)) / 2)
    with pytest.raises(_errors.InvalidInputError):
        ndcg_any_at_k(["g"], ["g"], 1, variant="trec")  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("The Cat, and THE hat!", "cat hat"),
    ("  U.S.A.  is\tan  answer ", "usa is answer"),
    ("Anna's band", "annas band"),  # words containing an article survive
    ("", ""),
])
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


@pytest.mark.parametrize("prediction, truth, expected", [
    ("sunset", "sunset", 1.0),
    ("The cat sat", "a cat sat down", 0.8),  # p = 1, r = 2/3
    ("running dogs", "dog runs", 1.0),  # stemming
    ("salt and pepper", "salt, pepper", 1.0),  # "and" and commas go
    ("go go go", "go", 0.5),  # multiplicity: p = 1/3, r = 1
    ("blue", "green", 0.0),
    ("", "", 0.0),  # no common token scores 0, as in LoCoMo
    ("the", "a", 0.0),
])
def test_token_f1(prediction: str, truth: str, expected: float) -> None:
    assert token_f1(prediction, truth) == pytest.approx(expected)


def test_token_f1_stemmer_modes() -> None:
    # NLTK's stemmer (LoCoMo's) maps "tied" to "tie"; Porter's 1980 rules to "ti"
    assert token_f1("tied", "tie") == 1.0
    assert token_f1("tied", "tie", stemmer="original") == 0.0


def test_multi_answer_f1() -> None:
    # each gold part takes its best predicted part: (1 + 1 + 0) / 3
    assert multi_answer_f1("violin, ukulele", "ukulele, violin, piano") == pytest.approx(2 / 3)
    assert multi_answer_f1("violin and ukulele", "violin, ukulele") == pytest.approx(
        (2 / 3 + 2 / 3) / 2)  # one predicted part: p = 1/2, r = 1 against each


def test_locomo_qa_score() -> None:
    assert locomo_qa_score("Not mentioned in the conversation", None, 5) == 1.0
    assert locomo_qa_score("No information available.", "x", "5") == 1.0
    assert locomo_qa_score("Pickle", None, "5") == 0.0
    assert locomo_qa_score("a lake trip", "lake trip; kayaking", 3) == 1.0  # first part only
    assert locomo_qa_score("violin", "violin, ukulele", "1") == pytest.approx(0.5)
    assert locomo_qa_score("7 May 2023", "7 May 2023", 2) == 1.0
    with pytest.raises(_errors.InvalidInputError):
        locomo_qa_score("x", "y", 6)
    with pytest.raises(_errors.InvalidInputError):
        locomo_qa_score("x", None, 4)


@pytest.mark.parametrize("word, nltk, original", [
    ("caresses", "caress", "caress"), ("ponies", "poni", "poni"), ("ties", "tie", "ti"),
    ("cats", "cat", "cat"), ("agreed", "agre", "agre"), ("feed", "feed", "feed"),
    ("plastered", "plaster", "plaster"), ("motoring", "motor", "motor"), ("sing", "sing", "sing"),
    ("conflated", "conflat", "conflat"), ("hopping", "hop", "hop"), ("falling", "fall", "fall"),
    ("filing", "file", "file"), ("happy", "happi", "happi"), ("sky", "sky", "sky"),
    ("relational", "relat", "relat"), ("conditional", "condit", "condit"),
    ("rational", "ration", "ration"), ("vietnamization", "vietnam", "vietnam"),
    ("hopefulness", "hope", "hope"), ("sensibiliti", "sensibl", "sensibl"),
    ("triplicate", "triplic", "triplic"), ("electrical", "electr", "electr"),
    ("adjustment", "adjust", "adjust"), ("adoption", "adopt", "adopt"),
    ("effective", "effect", "effect"), ("probate", "probat", "probat"), ("rate", "rate", "rate"),
    ("cease", "ceas", "ceas"), ("controll", "control", "control"), ("roll", "roll", "roll"),
    ("generalizations", "gener", "gener"), ("oscillators", "oscil", "oscil"),
    # where NLTK departs from the 1980 rules
    ("enjoy", "enjoy", "enjoi"), ("try", "tri", "try"), ("dying", "die", "dy"),
    ("is", "is", "i"), ("owed", "owe", "ow"), ("geology", "geolog", "geologi"),
    ("hopefulli", "hope", "hopefulli"), ("Running", "run", "run"),
])
def test_porter(word: str, nltk: str, original: str) -> None:
    assert stem(word) == nltk
    assert stem(word, "original") == original


def test_porter_long_runs_of_y() -> None:
    assert stem("y" * 5000).startswith("yyy")  # iterative, no recursion limit


def test_count_tokens() -> None:
    assert count_tokens("  one two\tthree\nfour ") == 4
    assert count_tokens("") == 0


def test_percentiles() -> None:
    assert percentiles(range(1, 11)) == pytest.approx({50: 5.5, 95: 9.55, 99: 9.91})
    assert percentiles([7.0], [0, 50, 100]) == {0: 7.0, 50: 7.0, 100: 7.0}
    assert all(math.isnan(v) for v in percentiles([]).values())
    with pytest.raises(_errors.InvalidInputError):
        percentiles([1, 2], [101])


def test_percentiles_match_numpy() -> None:
    rng = random.Random(7)
    values = [rng.expovariate(1 / 30) for _ in range(257)]
    ps = [0, 1, 25, 50, 90, 95, 99, 99.9, 100]
    got = percentiles(values, ps)
    assert [got[p] for p in ps] == pytest.approx(list(np.percentile(values, ps)))


def test_aggregate() -> None:
    rows = [
        {"qid": "a", "category": "1", "r": 1.0, "f1": 0.5},
        {"qid": "b", "category": "1", "r": None, "f1": 1.0},
        {"qid": "c", "category": 2, "r": 0.0, "f1": 0.0, "ok": True},
        {"qid": "d", "category": "10", "r": float("nan"), "f1": 0.25},
    ]
    agg = aggregate(rows)
    assert agg.by == "category"
    assert agg.overall.n == 4
    assert agg.overall.means == pytest.approx({"r": 0.5, "f1": 0.4375, "ok": 1.0})
    assert agg.overall.counts == {"r": 2, "f1": 4, "ok": 1}
    assert list(agg.groups) == ["1", "2", "10"]
    assert agg.groups["1"].means == {"r": 1.0, "f1": 0.75}
    assert agg.groups["2"].means == {"r": 0.0, "f1": 0.0, "ok": 1.0}
    assert agg.groups["10"].means == {"f1": 0.25} and agg.groups["10"].n == 1
    assert agg.macro == pytest.approx({"f1": 1 / 3, "ok": 1.0, "r": 0.5})


def test_aggregate_other_key_and_errors() -> None:
    agg = aggregate([{"type": "x", "v": 1}, {"type": "y", "v": 3}], by="type")
    assert agg.overall.means == {"v": 2.0} and list(agg.groups) == ["x", "y"]
    with pytest.raises(_errors.InvalidInputError, match=r"per_question\[1\]"):
        aggregate([{"category": "1"}, {"v": 1}])
    empty = aggregate([])
    assert empty.overall.n == 0 and empty.groups == {} and empty.macro == {}
