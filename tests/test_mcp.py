"""MCP with the official SDK client: stdio against `engram mcp` in a subprocess, and
streamable HTTP against the server's /mcp behind API keys."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from engramdb import Memory

from _server import running

pytest.importorskip("mcp")

ROOT = Path(__file__).resolve().parents[1]
TOOLS = {"add_memory", "search_memory", "get_memory", "update_memory", "delete_memory",
         "forget", "profile"}


async def exercise(session) -> None:
    """List the tools, check their schemas, call each, check the errors."""
    await session.initialize()
    tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert len(tool.description) > 40  # something an agent can act on
        assert tool.input_schema["type"] == "object"
    search_props = tools["search_memory"].input_schema["properties"]
    assert {"query", "messages"} <= set(search_props)
    assert not tools["search_memory"].input_schema.get("required")
    hit_props = tools["search_memory"].output_schema["$defs"]["MemoryHit"]["properties"]
    assert {"id", "text", "date", "speaker", "confidence"} <= set(hit_props)

    added = (await session.call_tool("add_memory", {"text": "My sister Lena lives in Porto."}))
    assert not added.is_error
    rid = added.structured_content["id"]
    found = (await session.call_tool("search_memory", {"query": "where does Lena live?"}))
    hits = found.structured_content["hits"]
    assert hits[0]["id"] == rid and 0 <= hits[0]["confidence"] <= 1 and hits[0]["date"]
    chat = [{"role": "user", "content": "I'm flying out to visit my sister Lena soon."},
            {"role": "assistant", "content": "Lovely! Where does she live?"}]
    recalled = await session.call_tool("search_memory", {"messages": chat})
    assert not recalled.is_error, recalled.content[0].text
    assert rid in [h["id"] for h in recalled.structured_content["hits"]]
    both = await session.call_tool("search_memory", {"query": "Lena", "messages": chat})
    assert both.is_error and "invalid_input" in both.content[0].text
    got = await session.call_tool("get_memory", {"memory_id": rid})
    assert got.structured_content["text"] == "My sister Lena lives in Porto."
    upd = await session.call_tool("update_memory", {"memory_id": rid,
                                                    "text": "My sister Lena lives in Lisbon."})
    assert upd.structured_content["version"] == 2
    prof = await session.call_tool("profile", {})
    assert not prof.is_error and "summary" in prof.structured_content
    preview = await session.call_tool("forget", {"query": "Lena Lisbon", "dry_run": True})
    assert preview.structured_content["deleted"] is False
    gone = await session.call_tool("delete_memory", {"memory_id": rid})
    assert gone.structured_content == {"deleted": True, "id": rid}

    for name, args, code in (("get_memory", {"memory_id": rid}, "not_found"),
                             ("get_memory", {"memory_id": "nope"}, "invalid_id"),
                             ("add_memory", {"text": "   "}, "empty_text"),
                             ("search_memory", {"query": "x", "since": "soon"}, "invalid_input")):
        bad = await session.call_tool(name, args)
        assert bad.is_error and code in bad.content[0].text, bad.content[0].text
        assert "Traceback" not in bad.content[0].text
    missing = await session.call_tool("search_memory", {})
    assert missing.is_error


def test_stdio(tmp_path):
    from mcp import ClientSession, StdioServerParameters, stdio_client

    env = {"PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "ENGRAM_USER": "maya"}
    params = StdioServerParameters(
        command=sys.executable, env=env,
        args=["-m", "engramdb.cli", "--db", str(tmp_path / "m.db"), "--embedder", "fake", "mcp"])

    async def main() -> None:
        with open(tmp_path / "stderr.txt", "w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as session:
                    await exercise(session)
                    other = await session.call_tool("add_memory", {"text": "x", "user_id": "bob"})
                    assert other.is_error and "forbidden" in other.content[0].text
                    await session.call_tool("add_memory", {"text": "I like green tea."})

    asyncio.run(asyncio.wait_for(main(), 60))
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        assert m.users() == ["maya"]


def test_streamable_http_behind_keys(tmp_path):
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    from engramdb.server import KeyStore, create_app

    memory = Memory(tmp_path / "h.db", embedder="fake")
    keys = KeyStore(memory.store)
    ana = keys.create(users=["ana"], scopes=["read", "write"]).token
    many = keys.create(prefix="team-", scopes=["read", "write"]).token
    memory.add("canary-ana-5521 my bank pin", user_id="ana")

    async def session_for(url, token, check):
        async with httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}) as http:
            async with streamable_http_client(f"{url}/mcp", http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await check(session)

    async def tenant_checks(session):
        await session.initialize()
        no_user = await session.call_tool("search_memory", {"query": "pin"})
        assert no_user.is_error and "user_id is required" in no_user.content[0].text
        peek = await session.call_tool("search_memory", {"query": "canary-ana-5521 pin",
                                                         "user_id": "ana"})
        assert peek.structured_content["hits"] == []
        grab = await session.call_tool("add_memory", {"text": "hi", "user_id": "ana"})
        assert grab.is_error and "canary" not in grab.content[0].text

    with running(create_app(memory)) as url:
        assert httpx2.post(f"{url}/mcp", json={}).status_code == 401
        asyncio.run(asyncio.wait_for(session_for(url, ana, exercise), 60))
        asyncio.run(asyncio.wait_for(session_for(url, many, tenant_checks), 60))
    assert [r.text for r in memory.list(user_id="ana")][:1] == ["canary-ana-5521 my bank pin"]
    memory.close()
