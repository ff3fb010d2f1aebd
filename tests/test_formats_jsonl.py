"""engramdb's JSONL export format: round trip, the hand-written fixture
tests/data/formats/export_v1.jsonl, and a precise error for every kind of bad line."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engramdb import _errors
from engramdb._models import ExportedRecord, Record, Session, content_hash
from engramdb.formats import FORMAT_VERSION, read_jsonl, write_jsonl

FIXTURE = Path(__file__).parent / "data" / "formats" / "export_v1.jsonl"
HEADER = '{"type":"engramdb-export","version":1}'
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def sample() -> tuple[list[Session], list[Record]]:
    sessions = [Session("s1", "alice", "bot", T0, ("alice", "bot"), {"topic": "moving"}),
                Session("s2", "bob", None, None)]
    records = [
        Record(id="018e0f5a1b2c3d4e5f60718a", kind="turn", text="Je déménage à Lisbonne 🙂",
               user_id="alice", agent_id="bot", session_id="s1", speaker="alice", role="user",
               position=0, timestamp=T0, created_at=T0, updated_at=T0,
               metadata={"dia_id": "D1:1", "tags": ["a", 1, None]},
               content_hash=content_hash("turn", "x"), version=2, valid_from=T0,
               importance=0.75, strength=0.5, last_recalled_at=T0),
        Record(id="018e0f5a1b2c3d4e5f60718b", kind="memory", text="Bob likes tea.",
               user_id="bob", superseded_by="018e0f5a1b2c3d4e5f60718a", archived=True,
               valid_to=T0, content_hash=content_hash("memory", "Bob likes tea.")),
    ]
    return sessions, records


def test_round_trip(tmp_path: Path) -> None:
    sessions, records = sample()
    path = tmp_path / "export.jsonl"
    with path.open("w", encoding="utf-8") as fp:
        assert write_jsonl(fp, sessions, records) == 5
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        '{"type":"engramdb-export","version":2}')
    assert list(read_jsonl(path)) == [*sessions, *map(ExportedRecord, records)]


def test_lines_carry_every_record_field() -> None:
    sessions, records = sample()
    buf = io.StringIO()
    write_jsonl(buf, sessions, records)
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert lines[0] == {"type": "engramdb-export", "version": FORMAT_VERSION}
    assert lines[1] == {"type": "session", "user_id": "alice", "agent_id": "bot",
                        "session_id": "s1", "started_at": "2024-03-01T09:00:00+00:00",
                        "participants": ["alice", "bot"], "metadata": {"topic": "moving"}}
    assert lines[3] == {"type": "record", **records[0].to_dict()}
    assert "🙂" in buf.getvalue()  # UTF-8, not \\u escapes


def test_write_rejects_what_json_cannot_hold() -> None:
    record = Record(id="018e0f5a1b2c3d4e5f60718a", kind="memory", text="x", user_id="u",
                    metadata={"when": datetime.now()})
    with pytest.raises(_errors.InvalidInputError, match="record 018e0f5a1b2c3d4e5f60718a"):
        write_jsonl(io.StringIO(), [], [record])
    record.metadata = {"score": float("nan")}
    with pytest.raises(_errors.InvalidInputError):
        write_jsonl(io.StringIO(), [], [record])


def test_fixture() -> None:
    session, *exported = read_jsonl(FIXTURE)  # the blank line is skipped
    assert [(e.history, e.links) for e in exported] == [([], []), ([], [])]
    turn, memory = (e.record for e in exported)
    assert session == Session("s1", "alice", None, T0, ("alice", "assistant"),
                              {"source": "fixture"})
    assert isinstance(turn, Record) and turn.kind == "turn" and turn.position == 0
    assert turn.timestamp == T0 and turn.metadata == {"lang": "en"}
    # an empty content_hash is computed, as the store would
    assert turn.content_hash == content_hash("turn", turn.text, session_id="s1", position=0,
                                             speaker="alice")
    # a record with only text and user_id gets an id, kind "memory" and defaults
    assert isinstance(memory, Record)
    assert re.fullmatch(r"[0-9a-f]{24}", memory.id)
    assert (memory.kind, memory.text, memory.user_id) == ("memory",
                                                          "Alice is allergic to peanuts.", "alice")
    assert memory.content_hash == content_hash("memory", memory.text)
    assert (memory.version, memory.importance, memory.strength, memory.archived) == (1, 0.5,
                                                                                     1.0, False)


def write_lines(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def error_for(path: Path) -> _errors.ImportFormatError:
    with pytest.raises(_errors.ImportFormatError) as info:
        list(read_jsonl(path))
    return info.value


REC = '{"type":"record","user_id":"u","text":"hello",'


@pytest.mark.parametrize("line, field, words", [
    ('{"type":"record","text":"x"', None, "truncated JSON: the text ends at column 28"),
    ('{"type":"record" "text":"x"}', None, "invalid JSON at column 18"),
    ("[1, 2]", None, "expected a JSON object, got list"),
    ('{"type":"record","user_id":"u"}', "text", "record: missing field"),
    ('{"type":"record","text":"x"}', "user_id", "missing field"),
    ('{"type":"record","text":"  ","user_id":"u"}', "text", "must not be empty"),
    ('{"type":"record","text":5,"user_id":"u"}', "text", "expected string, got integer"),
    ('{"type":"record","text":"x","user_id":""}', "user_id", "user_id is required"),
    ('{"type":"record","text":"x","user_id":"u","agent_id":"a\\u0001"}', "agent_id",
     "agent_id must be"),
    (REC + '"timestamp":"yesterday"}', "timestamp", "not an ISO-8601 timestamp"),
    (REC + '"created_at":1700000000}', "created_at", "expected string, got integer"),
    (REC + '"position":"3"}', "position", "expected integer, got string"),
    (REC + '"position":true}', "position", "expected integer, got boolean"),
    (REC + '"importance":"high"}', "importance", "expected integer or number"),
    (REC + '"importance":NaN}', "importance", "finite"),
    (REC + '"kind":"note"}', "kind", "must be one of turn, memory"),
    (REC + '"id":"abc"}', "id", "not an engramdb id"),
    (REC + '"superseded_by":"xyz"}', "superseded_by", "not an engramdb id"),
    (REC + '"metadata":[]}', "metadata", "expected object, got list"),
    (REC + '"archived":"no"}', "archived", "expected boolean"),
    (REC + '"version":0}', "version", "1 or more"),
    ('{"type":"memo","text":"x"}', "type", "expected 'session' or 'record', got 'memo'"),
    ('{"text":"x","user_id":"u"}', "type", "got None"),
    ('{"type":"session","user_id":"u"}', "session_id", "session: missing field"),
    ('{"type":"session","user_id":"u","session_id":"s","participants":[1]}',
     "participants[0]", "session 's': expected string"),
    ('{"type":"session","user_id":"u","session_id":"s","started_at":"3/1/2024"}',
     "started_at", "ISO-8601"),
])
def test_bad_line(tmp_path: Path, line: str, field: str | None, words: str) -> None:
    path = write_lines(tmp_path, HEADER, REC + '"id":"018e0f5a1b2c3d4e5f60718a"}', "", line)
    err = error_for(path)
    assert (err.path, err.line, err.field) == (str(path), 4, field)
    assert str(err).startswith(f"{path}:4: ")
    assert words in str(err)


def test_error_names_the_record(tmp_path: Path) -> None:
    err = error_for(write_lines(tmp_path, HEADER, '{"type":"record","id":"018e0f5a1b2c3d4e5f607'
                                '18a","text":"x","user_id":"u","position":1.5}'))
    assert "record 018e0f5a1b2c3d4e5f60718a: expected integer, got number" in str(err)


@pytest.mark.parametrize("first, field, words", [
    (REC + '"id":"018e0f5a1b2c3d4e5f60718a"}', "type", "not an engramdb export"),
    ('{"type":"engramdb-export","version":3}', "version", "newer engramdb"),
    ('{"type":"engramdb-export","version":"1"}', "version", "expected integer"),
    ('{"type":"engramdb-export"}', "version", "header: missing field"),
])
def test_bad_header(tmp_path: Path, first: str, field: str, words: str) -> None:
    err = error_for(write_lines(tmp_path, first))
    assert (err.line, err.field) == (1, field) and words in str(err)


def test_empty_and_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    assert "file is empty" in str(error_for(path))
    path.write_text("\n  \n", encoding="utf-8")
    assert "file is empty" in str(error_for(path))
    path.write_bytes(HEADER.encode() + b'\n{"type":"record","text":"caf\xe9","user_id":"u"}\n')
    err = error_for(path)
    assert err.line == 2 and "not UTF-8" in str(err)


def test_header_after_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"\n")
    assert list(read_jsonl(path)) == []


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = write_lines(tmp_path, HEADER, REC + '"future_field":{"x":1}}')
    (item,) = read_jsonl(path)
    assert isinstance(item, ExportedRecord) and item.record.text == "hello"


def test_read_jsonl_lines_goes_on_after_a_bad_line(tmp_path: Path) -> None:
    from engramdb.formats import read_jsonl_lines

    path = write_lines(tmp_path, HEADER, '{"type":"record","user_id":"u"}', "",
                       REC + '"id":"018e0f5a1b2c3d4e5f60718a"}', "{oops")
    got = list(read_jsonl_lines(path))
    assert [line for line, _ in got] == [2, 4, 5]
    assert isinstance(got[0][1], _errors.ImportFormatError) and got[0][1].field == "text"
    assert isinstance(got[1][1], ExportedRecord) and got[1][1].record.text == "hello"
    assert isinstance(got[2][1], _errors.ImportFormatError) and got[2][1].line == 5
    with pytest.raises(_errors.ImportFormatError, match="not an engramdb export"):
        list(read_jsonl_lines(write_lines(tmp_path, REC + "\"archived\":false}")))


# ------------------------------------------------------------ version 2
HEADER_V2 = '{"type":"engramdb-export","version":2}'
V2 = '{"type":"record","id":"018e0f5a1b2c3d4e5f60718a","user_id":"u","text":"hello",'


def test_history_and_links_round_trip(tmp_path: Path) -> None:
    from engramdb._models import Link, Version

    _, records = sample()
    rid = records[0].id
    item = ExportedRecord(records[0], [Version(rid, 1, "Je pars", T0, "add"),
                                       Version(rid, 2, records[0].text, T0, "update", "typo")],
                          [Link("derived_from", records[1].id), Link("supersedes", rid, 0.85)])
    path = tmp_path / "export.jsonl"
    with path.open("w", encoding="utf-8") as fp:
        write_jsonl(fp, [], [item, records[1]])
    assert list(read_jsonl(path)) == [item, ExportedRecord(records[1])]
    line = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    assert line["history"][1] == {"version": 2, "text": records[0].text,
                                  "changed_at": T0.isoformat(), "op": "update", "reason": "typo"}
    assert line["links"][1] == {"kind": "supersedes", "to": rid, "weight": 0.85}


_H1 = '{"version":1,"text":"hi","changed_at":"2024-03-01T09:00:00Z","op":"add"}'


@pytest.mark.parametrize("line, field, words", [
    (V2 + '"history":{}}', "history", "expected list, got object"),
    (V2 + '"history":[3]}', "history[0]", "expected object"),
    (V2 + f'"version":2,"history":[{_H1},{_H1}]}}', "history[1].version", "increasing"),
    (V2 + f'"history":[{_H1}],"version":2}}', "history", "record is at version 2"),
    (V2 + '"history":[{"version":1,"text":"hi","changed_at":"soon","op":"add"}]}',
     "history[0].changed_at", "ISO-8601"),
    (V2 + '"history":[{"version":1,"changed_at":"2024-03-01T09:00:00Z","op":"add"}]}',
     "history[0].text", "missing field"),
    (V2 + '"links":[{"kind":"supersedes","to":"nope"}]}', "links[0].to", "not an engramdb id"),
    (V2 + '"links":[{"kind":"","to":"018e0f5a1b2c3d4e5f60718b"}]}', "links[0].kind", "empty"),
    (V2 + '"links":[{"kind":"x","to":"018e0f5a1b2c3d4e5f60718b","weight":NaN}]}',
     "links[0].weight", "finite"),
    (V2 + '"past_validity":[{"from":"2024-03-01T00:00:00Z","to":"2023-03-01T00:00:00Z"}]}',
     "past_validity[0]", "before"),
    (V2 + '"past_validity":[{"from":"2024-03-01T00:00:00Z"}]}', "past_validity[0]", "before"),
    (V2 + '"past_validity":[{"from":"x","to":"2025-03-01T00:00:00Z"}]}',
     "past_validity[0].from", "ISO-8601"),
])
def test_bad_history_or_links(tmp_path: Path, line: str, field: str, words: str) -> None:
    err = error_for(write_lines(tmp_path, HEADER_V2, line))
    assert (err.line, err.field) == (2, field) and words in str(err)


def test_jsonl_version(tmp_path: Path) -> None:
    from engramdb.formats import jsonl_version

    assert jsonl_version(write_lines(tmp_path, "", HEADER, V2 + '"x":1}')) == 1
    assert jsonl_version(write_lines(tmp_path, HEADER_V2)) == 2
    with pytest.raises(_errors.ImportFormatError, match="newer engramdb"):
        jsonl_version(write_lines(tmp_path, '{"type":"engramdb-export","version":3}'))
