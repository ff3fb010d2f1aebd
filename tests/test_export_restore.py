"""export -> import is a lossless round trip: a backup restored into a new file is the same
memory (ids, history, validity, archived state, recall state, links, sessions)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engramdb import Filters, ImportConflictError, ImportFormatError, Memory, Record, Scope
from engramdb._importer import import_file

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
QUERIES = ("where does Ana live?", "favourite colour", "dog Biscuit", "garage")


def _fill(m: Memory) -> dict[str, str]:
    """A memory with every kind of state an export must carry; returns ids by role."""
    turns = m.add_session(
        [{"speaker": "ana", "role": "user", "text": "We adopted a beagle called Biscuit."},
         {"speaker": "bot", "role": "assistant", "text": "How old is Biscuit?",
          "metadata": {"mood": "curious"}},
         {"speaker": "ana", "role": "user", "text": "She is two. I walk her every morning."}],
        user_id="ana", session_id="s1", started_at=T0, metadata={"topic": "pets"})
    gone = m.add_session([{"speaker": "ana", "text": "Testing, ignore this."}],
                         user_id="ana", session_id="s-empty", started_at=T0 + timedelta(days=1))
    m.delete(gone[0].id, user_id="ana")  # the session stays, with no turns
    colour = m.add("My favourite colour is green.", user_id="ana", importance=0.8,
                   metadata={"src": "chat"}, timestamp=T0)
    m.update(colour.id, "My favourite colour is blue.", user_id="ana", reason="changed mind")
    paris = m.add("I live in Paris.", user_id="ana", timestamp=T0 + timedelta(days=2))
    berlin = m.add("I moved to Berlin.", user_id="ana", timestamp=T0 + timedelta(days=30))
    garage = m.add("The garage code was 4711.", user_id="ana", timestamp=T0 - timedelta(days=400))
    m.add("Bo prefers tea.", user_id="bo", agent_id="coach")
    m.decay(user_id="ana", now=T0 + timedelta(days=40))  # archives the faded garage note
    m.consolidate(user_id="ana")  # a summary and the profile, linked to their sources
    m.search("Biscuit the beagle", user_id="ana")  # recall state: strength, last recall
    return {"turn": turns[0].id, "colour": colour.id, "paris": paris.id, "berlin": berlin.id,
            "garage": garage.id}


def _export(m: Memory, path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        m.export(fh)
    return path


def _text(m: Memory) -> str:
    buf = io.StringIO()
    m.export(buf)
    return buf.getvalue()


def _everything(m: Memory, user: str) -> list[Record]:
    """Every record of a user, archived ones too (``list`` leaves those out)."""
    return m.store.find(Scope(user), Filters(include_archived=True))


def _state(m: Memory) -> dict[str, object]:
    """Everything the public API shows of a memory, search aside."""
    out: dict[str, object] = {"users": m.users()}
    for user in m.users():
        ids = [r.id for r in _everything(m, user)]
        out[user] = {
            "sessions": m.sessions(user_id=user),
            "list": m.list(user_id=user),
            "current_and_superseded": m.list(user_id=user, include_superseded=True),
            "get": [m.get(i, user_id=user) for i in ids],
            "history": [m.history(i, user_id=user) for i in ids],
            "links": sorted(m.store.links(Scope(user), ids)),
        }
    return out


@pytest.fixture
def source(tmp_path: Path) -> tuple[Memory, dict[str, str], Path]:
    m = Memory(tmp_path / "source.db", embedder="fake")
    ids = _fill(m)
    yield m, ids, _export(m, tmp_path / "backup.jsonl")
    m.close()


def test_the_fixture_has_what_the_round_trip_must_keep(source) -> None:
    m, ids, _ = source
    assert [v.text for v in m.history(ids["colour"], user_id="ana")] == [
        "My favourite colour is green.", "My favourite colour is blue."]
    paris = m.get(ids["paris"], user_id="ana")
    assert paris.superseded_by == ids["berlin"] and paris.valid_to is not None
    assert m.get(ids["garage"], user_id="ana").archived
    assert m.get(ids["turn"], user_id="ana").last_recalled_at is not None
    assert m.list(user_id="ana", kinds=["summary", "profile"])
    assert [(s.session_id, s.turn_count > 0) for s in m.sessions(user_id="ana")] == [
        ("s1", True), ("s-empty", False)]


def test_round_trip_into_a_fresh_file_is_lossless(source, tmp_path: Path) -> None:
    m, ids, backup = source
    with Memory(tmp_path / "copy.db", embedder="fake") as copy:
        report = import_file(copy, backup)
        assert _state(copy) == _state(m)
        assert _text(copy) == _text(m)  # exported again: the same file, byte for byte
        records = len(_everything(m, "ana")) + 1  # + Bo's
        assert (report.records, report.created, report.skipped) == (records, records, [])
        assert report.sessions == 2 and report.users == ["ana", "bo"]
        for query in QUERIES:  # the index is rebuilt from the text: the same recall
            for kwargs in ({}, {"include_superseded": True}, {"as_of": T0 + timedelta(days=5)}):
                want = m.search(query, user_id="ana", **kwargs)
                got = copy.search(query, user_id="ana", **kwargs)
                assert [h.id for h in got] == [h.id for h in want], (query, kwargs)
                assert [h.score for h in got] == pytest.approx([h.score for h in want])
        both = copy.search("where does Ana live?", user_id="ana", include_superseded=True)
        assert {ids["paris"], ids["berlin"]} <= {h.id for h in both}
        assert ids["paris"] not in [h.id for h in copy.search("where does Ana live?",
                                                              user_id="ana")]


def test_a_restored_memory_goes_on_living(source, tmp_path: Path) -> None:
    """Restored facts hold their slots (a later update supersedes them), restored history
    grows, and restored derived records are refreshed through their links."""
    _, ids, backup = source
    with Memory(tmp_path / "copy.db", embedder="fake") as copy:
        import_file(copy, backup)
        rome = copy.add("I moved to Rome.", user_id="ana")
        assert copy.get(ids["berlin"], user_id="ana").superseded_by == rome.id
        copy.update(ids["colour"], "My favourite colour is red.", user_id="ana")
        assert [v.version for v in copy.history(ids["colour"], user_id="ana")] == [1, 2, 3]
        profile = copy.profile(user_id="ana")
        assert "Rome" in profile.text() and "Berlin" not in profile.text()


def test_reimport_skips_what_is_stored_and_keeps_its_newer_state(source) -> None:
    m, ids, backup = source
    m.restore(ids["garage"], user_id="ana")  # state moved on since the export
    before = _state(m)
    report = import_file(m, backup)
    assert report.created == 0 and report.skipped == []
    assert _state(m) == before and not m.get(ids["garage"], user_id="ana").archived


def test_a_different_record_under_a_stored_id_is_a_conflict(source, tmp_path: Path) -> None:
    _, ids, backup = source
    with Memory(tmp_path / "copy.db", embedder="fake") as copy:
        import_file(copy, backup)
        copy.update(ids["paris"], "I live in Lyon.", user_id="ana")
        (tea,) = copy.list(user_id="bo")
        copy.delete(tea.id, user_id="bo")
        before = _state(copy)
        with pytest.raises(ImportConflictError) as info:
            import_file(copy, backup)
        assert _state(copy) == before  # nothing written, not even the deleted record
        (conflict,) = info.value.conflicts
        assert conflict.startswith(f"{backup}:") and ids["paris"] in conflict
        assert "text, version differ" in conflict and "nothing was imported" in str(info.value)
        report = import_file(copy, backup, skip_bad=True)  # the rest, the stored one kept
        assert report.skipped == [conflict] and report.created == 1
        assert copy.get(ids["paris"], user_id="ana").text == "I live in Lyon."
        assert copy.get(tea.id, user_id="bo") == tea


def test_user_override_moves_records_under_new_ids_with_references(source) -> None:
    m, ids, backup = source
    report = import_file(m, backup, user_id="zoe")  # into the file the export came from
    assert report.users == ["zoe"] and report.created == report.records
    mine = {r.text: r for r in m.list(user_id="zoe", include_superseded=True)}
    paris, berlin = mine["I live in Paris."], mine["I moved to Berlin."]
    assert paris.id not in ids.values() and paris.id[:12] == ids["paris"][:12]
    assert paris.superseded_by == berlin.id and paris.valid_to is not None
    colour = mine["My favourite colour is blue."]
    assert [v.text for v in m.history(colour.id, user_id="zoe")] == [
        "My favourite colour is green.", "My favourite colour is blue."]
    assert m.get(ids["paris"], user_id="ana").superseded_by == ids["berlin"]  # untouched
    assert import_file(m, backup, user_id="zoe").created == 0  # same ids again


def test_version_1_export_is_replayed_as_before(tmp_path: Path) -> None:
    """An older export (format 1, no history or links) still imports, through the
    ordinary write path: new ids, knowledge updates found again."""
    lines = [
        {"type": "engramdb-export", "version": 1},
        {"type": "session", "user_id": "ana", "agent_id": None, "session_id": "s1",
         "started_at": "2024-01-10T09:00:00+00:00", "participants": ["ana"],
         "metadata": {"topic": "pets"}},
        {"type": "record", "id": "018e0f5a1b2c3d4e5f60718a", "kind": "turn",
         "text": "Our beagle is called Biscuit.", "user_id": "ana", "session_id": "s1",
         "speaker": "ana", "position": 0, "timestamp": "2024-01-10T09:00:00+00:00",
         "version": 1},
        {"type": "record", "id": "018e0f5a1b2c3d4e5f60718b", "kind": "memory",
         "text": "I live in Paris.", "user_id": "ana", "timestamp": "2024-01-12T00:00:00Z"},
        {"type": "record", "text": "I moved to Berlin.", "user_id": "ana",
         "timestamp": "2024-02-10T00:00:00Z"},
    ]
    path = tmp_path / "old.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        report = import_file(m, path)
        # created: the three records and the pet fact the turn states ("Biscuit")
        assert (report.records, report.created, report.sessions) == (3, 4, 1)
        records = {r.text: r for r in m.list(user_id="ana", include_superseded=True)}
        assert "018e0f5a1b2c3d4e5f60718b" not in {r.id for r in records.values()}  # new ids
        assert records["I live in Paris."].superseded_by == records["I moved to Berlin."].id
        (session,) = m.sessions(user_id="ana")
        assert session.metadata == {"topic": "pets"} and session.turn_count == 1
        assert import_file(m, path).created == 0  # idempotent, by content


def test_export_lines_carry_history_and_links(source) -> None:
    _, ids, backup = source
    lines = [json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"type": "engramdb-export", "version": 2}
    by_id = {line["id"]: line for line in lines if line["type"] == "record"}
    assert [v["version"] for v in by_id[ids["colour"]]["history"]] == [1, 2]
    assert by_id[ids["berlin"]]["links"] == [
        {"kind": "supersedes", "to": ids["paris"], "weight": pytest.approx(0.7, abs=0.3)}]
    assert "history" not in by_id[ids["paris"]] and "links" not in by_id[ids["paris"]]
    derived = [line for line in by_id.values() if line["kind"] in ("summary", "profile")]
    assert derived and all(any(k["kind"] == "derived_from" for k in d["links"])
                           for d in derived)


def test_a_hand_written_version_2_file_is_restored_as_written(tmp_path: Path) -> None:
    """Only text and user_id are required; what the store needs is filled in, and a turn
    without its session line does not invent a session."""
    lines = [{"type": "engramdb-export", "version": 2},
             {"type": "record", "user_id": "ana", "text": "I live in Paris.",
              "valid_to": "2024-02-01T00:00:00Z", "archived": True},
             {"type": "record", "user_id": "ana", "kind": "turn", "session_id": "s9",
              "speaker": "ana", "text": "Hello there."}]
    path = tmp_path / "hand.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        assert import_file(m, path).created == 2
        paris, hello = sorted(_everything(m, "ana"), key=lambda r: r.kind)
        assert paris.archived and paris.valid_to == datetime(2024, 2, 1, tzinfo=UTC)
        assert paris.created_at is not None and hello.session_id == "s9"
        assert m.sessions(user_id="ana") == []
        assert [h.id for h in m.search("hello", user_id="ana")] == [hello.id]


# ------------------------------------------- what the planning pass must catch
def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def _counts(m: Memory) -> tuple[int, int]:
    stats = m.stats()
    return stats.records, stats.sessions


def _one_session_and_a_note(tmp_path: Path, user: str = "eve") -> Path:
    """An export of one user: header, a session, its turn, a stand-alone note (line 4)."""
    with Memory(tmp_path / f"{user}-source.db", embedder="fake") as m:
        m.add_session([{"speaker": user, "text": "hello there friend"}], user_id=user,
                      session_id="s1", started_at=T0)
        m.add("I like tea.", user_id=user, timestamp=T0 + timedelta(days=1))
        path = _export(m, tmp_path / f"{user}.jsonl")
    assert [line["type"] for line in _lines(path)] == [
        "engramdb-export", "session", "record", "record"] and _lines(path)[3]["kind"] == "memory"
    return path


def test_an_id_another_user_holds_is_a_conflict_found_before_any_write(tmp_path: Path) -> None:
    """Ids are unique in the whole database: a file record under the id of another user's
    record fails the import before its session is written, without naming that user."""
    lines = _lines(_one_session_and_a_note(tmp_path))
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        secret = m.add("Bob's secret plan.", user_id="bob")
        lines[3].update(id=secret.id, text="Eve's note.")
        del lines[3]["content_hash"]
        path = _write(tmp_path / "evil.jsonl", lines)
        before = _counts(m)
        with pytest.raises(ImportConflictError) as info:
            import_file(m, path)
        assert _counts(m) == before and m.list(user_id="eve") == []
        (conflict,) = info.value.conflicts
        assert conflict.startswith(f"{path}:4: record {secret.id}:")
        assert "bob" not in str(info.value).lower() and "secret" not in str(info.value).lower()
        report = import_file(m, path, skip_bad=True)  # the rest; bob's record untouched
        assert report.skipped == [conflict] and report.created == 1
        assert [r.text for r in m.list(user_id="eve")] == ["hello there friend"]
        assert m.get(secret.id, user_id="bob") == secret


def test_an_id_the_file_gives_to_two_records_is_a_conflict(tmp_path: Path) -> None:
    lines = _lines(_one_session_and_a_note(tmp_path))
    again = {k: v for k, v in lines[3].items() if k != "content_hash"}
    path = _write(tmp_path / "twice.jsonl", [*lines, dict(again, text="I like coffee.")])
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        with pytest.raises(ImportConflictError) as info:
            import_file(m, path)
        assert _counts(m) == (0, 0)
        (conflict,) = info.value.conflicts
        assert conflict.startswith(f"{path}:5: record {lines[3]['id']}: line 4 ")
        report = import_file(m, path, skip_bad=True)  # the first keeps the id
        assert report.skipped == [conflict]
        assert m.get(str(lines[3]["id"]), user_id="eve").text == "I like tea."
    same = _write(tmp_path / "same.jsonl", [*lines, lines[3]])  # a plain repeat is fine
    with Memory(tmp_path / "m2.db", embedder="fake") as m:
        assert import_file(m, same).created == 2


def test_user_override_keeps_past_validity(tmp_path: Path) -> None:
    """A fact superseded and stated again keeps its earlier interval when it moves."""
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        m.add("I live in Berlin.", user_id="ana", timestamp="2023-01-01")
        m.add("I moved to Paris.", user_id="ana", timestamp="2024-01-01")
        m.add("I live in Berlin.", user_id="ana", timestamp="2024-09-01")
        backup = _export(m, tmp_path / "ana.jsonl")
        import_file(m, backup, user_id="bob")
        for user in ("ana", "bob"):
            then = m.search("where do I live?", user_id=user, as_of="2023-06-01")
            assert [h.text for h in then] == ["I live in Berlin."], user


def test_user_override_keeps_two_users_sessions_apart(tmp_path: Path) -> None:
    """Two users' "s1" moved to one user are two sessions, their ids prefixed with the old
    user (cut to the 200-character limit, still distinct); importing again adds nothing."""
    long_user, long_sid = "u" * 150, "s" * 150
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        for user, sid in (("alice", "s1"), ("carol", "s1"), (long_user, long_sid + "a"),
                          (long_user, long_sid + "b")):
            m.add_session([{"speaker": "user", "text": "hi"},
                           {"speaker": "bot", "text": f"hello {user[:5]} {sid[-1]}"}],
                          user_id=user, session_id=sid, started_at=T0)
        backup = _export(m, tmp_path / "all.jsonl")
    with Memory(tmp_path / "t.db", embedder="fake") as t:
        report = import_file(t, backup, user_id="bob")
        sessions = {s.session_id: s.turn_count for s in t.sessions(user_id="bob")}
        assert len(sessions) == 4 and set(sessions.values()) == {2}
        assert {"alice:s1", "carol:s1"} <= set(sessions)
        assert all(len(sid) <= 200 for sid in sessions)
        for sid in sessions:
            turns = t.list(user_id="bob", session_id=sid)
            assert [r.position for r in turns] == [0, 1] and turns[0].text == "hi"
        assert report.created == 8
        assert import_file(t, backup, user_id="bob").created == 0
        assert {s.session_id: s.turn_count for s in t.sessions(user_id="bob")} == sessions


def test_invisible_text_is_refused_before_any_write(tmp_path: Path) -> None:
    """The planning pass refuses what the write would: text of only whitespace and
    zero-width characters fails the file, not the batch after some were committed."""
    lines = _lines(_one_session_and_a_note(tmp_path))
    lines[3].update(text="\u200b \u2060\ufeff")
    del lines[3]["content_hash"]
    path = _write(tmp_path / "blank.jsonl", lines)
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        with pytest.raises(ImportFormatError) as info:
            import_file(m, path)
        assert _counts(m) == (0, 0)
        assert info.value.line == 4 and info.value.field == "text"
        report = import_file(m, path, skip_bad=True)
        assert len(report.skipped) == 1 and report.created == 1
        assert [r.text for r in m.list(user_id="eve")] == ["hello there friend"]
