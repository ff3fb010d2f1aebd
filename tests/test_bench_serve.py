"""`engram bench serve` end to end on a tiny corpus: it runs a real server and counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
ROOT = Path(__file__).resolve().parents[1]


def test_bench_serve_small_scale_corpus(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    bench = [sys.executable, "-m", "engramdb.cli", "--embedder", "fake", "--json", "bench",
             "serve", "--corpus", "scale", "--n", "300", "--data-dir", str(tmp_path)]
    prep = subprocess.run([*bench, "--prepare"], env=env, capture_output=True, text=True,
                          timeout=180)
    assert prep.returncode == 0, prep.stderr
    kept = list(tmp_path.glob("scale-300-*.db"))
    assert len(kept) == 1
    before = kept[0].stat().st_mtime_ns
    out = subprocess.run([*bench, "--requests", "8", "--clients", "1,4"], env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert kept[0].stat().st_mtime_ns == before  # copied per run, never written to
    result = json.loads(out.stdout)["corpora"]["scale"]
    assert result["records"] >= 300
    assert [r["clients"] for r in result["served"]["search"]] == [1, 4]
    assert all(r["errors"] == 0 for op in ("search", "add") for r in result["served"][op])
    assert all(r["lost_writes"] == 0 and r["acknowledged"] == r["requests"]
               for r in result["served"]["add"])
    assert result["in_process"]["search"]["p50"] > 0
    assert result["served"]["search"][0]["in_server"]["p50"] > 0
    client = result["client_search"]  # through engramdb.Client, odd queries of the 8
    assert client["requests"] == 4 and client["errors"] == 0 and client["p50"] > 0
    assert result["served"]["search"][0]["requests"] == 4


def test_bench_serve_refuses_bad_clients(capsys):
    from _cli_run import run_cli

    bad = run_cli(capsys, ["bench", "serve", "--corpus", "scale", "--clients", "0"])
    assert bad.code == 2 and "--clients" in bad.err


def test_server_timing_header(tmp_path):
    import httpx

    from engramdb import Memory
    from engramdb.server import create_app

    from _server import running

    with Memory(tmp_path / "t.db", embedder="fake") as memory:
        with running(create_app(memory, auth=False, mcp=False)) as url:
            r = httpx.get(f"{url}/healthz")
    assert r.headers["server-timing"].startswith("app;dur=")
