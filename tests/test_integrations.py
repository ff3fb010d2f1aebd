"""Each framework adapter driven through its framework's own interface (installed
packages, no network, no LLM): LangGraph's BaseStore inside a compiled graph, the OpenAI
Agents SDK's Runner with a scripted model, LlamaIndex's Memory with a memory block."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from engramdb import Memory

pytest.importorskip("langgraph")


@pytest.fixture
def mem(tmp_path):
    m = Memory(tmp_path / "frameworks.db", embedder="fake")
    yield m
    m.close()


# ------------------------------------------------------------------ LangGraph
def test_langgraph_store_api(mem) -> None:
    from langgraph.store.base import BaseStore, Item, SearchItem

    from engramdb.integrations.langgraph import EngramStore

    store = EngramStore(mem)
    assert isinstance(store, BaseStore)
    ana, bo = ("memories", "ana"), ("memories", "bo")
    store.put(ana, "m1", {"text": "Ana keeps bees in her garden", "kind": "hobby", "n": 3})
    store.put(ana, "m2", {"text": "Ana is allergic to peanuts", "kind": "health", "n": 5})
    store.put(bo, "m1", {"text": "Bo plays the cello", "kind": "hobby", "n": 1})
    got = store.get(ana, "m1")
    assert isinstance(got, Item) and got.value["text"] == "Ana keeps bees in her garden"
    assert got.namespace == ana and got.key == "m1"
    first_created = got.created_at
    store.put(ana, "m1", {"text": "Ana keeps bees and hens", "kind": "hobby", "n": 4})
    again = store.get(ana, "m1")
    assert again.value["text"] == "Ana keeps bees and hens" and again.created_at == first_created
    assert again.updated_at >= first_created
    hits = store.search(("memories", "ana"), query="peanut allergy")
    assert hits and isinstance(hits[0], SearchItem) and hits[0].key == "m2"
    assert 0.0 <= hits[0].score <= 1.0
    assert {h.namespace for h in store.search(("memories",), query="hobby")} <= {ana, bo}
    assert [h.key for h in store.search(("memories",), filter={"kind": "hobby", "n": {"$gte": 2}})] \
        == ["m1"]
    assert len(store.search(("memories",), limit=2)) == 2
    assert store.list_namespaces(prefix=("memories",)) == [ana, bo]
    assert store.list_namespaces(suffix=("bo",)) == [bo]
    assert store.list_namespaces(max_depth=1) == [("memories",)]
    store.delete(ana, "m2")
    assert store.get(ana, "m2") is None
    assert store.get(("nobody",), "m1") is None
    assert [h.key for h in store.search(ana)] == ["m1"]
    # namespaces are engramdb users: isolated from each other
    assert {h.namespace for h in store.search(ana, query="cello")} == {ana}


def test_langgraph_graph_uses_the_store(mem) -> None:
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph
    from langgraph.store.base import BaseStore

    from engramdb.integrations.langgraph import EngramStore

    class State(TypedDict):
        user: str
        message: str
        recalled: list[str]

    def remember(state: State, *, store: BaseStore) -> dict[str, Any]:
        namespace = ("memories", state["user"])
        found = store.search(namespace, query=state["message"], limit=3)
        store.put(namespace, f"m{len(store.search(namespace, limit=100))}",
                  {"text": state["message"]})
        return {"recalled": [item.value["text"] for item in found]}

    builder = StateGraph(State)
    builder.add_node("remember", remember)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", END)
    graph = builder.compile(store=EngramStore(mem))
    graph.invoke({"user": "ana", "message": "My sister Lena lives in Lisbon.", "recalled": []})
    out = graph.invoke({"user": "ana", "message": "Where does Lena live?", "recalled": []})
    assert out["recalled"] == ["My sister Lena lives in Lisbon."]
    other = graph.invoke({"user": "bo", "message": "Where does Lena live?", "recalled": []})
    assert other["recalled"] == []  # another user's namespace sees nothing of Ana's


def test_langgraph_async_api(mem) -> None:
    from engramdb.integrations.langgraph import EngramStore

    store = EngramStore(mem)

    async def run() -> Any:
        await store.aput(("notes",), "k", {"text": "async note"})
        return await store.aget(("notes",), "k"), await store.asearch(("notes",), query="note")

    item, hits = asyncio.run(run())
    assert item.value == {"text": "async note"} and hits[0].key == "k"


# ---------------------------------------------------------- OpenAI Agents SDK
def _scripted_model(replies: list[str], seen: list[Any]) -> Any:
    from agents.items import ModelResponse
    from agents.models.interface import Model
    from agents.usage import Usage
    from openai.types.responses import ResponseOutputMessage, ResponseOutputText

    class Scripted(Model):
        async def get_response(self, system_instructions, input, *args: Any,
                               **kwargs: Any) -> Any:
            seen.append(input)
            text = replies.pop(0)
            message = ResponseOutputMessage(
                id=f"msg_{len(seen)}", type="message", role="assistant", status="completed",
                content=[ResponseOutputText(type="output_text", text=text, annotations=[])])
            return ModelResponse(output=[message], usage=Usage(), response_id=None)

        def stream_response(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

    return Scripted()


def test_openai_agents_runner_keeps_history_in_engramdb(mem) -> None:
    from agents import Agent, RunConfig, Runner
    from agents.memory.session import Session

    from engramdb.integrations.openai_agents import EngramSession

    seen: list[Any] = []
    model = _scripted_model(["Noted: your cat is Miso.", "Your cat is called Miso."], seen)
    agent = Agent(name="assistant", instructions="Be brief.", model=model)
    session = EngramSession("chat-1", mem, user_id="ana")
    assert isinstance(session, Session)
    config = RunConfig(tracing_disabled=True)

    async def run() -> Any:
        await Runner.run(agent, "My cat is called Miso.", session=session, run_config=config)
        return await Runner.run(agent, "What is my cat called?", session=session,
                                run_config=config)

    result = asyncio.run(run())
    assert result.final_output == "Your cat is called Miso."
    second_input = seen[1]  # the SDK gave the model the history read from engramdb
    texts = [str(item.get("content")) for item in second_input if isinstance(item, dict)]
    assert any("My cat is called Miso." in t for t in texts)
    items = asyncio.run(session.get_items())
    assert len(items) == 4 and items[0]["content"] == "My cat is called Miso."
    assert asyncio.run(session.get_items(limit=1))[0]["role"] == "assistant"
    # long-term: another session of the user recalls it
    later = EngramSession("chat-2", mem, user_id="ana")
    assert "Miso" in later.search("what is the name of my cat?")[0].text


def test_openai_agents_session_protocol(mem) -> None:
    from engramdb.integrations.openai_agents import EngramSession

    session = EngramSession("s", mem, user_id="bo")

    async def run() -> Any:
        await session.add_items([{"role": "user", "content": "yes"}])
        await session.add_items([{"role": "user", "content": "yes"},  # said again: kept
                                 {"type": "function_call", "name": "lookup",
                                  "arguments": '{"q": "weather"}', "call_id": "c1"}])
        items = await session.get_items()
        popped = await session.pop_item()
        after = await session.get_items()
        await session.clear_session()
        return items, popped, after, await session.get_items(), await session.pop_item()

    items, popped, after, cleared, none = asyncio.run(run())
    assert [i.get("content") for i in items[:2]] == ["yes", "yes"]
    assert popped["name"] == "lookup" and len(after) == 2
    assert cleared == [] and none is None


# ----------------------------------------------------------------- LlamaIndex
def test_llama_index_memory_block(mem) -> None:
    from llama_index.core.llms import ChatMessage
    from llama_index.core.memory import Memory as LlamaMemory

    from engramdb.integrations.llama_index import EngramMemoryBlock

    block = EngramMemoryBlock(memory=mem, user_id="ana", min_confidence=None)
    chat = LlamaMemory.from_defaults(session_id="s1", token_limit=60, token_flush_size=20,
                                     chat_history_token_ratio=0.5, memory_blocks=[block],
                                     tokenizer_fn=lambda text: text.split())
    chat.put_messages([
        ChatMessage(role="user", content="My daughter Ines starts school in Porto in September."),
        ChatMessage(role="assistant", content="That is exciting news for Ines."),
        *[ChatMessage(role="user", content=f"Filler message number {i} about nothing.")
          for i in range(8)],
    ])
    stored = mem.list(user_id="ana", kinds=("turn",))
    assert stored and stored[0].text.startswith("My daughter Ines")  # flushed into engramdb
    messages = chat.get(input="Where will Ines go to school?")
    system = [m for m in messages if m.role.value == "system"]
    assert system and "Porto" in system[0].content


def test_missing_framework_names_the_extra(monkeypatch) -> None:
    import importlib
    import sys

    from engramdb import MissingExtraError

    monkeypatch.setitem(sys.modules, "langgraph.store.base", None)
    monkeypatch.delitem(sys.modules, "engramdb.integrations.langgraph", raising=False)
    with pytest.raises(MissingExtraError, match=r"engramdb\[frameworks\]"):
        importlib.import_module("engramdb.integrations.langgraph")
