"""What a team running PostgreSQL in production sets and meets: pool size and timeouts
from the constructor or the URL (library, CLI, server share the URL), and one clear
EngramError, never a traceback, when the URL is wrong, the password is refused or a
value makes no sense."""

from __future__ import annotations

import threading

import psycopg
import pytest

from engramdb import InvalidInputError, Memory, StoreBusyError, StoreError
from engramdb.store import open_store


def _setting(store, name: str) -> str:
    with store._db.read("ana") as conn:
        return conn.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_url_parameters_set_the_pool_and_timeouts_and_libpq_keeps_its_own(pg_url):
    store = open_store(f"{pg_url}?pool_size=3&pool_min=0&statement_timeout=1.5"
                       "&lock_timeout=2&application_name=billing")
    try:
        o = store._db.options
        assert (o.max_size, o.min_size, o.statement_timeout, o.lock_timeout) == (3, 0, 1.5, 2)
        assert _setting(store, "statement_timeout") == "1500ms"
        assert _setting(store, "lock_timeout") == "2s"
        assert _setting(store, "application_name") == "billing"  # libpq's, passed on
        assert "?" not in store.path and "pool_size" not in store.stats().path
    finally:
        store.close()


def test_constructor_options_win_over_the_url(pg_url):
    store = open_store(f"{pg_url}?statement_timeout=30", statement_timeout=0.2, pool_size=2)
    try:
        assert store._db.options.max_size == 2
        with pytest.raises(StoreError, match="timed out after 0.2s"):
            with store._db.read("ana") as conn:
                conn.execute("SELECT pg_sleep(2)")
        assert store.users() == []  # the connection went back to the pool healthy
    finally:
        store.close()


def test_a_pool_with_no_free_connection_is_a_busy_error_naming_the_pool(pg_url):
    store = open_store(pg_url, pool_size=1, pool_timeout=0.3)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store._db.read("ana"):
            holding.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(60)
        with pytest.raises(StoreBusyError, match=r"no free connection within 0.3s \(pool of 1\)"):
            store.users()
    finally:
        release.set()
        holder.join(60)
        store.close()


@pytest.mark.parametrize(("query", "says"), [
    ("pool_size=many", "pool_size must be a number, got 'many'"),
    ("pool_size=0", "pool size"),
    ("pool_min=5&pool_size=2", "pool size"),
    ("statement_timeout=-1", "statement_timeout must be seconds > 0"),
    ("lock_timeout=nan", "lock_timeout must be seconds > 0"),
])
def test_a_bad_url_parameter_is_a_clear_error(pg_url, query, says):
    with pytest.raises(InvalidInputError, match=says):
        Memory(f"{pg_url}?{query}", embedder="fake")


def test_unknown_or_misplaced_options_are_refused(pg_url, tmp_path):
    with pytest.raises(InvalidInputError, match="unknown PostgreSQL options"):
        open_store(pg_url, pool_sise=3)
    with pytest.raises(InvalidInputError, match="options of a PostgreSQL store"):
        open_store(tmp_path / "x.db", pool_size=3)


@pytest.fixture
def password_role(pg_server):
    """A role that must give its password (scram), as on a managed server: the test
    cluster trusts everyone else, so a rule for this role goes first in pg_hba.conf."""
    hba = pg_server.data / "pg_hba.conf"
    before = hba.read_text()
    hba.write_text("host all pwuser 127.0.0.1/32 scram-sha-256\n" + before)
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'pwuser'").fetchone():
            conn.execute("CREATE ROLE pwuser LOGIN PASSWORD 'right-one'")
        conn.execute("SELECT pg_reload_conf()")
    yield pg_server.url.replace("engram@", "pwuser:{}@")
    hba.write_text(before)
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")


@pytest.mark.parametrize(("password", "says"), [
    ("wrong-one", 'password authentication failed for user "pwuser"'),
    ("", "no password supplied"),
])
def test_a_refused_password_is_one_clear_error_without_the_password(password_role, password,
                                                                    says):
    url = password_role.format(password) if password else password_role.replace(":{}", "")
    with pytest.raises(StoreError, match=says) as info:
        Memory(url, embedder="fake")
    assert "wrong-one" not in str(info.value) and "Traceback" not in str(info.value)


def test_the_cli_takes_url_parameters_and_says_what_is_wrong(pg_url, capsys):
    from _cli_run import run_cli

    url = f"{pg_url}?pool_size=2&statement_timeout=20"
    base = ["--db", url, "--user", "ana"]
    assert run_cli(capsys, [*base, "--embedder", "fake", "add", "I like green tea"]).code == 0
    found = run_cli(capsys, [*base, "search", "tea", "--json"])
    assert found.code == 0 and "green tea" in found.out
    bad = run_cli(capsys, ["--db", f"{pg_url}?pool_size=lots", "--user", "ana", "search", "x"])
    assert bad.code != 0 and "pool_size must be a number" in bad.err
    assert "Traceback" not in bad.err


def test_a_server_that_goes_away_is_said_at_once_and_its_return_is_noticed():
    """Mid-run outage: every call is a StoreError naming the cause (not a wait of
    ``pool_timeout`` for the pool's reconnection attempts, then a 'busy, try again'),
    and once the server is back the same store works again."""
    import shutil
    import tempfile

    from engramdb.store.postgres_server import EmbeddedPostgres

    # not under pytest's tmp_path: as root the server runs as a system user, which
    # must reach its folder (pytest's are private to root)
    root = tempfile.mkdtemp(prefix="engram-outage-")
    server = EmbeddedPostgres(root)
    try:
        server.start()
    except (StoreError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL cannot start here: {str(exc).splitlines()[0]}")
    store = open_store(server.create_database("outage"), pool_timeout=600)
    errors: list[str] = []

    def three_calls() -> None:
        for _ in range(3):
            try:
                store.users()
            except StoreError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

    try:
        assert store.users() == []
        server.stop()
        caller = threading.Thread(target=three_calls)
        caller.start()
        caller.join(120)  # the old behaviour: 3 x 600 s of waiting for the pool
        assert not caller.is_alive(), "a call waited for the pool instead of failing"
        assert len(errors) == 3 and all(e.startswith("StoreError: postgresql://") for e in errors)
        assert all("cannot use the PostgreSQL server" in e for e in errors), errors
        assert "Connection refused" in errors[-1]
        server = EmbeddedPostgres(root, port=server.port).start()
        assert store.users() == []  # back: the pool replaced its broken connections
    finally:
        store.close()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
