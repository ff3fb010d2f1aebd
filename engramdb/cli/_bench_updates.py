"""``engram bench updates``: knowledge updates in conversations (the project's own set)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .._errors import InvalidInputError
from ._app import Context, add_command
from ._config import add_llm_options

__all__ = ["register"]

METHODS = ("bm25", "dense", "hybrid", "engram")
EXTRACTORS = ("rules", "none", "llm")
SETS = ("dev", "heldout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")


def register(inner: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        inner, "updates", run_updates_cmd,
        summary="knowledge updates in generated multi-session conversations",
        description=(
            "Generate multi-session conversations (several personas; home, employer, job,\n"
            "partner, pets, diet, hobbies, plans, rent and salary change over time, in\n"
            "varied and sometimes only implied phrasing), ingest them with add_session and\n"
            "ask about the current value, the previous value, when it changed, and things\n"
            "never said. Reports per method and extractor: current@1, history@5, when@5,\n"
            "profile accuracy and abstention AUROC, on the dev set (rules tuned on it),\n"
            "the held-out set (never tuned on) and the sets fresh, fresh2, fresh3, fresh4 and\n"
            "fresh5 (written apart from the rules, in phrasing of their own; fresh5 is the\n"
            "blind one, never tuned on). --pairs\n"
            "adds the labelled-pair precision of update detection\n"
            "(python -m engramdb.bench.updates)."),
        examples=("  engram bench updates\n"
                  "  engram bench updates --set heldout,fresh --method engram --json\n"
                  "  engram bench updates --extractor rules,llm --llm-url "
                  "http://127.0.0.1:8000/v1 --llm-model qwen2.5-7b-instruct\n"),
        options=("embedder", "json"))
    p.add_argument("--set", default=",".join(SETS), metavar="SETS",
                   help="dev, heldout, fresh, fresh2, fresh3, fresh4, fresh5, comma-separated "
                        "(default all seven)")
    p.add_argument("--method", default="bm25,dense,engram", metavar="M",
                   help=f"search methods, comma-separated, of {', '.join(METHODS)}")
    p.add_argument("--extractor", default="rules,none", metavar="E",
                   help="fact extractors, comma-separated, of rules, none, llm "
                        "(llm needs --llm-url and --llm-model)")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--pairs", action="store_true",
                   help="also score the labelled (old, new) pairs of update detection")
    p.add_argument("--out", metavar="DIR", help="write updates-report.json here")
    add_llm_options(p, "LLM extractor (optional)")


def _pick(value: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [v for v in chosen if v not in allowed]
    if bad or not chosen:
        raise InvalidInputError(f"unknown {what} {bad[0] if bad else value!r}; choose from "
                                f"{', '.join(allowed)}")
    return chosen


def run_updates_cmd(args: argparse.Namespace, ctx: Context) -> int:
    from ..bench.update_convs import run
    from .bench import DEFAULT_EMBEDDER

    extractors = _pick(args.extractor, EXTRACTORS, "extractor")
    llm = ctx.llm.build() if "llm" in extractors else None
    if "llm" in extractors and llm is None:
        raise InvalidInputError("--extractor llm needs --llm-url and --llm-model")
    report = run(embedder=ctx.embedder or DEFAULT_EMBEDDER,
                 splits=_pick(args.set, SETS, "set"),
                 methods=_pick(args.method, METHODS, "method"), extractors=extractors,
                 seed=args.seed, llm=llm)
    if args.pairs:
        from ..bench.updates import evaluate, load_pairs

        report["pairs"] = {s: evaluate(load_pairs(split=s)).as_dict()
                           for s in ("dev", "heldout")}
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "updates-report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        ctx.out.note(f"wrote {out / 'updates-report.json'}")
    if ctx.out.json:
        ctx.out.emit(report)
    else:
        _table(report, ctx)
    return 0


def _table(report: dict[str, Any], ctx: Context) -> None:
    from rich.table import Table

    for split, data in report["sets"].items():
        table = Table(title=f"{split}: {data['personas']} personas, {data['questions']} "
                            f"questions (embedder {report['embedder']})")
        for col in ("method+extractor", "current@1", "history@5", "when@5", "profile",
                    "abstention AUROC", "ingest turns/s"):
            table.add_column(col)
        for name, row in data["runs"].items():
            table.add_row(name, *(_f(row.get(k)) for k in (
                "current@1", "history@5", "when@5", "profile", "abstention_auroc",
                "ingest_turns_per_s")))
        ctx.out.console.print(table)
    for split, scores in report.get("pairs", {}).items():
        ctx.out.console.print(f"pairs {split}: precision {scores['precision']}, "
                              f"recall {scores['recall']} ({scores['pairs']} pairs)")


def _f(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
