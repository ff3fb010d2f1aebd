"""Pure pieces of the recall pipeline: fusion arithmetic, query analysis, reranking."""

from __future__ import annotations

from datetime import date

import pytest

from engramdb._models import Hit, Record
from engramdb.text.tokens import terms
from engramdb.recall.fusion import rrf
from engramdb.recall.query import analyze, named_speakers, question_kind
from engramdb.recall.rerank import diversify_sessions, group_sessions, merge_windows, session_prior


def test_rrf_arithmetic():
    fused = rrf({"a": ["x", "y"], "b": ["y", "z"]}, k=60)
    scores = {d: s for d, s, _ in fused}
    assert scores["y"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["x"] == pytest.approx(1 / 61)
    assert scores["z"] == pytest.approx(1 / 62)
    assert [d for d, _, _ in fused] == ["y", "x", "z"]


def test_rrf_weights_and_contributions():
    fused = rrf({"a": ["x"], "b": ["y"]}, k=0, weights={"a": 0.5, "b": 2.0})
    assert fused[0] == ("y", 2.0, {"b": 2.0})
    assert fused[1] == ("x", 0.5, {"a": 0.5})


def test_rrf_zero_weight_signal_contributes_nothing():
    fused = rrf({"a": ["x"], "b": ["y", "x"]}, k=1, weights={"a": 0.0})
    assert dict((d, s) for d, s, _ in fused) == {"y": 0.5, "x": pytest.approx(1 / 3)}


def test_terms_drop_stopwords_and_keep_order():
    assert terms("When did Ana's sister move to Berlin?") == ["ana's", "sister", "move", "berlin"]


@pytest.mark.parametrize("question,kind", [
    ("When did Caroline go to the support group?", "when"),
    ("What year did John adopt Max?", "when"),
    ("How many times has Melanie been to the beach?", "count"),
    ("Why did Maria quit?", "why"),
    ("Would Caroline likely pursue writing?", "would"),
    ("What books has Melanie read?", "list"),
    ("Where does Ana live?", "fact"),
])
def test_question_kind(question, kind):
    assert question_kind(question) == kind


def test_named_speakers_by_first_name_and_possessive():
    speakers = ["Caroline", "Melanie", "Jon Snow"]
    assert named_speakers("What is Caroline's job?", speakers) == ("Caroline",)
    assert named_speakers("Did Jon ever meet Melanie?", speakers) == ("Melanie", "Jon Snow")
    assert named_speakers("What did you eat?", speakers) == ()


def test_analyze_reads_time_spans():
    q = analyze("What did John attend in March 2023?", ["John"])
    assert q.speakers == ("John",)
    assert q.time is not None and q.time.span is not None
    assert (q.time.span.start, q.time.span.end) == (date(2023, 3, 1), date(2023, 3, 31))


def _hit(i: int, session: str, position: int, score: float) -> Hit:
    rec = Record(id=f"{i:024x}", kind="turn", text=str(i), user_id="u", session_id=session,
                 position=position)
    return Hit(record=rec, score=score)


def test_diversify_caps_hits_per_session():
    hits = [_hit(1, "a", 0, 3), _hit(2, "a", 5, 2), _hit(3, "b", 0, 1)]
    assert [h.record.text for h in diversify_sessions(hits, 1)] == ["1", "3", "2"]


def test_merge_windows_drops_neighbours_of_better_hits():
    hits = [_hit(1, "a", 5, 3), _hit(2, "a", 6, 2), _hit(3, "a", 9, 1), _hit(4, "b", 6, 1)]
    assert [h.record.text for h in merge_windows(hits, 2)] == ["1", "3", "4"]


def test_group_sessions_sums_scores():
    hits = [_hit(1, "a", 0, 3), _hit(2, "b", 0, 2), _hit(3, "b", 1, 2)]
    grouped = group_sessions(hits)
    assert [(h.record.session_id, h.score) for h in grouped] == [("b", 4), ("a", 3)]


def test_session_prior_lifts_turns_of_sessions_that_match_well():
    # session b sums 1.0 + 0.9 = 1.9 against a's 1.2: b's turns rise
    hits = [_hit(1, "a", 0, 1.2), _hit(2, "b", 0, 1.0), _hit(3, "b", 1, 0.9)]
    lifted = session_prior(hits, 0.5)
    assert [h.record.text for h in lifted] == ["2", "1", "3"]
    by_text = {h.record.text: h for h in lifted}
    assert by_text["2"].score == pytest.approx(1.0 + 0.5 * 1.2)  # best session: full lift
    assert by_text["1"].score == pytest.approx(1.2 + 0.5 * (1.2 / 1.9) * 1.2)
    assert by_text["2"].signals["session"] == pytest.approx(0.6)
    fresh = [_hit(1, "a", 0, 1.2), _hit(2, "b", 0, 1.0)]
    assert [(h.record.text, h.score) for h in session_prior(fresh, 0)] == [("1", 1.2),
                                                                          ("2", 1.0)]


def test_session_prior_gives_no_lift_without_a_session():
    loose = Hit(record=Record(id=f"{9:024x}", kind="memory", text="9", user_id="u"), score=1.0)
    hits = session_prior([loose, _hit(2, "b", 0, 0.8)], 1.0)
    assert [h.record.text for h in hits] == ["2", "9"]  # 0.8 + 1.0 * 1.0 beats 1.0
    assert hits[1].score == 1.0 and "session" not in hits[1].signals
