"""One API suite, three ways in: the embedded Memory, the HTTP Client and the AsyncClient.

The server is real (uvicorn on a free loopback port) and the clients speak HTTP to it:
a call must return the same types and raise the same exception classes either way.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest

from engramdb import (AuditEntry, ConsolidationReport, EmptyTextError, Hit, InvalidIdError,
                      InvalidInputError, Memory, MissingScopeError, NotFoundError, Profile,
                      Record, Session, Version)

from _server import Synced, running

pytest.importorskip("fastapi")

TURNS = [
    {"speaker": "Ana", "text": "I adopted a puppy called Biscuit last week."},
    {"speaker": "Bot", "text": "Congratulations! What breed is Biscuit?"},
    {"speaker": "Ana", "text": "A beagle. She loves the park near my flat in Berlin."},
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from engramdb.server import KeyStore, create_app

    memory = Memory(tmp_path_factory.mktemp("api") / "served.db", embedder="fake")
    key = KeyStore(memory.store).create(prefix="", scopes=["read", "write", "admin"])
    with running(create_app(memory)) as url:
        yield url, key.token
    memory.close()


@pytest.fixture(params=["memory", "client", "async"])
def api(request, served, tmp_path):
    """The same interface three ways; each test uses its own user ids."""
    from engramdb import AsyncClient, Client

    url, token = served
    if request.param == "memory":
        m = Memory(tmp_path / "local.db", embedder="fake")
        yield m
        m.close()
    elif request.param == "client":
        with Client(url, api_key=token) as c:
            yield c
    else:
        s = Synced(lambda: AsyncClient(url, api_key=token))
        yield s
        s.close()


@pytest.fixture
def user(request):
    return "u-" + request.node.name.replace("[", "-").rstrip("]")


def test_add_search_get(api, user):
    rec = api.add("I moved to Berlin last May.", user_id=user, metadata={"src": "chat"})
    api.add("My favourite food is ramen.", user_id=user)
    assert isinstance(rec, Record) and rec.user_id == user and rec.metadata == {"src": "chat"}
    hits = api.search("where did I move?", user_id=user, limit=2)
    assert isinstance(hits[0], Hit) and hits[0].id == rec.id and 0 <= hits.confidence <= 1
    assert isinstance(hits.abstained, bool)
    got = api.get(rec.id, user_id=user)
    assert got.id == rec.id and got.text == rec.text and got.created_at == rec.created_at


def test_search_filters(api, user):
    api.add("Old note about Paris", user_id=user, timestamp="2020-01-01T00:00:00Z",
            metadata={"topic": "travel"})
    new = api.add("New note about Paris", user_id=user, timestamp="2024-01-01T00:00:00Z",
                  metadata={"topic": "travel"}, agent_id="planner")
    since = api.search("Paris", user_id=user, since=datetime(2023, 1, 1, tzinfo=timezone.utc))
    assert [h.id for h in since] == [new.id]
    assert [h.id for h in api.search("Paris", user_id=user, agent_id="planner")] == [new.id]
    assert len(api.search("Paris", user_id=user, metadata={"topic": "travel"})) == 2
    assert api.search("Paris", user_id=user, metadata={"topic": "food"}) == []
    assert api.search("Paris", user_id=user, min_confidence=1.0) == []
    hits = api.search("Paris", user_id=user, method="bm25", kinds=["memory"], limit=1)
    assert len(hits) == 1


def test_sessions_list_and_history(api, user):
    recs = api.add_session(TURNS, user_id=user, session_id="s1",
                           started_at="2023-05-08T13:56:00+00:00")
    assert [r.position for r in recs] == [0, 1, 2] and recs[0].speaker == "Ana"
    sessions = api.sessions(user_id=user)
    assert isinstance(sessions[0], Session) and sessions[0].session_id == "s1"
    listed = api.list(user_id=user, session_id="s1", limit=2, newest_first=True,
                      kinds=["turn"])  # not the pet fact the first turn states
    assert [r.position for r in listed] == [2, 1]
    hits = api.search("what breed is the puppy?", user_id=user, speaker="Ana", context=1)
    assert hits and all(h.record.speaker == "Ana" for h in hits)
    new = api.update(recs[0].id, "I adopted a kitten called Biscuit.", user_id=user,
                     reason="typo")
    assert new.version == 2
    versions = api.history(recs[0].id, user_id=user)
    assert isinstance(versions[0], Version) and [v.version for v in versions] == [1, 2]


def test_add_sessions_writes_each_session_as_add_session(api, user):
    written = api.add_sessions([{"turns": TURNS, "session_id": "a",
                                 "started_at": "2023-05-08T13:56:00+00:00"},
                                {"turns": TURNS[:1], "session_id": "b",
                                 "metadata": {"src": "import"}}], user_id=user)
    assert [[r.position for r in w] for w in written] == [[0, 1, 2], [0]]
    assert all(isinstance(r, Record) for w in written for r in w)
    assert [s.session_id for s in api.sessions(user_id=user)] == ["a", "b"]
    assert api.sessions(user_id=user)[1].metadata == {"src": "import"}
    with pytest.raises(InvalidInputError):
        api.add_sessions([{"turns": TURNS}, {"turns": []}], user_id=user + "-x")
    assert api.sessions(user_id=user + "-x") == []


def test_list_narrows_by_time_metadata_and_archive(api, user):
    api.add("I swim on Fridays.", user_id=user, timestamp="2023-01-05T10:00:00+00:00",
            metadata={"topic": "sport"})
    api.add("I cook ramen.", user_id=user, timestamp="2023-06-05T10:00:00+00:00",
            metadata={"topic": "food"})
    assert [r.text for r in api.list(user_id=user, since="2023-03-01")] == ["I cook ramen."]
    assert [r.text for r in api.list(user_id=user, until=datetime(2023, 3, 1,
                                                                  tzinfo=timezone.utc))] \
        == ["I swim on Fridays."]
    assert [r.text for r in api.list(user_id=user, metadata={"topic": "sport"})] \
        == ["I swim on Fridays."]
    assert len(api.list(user_id=user, include_archived=True)) == 2


def test_unsendable_arguments_are_a_clear_error(api, user):
    with pytest.raises(InvalidInputError):
        api.add("hello", user_id=user, metadata={"blob": b"\x00\x01"})
    with pytest.raises(InvalidInputError):
        api.list(user_id=user, metadata={"when": object()})


def test_add_many_delete_and_delete_all(api, user):
    made = api.add_many(["I play chess.", {"text": "I swim on Fridays.", "importance": 0.9}],
                        user_id=user)
    assert len(made) == 2 and made[1].importance == 0.9
    erasure = api.delete(made[0].id, user_id=user)
    assert isinstance(erasure.verified, bool) and isinstance(erasure.message, str)
    with pytest.raises(NotFoundError):
        api.get(made[0].id, user_id=user)
    gone = api.delete_all(user_id=user)
    assert gone == 1 and isinstance(gone.verified, bool)
    assert api.list(user_id=user) == []


def test_forget_profile_audit_consolidate(api, user):
    api.add_session([{"speaker": "user", "text": "My name is Ana and I live in Lisbon."},
                     {"speaker": "user", "text": "My phone number is old news."}],
                    user_id=user, session_id="s1")
    profile = api.profile(user_id=user)
    assert isinstance(profile, Profile) and profile.user_id == user
    assert profile.location == "Lisbon"
    report = api.consolidate(user_id=user)
    assert isinstance(report, ConsolidationReport) and report.sessions >= 1
    preview = api.forget("phone number", user_id=user, dry_run=True)
    assert all(isinstance(r, Record) for r in preview)
    gone = api.forget("phone number", user_id=user)
    assert [r.id for r in gone] == [r.id for r in preview]
    assert gone.erasure is None or isinstance(gone.erasure.verified, bool)
    entries = api.audit(user_id=user, limit=5)
    assert all(isinstance(e, AuditEntry) for e in entries)


def test_same_errors(api, user):
    with pytest.raises(EmptyTextError):
        api.add("   ", user_id=user)
    with pytest.raises(InvalidIdError):
        api.get("not-an-id", user_id=user)
    with pytest.raises(NotFoundError):
        api.get("a" * 24, user_id=user)
    with pytest.raises(NotFoundError):
        api.update("b" * 24, "new text", user_id=user)
    with pytest.raises(MissingScopeError):
        api.search("x", user_id="")
    with pytest.raises(InvalidInputError):
        api.search("x", user_id=user, limit=0)
    with pytest.raises(InvalidInputError):
        api.search("x", user_id=user, min_confidence=2.0)


def test_export_round_trip(api, user):
    api.add("I keep bees.", user_id=user)
    out = io.StringIO()
    assert api.export(out, user_id=user) == 1
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line]
    assert lines[0]["type"] == "engramdb-export" and lines[1]["text"] == "I keep bees."


def test_messages_add_and_context_search(api, user):
    chat = [{"role": "user", "content": "My daughter Mia starts school in Lyon next week."},
            {"role": "assistant", "content": "Exciting! Is she nervous?"}]
    records = api.add(chat, user_id=user)
    assert isinstance(records, list) and [r.role for r in records] == ["user", "assistant"]
    hits = api.search(user_id=user, messages=[{"role": "user", "content": "Mia is worried "
                                               "about her new school"}])
    assert hits and hits[0].record.session_id == records[0].session_id


def test_decay_restore_compact(api, user):
    from engramdb import ArchivePlan

    old = api.add("I once had a pager.", user_id=user, timestamp="2001-01-01T00:00:00Z",
                  importance=0.1)
    plan = api.decay(user_id=user, now="2030-01-01T00:00:00Z", threshold=0.99, dry_run=True)
    assert isinstance(plan, ArchivePlan) and old.id in plan.ids
    done = api.decay(user_id=user, now="2030-01-01T00:00:00Z", threshold=0.99)
    assert api.get(old.id, user_id=user).archived and old.id in done.ids
    assert not api.restore(old.id, user_id=user).archived
    assert isinstance(api.compact(), dict)


def test_refresh_reembed_backup(api, user, tmp_path):
    rec = api.add("My cat is called Tom.", user_id=user)
    api.consolidate(user_id=user)
    assert api.refresh_derived([rec.id], user_id=user) is None
    with pytest.raises(InvalidIdError):
        api.refresh_derived(["not an id"], user_id=user)
    seen = []
    assert api.reembed(user_id=user, progress=lambda done, total: seen.append((done, total))) >= 1
    assert seen and seen[-1][0] == seen[-1][1]
    assert api.search("what is my cat called?", user_id=user)[0].id == rec.id
    assert api.rekey(user_id=user) >= 1  # keys rebuilt: the search still finds it
    assert api.search("what is my cat called?", user_id=user)[0].id == rec.id
    made = api.backup(tmp_path / "copy.db")
    assert made["records"] >= 1 and made["bytes"] > 0 and made["path"].endswith("copy.db")
    with Memory(made["path"], embedder="fake") as copy:
        assert copy.get(rec.id, user_id=user).text == rec.text
    with pytest.raises(InvalidInputError):
        api.backup(tmp_path)  # a folder, not a file name


def test_clients_mirror_memory():
    """Every public Memory method is on both clients with the same parameters, except the
    low-level restore entry (add_exported: a client imports a whole file instead)."""
    import inspect

    from engramdb import AsyncClient, Client

    public = {n for n, _ in inspect.getmembers(Memory, inspect.isfunction)
              if not n.startswith("_")}
    for cls in (Client, AsyncClient):
        have = {n for n, _ in inspect.getmembers(cls, inspect.isfunction)
                if not n.startswith("_")}
        assert public - have == {"add_exported"}, cls
        for name in public & have:
            assert list(inspect.signature(getattr(cls, name)).parameters) == list(
                inspect.signature(getattr(Memory, name)).parameters), (cls, name)
