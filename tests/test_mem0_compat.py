"""engramdb.compat.mem0: mem0's quickstart runs unchanged against it; results have
mem0's shape; scores are calibrated confidences a caller can threshold."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import types
from pathlib import Path

import pytest

from engramdb import InvalidInputError, MissingScopeError
from engramdb.compat import mem0 as compat
from engramdb.compat.mem0 import AsyncMemory, Memory

# mem0's open-source quickstart (docs.mem0.ai/open-source/python-quickstart), as written
# there; only the literal ids of its get/update/history/delete examples are taken from
# the results, since ids differ per run.
QUICKSTART = textwrap.dedent('''
    from mem0 import Memory

    m = Memory()

    messages = [
        {"role": "user", "content": "I'm planning to watch a movie tonight. Any recommendations?"},
        {"role": "assistant", "content": "How about thriller movies? They can be quite engaging."},
        {"role": "user", "content": "I'm not a big fan of thriller movies but I love sci-fi movies."},
        {"role": "assistant", "content": "Got it! I'll avoid thriller recommendations and suggest sci-fi movies in the future."}
    ]

    # Store inferred memories (default behavior)
    result = m.add(messages, user_id="alice", metadata={"category": "movie_recommendations"})

    # Optionally store raw messages without inference
    result = m.add(messages, user_id="alice", metadata={"category": "movie_recommendations"}, infer=False)

    all_memories = m.get_all(user_id="alice")
    memory_id = all_memories["results"][0]["id"]
    specific_memory = m.get(memory_id)

    related_memories = m.search(query="What do you know about me?", user_id="alice")
    movies = m.search(query="What kind of movies does alice like?", filters={"user_id": "alice"}, limit=3)

    result = m.update(memory_id=memory_id, data="I love India, it is my favorite country.")
    history = m.history(memory_id=memory_id)

    m.delete(memory_id=memory_id)
    m.delete_all(user_id="alice")
    m.reset()
''')


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))  # Memory() keeps its file under ~/.engramdb
    return tmp_path


def test_the_mem0_quickstart_runs_unchanged(home, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "mem0", types.SimpleNamespace(Memory=Memory))
    scope: dict[str, object] = {}
    exec(compile(QUICKSTART, "mem0-quickstart", "exec"), scope)
    assert (home / ".engramdb" / "memory.db").exists()
    alls = scope["all_memories"]["results"]
    assert len(alls) == 8  # four turns (infer) + four raw messages (infer=False)
    assert scope["specific_memory"]["memory"] == alls[0]["memory"]
    best = scope["movies"]["results"]
    assert 0 < len(best) <= 3 and any("love sci-fi" in r["memory"] for r in best)
    item = best[0]
    assert {"id", "memory", "hash", "metadata", "score", "created_at", "user_id"} <= set(item)
    assert item["user_id"] == "alice" and 0.0 <= item["score"] <= 1.0
    assert item["metadata"]["category"] == "movie_recommendations"
    assert scope["result"] == {"message": "Memory updated successfully!"}
    history = scope["history"]
    assert [h["event"] for h in history] == ["ADD", "UPDATE"]
    assert history[1]["new_memory"] == "I love India, it is my favorite country."
    assert history[1]["old_memory"] == history[0]["new_memory"]
    assert scope["m"].get_all(user_id="alice") == {"results": []}


@pytest.fixture
def m(tmp_path):
    memory = Memory.from_config({"engramdb": {"path": tmp_path / "m.db", "embedder": "fake"}})
    yield memory
    memory.close()


def test_add_shapes_and_scopes(m) -> None:
    out = m.add("I love sushi", user_id="bob")
    assert out["results"][0]["memory"] == "I love sushi" and out["results"][0]["event"] == "ADD"
    turns = m.add([{"role": "system", "content": "be nice"},
                   {"role": "user", "content": "I live in Oslo"},
                   {"role": "assistant", "content": "Nice city"}], user_id="bob", run_id="r1")
    assert [r["memory"] for r in turns["results"]] == ["I live in Oslo", "Nice city"]
    assert m.get_all(user_id="bob", run_id="r1")["results"][0]["run_id"] == "r1"
    m.add("prefers short answers", agent_id="helper")
    assert m.get_all(agent_id="helper")["results"][0]["agent_id"] == "helper"
    assert m.get_all(user_id="carol")["results"] == []  # isolated
    with pytest.raises(MissingScopeError):
        m.add("no owner")
    with pytest.raises(InvalidInputError):
        m.add([], user_id="bob")


def test_search_threshold_and_filters(m) -> None:
    m.add("Bob is allergic to peanuts", user_id="bob", metadata={"topic": "health"})
    m.add("Bob plays chess on Sundays", user_id="bob", metadata={"topic": "hobby"})
    hits = m.search("peanuts allergy", user_id="bob")["results"]
    assert hits[0]["memory"] == "Bob is allergic to peanuts"
    assert all(0.0 <= h["score"] <= 1.0 for h in hits)
    strict = m.search("peanuts allergy", user_id="bob", threshold=0.99)["results"]
    assert all(h["score"] >= 0.99 for h in strict)
    only = m.search("Bob", filters={"user_id": "bob", "topic": "hobby"})["results"]
    assert [h["memory"] for h in only] == ["Bob plays chess on Sundays"]
    assert len(m.search("Bob", user_id="bob", limit=1)["results"]) == 1
    with pytest.raises(InvalidInputError, match="equality"):
        m.search("Bob", user_id="bob", filters={"OR": [{"topic": "x"}]})


def test_get_update_delete_by_id_alone(m, tmp_path) -> None:
    rid = m.add("Bob lives in Oslo", user_id="bob")["results"][0]["id"]
    fresh = Memory(engram=m.engram)  # no cache of owners: found by lookup
    assert fresh.get(rid)["memory"] == "Bob lives in Oslo"
    assert fresh.get("0" * 24) is None and fresh.get("not-an-id") is None
    fresh.update(rid, "Bob lives in Bergen")
    assert m.get(rid, user_id="bob")["memory"] == "Bob lives in Bergen"
    assert fresh.delete(rid) == {"message": "Memory deleted successfully!"}
    assert m.get(rid) is None


def test_from_config_maps_mem0_keys(tmp_path) -> None:
    from engramdb.compat._mem0_config import engram_options, llm_from_config
    from engramdb.embed import OpenAIEmbedder

    opts = engram_options({
        "vector_store": {"provider": "qdrant", "config": {"path": str(tmp_path / "q")}},
        "embedder": {"provider": "ollama", "config": {"model": "nomic-embed-text",
                                                       "ollama_base_url": "http://h:11434"}},
        "version": "v1.1", "history_db_path": "/x/history.db"})
    assert opts["path"] == tmp_path / "q" / "engramdb.db"
    assert isinstance(opts["embedder"], OpenAIEmbedder)
    assert opts["embedder"].url == "http://h:11434/v1/embeddings"
    mini = engram_options({"embedder": {"provider": "huggingface",
                                        "config": {"model": "sentence-transformers/all-MiniLM-L6-v2"}}})
    assert mini["embedder"] == "minilm"
    llm = llm_from_config({"llm": {"provider": "openai", "config": {"model": "gpt-4o-mini",
                                                                   "temperature": 0.1}}})
    assert llm.model == "gpt-4o-mini"
    with pytest.raises(InvalidInputError, match="graph_store"):
        engram_options({"graph_store": {"provider": "neo4j"}})
    with pytest.raises(InvalidInputError, match="not supported"):
        engram_options({"embedder": {"provider": "gemini", "config": {"model": "x"}}})


def test_async_memory(tmp_path) -> None:
    async def run() -> list:
        am = await AsyncMemory.from_config({"engramdb": {"path": tmp_path / "a.db",
                                                         "embedder": "fake"}})
        async with am:
            await asyncio.gather(*(am.add(f"fact number {i}", user_id="u") for i in range(5)))
            found = await am.search("fact number 3", user_id="u", limit=1)
            return [found, await am.get_all(user_id="u")]

    found, everything = asyncio.run(run())
    assert found["results"][0]["memory"] == "fact number 3"
    assert len(everything["results"]) == 5
    assert compat.AsyncMemory is AsyncMemory
