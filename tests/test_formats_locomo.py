"""LoCoMo loader: tests/data/formats/locomo_mini.json is a hand-written two-sample file
in the exact schema of snap-research/locomo ``data/locomo10.json``."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engramdb import _errors
from engramdb._models import Turn
from engramdb.formats import LOCOMO_CATEGORIES, load_locomo, parse_locomo_date

DATA = Path(__file__).parent / "data" / "formats"
MINI = DATA / "locomo_mini.json"
REAL = Path(__file__).resolve().parents[2] / "shared" / "benchdata" / "locomo" / "locomo-dev.json"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def write(tmp_path: Path, data: object, name: str = "locomo.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def mini() -> list[dict]:
    return json.loads(MINI.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text, expected", [
    ("1:56 pm on 8 May, 2023", utc(2023, 5, 8, 13, 56)),
    ("10:37 am on 27 June, 2023", utc(2023, 6, 27, 10, 37)),
    ("12:09 am on 13 September, 2023", utc(2023, 9, 13, 0, 9)),
    ("12:28 pm on 8 November, 2023", utc(2023, 11, 8, 12, 28)),
    ("9:55 AM on 22 Oct 2023", utc(2023, 10, 22, 9, 55)),
    ("8 May, 2023", utc(2023, 5, 8)),
])
def test_parse_locomo_date(text: str, expected: datetime) -> None:
    assert parse_locomo_date(text) == expected


@pytest.mark.parametrize("text", ["13:00 pm on 8 May, 2023", "1:56 pm on 31 February, 2023",
                                  "1:56 pm on 8 Mai, 2023", "yesterday", ""])
def test_parse_locomo_date_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_locomo_date(text)


def test_categories() -> None:
    assert dict(LOCOMO_CATEGORIES) == {"1": "multi-hop", "2": "temporal", "3": "open-domain",
                                       "4": "single-hop", "5": "adversarial"}


def test_load_mini_structure() -> None:
    ds = load_locomo(MINI)
    assert (ds.name, ds.path) == ("locomo", str(MINI))
    assert [c.conv_id for c in ds.conversations] == ["conv-mini-1", "conv-mini-2"]
    conv = ds.conversations[0]
    assert conv.speakers == ("Nora", "Tomas")
    # numeric order although session_2 comes first in the file; session_3 has a date only
    assert [s.session_id for s in conv.sessions] == ["session_1", "session_2"]
    assert [s.started_at for s in conv.sessions] == [utc(2023, 3, 3, 13, 56),
                                                     utc(2023, 6, 27, 10, 37)]
    assert (ds.question_count, ds.turn_count, conv.turn_count) == (8, 9, 7)


def test_turns() -> None:
    s1 = load_locomo(MINI).conversations[0].sessions[0]
    assert all(isinstance(t, Turn) for t in s1.turns)
    first, _, image = s1.turns
    assert first.speaker == "Nora" and first.role is None
    assert first.text == "Hi Tomas! I played the violin at the concert last night."
    assert first.metadata == {"dia_id": "D1:1"}
    assert [t.timestamp for t in s1.turns] == [utc(2023, 3, 3, 13, 56, s) for s in range(3)]
    assert image.text == ("Really well. And I adopted a cat last week! "
                          "[image: a photo of a grey cat sleeping on a sofa]")
    assert image.metadata == {"dia_id": "D1:3",
                              "blip_caption": "a photo of a grey cat sleeping on a sofa",
                              "img_url": ["https://example.org/cat.jpg"]}


def test_questions_and_evidence() -> None:
    conv = load_locomo(MINI).conversations[0]
    q = {x.qid: x for x in conv.questions}
    assert list(q) == [f"conv-mini-1:q{i}" for i in range(7)]
    assert [x.category for x in conv.questions] == ["2", "1", "4", "3", "5", "5", "4"]
    assert q["conv-mini-1:q0"].evidence_turns == ("D1:3",)
    assert q["conv-mini-1:q0"].evidence_sessions == ("session_1",)
    # one string holding two ids
    assert q["conv-mini-1:q1"].evidence_turns == ("D1:1", "D2:2")
    assert q["conv-mini-1:q1"].evidence_sessions == ("session_1", "session_2")
    assert q["conv-mini-1:q2"].answer == "2019"  # a number in the file
    # D9:99 names no turn: skipped and counted
    assert q["conv-mini-1:q3"].evidence_turns == ("D2:1", "D2:3")
    assert conv.skipped_evidence == 1
    adv = q["conv-mini-1:q4"]
    assert (adv.answer, adv.adversarial_answer, adv.abstention) == (None, "Pickle", True)
    assert (q["conv-mini-1:q5"].answer, q["conv-mini-1:q5"].abstention) == ("No", True)
    assert q["conv-mini-1:q6"].evidence_turns == () and not q["conv-mini-1:q6"].abstention
    assert all(x.question_date is None for x in conv.questions)


def test_summaries_never_read(tmp_path: Path) -> None:
    ds = load_locomo(MINI)
    texts = [t.text for c in ds.conversations for t in c.turns()]
    assert not any("LEAKED" in t for t in texts)
    # and they may be anything at all
    data = mini()
    for sample in data:
        sample["observation"] = sample["event_summary"] = sample["session_summary"] = 42
    assert load_locomo(write(tmp_path, data)).question_count == 8


def test_evidence_normalised(tmp_path: Path) -> None:
    data = mini()
    data[0]["qa"][0]["evidence"] = ["D01:03", "D:2:1, D2:3", "D1:3", "", "garbage", "D3:1"]
    conv = load_locomo(write(tmp_path, data)).conversations[0]
    assert conv.questions[0].evidence_turns == ("D1:3", "D2:1", "D2:3")
    assert conv.skipped_evidence == 1 + 2  # D9:99 of q3, then garbage and D3:1


def test_session_without_date(tmp_path: Path) -> None:
    data = mini()
    del data[1]["conversation"]["session_1_date_time"]
    session = load_locomo(write(tmp_path, data)).conversations[1].sessions[0]
    assert session.started_at is None and session.turns[0].timestamp is None


def error_for(tmp_path: Path, data: object) -> _errors.ImportFormatError:
    with pytest.raises(_errors.ImportFormatError) as info:
        load_locomo(write(tmp_path, data))
    return info.value


def broken(edit) -> list[dict]:
    data = copy.deepcopy(mini())
    edit(data)
    return data


@pytest.mark.parametrize("edit, field, words", [
    (lambda d: d[1].pop("sample_id"), "sample_id", "item 1: missing field"),
    (lambda d: d[0].pop("conversation"), "conversation", "conv-mini-1"),
    (lambda d: d[0].pop("qa"), "qa", "missing field"),
    (lambda d: d[0]["conversation"].pop("speaker_b"), "conversation.speaker_b", "conv-mini-1"),
    (lambda d: d[0]["conversation"]["session_1"][1].pop("text"),
     "conversation.session_1[1].text", "missing field"),
    (lambda d: d[0]["conversation"]["session_2"][0].update(dia_id=7),
     "conversation.session_2[0].dia_id", "expected string, got integer"),
    (lambda d: d[0]["conversation"].update(session_1="oops"),
     "conversation.session_1", "expected list"),
    (lambda d: d[0]["conversation"].update(session_1_date_time="someday"),
     "conversation.session_1_date_time", "not a LoCoMo date"),
    (lambda d: d[0]["qa"][2].update(category=9), "qa[2].category", "1-5"),
    (lambda d: d[0]["qa"][2].pop("category"), "qa[2].category", "missing field"),
    (lambda d: d[0]["qa"][3].update(evidence="D2:1"), "qa[3].evidence", "expected list"),
    (lambda d: d[0]["qa"][3].update(evidence=[3]), "qa[3].evidence[0]", "expected string"),
    (lambda d: d[0]["qa"][0].update(answer=["x"]), "qa[0].answer", "expected string"),
    (lambda d: d[0]["qa"].__setitem__(1, "x"), "qa[1]", "expected object"),
])
def test_malformed(tmp_path: Path, edit, field: str, words: str) -> None:
    err = error_for(tmp_path, broken(edit))
    assert err.field == field
    assert err.path == str(tmp_path / "locomo.json")
    assert words in str(err)
    if field != "sample_id":
        assert "sample_id 'conv-mini" in str(err)


@pytest.mark.parametrize("data, words", [
    ({"sample_id": "x"}, "expected a JSON list of LoCoMo samples, got object"),
    ([1], "item 0: expected object"),
])
def test_malformed_top_level(tmp_path: Path, data: object, words: str) -> None:
    assert words in str(error_for(tmp_path, data))


def test_truncated_and_empty(tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[:500], encoding="utf-8")
    with pytest.raises(_errors.ImportFormatError, match="truncated JSON") as info:
        load_locomo(path)
    assert info.value.line is not None and "column" in str(info.value)
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(_errors.ImportFormatError, match="empty"):
        load_locomo(path)
    path.write_text('[{"qa": [}]', encoding="utf-8")
    with pytest.raises(_errors.ImportFormatError,
                       match=r"invalid JSON at line 1 column 10 \(char 9\)"):
        load_locomo(path)


@pytest.mark.skipif(not REAL.exists(), reason="LoCoMo dev split not present")
def test_real_dev_split() -> None:
    ds = load_locomo(REAL)
    assert len(ds.conversations) == 3
    assert ds.question_count == 550
    counts: dict[str, int] = {}
    for _, q in ds.questions():
        counts[q.category] = counts.get(q.category, 0) + 1
    assert counts == {"1": 93, "2": 88, "3": 28, "4": 218, "5": 123}
    assert ds.turn_count == 1757
    assert ds.skipped_evidence == 0
