"""Cross-tenant canaries: four tenants, unique canary strings, and ~1500 randomized requests
made with the wrong key over HTTP and MCP. Zero leaks, zero changes to others' data."""

from __future__ import annotations

import asyncio
import json
import random
import uuid

import pytest

from engramdb import Memory

from _server import running

httpx = pytest.importorskip("httpx")

TENANTS = 4


def snapshot(memory: Memory, users: list[str]) -> dict[str, list]:
    out = {}
    for user in users:
        records = memory.list(user_id=user, include_superseded=True)
        out[user] = sorted((r.id, r.text, r.version, tuple(v.text for v in
                                                            memory.history(r.id, user_id=user)))
                           for r in records)
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from engramdb.server import KeyStore, create_app

    memory = Memory(tmp_path_factory.mktemp("canary") / "c.db", embedder="fake")
    keys = KeyStore(memory.store)
    tenants = []
    for t in range(TENANTS):
        users = [f"t{t}-a", f"t{t}-b"]
        canaries, ids = [], []
        for user in users:
            for n in range(3):
                canary = f"canary{uuid.uuid4().hex[:12]}"
                canaries.append(canary)
                ids.append(memory.add(f"My secret code is {canary} number {n}.", user_id=user).id)
            turns = memory.add_session([{"speaker": "user", "text": f"I live at {canaries[-1]} "
                                         "street."}], user_id=user, session_id="s1")
            ids.extend(r.id for r in turns)
        token = keys.create(prefix=f"t{t}-", scopes=["read", "write", "admin"]).token
        tenants.append({"users": users, "canaries": canaries, "ids": ids, "token": token})
    revoked = keys.create(prefix="", scopes=["read", "write", "admin"])
    keys.revoke(revoked.key_id)
    everyone = [u for t in tenants for u in t["users"]]
    before = snapshot(memory, everyone)
    with running(create_app(memory)) as url:
        yield {"url": url, "tenants": tenants, "revoked": revoked.token, "memory": memory,
               "before": before, "everyone": everyone}
    memory.close()


def attacks(rng: random.Random, mine: dict, victim: dict):
    """One randomized request of tenant ``mine`` against ``victim``'s data."""
    user = rng.choice(victim["users"])
    own = rng.choice(mine["users"])
    rid = rng.choice(victim["ids"])
    canary = rng.choice(victim["canaries"])
    as_user = rng.choice([user, own])
    return rng.choice([
        ("POST", "/v1/search", None, {"query": canary, "user_id": user,
                                     "include_superseded": True, "context": 2}),
        ("POST", "/v1/search", None, {"query": f"secret code {canary}", "user_id": own}),
        ("POST", "/v1/search", None, {"messages": [{"role": "user", "content":
                                                    f"remember {canary}?"}], "user_id": user}),
        ("POST", "/v1/reembed", None, {"user_id": user}),
        ("POST", "/v1/reembed", None, {}),
        ("POST", "/v1/refresh-derived", None, {"user_id": user, "record_ids": [rid]}),
        ("GET", "/v1/backup", None, None),
        ("GET", f"/v1/memories/{rid}", {"user_id": as_user}, None),
        ("GET", f"/v1/memories/{rid}/history", {"user_id": as_user}, None),
        ("PATCH", f"/v1/memories/{rid}", None, {"text": "overwritten", "user_id": as_user}),
        ("DELETE", f"/v1/memories/{rid}", {"user_id": as_user, "purge": "true"}, None),
        ("POST", f"/v1/memories/{rid}/restore", {"user_id": as_user}, None),
        ("GET", "/v1/memories", {"user_id": user, "include_superseded": "true"}, None),
        ("GET", "/v1/sessions", {"user_id": user}, None),
        ("GET", "/v1/export", {"user_id": user}, None),
        ("GET", "/v1/export", None, None),
        ("GET", "/v1/profile", {"user_id": user}, None),
        ("GET", "/v1/audit", {"user_id": user, "record_id": rid}, None),
        ("POST", "/v1/forget", None, {"query": canary, "user_id": user, "min_confidence": 0.0}),
        ("DELETE", "/v1/memories", {"user_id": user}, None),
        ("DELETE", "/v1/memories", {"user_id": user, "session_id": "s1"}, None),
        ("POST", "/v1/memories", None, {"text": "planted", "user_id": user}),
        ("POST", "/v1/sessions", None, {"turns": [{"text": "planted"}], "user_id": user}),
        ("POST", "/v1/sessions/batch", None, {"sessions": [{"turns": [{"text": "planted"}]}],
                                              "user_id": user}),
        ("POST", "/v1/consolidate", None, {"user_id": user}),
        ("POST", "/v1/decay", None, {"user_id": user, "threshold": 1.0,
                                    "now": "2100-01-01T00:00:00Z"}),
        ("POST", "/v1/compact", None, None),
        ("GET", "/v1/users", None, None),
        ("GET", "/v1/stats", None, None),
    ])


def test_http_wrong_keys_leak_nothing(world):
    rng = random.Random(1234)
    tenants, leaks, statuses = world["tenants"], [], {}
    with httpx.Client(base_url=world["url"], timeout=30) as http:
        for n in range(1200):
            i, j = rng.sample(range(TENANTS), 2)
            mine, victim = tenants[i], tenants[j]
            token = rng.choice([mine["token"]] * 8 + [world["revoked"], "egk_x_y", ""])
            method, path, params, body = attacks(rng, mine, victim)
            r = http.request(method, path, params=params, json=body,
                             headers={"authorization": f"Bearer {token}"} if token else {})
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            assert r.status_code < 500, (method, path, r.text)
            text = r.text
            if any(c in text for c in victim["canaries"]) or any(
                    u in text for u in victim["users"] if (params or {}).get("user_id") != u
                    and (body or {}).get("user_id") != u):
                leaks.append((method, path, params, body, text[:200]))
    assert leaks == []
    assert statuses.get(200, 0) > 300 and statuses.get(401, 0) > 50 and statuses.get(403, 0) > 10
    assert snapshot(world["memory"], world["everyone"]) == world["before"]


def test_mcp_wrong_keys_leak_nothing(world):
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    rng = random.Random(99)
    tenants = world["tenants"]

    async def one_tenant(i: int, calls: int) -> list:
        mine, leaks = tenants[i], []
        headers = {"authorization": f"Bearer {mine['token']}"}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            async with streamable_http_client(f"{world['url']}/mcp", http_client=http) as (r, w):
                async with ClientSession(r, w) as session:
                    await session.initialize()
                    for _ in range(calls):
                        victim = tenants[rng.choice([t for t in range(TENANTS) if t != i])]
                        user, rid = rng.choice(victim["users"]), rng.choice(victim["ids"])
                        canary = rng.choice(victim["canaries"])
                        name, args = rng.choice([
                            ("search_memory", {"query": canary, "user_id": user}),
                            ("search_memory", {"query": canary,
                                               "user_id": rng.choice(mine["users"])}),
                            ("search_memory", {"messages": [{"role": "user", "content":
                                               f"remember {canary}?"}], "user_id": user}),
                            ("get_memory", {"memory_id": rid, "user_id": user}),
                            ("get_memory", {"memory_id": rid,
                                            "user_id": rng.choice(mine["users"])}),
                            ("update_memory", {"memory_id": rid, "text": "x", "user_id": user}),
                            ("delete_memory", {"memory_id": rid, "user_id": user}),
                            ("forget", {"query": canary, "user_id": user}),
                            ("profile", {"user_id": user}),
                            ("add_memory", {"text": "planted", "user_id": user}),
                        ])
                        result = await session.call_tool(name, args)
                        text = json.dumps(result.structured_content) + " ".join(
                            getattr(c, "text", "") for c in result.content)
                        if any(c in text for c in victim["canaries"] if c != args.get("query")):
                            leaks.append((name, args, text[:200]))
        return leaks

    async def main() -> list:
        found = []
        for i in range(TENANTS):
            found += await one_tenant(i, 75)
        return found

    assert asyncio.run(asyncio.wait_for(main(), 120)) == []
    assert snapshot(world["memory"], world["everyone"]) == world["before"]
