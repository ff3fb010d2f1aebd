"""``engram bench serve``: HTTP server throughput and latency beside in-process."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._errors import InvalidInputError
from ._app import Context, add_command

__all__ = ["register"]

DEFAULT_LOCOMO = "../shared/benchdata/locomo/locomo-dev.json"


def register(inner: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        inner, "serve", run_bench_serve,
        summary="served (HTTP) vs in-process search/add: req/s, p50/p95/p99, errors",
        description=(
            "Ingest a corpus into a temporary database, time Memory.search/add in-process,\n"
            "then start `engram serve` on a loopback port and drive it with 1, 8 and 32\n"
            "concurrent HTTP clients (bounded requests each). Reports requests/s,\n"
            "p50/p95/p99 latency, errors and lost writes (acknowledged adds not stored).\n"
            "Corpora: locomo (the LoCoMo file, one user per conversation) and scale\n"
            "(the synthetic multi-user corpus of `bench scale`, --n turns)."),
        examples=("  engram bench serve\n"
                  "  engram bench serve --corpus locomo --embedder fake --requests 64\n"
                  "  engram bench serve --corpus scale --n 10000 --json > serve.json\n"
                  "  engram bench serve --data-dir ~/.cache/engram-bench --prepare\n"
                  "  /work/bench.sh engram bench serve --data-dir ~/.cache/engram-bench\n"),
        options=("embedder", "json"))
    p.add_argument("--corpus", action="append", choices=("locomo", "scale"),
                   help="repeatable (default: both)")
    p.add_argument("--locomo", default=DEFAULT_LOCOMO, metavar="FILE",
                   help=f"LoCoMo file (default {DEFAULT_LOCOMO})")
    p.add_argument("--n", type=int, default=10_000, metavar="TURNS",
                   help="scale corpus size (default 10000)")
    p.add_argument("--requests", type=int, default=256, metavar="R",
                   help="requests per operation and concurrency (default 256)")
    p.add_argument("--clients", default="1,8,32", metavar="LIST",
                   help="concurrent clients (default 1,8,32)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help="keep each ingested corpus here and reuse it next time (copied per "
                   "run), so that a timed run does not ingest")
    p.add_argument("--prepare", action="store_true",
                   help="only ingest the corpora into --data-dir, then exit (untimed step)")


def run_bench_serve(args: argparse.Namespace, ctx: Context) -> int:
    from ..bench.serve import markdown, median_gap, run_serve_bench
    from ..server import require

    require("fastapi", "uvicorn", "httpx")
    try:
        clients = [int(c) for c in args.clients.split(",") if c.strip()]
    except ValueError:
        raise InvalidInputError(f"--clients must be numbers like 1,8,32: {args.clients[:30]!r}")
    if not clients or min(clients) < 1 or max(clients) > 256 or args.requests < 1:
        raise InvalidInputError("--clients must be 1..256 each and --requests at least 1")
    corpora = args.corpus or ["locomo", "scale"]
    if "locomo" in corpora and not Path(args.locomo).expanduser().is_file():
        raise InvalidInputError(f"no LoCoMo file at {args.locomo} (pass --locomo FILE, or "
                                "--corpus scale)")
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else None
    if args.prepare:
        return _prepare(corpora, data_dir, args, ctx)
    result = run_serve_bench(corpora, embedder=ctx.embedder or "minilm",
                             locomo_path=args.locomo, n_turns=args.n, requests=args.requests,
                             clients=clients, data_dir=data_dir,
                             progress=lambda m: print(m, file=sys.stderr, flush=True))
    if ctx.out.json:
        ctx.out.emit(result)
        return 0
    ctx.out.line(markdown(result))
    for corpus in corpora:
        one = result["corpora"][corpus]["served"]["search"][0]
        ctx.out.line(f"{corpus}: served search p50 at 1 client is {median_gap(result, corpus)} "
                     f"ms above in-process (p50 inside the server: "
                     f"{one.get('in_server', {}).get('p50', 0)} ms)")
    return 0


def _prepare(corpora: list[str], data_dir: Path | None, args: argparse.Namespace,
             ctx: Context) -> int:
    import tempfile

    from ..bench.serve import prepared

    if data_dir is None:
        raise InvalidInputError("--prepare needs --data-dir DIR (where the corpora are kept)")
    for corpus in corpora:
        with tempfile.TemporaryDirectory(prefix="engram-bench-prepare-") as tmp:
            prepared(corpus, Path(tmp), embedder=ctx.embedder or "minilm",
                     locomo_path=args.locomo, n_turns=args.n, data_dir=data_dir)
        ctx.out.note(f"{corpus}: ingested into {data_dir}")
    return 0
