"""Consolidation: session/user summaries, the profile, refresh on change, near-dup merge."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from engramdb import Memory, Record, Scope
from engramdb.lifecycle.consolidate import select_salient
from engramdb.lifecycle.merge import COSINE_THRESHOLDS, lexically_same
from engramdb.lifecycle.profile import build_profile
from engramdb.llm import LLM

S1 = [
    {"speaker": "Ana", "text": "Hi, I'm Ana. I moved to Lisbon in March for a new job."},
    {"speaker": "Bot", "text": "Nice! How do you like it so far?"},
    {"speaker": "Ana", "text": "I love it. My sister Marta lives in Porto, so I visit her often."},
    {"speaker": "Ana", "text": "My dog is a greyhound called Pixel and he hates the tram."},
    {"speaker": "Bot", "text": "Pixel sounds like a character!"},
    {"speaker": "Ana", "text": "ok thanks"},
    {"speaker": "Ana", "text": "Also I'm allergic to peanuts, which makes pastries tricky."},
    {"speaker": "Bot", "text": "Good to know, I will remember that."},
]
S2 = [
    {"speaker": "Ana", "text": "I started learning the cello last month."},
    {"speaker": "Bot", "text": "How is it going?"},
    {"speaker": "Ana", "text": "My favourite band is Radiohead, I want to play their songs."},
]


@pytest.fixture
def ana(mem):
    mem.add_session(S1, user_id="ana", session_id="s1", started_at="2024-03-01T10:00:00Z")
    mem.add_session(S2, user_id="ana", session_id="s2", started_at="2024-04-01T10:00:00Z")
    return mem


def _derived(mem, what):
    return [r for r in mem.list(user_id="ana", kinds=["summary", "profile"])
            if r.metadata.get("derived") == what]


def _links(mem, record_id):
    return {dst for _, dst, _ in mem.store.links(Scope("ana"), [record_id], kind="derived_from")}


def test_session_summaries_quote_the_informative_user_statements(ana):
    report = ana.consolidate(user_id="ana")
    assert report.sessions == 2 and len(report.written) == 3  # 2 sessions + the user summary
    s1, = [r for r in _derived(ana, "session") if r.session_id == "s1"]
    assert s1.kind == "summary" and s1.metadata["method"] == "extractive"
    assert s1.text.startswith("Conversation on 2024-03-01.")
    assert "Lisbon" in s1.text and "ok thanks" not in s1.text and "Bot:" not in s1.text
    turns = {r.id: r for r in ana.list(user_id="ana", session_id="s1", kinds=["turn"])}
    assert set(s1.metadata["sources"]) <= set(turns)
    assert _links(ana, s1.id) == set(turns)  # derived_from every input of the session


def test_user_summary_is_built_from_the_sessions(ana):
    report = ana.consolidate(user_id="ana")
    user, = _derived(ana, "user")
    assert report.user_summary_id == user.id and user.session_id is None
    assert "Radiohead" in user.text or "cello" in user.text
    assert "Lisbon" in user.text


def test_consolidate_is_idempotent(ana):
    ana.consolidate(user_id="ana")
    before = {r.id for r in ana.list(user_id="ana", kinds=["summary", "profile"])}
    again = ana.consolidate(user_id="ana")
    assert again.written == [] and again.unchanged == 3 and not again.profile_changed
    assert {r.id for r in ana.list(user_id="ana", kinds=["summary", "profile"])} == before


def test_new_turns_refresh_the_session_summary(ana):
    ana.consolidate(user_id="ana")
    ana.add_session([{"speaker": "Ana", "text": "I bought a red Vespa scooter yesterday."}],
                    user_id="ana", session_id="s2")
    report = ana.consolidate(user_id="ana")
    assert len(report.written) >= 1
    assert len(_derived(ana, "session")) == 2  # replaced, not added


def test_profile_has_the_stable_facts(ana):
    profile = ana.profile(user_id="ana")
    assert profile.name == "Ana"
    assert profile.location == "Lisbon"
    assert "sister Marta" in profile.people
    assert "greyhound Pixel" in profile.values("pet")
    assert "peanuts" in profile.values("allergy")
    assert "band Radiohead" in profile.preferences
    stored, = _derived(ana, "profile")
    assert stored.id == profile.record_id and stored.kind == "profile"
    assert "Lisbon" in stored.text
    assert ana.search("Ana profile Lisbon", user_id="ana", kinds=["profile"])[0].id == stored.id
    assert ana.profile(user_id="ana").record_id == stored.id  # unchanged: same record


def test_profile_includes_memories_and_the_newest_location_wins(mem):
    mem.add("I live in Berlin.", user_id="bo", timestamp="2020-01-01")
    mem.add("We moved to Paris in March.", user_id="bo", timestamp="2023-03-10")
    mem.add("I grew up in Lyon.", user_id="bo")
    profile = mem.profile(user_id="bo")
    assert profile.location == "Paris" and "Lyon" in profile.places


def test_profile_drops_superseded_sources(mem):
    old = mem.add("I live in Berlin.", user_id="bo", timestamp="2020-01-01")
    mem.add("I work as a nurse.", user_id="bo")
    assert "Berlin" in mem.profile(user_id="bo").places
    new = mem.add("I live in Madrid now.", user_id="bo", merge=False)
    mem.store.update(Scope("bo"), old.id, text=None, index_text=None,
                     vector=None, reason="moved", op="supersede",
                     fields={"superseded_by": new.id})
    mem.refresh_derived([old.id], user_id="bo")
    profile = mem.profile(user_id="bo")
    assert "Berlin" not in profile.places and profile.location == "Madrid"
    assert "Berlin" not in _only(mem, "bo", "profile").text


def _only(mem, user, kind):
    found = mem.list(user_id=user, kinds=[kind])
    assert len(found) == 1
    return found[0]


def test_profile_of_a_user_with_nothing_to_say(mem):
    mem.add("ok", user_id="zed")
    profile = mem.profile(user_id="zed")
    assert profile.facts == [] and profile.record_id is None
    assert mem.list(user_id="zed", kinds=["profile"]) == []


def test_update_of_a_source_rebuilds_summary_and_profile(ana):
    ana.consolidate(user_id="ana")
    turn = next(r for r in ana.list(user_id="ana", session_id="s1", kinds=["turn"])
                if "Lisbon" in r.text)
    ana.update(turn.id, "Hi, I'm Ana. I moved to Coimbra in March for a new job.",
               user_id="ana")
    s1, = [r for r in _derived(ana, "session") if r.session_id == "s1"]
    assert "Coimbra" in s1.text and "Lisbon" not in s1.text
    user, = _derived(ana, "user")
    assert "Lisbon" not in user.text
    assert ana.profile(user_id="ana").location == "Coimbra"
    assert "Lisbon" not in _only(ana, "ana", "profile").text


def test_session_deleted_summary_goes(ana):
    ana.consolidate(user_id="ana")
    ana.delete_all(user_id="ana", session_id="s2", purge=False)
    assert [r.session_id for r in _derived(ana, "session")] == ["s1"]
    assert _derived(ana, "user") == []  # one session left: no user-level summary
    assert "Radiohead" not in _only(ana, "ana", "profile").text


class EchoLLM:
    def __init__(self):
        self.prompts = []

    def complete(self, messages, **opts) -> str:
        self.prompts.append(messages[-1]["content"])
        return f"An abstract summary number {len(self.prompts)}."


def test_llm_path_is_one_method(ana):
    llm = EchoLLM()
    assert isinstance(llm, LLM)
    report = ana.consolidate(user_id="ana", llm=llm)
    assert len(llm.prompts) == 3 and "Lisbon" in llm.prompts[0]
    texts = {r.text for r in _derived(ana, "session")} | {r.text for r in _derived(ana, "user")}
    assert all(t.startswith("An abstract summary") for t in texts)
    assert all(r.metadata["method"] == "llm" for r in _derived(ana, "session"))
    assert report.profile is not None and report.profile.location == "Lisbon"
    assert ana.consolidate(user_id="ana", llm=llm).written == []  # inputs unchanged
    # an extractive run replaces the LLM summaries, and a plain callable works too
    ana.consolidate(user_id="ana")
    assert all(r.metadata["method"] == "extractive" for r in _derived(ana, "session"))
    ana.consolidate(user_id="ana", llm=lambda prompt: "Callable summary.")
    assert {r.text for r in _derived(ana, "session")} == {"Callable summary."}


def test_select_salient_prefers_facts_over_chitchat():
    texts = ["ok", "lol yes", "I moved to Lisbon in March and my sister Marta lives in Porto.",
             "What do you think?", "thanks!"]
    records = [Record(id=f"{i:024x}", kind="turn", text=t, user_id="u", speaker="Ana")
               for i, t in enumerate(texts)]
    assert select_salient(records, 1) == [2]
    assert select_salient(records, 0) == [] and select_salient([], 3) == []


# --------------------------------------------------------------- near-duplicate merge
def _pairs():
    text = resources.files("engramdb.bench").joinpath("data/merge_pairs.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("pair", _pairs(), ids=lambda p: p["a"][:30])
def test_lexical_guard_on_hand_written_pairs(pair):
    same, _ = lexically_same(pair["a"], pair["b"])
    assert same is pair["merge"]


@pytest.mark.parametrize("pair", [p for p in _pairs() if p["merge"]], ids=lambda p: p["a"][:30])
def test_true_duplicates_are_merged_at_add_time(mem, pair):
    first = mem.add(pair["a"], user_id="ana", metadata={"source": "chat-1"})
    second = mem.add(pair["b"], user_id="ana", metadata={"source": "chat-2"})
    assert second.id == first.id and second.text == pair["a"]
    merged, = second.metadata["merged_from"]
    assert merged["text"] == pair["b"] and merged["metadata"] == {"source": "chat-2"}
    assert mem.stats().records == 1
    audit = mem.store.audit(Scope("ana"), record_id=first.id)
    assert [a.action for a in audit if a.action == "merge"] == ["merge"]
    assert pair["b"] not in json.dumps([a.to_dict() for a in audit])  # scores, never text


@pytest.mark.parametrize("pair", [p for p in _pairs() if not p["merge"]],
                         ids=lambda p: p["a"][:30])
def test_different_facts_are_never_merged(mem, pair):
    first = mem.add(pair["a"], user_id="ana")
    second = mem.add(pair["b"], user_id="ana")
    assert second.id != first.id


def test_merge_respects_scope_and_can_be_turned_off(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as mem:
        a = mem.add("I am allergic to peanuts.", user_id="ana")
        assert mem.add("I'm allergic to peanuts", user_id="bob").id != a.id  # other user
        assert mem.add("I'm allergic to peanuts", user_id="ana", agent_id="x").id != a.id
        assert mem.add("I'm allergic to peanuts", user_id="ana", merge=False).id != a.id
    with Memory(tmp_path / "n.db", embedder="fake", merge=False) as mem:
        a = mem.add("I am allergic to peanuts.", user_id="ana")
        assert mem.add("I'm allergic to peanuts", user_id="ana").id != a.id


def test_thresholds_exist_for_the_builtin_embedders():
    assert set(COSINE_THRESHOLDS) >= {"fake", "minilm"}


def test_build_profile_ignores_assistant_turns():
    recs = [Record(id=f"{i:024x}", kind="turn", text=t, user_id="u", speaker=s, role=r)
            for i, (s, r, t) in enumerate([("user", "user", "I live in Oslo."),
                                           ("assistant", "assistant", "I live in the cloud."),
                                           ("assistant", "assistant", "My name is Botty.")])]
    profile = build_profile("u", recs)
    assert profile.places == ["Oslo"] and profile.name is None


# ------------------------------------------------------------------------ CLI
def test_cli_consolidate_and_profile(tmp_path, capsys, monkeypatch):
    from engramdb.cli import main

    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    db = str(tmp_path / "cli.db")
    with Memory(db, embedder="fake") as mem:
        mem.add_session(S1, user_id="ana", session_id="s1")
    capsys.readouterr()
    assert main(["--db", db, "consolidate", "--user", "ana", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sessions"] == 1 and len(report["written"]) == 1 and report["profile_id"]
    assert main(["--db", db, "profile", "--user", "ana"]) == 0
    out = capsys.readouterr().out
    assert "Lisbon" in out and "sister Marta" in out
    assert main(["--db", db, "profile", "--user", "ana", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["location"] == "Lisbon"
    assert main(["--db", db, "consolidate", "--user", "ana"]) == 0
    assert "unchanged: 1" in capsys.readouterr().out


def test_imported_derived_records_keep_their_links(ana, tmp_path):
    """A version-2 export restores summaries and the profile with their ids and
    derived_from links: they are not orphans, and consolidation finds them current."""
    import io

    from engramdb._importer import import_file

    ana.consolidate(user_id="ana")
    derived = ana.list(user_id="ana", kinds=["summary", "profile"])
    buf = io.StringIO()
    ana.export(buf, user_id="ana")
    path = tmp_path / "ana.jsonl"
    path.write_text(buf.getvalue())
    with Memory(tmp_path / "copy.db", embedder="fake") as copy:
        import_file(copy, str(path))
        copied = copy.list(user_id="ana", kinds=["summary", "profile"])
        assert copied == derived
        assert all(_links(copy, r.id) == _links(ana, r.id) for r in copied)
        report = copy.consolidate(user_id="ana")
        assert report.written == [] and report.removed == 0 and not report.profile_changed
        assert copy.list(user_id="ana", kinds=["summary", "profile"]) == derived


def test_derived_records_of_a_version_1_export_are_rebuilt_with_links(ana, tmp_path):
    """A version-1 export (older engramdb) is replayed under new ids: its derived records
    arrive without links (orphans) and the next consolidation rebuilds them."""
    import io

    from engramdb._importer import import_file

    ana.consolidate(user_id="ana")
    buf = io.StringIO()
    ana.export(buf, user_id="ana")
    path = tmp_path / "ana.jsonl"
    lines = buf.getvalue().splitlines()
    path.write_text("\n".join(['{"type":"engramdb-export","version":1}', *lines[1:]]) + "\n")
    with Memory(tmp_path / "copy.db", embedder="fake") as copy:
        import_file(copy, str(path))
        copied = [r for r in copy.list(user_id="ana", kinds=["summary", "profile"])]
        assert copied and not any(_links(copy, r.id) for r in copied)  # orphans
        copy.consolidate(user_id="ana")
        rebuilt = copy.list(user_id="ana", kinds=["summary", "profile"])
        assert rebuilt and all(_links(copy, r.id) for r in rebuilt)
