"""Write throughput of the three write paths, with no LLM anywhere.

``add`` in a loop (one embedding per call), ``add_many`` (batched embedding) and
``add_session`` (a conversation, all keys expanded), each on a fresh in-memory
database, over the synthetic chat sentences of ``bench.embed_speed``.

Run: ``python -m engramdb.bench.write_speed [--n 300] [--embedder minilm] [--nlp spacy] [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from .._memory import Memory
from .embed_speed import sentences

__all__ = ["measure", "main"]


def _timed(embedder: str, write: Callable[[Memory], None], nlp: str = "rules") -> float:
    with Memory(":memory:", embedder=embedder, nlp=nlp) as memory:
        memory.add("warm-up: loads the model", user_id="warm-up")
        start = time.perf_counter()
        write(memory)
        return time.perf_counter() - start


def measure(n: int = 300, embedder: str = "minilm", session_size: int = 30,
            nlp: str = "rules") -> dict[str, float]:
    """Items per second of each write path."""
    texts = sentences(n)

    def one_by_one(m: Memory) -> None:
        for i, text in enumerate(texts):
            m.add(text, user_id=f"u{i % 10}")

    def batched(m: Memory) -> None:
        for i in range(0, n, session_size):
            m.add_many(texts[i:i + session_size], user_id=f"u{i // session_size % 10}")

    def sessions(m: Memory) -> None:
        for i in range(0, n, session_size):
            m.add_session([{"speaker": "a" if j % 2 else "b", "text": t}
                           for j, t in enumerate(texts[i:i + session_size])], user_id="v")

    return {name: round(n / _timed(embedder, fn, nlp), 1) for name, fn in
            (("add", one_by_one), ("add_many", batched), ("add_session", sessions))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.write_speed",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="items per path (default 300)")
    parser.add_argument("--embedder", default="minilm", help="embedder (default minilm)")
    parser.add_argument("--nlp", default="rules", choices=("rules", "spacy", "auto"),
                        help="language analyser at ingest (default rules)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    result = measure(args.n, args.embedder, nlp=args.nlp)
    if args.json:
        print(json.dumps({"embedder": args.embedder, "nlp": args.nlp, "n": args.n,
                          "per_s": result}))
    else:
        for name, rate in result.items():
            print(f"{name}: {rate} per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
