"""What the rule extractor reads from the update benchmark's conversations, without search.

``engram bench updates`` measures facts through search and the profile (minutes of
embedding). This measures the extractor alone, in about a second per set: over each
persona's conversation, run as the write pipeline runs it (the persona's turns are the
user's, the assistant's are nobody's; facts below the update threshold are dropped):

- **coverage**: of the turns that state a value (the first one and every change), the
  share whose fact the extractor wrote (the user's, that attribute, that value);
- **precision**: of the facts written about the user, the share whose value is one the
  persona held for that attribute (a sister's city, a friend's employer, a maybe, a
  past internship are the wrong ones).

    python -m engramdb.bench.fact_coverage --set dev,heldout,fresh [--show missed,wrong]

``--embedder none`` measures the rules alone; by default the general path runs with
minilm's fitted sense model (:mod:`engramdb.text._slot_sense`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..lifecycle.updates import DEFAULT_THRESHOLD
from ..write.extract import ExtractedFact, RuleExtractor, TurnInput
from ..embed import get_embedder
from .update_convs import Persona, generate

__all__ = ["Coverage", "measure", "main"]


@dataclass
class Coverage:
    """One set's figures, with the turns behind them."""

    stated: int = 0
    read: int = 0
    facts: int = 0
    right: int = 0
    missed: list[str] = field(default_factory=list)  # "attr=value | turn text"
    wrong: list[str] = field(default_factory=list)  # "attr=value | turn text"

    def summary(self) -> dict[str, Any]:
        return {"stated": self.stated, "read": self.read,
                "coverage": round(self.read / self.stated, 3) if self.stated else None,
                "facts": self.facts, "right": self.right,
                "precision": round(self.right / self.facts, 3) if self.facts else None}


def _facts(p: Persona, extractor: RuleExtractor) -> tuple[list[ExtractedFact], dict[str, str]]:
    out: list[ExtractedFact] = []
    texts: dict[str, str] = {}
    for when, turns in p.sessions:
        inputs = []
        for t in turns:
            tid = t["metadata"]["turn_id"]
            texts[tid] = t["text"]
            owner = "user" if t["role"] == "user" else None
            inputs.append(TurnInput(tid, t["text"], t["speaker"], when, owner, t["role"]))
        out += [f for f in extractor.extract(inputs) if f.confidence >= DEFAULT_THRESHOLD]
    return out, texts


def _holds(fact: ExtractedFact, value: str) -> bool:
    return fact.value is not None and value.lower() in fact.value.lower()


def _persona(p: Persona, cov: Coverage, extractor: RuleExtractor) -> None:
    facts, texts = _facts(p, extractor)
    mine = [f for f in facts if f.subject == "user" and f.polarity]
    for c in p.changes:
        cov.stated += 1
        if any(f.family == c.attribute and c.turn_id in f.source_turns and _holds(f, c.new)
               for f in mine):
            cov.read += 1
        else:
            cov.missed.append(f"{c.attribute}={c.new} | {texts[c.turn_id]}")
    held: dict[str, set[str]] = {}
    for c in p.changes:
        held.setdefault(c.attribute, set()).add(c.new)
    for f in mine:
        cov.facts += 1
        if any(_holds(f, v) for v in held.get(f.family, ())):
            cov.right += 1
        else:
            cov.wrong.append(f"{f.attribute}={f.value} | {texts[f.source_turns[0]]}")


def measure(split: str, *, seed: int = 0, extractor: RuleExtractor | None = None) -> Coverage:
    """``extractor``: the rules alone when None (no embedder, so no general path)."""
    cov = Coverage()
    for p in generate(split, seed=seed):
        _persona(p, cov, extractor or RuleExtractor())
    return cov


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.fact_coverage",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="dev,heldout", help="sets, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", default="", help="missed,wrong: print those turns")
    parser.add_argument("--embedder", default="minilm",
                        help="embedder of the general path (its fitted sense model); "
                             "none: the rules alone")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = datetime.now()
    report = {}
    extractor = RuleExtractor(embedder=None if args.embedder == "none"
                              else get_embedder(args.embedder))
    for split in args.set.split(","):
        cov = measure(split, seed=args.seed, extractor=extractor)
        report[split] = cov.summary()
        for what in filter(None, args.show.split(",")):
            for line in getattr(cov, what):
                print(f"[{split} {what}] {line}")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for split, row in report.items():
            print(f"{split:8} read {row['read']}/{row['stated']} ({row['coverage']})  "
                  f"right {row['right']}/{row['facts']} ({row['precision']})")
        print(f"({(datetime.now() - started).total_seconds():.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
