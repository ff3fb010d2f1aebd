"""Run the whole campaign (or its fast subset) and summarize it in one table."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from .canary import cross_user, deletion_canaries
from .concurrent import run_processes
from .crash import crash_trials
from .fuzz import fuzz_api, fuzz_cli
from .served import cross_user_served

__all__ = ["Plan", "QUICK", "FULL", "run_campaign", "summary", "failures"]


@dataclass(frozen=True)
class Plan:
    crash_trials: int
    processes: int
    process_ops: int
    cross_user_calls: int
    api_calls: int
    cli_calls: int
    seed: int = 0
    #: cross-user calls over each served interface (HTTP, MCP)
    served_calls: int = 0


#: the subset `make test` runs (tests/test_reliability_campaign.py)
QUICK = Plan(crash_trials=4, processes=3, process_ops=40, cross_user_calls=200,
             api_calls=200, cli_calls=60, served_calls=60)
#: the on-demand run reported in BENCHMARKS.md
FULL = Plan(crash_trials=120, processes=4, process_ops=300, cross_user_calls=3000,
            api_calls=10_000, cli_calls=1500, served_calls=1000)


def run_campaign(plan: Plan, *, progress: Any = None) -> dict[str, Any]:
    say = progress or (lambda _msg: None)
    out: dict[str, Any] = {"plan": asdict(plan)}
    steps = (
        ("crash", lambda: crash_trials(plan.crash_trials, seed=plan.seed)),
        ("concurrent", lambda: run_processes(plan.processes, plan.process_ops,
                                             seed=plan.seed)),
        ("cross_user", lambda: cross_user(calls=plan.cross_user_calls, seed=plan.seed)),
        ("cross_user_served", lambda: cross_user_served(calls=plan.served_calls,
                                                        seed=plan.seed)),
        ("deletion", lambda: deletion_canaries(seed=plan.seed)),
        ("fuzz_api", lambda: fuzz_api(calls=plan.api_calls, seed=plan.seed)),
        ("fuzz_cli", lambda: fuzz_cli(calls=plan.cli_calls, seed=plan.seed)),
    )
    for name, run in steps:
        say(f"reliability: {name}...")
        start = time.perf_counter()
        report = run()
        out[name] = report if isinstance(report, dict) else asdict(report)
        out[name]["seconds"] = round(time.perf_counter() - start, 1)
    out["summary"] = summary(out)
    return out


def summary(result: dict[str, Any]) -> dict[str, int]:
    """The figures of BENCHMARKS.md: all but the counts of work must be 0."""
    c, p, x, d = (result[k] for k in ("crash", "concurrent", "cross_user", "deletion"))
    fa, fc = result["fuzz_api"], result["fuzz_cli"]
    served = [v for k, v in result.get("cross_user_served", {}).items() if k != "seconds"]
    return {
        "crash_trials": c["trials"], "acknowledged": c["acknowledged"] + p["acknowledged"],
        "lost": c["lost"] + p["lost"], "corrupt": c["corrupt"] + p["corrupt"],
        "cross_user_calls": x["calls"],
        "served_cross_user_calls": sum(v["calls"] for v in served),
        "leaks": x["leaks"] + sum(v["leaks"] for v in served),
        "deletion_cases": d["cases"], "erasure_residues": d["residues"],
        "unreported_erasure_gaps": d["erasure_gaps"],
        "fuzzed_calls": fa["calls"] + fc["calls"] + x["calls"] + p["operations"],
        "raw_errors": (fa["raw_errors"] + fc["raw_errors"] + x["raw_errors"]
                       + p["raw_errors"] + d["raw_errors"]
                       + sum(v["raw_errors"] for v in served)),
    }


def failures(result: dict[str, Any]) -> dict[str, int]:
    """The non-zero counts that must be zero."""
    s = result["summary"]
    bad = ("lost", "corrupt", "leaks", "erasure_residues", "unreported_erasure_gaps",
           "raw_errors")
    return {k: s[k] for k in bad if s[k]}
