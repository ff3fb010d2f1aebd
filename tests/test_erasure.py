"""Forget reaches every place a user's words live, and erasure says whether the bytes
are provably gone (issue 10, defects 3 and 4)."""

from __future__ import annotations

import json
import sqlite3

from engramdb import Memory
from tests._cli_run import run_cli

SECRET = "cnryxyzqwv"


def _bytes(path) -> bytes:
    out = b""
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            out += p.read_bytes()
    return out


def _everywhere(m: Memory, path, user: str, secret: str) -> list[str]:
    """Every place the secret is still visible: APIs, export, every table, raw bytes."""
    import io

    seen = []
    if any(secret in json.dumps(r.metadata) + r.text for r in m.list(user_id=user,
                                                                    include_superseded=True)):
        seen.append("list")
    if any(secret in h.text for h in m.search(secret, user_id=user)):
        seen.append("search")
    buf = io.StringIO()
    m.export(buf, user_id=user)
    if secret in buf.getvalue():
        seen.append("export")
    if any(secret in json.dumps(a.detail) + (a.reason or "") for a in m.audit(user_id=user)):
        seen.append("audit")
    conn = sqlite3.connect(path)
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            if any(secret.encode() in (c if isinstance(c, bytes) else str(c).encode())
                   for c in row):
                seen.append(table)
                break
    conn.close()
    if secret.encode() in _bytes(path):
        seen.append("bytes")
    return seen


def test_forget_reaches_metadata(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        m.add("Note", user_id="v", metadata={"secret": SECRET})
        m.add("I like pears", user_id="v")
        gone = m.forget(SECRET, user_id="v")
        assert [r.text for r in gone] == ["Note"]
        assert gone.erasure.verified, gone.erasure.message
        assert _everywhere(m, path, "v", SECRET) == []
        assert [r.text for r in m.list(user_id="v")] == ["I like pears"]


def test_forget_reaches_merged_wording(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        kept = m.add(f"My dog is called Rex {SECRET}", user_id="v")
        merged = m.add(f"my dog is called rex {SECRET}!", user_id="v")
        assert merged.id == kept.id  # merged: the second wording lives in merged_from
        gone = m.forget(SECRET, user_id="v")
        assert len(gone) == 1 and gone.verified
        assert _everywhere(m, path, "v", SECRET) == []


def test_forget_reaches_summaries_profile_and_history(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        turns = m.add_session([{"speaker": "v", "text": f"My password is {SECRET} okay"},
                               {"speaker": "bot", "text": "Noted, I will remember it"}],
                              user_id="v")
        m.update(turns[0].id, f"My password is {SECRET} or so", user_id="v")
        m.consolidate(user_id="v")
        gone = m.forget(SECRET, user_id="v")
        assert gone.verified, gone.erasure.message
        assert _everywhere(m, path, "v", SECRET) == []


def test_forget_leaves_other_users_alone(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        m.add(f"code {SECRET}", user_id="v")
        m.add(f"code {SECRET}", user_id="w")
        gone = m.forget(SECRET, user_id="v")
        assert len(gone) == 1 and gone.verified  # w's copy is live, not residue
        assert [r.text for r in m.list(user_id="w")] == [f"code {SECRET}"]


def test_erasure_says_when_a_reader_holds_the_wal(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake", busy_timeout=0.3) as m:
        m.add(f"remember {SECRET}", user_id="v")
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM records").fetchone()  # holds a snapshot
        deleted = m.delete_all(user_id="v")
        assert deleted == 1  # still an int
        assert not deleted.erasure.verified and not deleted.erasure.wal_truncated
        assert "WAL" in deleted.erasure.message
        reader.rollback()
        reader.close()
        assert m.compact(wait=1.0)["wal_truncated"]
        assert SECRET.encode() not in _bytes(path)


def test_delete_reports_pending_compaction(mem):
    rec = mem.add(f"remember {SECRET}", user_id="v")
    verdict = mem.delete(rec.id, user_id="v")
    assert not verdict.verified and "compaction" in verdict.message
    rec = mem.add(f"again {SECRET}", user_id="v")
    assert mem.delete(rec.id, user_id="v", purge=True).verified


def test_cli_forget_prints_the_verdict(tmp_path, capsys):
    db = str(tmp_path / "m.db")
    base = ["--db", db, "--user", "v", "--embedder", "fake"]
    assert run_cli(capsys, [*base, "add", f"my code is {SECRET}"]).code == 0
    out = run_cli(capsys, [*base, "forget", SECRET, "--yes", "--json"])
    assert out.code == 0, out.err
    doc = json.loads(out.out)
    assert doc["count"] == 1 and doc["erasure"]["verified"] is True
    out = run_cli(capsys, [*base, "add", f"my code is {SECRET}"])
    out = run_cli(capsys, [*base, "forget", SECRET, "--yes"])
    assert "verified" in out.err
