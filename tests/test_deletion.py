"""Verified deletion: planted canaries are gone from every API and from the file's bytes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from engramdb import Memory, NotFoundError, Scope
from engramdb.store import Key, NewRecord

# One unique canary per place content can live; lower-case (FTS5 lower-cases its tokens).
TURN = "zqcanaryturn"
SISTER = "Zqcanarysister"  # becomes a profile fact
MEMORY = "zqcanarymemory"
META = "zqcanarymeta"
TURN_META = "zqcanaryturnmeta"
VERSION1 = "zqcanaryversionone"
VERSION2 = "zqcanaryversiontwo"
REASON = "zqcanaryreason"
SESSION_META = "zqcanarysessionmeta"
KEY = "zqcanarykey"
ENTITY = "Zqcanaryentity"
ALL = [TURN, SISTER, MEMORY, META, TURN_META, VERSION1, VERSION2, REASON, SESSION_META, KEY,
       ENTITY]
BOB = "zqbobcanary"


def _files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir()
            if p.name.startswith(path.name)}


def _raw_hits(path: Path, needles: list[str]) -> list[tuple[str, str]]:
    found = []
    for name, data in _files(path).items():
        low = data.lower()
        for needle in needles:
            if needle.lower().encode() in low:
                found.append((name, needle))
    return found


def _plant(mem: Memory) -> dict[str, str]:
    """Plant every canary of user ana (and bob's own data); return the ids to delete."""
    ids: dict[str, str] = {}
    turns = mem.add_session([
        {"speaker": "ana", "text": f"I hid the spare key under the {TURN} flowerpot by the "
                                   "garage door, remember that.", "metadata": {"tag": TURN_META}},
        {"speaker": "bot", "text": "Noted, I will remember where the key is."},
        {"speaker": "ana", "text": "haha ok"},
        {"speaker": "bot", "text": "Anything else?"},
        {"speaker": "ana", "text": f"My sister {SISTER} lives in Porto with her two cats."},
    ], user_id="ana", session_id="s1", started_at="2024-03-01T10:00:00Z",
        metadata={"topic": SESSION_META})
    ids["turn"], ids["sister"] = turns[0].id, turns[4].id
    mem.add_session([{"speaker": "ana", "text": "I moved to Lisbon in March for a new job."},
                     {"speaker": "ana", "text": "My favourite band is Radiohead."}],
                    user_id="ana", session_id="s2", started_at="2024-04-01T10:00:00Z")
    ids["memory"] = mem.add(f"My locker code word is {MEMORY} at the gym.", user_id="ana").id
    ids["meta"] = mem.add("I prefer window seats on trains.", user_id="ana",
                          metadata={"source": META}).id
    versioned = mem.add(f"My wifi password is {VERSION1}.", user_id="ana")
    mem.update(versioned.id, f"My wifi password is {VERSION2}.", user_id="ana",
               reason=f"changed from {REASON}")
    ids["versioned"] = versioned.id
    # expanded keys and graph rows are written by the recall layer: plant them at the store
    scope = Scope("ana")
    rec = mem.add("I keep a paper diary.", user_id="ana")
    ids["keyed"] = rec.id
    keyed = mem._intake.record(scope, "My diary is hidden in the attic.", kind="memory",
                            timestamp=None, metadata=None)
    vec = mem._embed([keyed.text])
    mem.store.add([NewRecord(keyed, keyed.text, keys=[Key("fact", f"diary location {KEY}")])],
                  vec)
    ids["keys"] = keyed.id
    conn = mem.store._db.raw  # graph rows: no public writer yet
    rowid = conn.execute("SELECT rowid FROM records WHERE id=?", (keyed.id,)).fetchone()[0]
    conn.execute("INSERT INTO entities (user_id, name) VALUES ('ana', ?)", (ENTITY,))
    conn.execute("INSERT INTO mentions VALUES (last_insert_rowid(), ?)", (rowid,))
    # bob: untouched by everything ana does
    mem.add(f"Bob's locker code word is {BOB}.", user_id="bob")
    mem.add_session([{"speaker": "bob", "text": f"My brother {BOB} Smith lives in Leeds."}],
                    user_id="bob", session_id="s1")
    mem.consolidate(user_id="bob")
    return ids


def _api_text(mem: Memory, user: str, queries: list[str]) -> str:
    """Everything the API returns for ``user``, as one string."""
    out = []
    for q in queries:
        for method in ("bm25", "dense", "hybrid", "engram"):
            for hit in mem.search(q, user_id=user, method=method, limit=50, context=3):
                out.append(json.dumps(hit.to_dict(), default=str))
        hits = mem.search(q, user_id=user, kinds=["summary", "profile"], limit=50)
        out.extend(json.dumps(h.to_dict(), default=str) for h in hits)
    for record in mem.list(user_id=user):
        out.append(json.dumps(record.to_dict(), default=str))
        out.extend(v.text + (v.reason or "") for v in mem.history(record.id, user_id=user))
    out.extend(json.dumps(s.metadata) for s in mem.sessions(user_id=user))
    buf = io.StringIO()
    mem.export(buf, user_id=user)
    out.append(buf.getvalue())
    out.append(json.dumps(mem.profile(user_id=user).to_dict()))
    out.extend(json.dumps(a.to_dict()) for a in mem.store.audit(Scope(user), limit=10_000))
    if hasattr(mem, "audit"):
        out.extend(json.dumps(a.to_dict(), default=str) for a in mem.audit(user_id=user))
    return "\n".join(out).lower()


def test_canaries_are_everywhere_before_deletion(tmp_path):
    path = tmp_path / "canary.db"
    with Memory(path, embedder="fake") as mem:
        _plant(mem)
        mem.consolidate(user_id="ana")
        seen = _api_text(mem, "ana", ALL)
        # the precondition of the real test: each canary is reachable through the API ...
        for canary in (TURN, SISTER, MEMORY, META, TURN_META, VERSION1, VERSION2, REASON,
                       SESSION_META):
            assert canary.lower() in seen, canary
        summaries = " ".join(r.text for r in mem.list(user_id="ana", kinds=["summary"]))
        assert TURN in summaries and SISTER in summaries  # ... including derived records
        assert f"sister {SISTER}" in mem.profile(user_id="ana").people
        # ... and the bytes are in the file
        assert {n for _, n in _raw_hits(path, ALL)} == set(ALL)


def test_delete_forget_and_delete_all_leave_no_trace(tmp_path):
    path = tmp_path / "canary.db"
    with Memory(path, embedder="fake") as mem:
        ids = _plant(mem)
        mem.consolidate(user_id="ana")
        mem.delete(ids["turn"], user_id="ana")  # default: no compaction yet
        mem.delete(ids["sister"], user_id="ana", reason="user asked")
        mem.delete(ids["meta"], user_id="ana")
        mem.delete(ids["versioned"], user_id="ana")
        mem.delete(ids["keys"], user_id="ana")
        gone = mem.forget(MEMORY, user_id="ana")  # compacts by default
        assert [r.id for r in gone] == [ids["memory"]]
        mem.delete_all(user_id="ana", session_id="s1")  # the session row and its metadata

        # no API finds anything, for any canary, by any method
        assert not [c for c in ALL if c.lower() in _api_text(mem, "ana", ALL)]
        for key in ("turn", "sister", "memory", "meta", "versioned", "keys"):
            with pytest.raises(NotFoundError):
                mem.get(ids[key], user_id="ana")
            with pytest.raises(NotFoundError):
                mem.history(ids[key], user_id="ana")
        # the derived records were rebuilt without the deleted sources, not just dropped
        profile = mem.profile(user_id="ana")
        assert profile.location == "Lisbon" and "band Radiohead" in profile.preferences
        assert mem.list(user_id="ana", kinds=["summary"])
        # the audit says what happened, never what was said
        actions = [a.action for a in mem.store.audit(Scope("ana"), limit=10_000)]
        assert actions.count("delete") >= 7 and "update" in actions
        # bob is untouched
        assert BOB in mem.search(BOB, user_id="bob")[0].text
        assert any(BOB in r.text for r in mem.list(user_id="bob", kinds=["summary"]))
        # and no byte of the file, its WAL or shared memory holds a canary (file open)
        assert _raw_hits(path, ALL) == []
        assert (BOB,) in {(n,) for _, n in _raw_hits(path, [BOB])}
    assert _raw_hits(path, ALL) == []  # and closed


def test_delete_all_of_a_user_leaves_no_trace(tmp_path):
    path = tmp_path / "all.db"
    with Memory(path, embedder="fake") as mem:
        _plant(mem)
        mem.consolidate(user_id="ana")
        assert mem.delete_all(user_id="ana") > 0
        assert mem.list(user_id="ana") == [] and mem.sessions(user_id="ana") == []
        assert mem.profile(user_id="ana").facts == []
        assert not [c for c in ALL if c.lower() in _api_text(mem, "ana", ALL)]
        assert _raw_hits(path, ALL) == []
        assert mem.search(BOB, user_id="bob")


def test_without_purge_the_api_forgets_at_once_and_compact_erases_the_bytes(tmp_path):
    path = tmp_path / "lazy.db"
    with Memory(path, embedder="fake") as mem:
        rec = mem.add(f"The vault combination is {MEMORY}.", user_id="ana")
        mem.add("An unrelated memory about tea.", user_id="ana")
        mem.delete(rec.id, user_id="ana")
        assert MEMORY not in _api_text(mem, "ana", [MEMORY])
        result = mem.compact()
        assert result["vacuumed"] and "records_fts" in result["fts_optimized"]
        assert result["wal_truncated"]
        assert _raw_hits(path, [MEMORY]) == []


def test_delete_with_purge_erases_the_bytes(tmp_path):
    path = tmp_path / "purge.db"
    with Memory(path, embedder="fake") as mem:
        rec = mem.add(f"The vault combination is {MEMORY}.", user_id="ana")
        mem.add("An unrelated memory about tea.", user_id="ana")
        mem.delete(rec.id, user_id="ana", purge=True)
        assert _raw_hits(path, [MEMORY]) == []
        assert mem.search("tea", user_id="ana")[0].text == "An unrelated memory about tea."


def test_forget_is_conservative_and_has_a_dry_run(mem):
    a = mem.add("My old phone is a Nokia 3310.", user_id="ana")
    b = mem.add("I like long walks on the beach.", user_id="ana")
    mem.add("My old phone is a Nokia 3310.", user_id="bob")
    would = mem.forget("Nokia phone", user_id="ana", dry_run=True)
    assert [r.id for r in would] == [a.id]
    assert mem.get(a.id, user_id="ana")  # dry run deleted nothing
    assert mem.forget("quantum chromodynamics", user_id="ana") == []  # no word of it: nothing
    # not every word is in the text: only a confident hit would go
    assert mem.forget("Nokia smartphone", user_id="ana", min_confidence=0.999) == []
    assert [r.id for r in mem.forget("Nokia phone", user_id="ana")] == [a.id]
    assert [r.id for r in mem.list(user_id="ana")] == [b.id]
    assert mem.search("Nokia", user_id="bob")  # another user's copy stays
    reasons = [e.reason for e in mem.store.audit(Scope("ana"), actions=["delete"])]
    assert reasons == ["forget"]  # never the query


def test_forget_does_not_delete_summaries_directly_but_rebuilds_them(mem):
    mem.add_session([{"speaker": "ana", "text": f"My bank PIN hint is {MEMORY} and the cat."},
                     {"speaker": "ana", "text": "I moved to Lisbon in March for a new job."}],
                    user_id="ana", session_id="s1")
    mem.consolidate(user_id="ana")
    gone = mem.forget(MEMORY, user_id="ana")
    assert [r.kind for r in gone] == ["turn"]
    summary, = mem.list(user_id="ana", kinds=["summary"])
    assert MEMORY not in summary.text and "Lisbon" in summary.text


def test_audit_reasons_of_a_deleted_record_are_scrubbed(mem):
    rec = mem.add("My manager is Tom.", user_id="ana")
    mem.update(rec.id, "My manager is Sara.", user_id="ana", reason=f"Tom left, {REASON}")
    before = mem.store.audit(Scope("ana"), record_id=rec.id)
    assert any(REASON in (a.reason or "") for a in before)
    mem.delete(rec.id, user_id="ana")
    after = mem.store.audit(Scope("ana"), record_id=rec.id)
    assert after[0].action == "delete" and len(after) == len(before) + 1
    assert all(REASON not in json.dumps(a.to_dict()) for a in after)


# ------------------------------------------------------------------------ CLI
@pytest.fixture
def engram(tmp_path, capsys, monkeypatch):
    from engramdb.cli import main

    for name in ("ENGRAM_USER", "ENGRAM_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    db = tmp_path / "cli.db"

    def run(*argv):
        capsys.readouterr()
        code = main(["--db", str(db), *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_forget_dry_run_then_yes(engram, monkeypatch):
    assert engram("--user", "maya", "add", "My old phone is a Nokia 3310.")[0] == 0
    assert engram("--user", "maya", "add", "I like long walks.")[0] == 0
    code, out, err = engram("--user", "maya", "forget", "Nokia phone", "--dry-run")
    assert code == 0 and "Nokia 3310" in out and "dry run" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: --yes is required
    code, _, err = engram("--user", "maya", "forget", "Nokia phone")
    assert code == 2 and "--yes" in err
    code, out, _ = engram("--user", "maya", "forget", "Nokia phone", "--yes", "--json")
    data = json.loads(out)
    assert code == 0 and data["deleted"] and data["count"] == 1
    assert data["records"][0]["text"] == "My old phone is a Nokia 3310."
    code, out, err = engram("--user", "maya", "forget", "Nokia phone", "--yes")
    assert code == 0 and "nothing was deleted" in err


def test_forget_reaches_superseded_and_archived_records(mem):
    old = mem.add(f"I live in {SISTER}ville.", user_id="ana", timestamp="2020-01-01")
    mem.store.update(Scope("ana"), old.id, text=None, index_text=None, vector=None,
                     reason=None, fields={"archived": 1})
    assert mem.search(f"{SISTER}ville", user_id="ana") == []  # hidden from search ...
    gone = mem.forget(f"{SISTER}ville", user_id="ana")
    assert [r.id for r in gone] == [old.id]  # ... but not from forget


def test_forget_a_name_takes_every_record_that_says_it(tmp_path):
    from engramdb import Memory

    with Memory(tmp_path / "f.db", embedder="fake") as m:
        m.add_session([{"speaker": "ana", "text": "We adopted a beagle, her name is Biscuit."},
                       {"speaker": "assistant", "text": "Lovely! How old is Biscuit?"},
                       {"speaker": "ana", "text": "Two. We picked her up last Saturday."}],
                      user_id="ana", session_id="s1")
        m.add("Biscuit hates the vacuum cleaner", user_id="ana")
        gone = m.forget("Biscuit", user_id="ana")
        assert len(gone) == 3 and all("Biscuit" in r.text for r in gone)
        left = m.list(user_id="ana")
        assert [r.text for r in left] == ["Two. We picked her up last Saturday."]
