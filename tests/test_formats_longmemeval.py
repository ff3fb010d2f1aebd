"""LongMemEval loader: tests/data/formats/longmemeval_mini.json is a hand-written file in
the exact schema of xiaowu0162/LongMemEval ``longmemeval_s.json`` (4 instances, one ``_abs``)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engramdb import _errors
from engramdb.formats import load_longmemeval, parse_longmemeval_date

MINI = Path(__file__).parent / "data" / "formats" / "longmemeval_mini.json"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def mini() -> list[dict]:
    return json.loads(MINI.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text, expected", [
    ("2023/05/20 (Sat) 02:21", utc(2023, 5, 20, 2, 21)),
    ("2023/5/2 (Tue) 23:40", utc(2023, 5, 2, 23, 40)),
    ("2023/05/20 02:21", utc(2023, 5, 20, 2, 21)),
    ("2023/05/20", utc(2023, 5, 20)),
])
def test_parse_date(text: str, expected: datetime) -> None:
    assert parse_longmemeval_date(text) == expected


@pytest.mark.parametrize("text", ["2023-05-20 02:21", "2023/13/01 (Sat) 02:21",
                                  "2023/05/20 (Sat) 25:00", ""])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_longmemeval_date(text)


def test_load_mini() -> None:
    ds = load_longmemeval(MINI)
    assert ds.name == "longmemeval"
    assert [c.conv_id for c in ds.conversations] == ["q_mini_01", "q_mini_02", "q_mini_03",
                                                     "q_mini_01_abs"]
    assert all(len(c.questions) == 1 for c in ds.conversations)
    assert all(c.speakers == ("user", "assistant") for c in ds.conversations)
    assert ds.turn_count == 5 + 6 + 2 + 4
    assert ds.skipped_evidence == 0


def test_sessions_and_turns() -> None:
    conv = load_longmemeval(MINI).conversations[0]
    assert [s.session_id for s in conv.sessions] == ["sharegpt_x1_0", "answer_mini01_1"]
    assert [s.started_at for s in conv.sessions] == [utc(2023, 5, 20, 2, 21),
                                                     utc(2023, 5, 22, 14, 5)]
    turn = conv.sessions[1].turns[1]
    assert (turn.speaker, turn.role) == ("assistant", "assistant")
    assert turn.text == "Give the dog more exercise and chew toys."
    assert turn.timestamp == utc(2023, 5, 22, 14, 5, 1)
    assert turn.metadata == {"turn_id": "answer_mini01_1:2", "has_answer": False}
    assert conv.sessions[0].turns[0].metadata == {"turn_id": "sharegpt_x1_0:1",
                                                  "has_answer": False}


def test_questions() -> None:
    q = {c.conv_id: c.questions[0] for c in load_longmemeval(MINI).conversations}
    one = q["q_mini_01"]
    assert (one.qid, one.category, one.answer) == ("q_mini_01", "single-session-user",
                                                   "A border collie")
    assert one.question == "What breed is my dog?"
    assert one.question_date == utc(2023, 5, 30, 23, 40)
    assert one.evidence_sessions == ("answer_mini01_1",)
    assert one.evidence_turns == ("answer_mini01_1:1",)
    assert not one.abstention and one.adversarial_answer is None
    two = q["q_mini_02"]
    assert two.answer == "5"  # a number in the file
    assert two.evidence_turns == ("answer_mini02_1:1", "answer_mini02_2:1")
    assert two.evidence_sessions == ("answer_mini02_1", "answer_mini02_2")
    assert q["q_mini_03"].evidence_turns == ("answer_mini03_1:2",)  # an assistant turn
    abs_ = q["q_mini_01_abs"]
    assert abs_.abstention and abs_.evidence_turns == ()
    assert abs_.evidence_sessions == ("answer_mini01_1",)


def test_unknown_answer_session_is_skipped(tmp_path: Path) -> None:
    data = mini()
    data[1]["answer_session_ids"].append("answer_nowhere")
    path = tmp_path / "lme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    conv = load_longmemeval(path).conversations[1]
    assert conv.skipped_evidence == 1
    assert conv.questions[0].evidence_sessions == ("answer_mini02_1", "answer_mini02_2")


@pytest.mark.parametrize("edit, field, words", [
    (lambda d: d[0].pop("question_type"), "question_type", "missing field"),
    (lambda d: d[0].update(question_date="30 May 2023"), "question_date", "not a LongMemEval date"),
    (lambda d: d[0].pop("question_date"), "question_date", "missing field"),
    (lambda d: d[0]["haystack_dates"].pop(), "haystack_sessions", "differ in length (2, 1, 2)"),
    (lambda d: d[0]["haystack_dates"].__setitem__(1, None), "haystack_dates[1]", "got null"),
    (lambda d: d[0]["haystack_sessions"][1][0].pop("content"), "haystack_sessions[1][0].content",
     "missing field"),
    (lambda d: d[0]["haystack_sessions"][1][0].update(has_answer="yes"),
     "haystack_sessions[1][0].has_answer", "expected boolean"),
    (lambda d: d[0]["haystack_sessions"][1].__setitem__(2, "hi"), "haystack_sessions[1][2]",
     "expected object"),
    (lambda d: d[0].update(answer_session_ids="answer_mini01_1"), "answer_session_ids",
     "expected list"),
    (lambda d: d[0].update(haystack_session_ids=[1, 2]), "haystack_session_ids[0]",
     "expected string"),
])
def test_malformed(tmp_path: Path, edit, field: str, words: str) -> None:
    data = copy.deepcopy(mini())
    edit(data)
    path = tmp_path / "lme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(_errors.ImportFormatError) as info:
        load_longmemeval(path)
    err = info.value
    assert (err.field, err.path) == (field, str(path))
    assert "item 0 (question_id 'q_mini_01')" in str(err) and words in str(err)


def test_missing_question_id(tmp_path: Path) -> None:
    data = mini()
    del data[2]["question_id"]
    path = tmp_path / "lme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(_errors.ImportFormatError, match="item 2: missing field") as info:
        load_longmemeval(path)
    assert info.value.field == "question_id"


def test_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "lme.json"
    path.write_text(json.dumps(mini()[0]), encoding="utf-8")
    with pytest.raises(_errors.ImportFormatError, match="JSON list of LongMemEval instances"):
        load_longmemeval(path)
