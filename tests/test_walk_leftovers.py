"""What the fifth session's walk left as it was, refused clearly now (sixth session):
each case was accepted silently (or clamped) before its fix."""

from __future__ import annotations

import asyncio

import pytest
from _cli_run import run_cli

from engramdb import Memory
from engramdb._errors import InvalidInputError


# ------------------------------------------------------------- MCP limit
def _mcp_search(memory: Memory, arguments: dict) -> tuple[bool, str]:
    pytest.importorskip("mcp")
    from mcp import Client

    from engramdb.mcp import StdioBinding, build_server

    async def call() -> tuple[bool, str]:
        async with Client(build_server(StdioBinding(memory, "ana"))) as client:
            result = await client.call_tool("search_memory", arguments)
            return result.is_error, result.content[0].text

    return asyncio.run(asyncio.wait_for(call(), 30))


@pytest.mark.parametrize("limit", [0, -3, 51, 10**6])
def test_mcp_search_refuses_a_limit_outside_its_range(mem, limit) -> None:
    mem.add("I live in Porto.", user_id="ana")
    failed, text = _mcp_search(mem, {"query": "Porto", "limit": limit})  # was clamped to 1..50
    assert failed and "invalid_input" in text and "limit" in text and str(limit) in text, text
    assert "Traceback" not in text


def test_mcp_search_limit_in_range(mem) -> None:
    for i in range(3):
        mem.add(f"I visited Porto in 20{10 + i}.", user_id="ana")
    for limit in (1, 50):
        failed, text = _mcp_search(mem, {"query": "Porto", "limit": limit})
        assert not failed and text.count('"id"') == min(limit, 3), text


# -------------------------------------------------------- constructor limits
@pytest.mark.parametrize("kwargs", [{"max_text_chars": 0}, {"max_text_chars": -1},
                                    {"max_metadata_bytes": 0}, {"busy_timeout": -1.0}])
def test_memory_refuses_a_limit_that_cannot_work(tmp_path, kwargs) -> None:
    name = next(iter(kwargs))
    with pytest.raises(InvalidInputError, match=name):  # max_text_chars=0 refused every add
        Memory(tmp_path / "m.db", embedder="fake", **kwargs)
    assert list(tmp_path.iterdir()) == []  # refused before a file was made


# ------------------------------------------------------------------ wait=-1
@pytest.mark.parametrize("call", ["compact", "delete", "delete_all", "forget"])
def test_a_negative_wait_is_refused_before_anything_is_deleted(mem, call) -> None:
    record = mem.add("I moved to Berlin last May.", user_id="ana")
    method = getattr(mem, call)
    args = {"delete": (record.id,), "forget": ("Berlin",)}.get(call, ())
    kwargs = {} if call == "compact" else {"user_id": "ana"}
    with pytest.raises(InvalidInputError, match="wait"):
        method(*args, wait=-1, **kwargs)
    assert mem.get(record.id, user_id="ana").text == record.text


@pytest.mark.parametrize("wait", ["-1", "nan"])
def test_cli_forget_wait_that_is_no_duration(capsys, tmp_path, monkeypatch, wait) -> None:
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    db = str(tmp_path / "f.db")
    with Memory(db, embedder="fake") as m:
        m.add("I moved to Berlin last May.", user_id="ana")
    result = run_cli(capsys, ["--db", db, "--user", "ana", "forget", "Berlin", "--yes",
                              "--wait", wait])
    assert result.code == 2 and "wait" in result.err and "Traceback" not in result.err
    with Memory(db, embedder="fake") as m:
        assert len(m.list(user_id="ana")) == 1


# ------------------------------------------------------- restore not archived
def _archived_and_active(m: Memory) -> tuple[str, str]:
    old = m.add("I once had a pager.", user_id="ana", timestamp="2001-01-01T00:00:00Z")
    m.decay(user_id="ana", now="2030-01-01T00:00:00Z", threshold=0.99)
    active = m.add("I live in Porto.", user_id="ana")
    assert m.get(old.id, user_id="ana").archived and not active.archived
    return old.id, active.id


def test_restore_of_a_record_that_is_not_archived_says_so(mem) -> None:
    old, active = _archived_and_active(mem)
    with pytest.raises(InvalidInputError, match="not archived"):  # was a silent success
        mem.restore(active, user_id="ana")
    assert not mem.restore(old, user_id="ana").archived
    with pytest.raises(InvalidInputError, match="not archived"):  # the second time too
        mem.restore(old, user_id="ana")


def test_cli_restore_checks_every_id_is_archived_first(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    db = str(tmp_path / "r.db")
    with Memory(db, embedder="fake") as m:
        old, active = _archived_and_active(m)
    result = run_cli(capsys, ["--db", db, "--user", "ana", "restore", old, active])
    assert result.code == 2 and result.err.count("\n") == 1, result
    assert f"record {active} is not archived" in result.err
    with Memory(db, embedder="fake") as m:
        assert m.get(old, user_id="ana").archived  # nothing restored


def test_http_restore_of_a_record_that_is_not_archived(mem) -> None:
    httpx = pytest.importorskip("httpx")
    from _server import running

    from engramdb.server import create_app

    old, active = _archived_and_active(mem)
    with running(create_app(mem, auth=False)) as url:
        answer = httpx.post(f"{url}/v1/memories/{active}/restore", params={"user_id": "ana"})
        again = httpx.post(f"{url}/v1/memories/{old}/restore", params={"user_id": "ana"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_input"
    assert "not archived" in answer.json()["error"]["message"]
    assert again.status_code == 200 and again.json()["archived"] is False


# ------------------------------------------------ PostgreSQL refused password
@pytest.fixture
def pg_password_url(pg_server):
    """A role that must give its password (scram) on the session's server, which trusts
    every other role; its own database. Yields the URL with the right password."""
    import psycopg

    role, password = "walkpw", "right-pw-71"
    hba = pg_server.data / "pg_hba.conf"
    trusting = hba.read_text()
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname=%s", (role,)).fetchone():
            conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    url = pg_server.create_database("walkpw_db")
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE walkpw_db OWNER TO {role}")
        hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n{trusting}")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield url.replace("://engram@", f"://{role}:{password}@")
    finally:
        hba.write_text(trusting)
        with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute("DROP DATABASE walkpw_db WITH (FORCE)")


def test_a_refused_postgres_password_is_one_clear_line(pg_password_url, capsys,
                                                       monkeypatch) -> None:
    import engramdb.server
    from engramdb import StoreError

    with Memory(pg_password_url, embedder="fake") as m:  # the role works with its password
        m.add("I live in Porto.", user_id="ana")
    wrong = pg_password_url.replace("right-pw-71", "wr0ng-s3cret")
    with pytest.raises(StoreError, match="password authentication failed") as caught:
        Memory(wrong, embedder="fake")
    assert "wr0ng-s3cret" not in str(caught.value) and "right-pw" not in str(caught.value)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    monkeypatch.setattr(engramdb.server, "serve", lambda *a, **k: pytest.fail("served"))
    for argv in (["stats"], ["search", "Porto"], ["serve", "--no-auth", "--port", "8798"]):
        result = run_cli(capsys, ["--db", wrong, "--user", "ana", *argv])
        assert result.code == 4 and result.err.count("\n") == 1, result
        assert "password authentication failed" in result.err and "s3cret" not in result.err
    with Memory(pg_password_url, embedder="fake") as m:  # nothing lost
        assert [r.text for r in m.list(user_id="ana")] == ["I live in Porto."]


def test_restore_of_another_users_record_is_not_found_never_not_archived(mem) -> None:
    """Scoping: bob naming ana's ids learns nothing (not even whether one is archived)."""
    from engramdb import NotFoundError

    old, active = _archived_and_active(mem)
    for record_id in (old, active):
        with pytest.raises(NotFoundError):
            mem.restore(record_id, user_id="bob")
    assert mem.get(old, user_id="ana").archived
