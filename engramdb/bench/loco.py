"""Leave-one-conversation-out choice among benchmark variants: tuned beside held out.

A knob fitted on a dev split looks better on it than it is. Given the per-question
rows of one ``engram bench locomo ... --variant A,B,...`` run (``questions.jsonl``:
the defaults' rows and each variant's), this picks, for every conversation, the
setting with the best mean measure on the *other* conversations and scores it on
that one; the held-out scores are pooled. "tuned" is the setting best on all of
them. A setting that only fits the dev split shows as a LOCO figure below its tuned
one.

    engram bench locomo locomo-dev.json --method engram \\
        --variant no-aggregate-slots,aggregate-every-3,aggregate-every-5 --out DIR
    python -m engramdb.bench.loco DIR/questions.jsonl            # markdown table
    python -m engramdb.bench.loco DIR/questions.jsonl --json

Overall is LoCoMo's categories 1-4; questions without evidence are left out (as the
harness does).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._errors import InvalidInputError

__all__ = ["load_rows", "choose", "main"]

#: the defaults' rows carry no variant name
DEFAULTS = "defaults"
OVERALL = ("1", "2", "3", "4")

Rows = dict[str, list[Mapping[str, Any]]]  # setting -> its per-question rows


def load_rows(path: str | Path, method: str = "engram") -> Rows:
    """Per-question rows of ``method`` by setting (the defaults and each variant)."""
    out: Rows = defaultdict(list)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("method") == method and row.get("category") in OVERALL:
            out[row.get("variant") or DEFAULTS].append(row)
    if not out:
        raise InvalidInputError(f"no {method} rows of categories 1-4 in {path}")
    return dict(out)


def _mean(rows: Iterable[Mapping[str, Any]], metric: str) -> float:
    values = [float(r[metric]) for r in rows if r.get(metric) is not None]
    return sum(values) / len(values) if values else 0.0


def _by_category(rows: Sequence[Mapping[str, Any]], metric: str) -> dict[str, float]:
    cats: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        cats[r["category"]].append(r)
    out = {c: round(_mean(cats[c], metric), 4) for c in sorted(cats)}
    out["overall"] = round(_mean(rows, metric), 4)
    return out


def choose(rows: Rows, metric: str = "recall_all@10") -> dict[str, Any]:
    """Every setting's own figures, the tuned choice and the LOCO figures."""
    def best(keep: Any) -> str:  # ties: the defaults, then name order
        return max(sorted(rows), key=lambda s: (_mean(filter(keep, rows[s]), metric),
                                                s == DEFAULTS))
    convs = sorted({r["conversation"] for rs in rows.values() for r in rs})
    held: list[Mapping[str, Any]] = []
    picks = {}
    for conv in convs:
        pick = best(lambda r, c=conv: r["conversation"] != c)
        picks[conv] = pick
        held += [r for r in rows[pick] if r["conversation"] == conv]
    tuned = best(lambda r: True)
    return {"metric": metric, "settings": {s: _by_category(rs, metric) for s, rs in rows.items()},
            "tuned": tuned, "tuned_figures": _by_category(rows[tuned], metric),
            "loco_picks": picks, "loco_figures": _by_category(held, metric)}


def markdown(result: Mapping[str, Any]) -> str:
    cats = [c for c in OVERALL if c in result["tuned_figures"]]
    head = "| setting | " + " | ".join(f"cat {c}" for c in cats) + " | overall |"
    lines = [head, "|---|" + "---:|" * (len(cats) + 1)]

    def row(name: str, figs: Mapping[str, float]) -> str:
        return f"| {name} | " + " | ".join(f"{figs[c]:.3f}" for c in [*cats, "overall"]) + " |"
    for name, figs in sorted(result["settings"].items()):
        lines.append(row(name, figs))
    lines.append(row(f"**tuned** ({result['tuned']})", result["tuned_figures"]))
    picks = ", ".join(f"{c}: {p}" for c, p in result["loco_picks"].items())
    lines.append(row(f"**LOCO** ({picks})", result["loco_figures"]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engramdb.bench.loco", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  python -m engramdb.bench.loco /tmp/run/questions.jsonl --json\n")
    parser.add_argument("questions", help="questions.jsonl of an engram bench locomo run")
    parser.add_argument("--metric", default="recall_all@10", help="default recall_all@10")
    parser.add_argument("--method", default="engram", help="default engram")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = parser.parse_args(argv)
    try:
        result = choose(load_rows(args.questions, args.method), args.metric)
    except InvalidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
