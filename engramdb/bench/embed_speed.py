"""Embedding speed: the MiniLM backends side by side, or one named embedder.

Without ``--embedder`` the three MiniLM variants run in one process, in turn
(numpy, ONNX fp32, ONNX int8): interleaving them makes their *ratios* fair on a
shared machine even when absolute figures move with the load.

* batch throughput: sentences per second on the deterministic synthetic chat
  corpus of ``bench.scale`` (17 words per turn on average), ``--batch`` at a
  time, best of ``--repeat`` passes after a warm-up;
* query latency: median milliseconds to embed one question (6-12 words) and
  one long dialogue-sized query (~90 words), round-robin across variants.

With ``--reference`` the sentences also go through sentence-transformers (if
torch and sentence-transformers are installed).

Run: ``python -m engramdb.bench.embed_speed [--n 1000] [--batch 64] [--embedder minilm] [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any

from ..embed import Embedder, embed_texts, get_embedder
from .scale import ScaleCorpus

__all__ = ["SpeedResult", "VARIANTS", "compare", "main", "measure", "query_latency", "sentences"]

#: the MiniLM variants compared by default: label -> get_embedder arguments
VARIANTS: dict[str, dict[str, Any]] = {
    "numpy": {"spec": "minilm", "backend": "numpy"},
    "onnx-fp32": {"spec": "minilm", "backend": "onnx"},
    "onnx-int8": {"spec": "minilm-int8"},
}
_QUESTIONS = ("what is the name of Ana's dog?", "where did Melanie go on vacation last summer?",
              "when did Caroline start her new job?", "what does Jon like to cook?",
              "who gave Maria the painting she hung in the hallway?")


@dataclass(frozen=True, slots=True)
class SpeedResult:
    embedder: str
    sentences: int
    batch: int
    seconds: float
    sentences_per_s: float
    mean_words: float
    cpu_seconds: float = 0.0  # CPU time of the whole process: robust to a busy machine
    sentences_per_cpu_s: float = 0.0


def sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` chat turns of the synthetic corpus, in order."""
    turns = (t for s in ScaleCorpus(n, seed=seed).sessions() for t in s.turns)
    return [t.text for t in islice(turns, n)]


def measure(embedder_name: str | Embedder, texts: list[str], *, batch: int = 64,
            repeat: int = 3, label: str | None = None) -> SpeedResult:
    embedder = get_embedder(embedder_name)
    embed_texts(embedder, texts[:batch], batch_size=batch)  # loads the model: not timed
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        embed_texts(embedder, texts, batch_size=batch)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    words = sum(len(t.split()) for t in texts) / max(len(texts), 1)
    return SpeedResult(label or embedder.name, len(texts), batch, round(best, 3),
                       round(len(texts) / best, 1), round(words, 1), round(best_cpu, 3),
                       round(len(texts) / max(best_cpu, 1e-9), 1))


def query_latency(embedders: dict[str, Embedder], queries: list[str],
                  rounds: int = 20) -> dict[str, dict[str, float]]:
    """Median wall and CPU ms per single-text call, variants interleaved call by call.

    One text runs on the calling thread, so its thread CPU time is what it costs an idle core.
    """
    wall: dict[str, list[float]] = {label: [] for label in embedders}
    cpu: dict[str, list[float]] = {label: [] for label in embedders}
    for _ in range(rounds):
        for query in queries:
            for label, embedder in embedders.items():
                start, thread = time.perf_counter(), time.thread_time()
                embedder.embed_batch([query])
                wall[label].append((time.perf_counter() - start) * 1000)
                cpu[label].append((time.thread_time() - thread) * 1000)
    return {label: {"wall": round(statistics.median(wall[label]), 2),
                    "cpu": round(statistics.median(cpu[label]), 2)} for label in embedders}


def _long_query(texts: list[str], words: int = 90) -> str:
    out: list[str] = []
    for text in texts:
        out.append(text)
        if sum(len(t.split()) for t in out) >= words:
            break
    return " ".join(out)


def compare(texts: list[str], *, batch: int = 64, repeat: int = 3, rounds: int = 20,
            variants: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Batch throughput and query latency of each variant, and ratios to the first."""
    build: Callable[[dict[str, Any]], Embedder] = lambda o: get_embedder(**o)  # noqa: E731
    embedders = {label: build(options) for label, options in (variants or VARIANTS).items()}
    for embedder in embedders.values():  # load (and build graphs) before any timing
        embedder.embed_batch(texts[:batch])
    batches = {label: measure(e, texts, batch=batch, repeat=repeat, label=label)
               for label, e in embedders.items()}
    short = query_latency(embedders, list(_QUESTIONS), rounds)
    long = query_latency(embedders, [_long_query(texts)], max(rounds // 2, 1))
    base = next(iter(embedders))
    return {"batch": {k: asdict(v) for k, v in batches.items()},
            "query_ms": short, "long_query_ms": long,
            "speedup": {label: _speedup(batches[base], batches[label], short[base], short[label],
                                        long[base], long[label]) for label in embedders}}


def _speedup(b0: SpeedResult, b1: SpeedResult, q0: dict[str, float], q1: dict[str, float],
             l0: dict[str, float], l1: dict[str, float]) -> dict[str, float]:
    return {"batch": round(b1.sentences_per_s / b0.sentences_per_s, 2),
            "batch_cpu": round(b1.sentences_per_cpu_s / b0.sentences_per_cpu_s, 2),
            "query": round(q0["wall"] / q1["wall"], 2), "query_cpu": round(q0["cpu"] / q1["cpu"], 2),
            "long_query": round(l0["wall"] / l1["wall"], 2),
            "long_query_cpu": round(l0["cpu"] / l1["cpu"], 2)}


def _reference(texts: list[str], batch: int) -> SpeedResult | None:
    try:
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError:
        return None
    from ..embed.minilm import MiniLMEmbedder

    model = SentenceTransformer(str(MiniLMEmbedder().model_dir), device="cpu")
    model.encode(texts[:batch], batch_size=batch)
    start = time.perf_counter()
    model.encode(texts, batch_size=batch)
    took = time.perf_counter() - start
    return SpeedResult("sentence-transformers (torch)", len(texts), batch, round(took, 3),
                       round(len(texts) / took, 1), 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.embed_speed",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="sentences (default 1000)")
    parser.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes, best kept")
    parser.add_argument("--embedder", default=None,
                        help="time one embedder by name (default: numpy, ONNX fp32 and "
                             "ONNX int8 MiniLM side by side)")
    parser.add_argument("--rounds", type=int, default=20,
                        help="query-latency rounds over 5 questions (default 20)")
    parser.add_argument("--reference", action="store_true",
                        help="also time sentence-transformers, if installed")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    texts = sentences(args.n)
    if args.embedder is None:
        return _print_comparison(compare(texts, batch=args.batch, repeat=args.repeat,
                                         rounds=args.rounds), args.json)
    results = [measure(args.embedder, texts, batch=args.batch, repeat=args.repeat)]
    if args.reference and (ref := _reference(texts, args.batch)) is not None:
        results.append(ref)
    if args.json:
        print(json.dumps({"results": [asdict(r) for r in results]}))
    else:
        for r in results:
            print(f"{r.embedder}: {r.sentences_per_s} sentences/s ({r.sentences} sentences, "
                  f"batch {r.batch}, {r.seconds} s, {r.mean_words} words each)")
    return 0


def _print_comparison(report: dict[str, Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps(report))
        return 0
    print("wall clock (cpu time) | speedup over the first, wall (cpu)")
    print(f"{'variant':<10} {'batch sent/s':>16} {'query ms':>14} {'90-word ms':>14}  "
          f"{'batch':>13} {'query':>13} {'90-word':>13}")
    for label, batch in report["batch"].items():
        up, q, lq = report["speedup"][label], report["query_ms"][label], \
            report["long_query_ms"][label]
        print(f"{label:<10} {batch['sentences_per_s']:>7} ({batch['sentences_per_cpu_s']:>6}) "
              f"{q['wall']:>6} ({q['cpu']:>5}) {lq['wall']:>6} ({lq['cpu']:>5})  "
              + "  ".join(f"{up[k]:>5}x ({up[k + '_cpu']:>4}x)"
                          for k in ("batch", "query", "long_query")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
