"""Precision and recall of knowledge-update detection on a hand-written labelled set.

``data/update_pairs.jsonl`` holds (old, new, label) pairs the project wrote:
``label`` is ``update`` when the new statement makes the old one no longer
current (including refinements and negations) and ``not_update`` otherwise —
tricky cases on purpose: other people, visits, hypotheticals, past history,
generalisations, idioms. ``split`` is ``dev`` (used while writing the
patterns) or ``heldout`` (written with them but never used to tune them).

Run: ``python -m engramdb.bench.updates [--threshold 0.7] [--split dev|heldout|all] [-v]``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..lifecycle.updates import DEFAULT_THRESHOLD, judge_pair

__all__ = ["PAIRS_PATH", "UpdateScores", "evaluate", "load_pairs", "main"]

PAIRS_PATH = Path(__file__).with_name("data") / "update_pairs.jsonl"


def load_pairs(path: str | Path = PAIRS_PATH, *, split: str = "all") -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fp:
        pairs = [json.loads(line) for line in fp if line.strip()]
    return pairs if split == "all" else [p for p in pairs if p.get("split") == split]


@dataclass
class UpdateScores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"pairs": self.tp + self.fp + self.fn + self.tn, "tp": self.tp, "fp": self.fp,
                "fn": self.fn, "tn": self.tn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4)}


def evaluate(pairs: Iterable[dict[str, Any]], *,
             threshold: float = DEFAULT_THRESHOLD) -> UpdateScores:
    """Score :func:`~engramdb.lifecycle.updates.judge_pair` against the labels."""
    scores = UpdateScores()
    for pair in pairs:
        verdict = judge_pair(pair["old"], pair["new"], threshold=threshold,
                             old_speaker=pair.get("old_speaker"),
                             new_speaker=pair.get("new_speaker"))
        gold = pair["label"] == "update"
        if verdict.update and gold:
            scores.tp += 1
        elif verdict.update:
            scores.fp += 1
        elif gold:
            scores.fn += 1
        else:
            scores.tn += 1
        if verdict.update != gold:
            scores.errors.append({**pair, "confidence": verdict.confidence,
                                  "relation": verdict.relation})
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.updates",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--split", choices=("dev", "heldout", "blind", "all"), default="all")
    parser.add_argument("--pairs", default=str(PAIRS_PATH))
    parser.add_argument("-v", "--verbose", action="store_true", help="list the errors")
    args = parser.parse_args(argv)
    splits = ("dev", "heldout", "blind", "all") if args.split == "all" else (args.split,)
    for split in splits:
        scores = evaluate(load_pairs(args.pairs, split=split), threshold=args.threshold)
        print(json.dumps({"split": split, "threshold": args.threshold, **scores.as_dict()}))
        if args.verbose and split != "all" or (args.verbose and len(splits) == 1):
            for e in scores.errors:
                kind = "FP" if e["label"] == "not_update" else "FN"
                print(f"  {kind} {e['id']} conf={e['confidence']:.2f} {e['old']!r} -> "
                      f"{e['new']!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
