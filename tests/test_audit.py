"""The audit log of lifecycle actions, through the API and the `engram` CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engramdb import InvalidIdError, InvalidInputError, Memory
from engramdb._models import AuditEntry
from engramdb.cli import main
from engramdb.lifecycle.audit import format_entry

T1 = datetime(2023, 1, 10, tzinfo=UTC)
T2 = datetime(2024, 3, 15, tzinfo=UTC)


def test_every_lifecycle_action_is_logged_newest_first(mem: Memory) -> None:
    berlin = mem.add("I live in Berlin.", user_id="ana", timestamp=T1)
    paris = mem.add("I moved to Paris.", user_id="ana", timestamp=T2)
    note = mem.add("I like green tea.", user_id="ana")
    mem.update(note.id, "I like white tea.", user_id="ana", reason="typo")
    mem.decay(user_id="ana", now=T2 + timedelta(days=4000))
    mem.restore(note.id, user_id="ana")
    mem.delete(paris.id, user_id="ana")

    entries = mem.audit(user_id="ana")
    assert all(isinstance(e, AuditEntry) for e in entries)
    actions = [e.action for e in entries]
    assert actions[:3] == ["reinstate", "delete", "restore"]
    assert {"supersede", "update", "archive"} <= set(actions)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    reinstated = entries[0]
    assert reinstated.record_id == berlin.id
    assert mem.audit(user_id="ana", limit=2) == entries[:2]
    assert [e.action for e in mem.audit(user_id="ana", record_id=note.id)][:2] == [
        "restore", "archive"]
    assert {e.action for e in mem.audit(user_id="ana", actions=["archive", "restore"])} == {
        "archive", "restore"}
    assert mem.audit(user_id="bob") == []  # scoped per user


def test_supersede_entries_never_quote_the_content(mem: Memory) -> None:
    mem.add("I live in Zanzibarville.", user_id="ana", timestamp=T1)
    mem.add("I moved to Quuxtown.", user_id="ana", timestamp=T2)
    entry, = mem.audit(user_id="ana", actions="supersede")
    blob = json.dumps(entry.to_dict()).lower()
    assert "zanzibarville" not in blob and "quuxtown" not in blob
    assert entry.detail["slot"] == "location" and entry.detail["relation"] == "update"
    assert 0.7 <= entry.detail["confidence"] <= 1.0
    line = format_entry(entry)
    assert "supersede" in line and entry.record_id in line


def test_audit_arguments_are_validated(mem: Memory) -> None:
    with pytest.raises(InvalidInputError):
        mem.audit(user_id="ana", limit=0)
    with pytest.raises(InvalidIdError):
        mem.audit(user_id="ana", record_id="nope")


# ----------------------------------------------------------------------- CLI
@pytest.fixture
def engram(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    for name in ("ENGRAM_USER", "ENGRAM_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    db = tmp_path / "cli.db"

    def run(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["--db", str(db), "--user", "ana", *argv])
        return code, capsys.readouterr().out

    return run


def test_cli_audit_and_search_history_flags(engram) -> None:
    code, out = engram("add", "I live in Berlin.", "--timestamp", "2023-01-10", "--json")
    assert code == 0
    berlin = json.loads(out)["id"]
    code, out = engram("add", "We moved to Paris in March.", "--timestamp", "2024-03-15",
                       "--json")
    paris = json.loads(out)["id"]

    def ids(*flags: str) -> list[str]:
        code, out = engram("search", "where do I live?", "--json", *flags)
        assert code == 0
        return [h["record"]["id"] for h in json.loads(out)["hits"]]

    assert ids() == [paris]
    assert ids("--include-superseded") == [paris, berlin]
    assert ids("--as-of", "2023-06-01") == [berlin]

    code, out = engram("search", "where do I live?", "--include-superseded")
    assert code == 0 and "superseded" in out

    code, out = engram("audit", "--json")
    assert code == 0
    entry, = json.loads(out)
    assert entry["action"] == "supersede" and entry["record_id"] == berlin
    assert entry["detail"]["by"] == paris
    code, out = engram("audit")
    assert code == 0 and "supersede" in out and berlin in out
    code, out = engram("audit", "--action", "delete")
    assert code == 0


def test_cli_decay_dry_run(engram) -> None:
    engram("add", "I once tried skydiving.", "--timestamp", "2000-01-01")
    code, out = engram("decay", "--dry-run", "--json")
    assert code == 0 and len(json.loads(out)["faded"]) == 1
    code, out = engram("audit", "--json")
    assert json.loads(out) == []  # a dry run changes nothing
