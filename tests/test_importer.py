"""import_file: JSONL round trip, validation before writing, skip_bad, benchmark formats."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engramdb import ImportFormatError, InvalidInputError, Memory
from engramdb._importer import import_file

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _fill(m: Memory) -> None:
    m.add_session([{"text": "I moved to Denver.", "speaker": "maya", "role": "user"},
                   {"text": "Congrats on the move!", "speaker": "bot", "role": "assistant",
                    "metadata": {"mood": "happy"}}],
                  user_id="maya", session_id="s1", started_at=T0, metadata={"topic": "move"})
    m.add_session([{"text": "My dog is Biscuit.", "speaker": "maya"}], user_id="maya",
                  session_id="s2", started_at="2025-04-02T10:00:00Z")
    m.add("Maya is vegetarian.", user_id="maya", metadata={"src": "profile"},
          timestamp="2025-01-05T00:00:00Z", importance=0.9)
    m.add("Ana likes tea.", user_id="ana", agent_id="coach")


def _export(m: Memory, path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        m.export(fh)
    return path


def _snapshot(m: Memory) -> dict[str, object]:
    """What any import must keep (a version-2 export keeps much more: ids, history...;
    see test_export_restore.py)."""
    out: dict[str, object] = {}
    for user in m.users():
        records = [(r.kind, r.text, r.speaker, r.role, r.session_id, r.agent_id, r.position,
                    r.timestamp, r.metadata, r.importance) for r in m.list(user_id=user)]
        sessions = [(s.session_id, s.agent_id, s.started_at, s.participants, s.metadata,
                     s.turn_count) for s in m.sessions(user_id=user)]
        out[user] = (sorted(records, key=repr), sessions)
    return out


@pytest.fixture
def exported(mem: Memory, tmp_path: Path) -> Path:
    _fill(mem)
    return _export(mem, tmp_path / "export.jsonl")


def test_export_import_round_trip(mem: Memory, exported: Path, tmp_path: Path) -> None:
    with Memory(tmp_path / "copy.db", embedder="fake") as copy:
        report = import_file(copy, exported)
        assert _snapshot(copy) == _snapshot(mem)
    assert (report.format, report.sessions, report.records, report.created) == ("jsonl", 2, 6, 6)
    assert report.users == ["ana", "maya"] and report.skipped == []


def test_reimport_is_idempotent(mem: Memory, exported: Path) -> None:
    before = _snapshot(mem)
    report = import_file(mem, exported)
    assert report.created == 0 and report.records == 6
    assert _snapshot(mem) == before


def test_user_override_moves_everything(exported: Path, tmp_path: Path) -> None:
    with Memory(tmp_path / "one.db", embedder="fake") as m:
        report = import_file(m, exported, user_id="zoe")
        assert m.users() == ["zoe"] and report.users == ["zoe"]
        assert len(m.list(user_id="zoe")) == 6  # 4 turns and memories, 1 fact


def _corrupt(src: Path, dst: Path, line: int, replacement: str) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = replacement
    dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dst


def test_malformed_line_imports_nothing(exported: Path, tmp_path: Path) -> None:
    bad = _corrupt(exported, tmp_path / "bad.jsonl", 5, '{"type": "record", "user_id": "x"')
    with Memory(tmp_path / "fresh.db", embedder="fake") as m:
        with pytest.raises(ImportFormatError) as info:
            import_file(m, bad)
        assert m.stats().records == 0 and m.users() == []
    assert f"{bad}:5:" in str(info.value) and info.value.line == 5


def test_missing_field_is_named(exported: Path, tmp_path: Path) -> None:
    bad = _corrupt(exported, tmp_path / "bad.jsonl", 6, '{"type": "record", "user_id": "x"}')
    with Memory(tmp_path / "fresh.db", embedder="fake") as m:
        with pytest.raises(ImportFormatError) as info:
            import_file(m, bad)
        assert m.stats().records == 0
    assert info.value.line == 6 and info.value.field == "text"


def test_skip_bad_lists_and_imports_the_rest(exported: Path, tmp_path: Path) -> None:
    bad = _corrupt(exported, tmp_path / "bad.jsonl", 5, "not json at all")
    with Memory(tmp_path / "fresh.db", embedder="fake") as m:
        report = import_file(m, bad, skip_bad=True)
        assert m.stats().records == 5
    assert len(report.skipped) == 1 and report.skipped[0].startswith(f"{bad}:5:")


def test_too_long_text_is_caught_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    lines = [{"type": "engramdb-export", "version": 1},
             {"type": "record", "user_id": "u", "text": "fine"},
             {"type": "record", "user_id": "u", "text": "x" * 200}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Memory(tmp_path / "m.db", embedder="fake", max_text_chars=100) as m:
        with pytest.raises(ImportFormatError, match=r"long.jsonl:3:.*limit is 100"):
            import_file(m, path)
        assert m.stats().records == 0


def test_missing_file_and_bad_format_are_input_errors(mem: Memory, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read"):
        import_file(mem, tmp_path / "nope.jsonl")
    with pytest.raises(InvalidInputError, match="unknown import format"):
        import_file(mem, tmp_path / "nope.jsonl", format="csv")


def test_progress_reports_every_record(mem: Memory, exported: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with Memory(tmp_path / "p.db", embedder="fake") as m:
        import_file(m, exported, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)


# ------------------------------------------------------------ LoCoMo / LME
def _locomo(path: Path, first_text: str = "Hi Bo, I got a puppy!") -> Path:
    conv = {"speaker_a": "Al", "speaker_b": "Bo",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [{"speaker": "Al", "dia_id": "D1:1", "text": first_text},
                          {"speaker": "Bo", "dia_id": "D1:2", "text": "What's its name?"}],
            "session_2_date_time": "10:00 am on 9 June, 2023",
            "session_2": [{"speaker": "Al", "dia_id": "D2:1", "text": "Rex is one now."}]}
    data = [{"sample_id": "conv-1", "conversation": conv,
             "qa": [{"question": "What pet?", "answer": "a puppy", "evidence": ["D1:1"],
                     "category": 4}]},
            {"sample_id": "conv-2", "conversation": {**conv, "session_2": []}, "qa": []}]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_locomo_conversation_is_a_user(mem: Memory, tmp_path: Path) -> None:
    report = import_file(mem, _locomo(tmp_path / "l.json"))
    assert report.format == "locomo" and report.users == ["conv-1", "conv-2"]
    sessions = mem.sessions(user_id="conv-1")
    assert [s.session_id for s in sessions] == ["session_1", "session_2"]
    assert sessions[0].started_at == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    turns = mem.list(user_id="conv-1", session_id="session_1")
    assert [(t.speaker, t.metadata["dia_id"]) for t in turns] == [("Al", "D1:1"), ("Bo", "D1:2")]
    assert import_file(mem, tmp_path / "l.json").created == 0


def test_locomo_into_one_user_keeps_sessions_apart(mem: Memory, tmp_path: Path) -> None:
    import_file(mem, _locomo(tmp_path / "l.json"), user_id="bench")
    ids = [s.session_id for s in mem.sessions(user_id="bench")]
    assert sorted(ids) == ["conv-1:session_1", "conv-1:session_2", "conv-2:session_1"]


def test_locomo_empty_turn_fails_or_is_skipped(mem: Memory, tmp_path: Path) -> None:
    path = _locomo(tmp_path / "l.json", first_text="   ")
    with pytest.raises(ImportFormatError, match="conv-1.*session_1 turn 0.*empty"):
        import_file(mem, path)
    assert mem.stats().records == 0
    report = import_file(mem, path, skip_bad=True)
    assert len(report.skipped) == 2 and mem.stats().records == 3


def test_longmemeval_instance_is_a_user(mem: Memory, tmp_path: Path) -> None:
    data = [{"question_id": "q1", "question_type": "single-session-user", "question": "Pet?",
             "answer": "cat", "question_date": "2023/05/30 (Tue) 23:40",
             "haystack_session_ids": ["a1"], "haystack_dates": ["2023/05/20 (Sat) 02:21"],
             "haystack_sessions": [[{"role": "user", "content": "I have a cat.",
                                     "has_answer": True},
                                    {"role": "assistant", "content": "Lovely!"}]],
             "answer_session_ids": ["a1"]}]
    path = tmp_path / "lme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = import_file(mem, path)
    assert report.format == "longmemeval" and mem.users() == ["q1"]
    turns = mem.list(user_id="q1")
    assert [t.text for t in turns] == ["I have a cat.", "Lovely!"]
    assert turns[0].metadata["has_answer"] is True


def test_export_of_empty_memory_imports_nothing(mem: Memory, tmp_path: Path) -> None:
    buf = io.StringIO()
    mem.export(buf)
    path = tmp_path / "empty.jsonl"
    path.write_text(buf.getvalue(), encoding="utf-8")
    report = import_file(mem, path)
    assert (report.records, report.sessions, report.users) == (0, 0, [])


def test_jsonl_import_reads_through_the_public_reader(
        exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The importer reads JSONL with ``formats.read_jsonl_lines`` (public), so a change to
    the reader's internals cannot break it silently."""
    import engramdb.formats as formats

    calls: list[str] = []
    real = formats.read_jsonl_lines

    def spy(path):  # type: ignore[no-untyped-def]
        calls.append(str(path))
        return real(path)

    monkeypatch.setattr(formats, "read_jsonl_lines", spy)
    bad = _corrupt(exported, tmp_path / "bad.jsonl", 5, "not json at all")
    with Memory(tmp_path / "spy.db", embedder="fake") as m:
        report = import_file(m, bad, skip_bad=True)
        assert m.stats().records == 5
    assert calls == [str(bad)] and len(report.skipped) == 1


def test_importer_uses_no_private_names_of_other_modules() -> None:
    import ast

    import engramdb._importer as importer

    tree = ast.parse(Path(importer.__file__).read_text(encoding="utf-8"))
    modules: set[str] = set()
    private: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            parts = (node.module or "").split(".")
            names = [a.name for a in node.names]
            if any(p.startswith("_") and p not in ("_errors", "_models", "_memory")
                   for p in parts):
                private.append(f"from {node.module} import {', '.join(names)}")
            private += [f"from {node.module} import {n}" for n in names if n.startswith("_")]
            modules.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            modules.update((a.asname or a.name).split(".")[0] for a in node.names)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            private.append(f"{node.value.id}.{node.attr}")
    assert private == []


@pytest.mark.parametrize("line, reason", [
    ('{"type": "record", "text": "m", "user_id": "u", "metadata": {"a": NaN}}', "NaN"),
    ('{"type": "record", "text": "x\\ud800y", "user_id": "u"}', "surrogate")])
def test_unstorable_values_are_caught_before_writing(tmp_path: Path, line: str,
                                                     reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "engramdb-export", "version": 1}\n'
                    '{"type": "record", "text": "fine", "user_id": "u"}\n' + line + "\n",
                    encoding="utf-8")
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        with pytest.raises(ImportFormatError, match=reason):
            import_file(m, path)
        assert m.stats().records == 0
        report = import_file(m, path, skip_bad=True)
        assert m.stats().records == 1 and len(report.skipped) == 1
        buf = io.StringIO()
        m.export(buf)  # still exportable
