"""The fast subset of the reliability campaign (engramdb.bench.reliability): the full
run is `engram bench reliability` (figures in BENCHMARKS.md)."""

from __future__ import annotations

from engramdb.bench.reliability.canary import cross_user, deletion_canaries
from engramdb.bench.reliability.concurrent import run_processes
from engramdb.bench.reliability.crash import crash_trials
from engramdb.bench.reliability.fuzz import fuzz_api, fuzz_cli


def test_killed_writers_lose_nothing_acknowledged():
    report = crash_trials(4, seed=7, max_delay=0.4)
    assert report.trials == 4 and report.acknowledged > 0
    assert (report.lost, report.corrupt) == (0, 0), report.examples


def test_processes_sharing_a_file_never_see_a_raw_error():
    report = run_processes(3, 30, seed=7)
    assert report.operations == 90 and report.acknowledged > 0
    assert (report.raw_errors, report.lost, report.corrupt) == (0, 0, 0), report.examples


def test_no_user_sees_another_users_canary():
    report = cross_user(calls=150, seed=7)
    assert report.calls == 150
    assert (report.leaks, report.raw_errors) == (0, 0), report.examples


def test_erased_canaries_are_gone_or_the_verdict_says_so():
    report = deletion_canaries(seed=7, places=("metadata", "merged", "session"),
                               ways=("forget", "delete_all", "reader-held"))
    assert report.cases == 9 and report.reported_incomplete >= 3  # the reader-held ones
    assert (report.residues, report.erasure_gaps, report.raw_errors) == (0, 0, 0), \
        report.examples


def test_fuzzed_api_calls_raise_only_engram_errors():
    report = fuzz_api(calls=150, seed=7)
    assert report.calls == 150 and report.refused > 0
    assert report.raw_errors == 0, report.examples


def test_fuzzed_cli_command_lines_never_raise():
    report = fuzz_cli(calls=40, seed=7)
    assert report.calls == 40
    assert report.raw_errors == 0, report.examples


def test_the_canary_fuzz_runs_over_http_too(tmp_path):
    """The same harness drives a remote client (the Target interface)."""
    import pytest

    pytest.importorskip("httpx")
    from _server import running

    from engramdb import Memory
    from engramdb.bench.reliability._target import PythonTarget
    from engramdb.client import Client
    from engramdb.server import KeyStore, create_app

    with Memory(tmp_path / "h.db", embedder="fake") as m:
        token = KeyStore(m.store).create(prefix="", scopes=["read", "write", "admin"]).token
        with running(create_app(m)) as url:
            report = cross_user(PythonTarget(Client(url, api_key=token), "http"), calls=100,
                                seed=7)
    assert report.calls == 100
    assert (report.leaks, report.raw_errors) == (0, 0), report.examples


def test_the_canary_fuzz_runs_over_http_and_mcp_with_one_key_per_user():
    import pytest

    pytest.importorskip("mcp")
    from engramdb.bench.reliability.served import cross_user_served

    out = cross_user_served(calls=60, seed=7)
    for where in ("http", "mcp"):
        assert out[where]["calls"] == 60, where
        assert (out[where]["leaks"], out[where]["raw_errors"]) == (0, 0), out[where]["examples"]


def test_the_mcp_target_maps_calls_onto_tools():
    """Search filters the tools lack are dropped; what only the API carries is seeded
    through HTTP; an argument no tool takes is refused, not silently lost."""
    import pytest

    pytest.importorskip("mcp")
    from engramdb import NotFoundError
    from engramdb.bench.reliability.served import served

    with served(["ana", "bob"]) as (http, mcp):
        assert mcp.supports("search") and not mcp.supports("export")
        rid = mcp.call("add", "my locker code is 4711", user_id="ana")["id"]
        tagged = mcp.call("add", "a tagged note", user_id="ana", metadata={"k": "v"})
        assert http.call("get", tagged["id"], user_id="ana")["metadata"] == {"k": "v"}
        hits = mcp.call("search", "locker code", user_id="ana", method="bm25", unit="turn")
        assert hits["hits"][0]["id"] == rid
        assert mcp.call("search", "locker code", user_id="bob")["hits"] == []
        with pytest.raises(NotFoundError):
            mcp.call("get", rid, user_id="bob")
        with pytest.raises(Exception) as refused:
            mcp.call("search", "x", user_id="ana", speaker="ana")
        assert "takes no" in str(refused.value)
