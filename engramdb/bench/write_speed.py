"""Write throughput of the three write paths, with no LLM anywhere.

``add`` in a loop (one embedding per call), ``add_many`` (batched embedding) and
``add_session`` (a conversation, all keys expanded), each on a fresh in-memory
database, over the synthetic chat sentences of ``bench.embed_speed``.

Run: ``python -m engramdb.bench.write_speed [--n 300] [--embedder minilm] [--nlp spacy] [--json]``

``--extractors FILE`` instead times ``add_session`` with fact extraction off
(``extractor=None``) and on (``"rules"``) over a LoCoMo file's sessions, in one
process, in alternating rounds (off-on, on-off, ...), so a shared machine's load
falls on both alike; it reports the median turns per second of each and their ratio.

``--compare-nlp FILE`` does the same for the language analyser: ``nlp="rules"``
against ``nlp="spacy"`` (the ``nlp`` extra), with the default extractor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from .._memory import Memory
from ..embed import default_embedder
from .embed_speed import sentences

__all__ = ["measure", "measure_extractors", "measure_nlp", "main"]


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


def measure_extractors(path: str, rounds: int = 4, embedder: str = "minilm",
                       sessions: int | None = None) -> dict[str, Any]:
    """Turns per second of ``add_session`` without and with the rule extractor."""
    got = _alternating(path, rounds, embedder, sessions,
                       {"none": {"extractor": None}, "rules": {"extractor": "rules"}})
    rates = got["turns_per_s"]
    return {**got, "rules_over_none": round(rates["rules"] / rates["none"], 3)}


def measure_nlp(path: str, rounds: int = 4, embedder: str = "minilm",
                sessions: int | None = None) -> dict[str, Any]:
    """Turns per second of ``add_session`` with the rule analyser and with spaCy, with
    the graph signal on: it is the one that needs the analyser's entity keys, and with it
    off (the default) ingest runs no analyser at all (``recall.signals``)."""
    from ..recall.pipeline import RecallConfig

    graph = RecallConfig().with_signal("graph")
    got = _alternating(path, rounds, embedder, sessions,
                       {"rules": {"nlp": "rules", "recall": graph},
                        "spacy": {"nlp": "spacy", "recall": graph}})
    rates = got["turns_per_s"]
    return {**got, "spacy_over_rules": round(rates["spacy"] / rates["rules"], 3)}


def _alternating(path: str, rounds: int, embedder: str, sessions: int | None,
                 variants: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Median turns/s of ingesting a LoCoMo file's sessions under each variant's
    ``Memory`` options, in alternating rounds (a-b, b-a, ...) so that a shared
    machine's load falls on every variant alike."""
    from ..formats import load_locomo

    work = [(c.conv_id, s) for c in load_locomo(path).conversations for s in c.sessions]
    work = work[:sessions] if sessions else work
    turns = sum(len(s.turns) for _, s in work)
    names = list(variants)
    rates: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            with Memory(":memory:", embedder=embedder, **variants[name]) as memory:
                memory.add("warm-up: loads the model", user_id="warm-up")
                start = time.perf_counter()
                for conv_id, session in work:
                    memory.add_session(session.turns, user_id=conv_id,
                                       session_id=session.session_id,
                                       started_at=session.started_at)
                rates[name].append(turns / (time.perf_counter() - start))
    return {"sessions": len(work), "turns": turns, "rounds": rounds, "embedder": embedder,
            "turns_per_s": {k: round(statistics.median(v), 1) for k, v in rates.items()},
            "all_rounds": {k: [round(x, 1) for x in v] for k, v in rates.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.write_speed",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="items per path (default 300)")
    parser.add_argument("--embedder", default=default_embedder(),
                        help="embedder (default: a new database's, minilm-int8 where "
                             "onnxruntime is installed)")
    parser.add_argument("--nlp", default="rules", choices=("rules", "spacy", "auto"),
                        help="language analyser at ingest (default rules)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--extractors", metavar="LOCOMO_FILE",
                        help="time add_session with extraction off vs rules on this file")
    parser.add_argument("--compare-nlp", metavar="LOCOMO_FILE",
                        help="time add_session with the rule analyser vs spaCy on this file")
    parser.add_argument("--rounds", type=int, default=4,
                        help="--extractors / --compare-nlp rounds (default 4)")
    parser.add_argument("--sessions", type=int,
                        help="--extractors / --compare-nlp: first N sessions only")
    args = parser.parse_args(argv)
    if args.compare_nlp:
        got = measure_nlp(args.compare_nlp, args.rounds, args.embedder, args.sessions)
        print(json.dumps(got) if args.json else
              f"add_session over {got['turns']} turns ({got['sessions']} sessions), median "
              f"of {got['rounds']} alternating rounds: rules {got['turns_per_s']['rules']} "
              f"turns/s, spaCy {got['turns_per_s']['spacy']} turns/s "
              f"(spaCy/rules = {got['spacy_over_rules']})")
        return 0
    if args.extractors:
        got = measure_extractors(args.extractors, args.rounds, args.embedder, args.sessions)
        print(json.dumps(got) if args.json else
              f"add_session over {got['turns']} turns ({got['sessions']} sessions), median "
              f"of {got['rounds']} alternating rounds: extractor off "
              f"{got['turns_per_s']['none']} turns/s, rules {got['turns_per_s']['rules']} "
              f"turns/s (rules/off = {got['rules_over_none']})")
        return 0
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
