"""``engram bench madial``: recall from the live conversation (MADial-Bench)."""

from __future__ import annotations

import argparse
import json
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .._errors import InvalidInputError
from ._app import Context, add_command, open_memory

__all__ = ["register"]

DEFAULT_DIR = "../shared/benchdata/madial"


def register(inner: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        inner, "madial", run_madial_cmd,
        summary="context recall on MADial-Bench (memories to bring up in a dialogue)",
        description=(
            "Add MADial-Bench's memory archive (each memory as \"<scene>: <event>\" with\n"
            "its date) and, for every dialogue, ask for the memories to bring up at its\n"
            "test turn from the dialogue before it. The plain methods get the dialogue as\n"
            "one query string; 'context' gets it as chat messages (search(messages=...)).\n"
            "Reports the benchmark's recall@1/3/5/10 and MRR (percent) and latency."),
        examples=(f"  engram bench madial {DEFAULT_DIR}\n"
                  f"  engram bench madial {DEFAULT_DIR} --method dense,context --json\n"
                  f"  engram bench madial {DEFAULT_DIR}/madial-dev-dialogues.jsonl "
                  "--out bench-report/\n"
                  f"  engram bench madial {DEFAULT_DIR} --fit --write   # regenerate weights\n"
                  f"  engram bench madial {DEFAULT_DIR} --method context "
                  "--off-topic ../shared/benchdata/locomo/locomo-dev.json --json\n"))
    p.add_argument("path", metavar="DIR", nargs="?", default=DEFAULT_DIR,
                   help=f"the madial directory or its dialogues file (default {DEFAULT_DIR})")
    p.add_argument("--method", action="append", metavar="M",
                   help="bm25, dense, hybrid, engram, context; repeat or comma-separate "
                        "(default: all)")
    p.add_argument("--out", metavar="DIR", help="write madial-report.json here")
    p.add_argument("--off-topic", metavar="FILE",
                   help="also ask the archive with windows of these LoCoMo conversations "
                        "(no memory is about them) and compare the top hit's confidence "
                        "with the dialogues' (does 'nothing relevant' work?)")
    p.add_argument("--fit", action="store_true",
                   help="fit context recall's weights on these dialogues (grid; reports "
                        "tuned and leave-one-dialogue-out figures) instead of the benchmark")
    p.add_argument("--write", action="store_true",
                   help="with --fit: store the weights as the package default "
                        "(engramdb/recall/data/context.json)")


def _methods(values: list[str] | None) -> tuple[str, ...]:
    from ..bench.madial import MADIAL_METHODS

    if not values:
        return MADIAL_METHODS
    chosen = tuple(dict.fromkeys(m.strip() for v in values for m in v.split(",") if m.strip()))
    unknown = [m for m in chosen if m not in MADIAL_METHODS]
    if unknown:
        raise InvalidInputError(f"unknown method {unknown[0]!r}; choose from {MADIAL_METHODS}")
    return chosen


def run_madial_cmd(args: argparse.Namespace, ctx: Context) -> int:
    from ..bench.madial import load_madial, run_madial
    from .bench import DEFAULT_EMBEDDER

    methods = _methods(args.method)
    data = load_madial(args.path)
    with ExitStack() as stack:
        if ctx.db_flag:
            path = Path(ctx.db_flag).expanduser()
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="engram-madial-"))
            path = Path(tmp) / "bench.db"
        memory = stack.enter_context(open_memory(path, ctx.embedder or DEFAULT_EMBEDDER))
        if args.fit:
            return _fit(memory, data, args, ctx)
        report = run_madial(memory, data, methods)
        report["embedder"] = memory.embedder.name
        if args.off_topic:
            from ..bench.madial_offtopic import off_topic, off_topic_contexts

            report["off_topic"] = off_topic(memory, data, off_topic_contexts(args.off_topic))
    per_dialogue = report.pop("per_dialogue")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "madial-report.json").write_text(
            json.dumps({**report, "per_dialogue": per_dialogue}, indent=1), encoding="utf-8")
        ctx.out.note(f"wrote {out / 'madial-report.json'}")
    if ctx.out.json:
        ctx.out.emit(report)
    else:
        _table(report, ctx)
    return 0


def _fit(memory: Any, data: Any, args: argparse.Namespace, ctx: Context) -> int:
    from ..bench.madial_fit import fit_context, write_weights

    result = fit_context(memory, data)
    if args.write:
        ctx.out.note(f"wrote {write_weights(result)}")
    if ctx.out.json:
        ctx.out.emit(result)
    else:
        ctx.out.line(f"weights: {result['weights']}")
        ctx.out.line(f"tuned:                  {result['tuned']}")
        ctx.out.line(f"leave-one-dialogue-out: {result['leave_one_dialogue_out']}")
    return 0


def _table(report: dict[str, Any], ctx: Context) -> None:
    ctx.out.line(f"MADial-Bench: {report['dialogues']} dialogues, {report['memories']} memories, "
                 f"embedder {report['embedder']}")
    cols = ["recall@1", "recall@3", "recall@5", "recall@10", "mrr", "p50_ms", "p95_ms"]
    ctx.out.line(f"{'method':<8} " + " ".join(f"{c:>9}" for c in cols))
    for method, row in report["methods"].items():
        ctx.out.line(f"{method:<8} " + " ".join(f"{row[c]:>9}" for c in cols))
    if "context_latency" in report:
        lat = report["context_latency"]
        ctx.out.line(f"context recall on {lat['messages']}-message conversations "
                     f"({lat['conversations']}): p50 cold {lat['cold_p50_ms']} ms, live "
                     f"{lat['live_p50_ms']} ms (CPU {lat['live_cpu_p50_ms']} ms); dense on the whole "
                     f"text {lat['dense_whole_p50_ms']} ms")
    if "off_topic" in report:
        off = report["off_topic"]
        ctx.out.line(f"nothing relevant: top-hit confidence AUROC {off['auroc']} (dialogues "
                     f"{off['on_median']} median vs {off['off_topic_contexts']} off-topic "
                     f"contexts {off['off_median']})")
