"""``engram bench reliability``: the project's own reliability campaign."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from ._app import Context, add_command

__all__ = ["register"]


def register(inner: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        inner, "reliability", run_reliability,
        summary="kill -9 trials, concurrent processes, canaries and fuzzing",
        description=(
            "Run engramdb's reliability campaign on temporary files: kill -9 trials of\n"
            "writers, imports and compactions against an fsynced log of acknowledged ids;\n"
            "N processes writing and reading one file; cross-user canary calls (Python API,\n"
            "and over a real server: HTTP Client and MCP, each user with its own key); deletion\n"
            "canaries over every API, table (FTS shadow tables too), the raw main and WAL\n"
            "files and exports; property-based fuzzing (hypothesis) of every public method\n"
            "and CLI command. Prints trials, acknowledged, lost, corrupt, leaks, raw errors\n"
            "and unreported erasure gaps; exits 1 if any of those that must be 0 is not."),
        examples=("  engram bench reliability --quick\n"
                  "  engram bench reliability                 # the full run (minutes)\n"
                  "  engram bench reliability --crash-trials 200 --fuzz-calls 20000 --json\n"
                  "  engram bench reliability --out bench-report/\n"),
        options=("json",))
    p.add_argument("--quick", action="store_true", help="the fast subset `make test` runs")
    p.add_argument("--crash-trials", type=int, metavar="N", help="kill -9 trials")
    p.add_argument("--fuzz-calls", type=int, metavar="N", help="fuzzed Python API calls")
    p.add_argument("--cli-calls", type=int, metavar="N", help="fuzzed CLI command lines")
    p.add_argument("--processes", type=int, metavar="N", help="concurrent processes")
    p.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    p.add_argument("--out", metavar="DIR", help="write reliability-report.json here")


def run_reliability(args: argparse.Namespace, ctx: Context) -> int:
    from .._errors import InvalidInputError
    from ..bench.reliability.campaign import FULL, QUICK, failures, run_campaign

    plan = dataclasses.replace(QUICK if args.quick else FULL, seed=args.seed)
    for flag, name in (("crash_trials", "crash_trials"), ("fuzz_calls", "api_calls"),
                       ("cli_calls", "cli_calls"), ("processes", "processes")):
        value = getattr(args, flag)
        if value is not None:
            if value < 1:
                raise InvalidInputError(f"--{flag.replace('_', '-')} must be at least 1")
            plan = dataclasses.replace(plan, **{name: value})
    result = run_campaign(plan, progress=lambda msg: print(msg, file=sys.stderr))
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        Path(args.out, "reliability-report.json").write_text(json.dumps(result, indent=2))
    if ctx.out.json:
        ctx.out.emit(result)
    else:
        for key, value in result["summary"].items():
            ctx.out.line(f"{key:<26}{value}")
        for part in ("crash", "concurrent", "cross_user", "deletion", "fuzz_api", "fuzz_cli"):
            for example in result[part].get("examples", [])[:5]:
                ctx.out.note(f"{part}: {example}")
        for where in ("http", "mcp"):
            for example in result["cross_user_served"].get(where, {}).get("examples", [])[:5]:
                ctx.out.note(f"cross_user over {where}: {example}")
    return 1 if failures(result) else 0
