"""The HTTP server itself: error shape, keys and tenants, limits, health and metrics."""

from __future__ import annotations

import json

import pytest

from engramdb import Memory

from _server import running

httpx = pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from engramdb.server import KeyStore, create_app

    memory = Memory(tmp_path_factory.mktemp("http") / "m.db", embedder="fake")
    keys = KeyStore(memory.store)
    made = {
        "ana": keys.create(users=["ana"], scopes=["read", "write"]),
        "acme": keys.create(prefix="acme-", scopes=["read", "write", "admin"]),
        "reader": keys.create(users=["ana"], scopes=["read"]),
        "root": keys.create(prefix="", scopes=["read", "write", "admin"]),
        "revoked": keys.create(users=["ana"], scopes=["read", "write"]),
    }
    keys.revoke(made["revoked"].key_id)
    with running(create_app(memory, max_body_bytes=64 << 10)) as url:
        yield url, {name: k.token for name, k in made.items()}, memory
    memory.close()


def client(setup, who=None):
    url, tokens, _ = setup
    headers = {"authorization": f"Bearer {tokens[who]}"} if who else {}
    return httpx.Client(base_url=url, headers=headers, timeout=30)


def test_key_needed_and_never_echoed(setup):
    _, tokens, _ = setup
    for headers in ({}, {"authorization": "Bearer egk_nope_nope"},
                    {"authorization": f"Bearer {tokens['revoked']}"},
                    {"x-api-key": tokens["ana"] + "x"}):
        r = client(setup).get("/v1/memories", params={"user_id": "ana"}, headers=headers)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        assert "egk_" not in r.text
    assert client(setup).get("/v1/memories", params={"user_id": "ana"},
                             headers={"x-api-key": tokens["ana"]}).status_code == 200


def test_other_tenant_reads_as_empty(setup):
    rec = client(setup, "ana").post("/v1/memories", json={"text": "canary-ana-7781 lives here",
                                                          "user_id": "ana"}).json()
    other = client(setup, "acme")
    r = other.post("/v1/search", json={"query": "canary-ana-7781", "user_id": "ana"})
    assert r.status_code == 200 and r.json()["hits"] == []
    for path in (f"/v1/memories/{rec['id']}", f"/v1/memories/{rec['id']}/history"):
        r = other.get(path, params={"user_id": "ana"})
        assert r.status_code == 404 and "canary" not in r.text
    # the same id asked as one's own user: not found, same shape as a random id
    r1 = other.get(f"/v1/memories/{rec['id']}", params={"user_id": "acme-1"})
    r2 = other.get(f"/v1/memories/{'c' * 24}", params={"user_id": "acme-1"})
    assert r1.status_code == r2.status_code == 404
    assert other.delete(f"/v1/memories/{rec['id']}", params={"user_id": "ana"}).status_code == 404
    assert other.delete("/v1/memories", params={"user_id": "ana"}).json()["deleted"] == 0
    assert other.get("/v1/export", params={"user_id": "ana"}).text.count("canary") == 0
    w = other.post("/v1/memories", json={"text": "intruder", "user_id": "ana"})
    assert w.status_code == 403 and w.json()["error"]["code"] == "forbidden"
    assert client(setup, "ana").get(f"/v1/memories/{rec['id']}",
                                    params={"user_id": "ana"}).status_code == 200


def test_scopes(setup):
    reader = client(setup, "reader")
    assert reader.post("/v1/search", json={"query": "x", "user_id": "ana"}).status_code == 200
    r = reader.post("/v1/memories", json={"text": "no", "user_id": "ana"})
    assert r.status_code == 403 and "write" in r.json()["error"]["message"]
    assert client(setup, "ana").get("/v1/users").status_code == 403
    assert client(setup, "acme").get("/v1/stats").status_code == 403  # not every user
    client(setup, "acme").post("/v1/memories", json={"text": "hello", "user_id": "acme-1"})
    assert client(setup, "acme").get("/v1/users").json() == ["acme-1"]
    stats = client(setup, "root").get("/v1/stats").json()
    assert stats["records"] >= 2 and stats["schema_version"] >= 5


def test_error_shape_for_bad_input(setup):
    c = client(setup, "root")
    cases = [
        c.post("/v1/memories", json={"text": "", "user_id": "ana"}),
        c.post("/v1/memories", json={"user_id": "ana"}),
        c.post("/v1/memories", content=b"{not json", headers={"content-type": "application/json"}),
        c.post("/v1/search", json={"query": "x", "user_id": "ana", "limit": 10**12}),
        c.post("/v1/search", json={"query": "x", "user_id": "ana", "since": "yesterday-ish"}),
        c.post("/v1/search", json={"query": "x", "user_id": "a\x00b"}),
        c.get("/v1/memories/../../etc", params={"user_id": "ana"}),
        c.get("/v1/memories", params={"user_id": "ana", "limit": "many"}),
        c.get("/v1/memories", params={"user_id": "ana", "metadata": "{not json"}),
        c.get("/v1/memories", params={"user_id": "ana", "metadata": "[1, 2]"}),
        c.get("/v1/memories", params={"user_id": "ana", "metadata": "[" * 5000}),
        c.get("/v1/memories", params={"user_id": "ana", "metadata": '{"k": ["list"]}'}),
        c.put("/v1/search"),
        c.get("/nowhere"),
    ]
    for r in cases:
        assert 400 <= r.status_code < 500, r.text
        err = r.json()["error"]
        assert set(err) >= {"code", "message"} and err["message"]


def test_body_limit_413(setup):
    c = client(setup, "root")
    r = c.post("/v1/memories", json={"text": "x" * (70 << 10), "user_id": "ana"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

    def chunks():
        for _ in range(100):
            yield b"x" * 1024
    r = c.post("/v1/memories", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_import_export_over_http(setup, tmp_path):
    c = client(setup, "acme")
    c.post("/v1/memories", json={"text": "I grow tomatoes.", "user_id": "acme-src"})
    body = c.get("/v1/export", params={"user_id": "acme-src"}).content
    r = c.post("/v1/import", params={"user_id": "acme-dst"}, content=body)
    assert r.status_code == 200 and r.json()["records"] == 1
    got = c.get("/v1/memories", params={"user_id": "acme-dst"}).json()
    assert [g["text"] for g in got] == ["I grow tomatoes."]
    bad = c.post("/v1/import", params={"user_id": "acme-dst"}, content=b'{"type": "nope"}\n')
    assert bad.status_code == 400 and "engram-import" not in bad.text
    assert c.post("/v1/import", content=body).status_code == 403  # all users: root only


def test_health_and_metrics(setup):
    c = client(setup)
    assert c.get("/healthz").json() == {"status": "ok"}
    assert c.get("/readyz").json() == {"status": "ready"}
    assert c.get("/metrics").status_code == 401
    text = client(setup, "root").get("/metrics").text
    assert 'engram_requests_total{method="POST",route="/v1/search",status="200"}' in text
    assert 'engram_request_seconds_bucket{route="/v1/search",le="+Inf"}' in text
    assert 'engram_errors_total{code="unauthorized"}' in text
    assert 'engram_records{backend="sqlite"}' in text
    assert "egk_" not in text


def test_openapi_document(setup):
    doc = client(setup).get("/openapi.json").json()
    assert {"/v1/search", "/v1/memories", "/v1/export", "/v1/import"} <= set(doc["paths"])
    search = doc["paths"]["/v1/search"]["post"]["requestBody"]["content"]["application/json"]
    assert search["schema"]["$ref"].endswith("SearchIn")
    props = doc["components"]["schemas"]["SearchIn"]["properties"]
    assert {"since", "until", "as_of", "speaker", "metadata", "unit", "min_confidence",
            "include_superseded", "context", "method", "agent_id", "session_id"} <= set(props)


def test_cli_keys_and_serve_refusal(tmp_path, capsys):
    from _cli_run import run_cli as run

    def run_cli(argv):
        return run(capsys, argv)

    db = str(tmp_path / "k.db")
    made = run_cli(["--db", db, "--embedder", "fake", "--json", "keys", "create", "--user",
                    "maya", "--scope", "read"])
    assert made.code == 0, made.err
    key = json.loads(made.out)
    assert key["token"].startswith("egk_") and key["users"] == ["maya"]
    listed = json.loads(run_cli(["--db", db, "--json", "keys", "list"]).out)
    assert [k["key_id"] for k in listed] == [key["key_id"]] and "token" not in listed[0]
    assert key["token"] not in (tmp_path / "k.db").read_bytes().decode("latin-1")
    assert run_cli(["--db", db, "keys", "revoke", key["key_id"]]).code == 0
    assert run_cli(["--db", db, "--json", "keys", "list"]).out.strip() == "[]"
    refused = run_cli(["--db", db, "serve", "--host", "0.0.0.0", "--no-auth"])
    assert refused.code == 2 and "loopback" in refused.err


def test_keys_and_tenants_on_both_backends(db_target):
    """The same keys on SQLite and PostgreSQL (api_keys table on each), served for real."""
    from engramdb.server import KeyStore, create_app

    memory = Memory(db_target, embedder="fake")
    keys = KeyStore(memory.store)
    mine = keys.create(users=["ana"], scopes=["read", "write"])
    other = keys.create(prefix="bob", scopes=["read"])
    assert [k.key_id for k in keys.list()] == [mine.key_id, other.key_id]
    assert keys.verify(mine.token).owns("ana") and keys.verify(mine.token + "x") is None
    with running(create_app(memory, mcp=False)) as url:
        a = httpx.Client(base_url=url, headers={"authorization": f"Bearer {mine.token}"})
        b = httpx.Client(base_url=url, headers={"authorization": f"Bearer {other.token}"})
        rid = a.post("/v1/memories", json={"text": "canary-pg-1 my locker code",
                                           "user_id": "ana"}).json()["id"]
        assert b.post("/v1/search", json={"query": "locker code", "user_id": "ana"}
                      ).json()["hits"] == []
        assert b.get(f"/v1/memories/{rid}", params={"user_id": "ana"}).status_code == 404
        keys.revoke(mine.key_id)
        assert a.get("/v1/memories", params={"user_id": "ana"}).status_code == 401
    memory.close()


def test_key_expiry_and_last_use(tmp_path):
    """An expired key is refused like an unknown one; a server records each key's last use
    (periodically, and at shutdown) for `engram keys list`."""
    import time

    from engramdb.server import KeyStore, create_app

    memory = Memory(tmp_path / "e.db", embedder="fake")
    keys = KeyStore(memory.store)
    lasting = keys.create(users=["ana"], expires="1h")
    once = keys.create(users=["ana"], name="once")
    assert lasting.expires_at is not None and once.expires_at is None
    assert keys.list()[0].last_used_at is None
    with running(create_app(memory, mcp=False, key_usage_seconds=0.05)) as url:
        a = httpx.Client(base_url=url, headers={"authorization": f"Bearer {lasting.token}"})
        assert a.get("/v1/memories", params={"user_id": "ana"}).status_code == 200
        deadline = time.monotonic() + 10
        while keys.list()[0].last_used_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert keys.list()[0].last_used_at is not None  # written while the server runs
        with memory.store._db.write() as conn:  # the hour has passed
            conn.execute("UPDATE api_keys SET expires_at=? WHERE key_id=?",
                         (time.time() - 1, lasting.key_id))
        r = a.get("/v1/memories", params={"user_id": "ana"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    with running(create_app(memory, mcp=False, key_usage_seconds=3600)) as url:
        b = httpx.Client(base_url=url, headers={"x-api-key": once.token})
        assert b.get("/v1/memories", params={"user_id": "ana"}).status_code == 200
        assert keys.list()[1].last_used_at is None  # not yet: no write per request
    listed = {k.key_id: k for k in keys.list()}
    assert listed[once.key_id].last_used_at is not None  # flushed at shutdown
    assert listed[lasting.key_id].expired() and not listed[once.key_id].expired()
    memory.close()


def test_key_expiry_values():
    from engramdb import InvalidInputError
    from engramdb.server._keys import expiry

    assert expiry("90d", now=0) == 90 * 86400 and expiry("12h", now=0) == 12 * 3600
    assert expiry("2030-01-01", now=0) == 1893456000.0
    assert expiry("2030-01-01T01:00:00+01:00", now=0) == 1893456000.0
    assert expiry(None) is None
    for bad in ("yesterday", "-5d", "2001-01-01", "0d", "5y"):
        with pytest.raises(InvalidInputError):
            expiry(bad, now=1e9)


def test_cli_keys_expires_and_last_use(tmp_path, capsys):
    from _cli_run import run_cli as run

    db = str(tmp_path / "k.db")
    made = run(capsys, ["--db", db, "--embedder", "fake", "--json", "keys", "create", "--user",
                        "maya", "--expires", "30d"])
    assert made.code == 0, made.err
    key = json.loads(made.out)
    assert key["expires_at"] and key["expired"] is False and key["last_used_at"] is None
    bad = run(capsys, ["--db", db, "keys", "create", "--user", "maya", "--expires", "soon"])
    assert bad.code != 0 and "expiry" in bad.err and "Traceback" not in bad.err
    text = run(capsys, ["--db", db, "keys", "list"]).out
    assert key["key_id"] in text and "expires " in text and "never used" in text


def test_upkeep_routes_keep_tenancy(setup):
    """Re-embedding everyone and downloading the database need an admin key of every user;
    refreshing or re-embedding another tenant's user finds nothing there."""
    rid = client(setup, "ana").post("/v1/memories", json={"text": "canary-ana-8812 my bike",
                                                          "user_id": "ana"}).json()["id"]
    for who in ("ana", "acme"):
        for r in (client(setup, who).post("/v1/reembed", json={}),
                  client(setup, who).get("/v1/backup")):
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    other = client(setup, "acme")
    assert other.post("/v1/reembed", json={"user_id": "ana"}).json() == {"records": 0}
    assert other.post("/v1/refresh-derived", json={"user_id": "ana", "record_ids": [rid]}
                      ).status_code == 204
    assert client(setup, "reader").post("/v1/reembed", json={"user_id": "ana"}
                                        ).status_code == 403  # a change needs write
    r = client(setup, "root").get("/v1/backup")
    assert r.status_code == 200 and r.content[:16] == b"SQLite format 3\x00"
    assert int(r.headers["x-engram-records"]) >= 1 and b"canary-ana-8812" in r.content
    assert client(setup, "ana").post("/v1/reembed", json={"user_id": "ana"}).json()[
        "records"] >= 1
