"""Many clients at once: no client sees "database is locked", no write is lost, and a
SIGTERM lets the writes in flight finish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engramdb import Memory

from _server import free_port, running

httpx = pytest.importorskip("httpx")
ROOT = Path(__file__).resolve().parents[1]


def test_32_clients_no_errors_no_lost_writes(tmp_path):
    from engramdb.server import create_app

    memory = Memory(tmp_path / "c.db", embedder="fake")
    with running(create_app(memory, auth=False, mcp=False)) as url:
        def client(n: int) -> list[int]:
            codes = []
            with httpx.Client(base_url=url, timeout=60) as http:
                for k in range(6):
                    r = http.post("/v1/memories", json={"text": f"client {n} fact {k} about "
                                                        f"topic{n * 7 + k}", "user_id": f"u{n % 4}"})
                    codes.append(r.status_code)
                    s = http.post("/v1/search", json={"query": f"topic{n}", "user_id": f"u{n % 4}"})
                    codes.append(s.status_code)
            return codes

        with ThreadPoolExecutor(32) as pool:
            codes = [c for batch in pool.map(client, range(32)) for c in batch]
    assert sorted(set(codes)) == [200, 201]
    stored = sum(len(memory.list(user_id=f"u{u}")) for u in range(4))
    assert stored == 32 * 6
    memory.close()


def test_sigterm_finishes_writes_in_flight(tmp_path):
    db, port = tmp_path / "g.db", free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "engramdb.cli", "--db", str(db), "--embedder",
                             "fake", "serve", "--no-auth", "--port", str(port), "--log-level",
                             "warning"], env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        acked: list[str] = []
        stop = threading.Event()

        def writer(n: int) -> None:
            with httpx.Client(base_url=url, timeout=30) as http:
                for k in range(1000):
                    if stop.is_set():
                        return
                    try:
                        r = http.post("/v1/memories", json={"text": f"w{n} note {k}",
                                                            "user_id": "g"})
                    except httpx.TransportError:
                        return  # the server went away: this write was never acknowledged
                    if r.status_code == 201:
                        acked.append(r.json()["id"])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        while len(acked) < 20:
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        # uvicorn re-raises SIGTERM once it has shut down gracefully
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
        stop.set()
        for t in threads:
            t.join()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "WARNING: serving without API keys" in proc.stderr.read()
    with Memory(db, embedder="fake") as m:
        stored = {r.id for r in m.list(user_id="g")}
    assert set(acked) <= stored and len(acked) >= 20
