"""Aggregation questions: the detector, the slot split, and the search that uses them."""

from __future__ import annotations

import pytest

from engramdb import Memory, RecallConfig
from engramdb._models import Hit, Record
from engramdb.recall.aggregate import interleave, is_aggregation
from engramdb.recall.query import question_kind


@pytest.mark.parametrize("question,expected", [
    ("What activities has Melanie done with her family?", True),
    ("What LGBTQ+ events has Caroline participated in?", True),
    ("In what ways is Caroline participating in the community?", True),
    ("What kind of art does Caroline make?", True),
    ("Which books did Ana read last year?", True),
    ("Which movie did Ana see?", True),  # a "list" question (query.question_kind)
    ("What has Melanie painted?", False),
    ("What is Caroline's identity?", False),
    ("What are the names of John's children?", False),  # the verb comes first
    ("What exciting news did Maria share?", False),
    ("When did Melanie go camping?", False),
    ("Where does Ana live?", False),
    ("", False),
])
def test_aggregation_questions(question, expected):
    assert is_aggregation(question, question_kind(question)) is expected


def _hit(i: int, kind: str = "turn") -> Hit:
    return Hit(Record(id=f"{i:024x}", kind=kind, text=str(i), user_id="u"), score=1.0 / (i + 1))


def _ids(hits: list[Hit]) -> list[int]:
    return [int(h.id, 16) for h in hits]


def test_interleave_gives_every_nth_slot_to_the_extra_ranking():
    pool = [_hit(i) for i in range(10)]
    # 1 is placed before slot 4, 4 and 5 would come within the next 3 hits anyway
    extra = [_hit(1), _hit(4), _hit(5), _hit(20), _hit(21), _hit(22)]
    got = _ids(interleave(pool, extra, every=4))
    assert got[:8] == [0, 1, 2, 20, 3, 4, 5, 21]
    assert sorted(got) == sorted({*range(10), 20, 21, 22})  # nothing lost, nothing twice
    placed = interleave(pool, extra, every=4)
    assert all(a.score >= b.score for a, b in zip(placed, placed[1:]))
    assert placed[3].ranks == {"aggregate": 4} and placed[3].score == placed[2].score
    assert interleave(pool, extra, every=0) == pool
    assert interleave(pool, [], every=4) == pool


def test_interleave_is_the_same_order_whatever_the_limit():
    pool = [_hit(i) for i in range(30)]
    extra = [_hit(i) for i in (40, 2, 41, 42, 43, 44, 45, 46)]
    whole = _ids(interleave(pool, extra, every=4))
    assert _ids(interleave(pool[:10], extra, every=4))[:8] == whole[:8]


def test_interleave_facts_take_no_slot_and_are_not_added():
    pool = [_hit(0), _hit(50, "fact"), *[_hit(i) for i in range(1, 10)]]
    extra = [_hit(60, "fact"), _hit(20)]
    got = _ids(interleave(pool, extra, every=4))
    assert got[:6] == [0, 50, 1, 2, 20, 3]
    assert 60 not in got


def test_search_gives_a_list_question_slots_for_the_named_persons_matches(tmp_path):
    # Ana's questions paraphrase the query and fill fusion's top; Mel's answers do not
    turns = [{"speaker": "Ana", "text": f"So what activities has Mel done this week? ({i})"}
             for i in range(12)]
    turns += [{"speaker": "Mel", "text": text} for text in (
        "My activities: swimming with the kids.", "We went hiking on Sunday.",
        "Then I baked bread.", "I painted a lake.")]
    question = "What activities has Mel done?"
    with Memory(tmp_path / "m.db", embedder="fake", reinforce=False) as m:
        m.add_session(turns, user_id="u", session_id="s")
        plain = m.search(question, user_id="u", limit=10)
    with Memory(tmp_path / "m.db", embedder="fake", reinforce=False,
                recall=RecallConfig(aggregate_every=0)) as m:
        off = m.search(question, user_id="u", limit=10)
        narrowed = m.search(question, user_id="u", limit=10, speaker="Mel")
    assert [h.id for h in plain[:3]] == [h.id for h in off[:3]]  # fusion's head
    assert "I painted a lake." in [h.text for h in plain]
    assert "I painted a lake." not in [h.text for h in off]
    assert {h.record.speaker for h in narrowed} == {"Mel"}
