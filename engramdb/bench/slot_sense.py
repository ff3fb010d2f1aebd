"""Fit the sense model of the general path (:mod:`engramdb.text._slot_sense`), and
measure it leave-one-set-out.

Labelled sentences come from the update benchmark's sets (``dev``, ``heldout``,
``fresh``, ``fresh2``): a sentence of a persona's turn that states a value (the first
one or a change) is labelled with that attribute; the other sentences of the persona's
turns (chit-chat, distractors, echoes) with none; the other sentences of a turn that
states a value are left out (they may say it by implication). Per attribute the model
keeps the mean embedding of its sentences, one of the unlabelled ones, and a cut on
the margin between the two, chosen so that on the training sentences that hold
exactly one value of the attribute's type (and are the speaker's, now) the general path
gains the most right facts with each wrong one counted as four lost.

    python -m engramdb.bench.slot_sense --loso            # each set read by a model fitted on the others
    python -m engramdb.bench.slot_sense --fit --write     # fit on every set, write text/data/slot_sense.json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..embed import get_embedder
from ..text._slot_sense import SENSE_FILE, SenseModel, in_context
from ..text._slot_typed import TYPED, typed_values
from ..embed._pool import split_passages
from ..text.slots import sentences
from ..write.extract import RuleExtractor
from .fact_coverage import measure
from .update_convs import BLIND, generate

__all__ = ["fit", "labelled", "main"]

SETS = ("dev", "heldout", "fresh", "fresh2")
#: A wrong fact costs this many right ones: it supersedes a true one.
WRONG_COST = 4.0


def labelled(split: str, seed: int = 0) -> list[tuple[str, str | None, int]]:
    """(passage, attribute, turn number) for every passage of the set's persona turns:
    the sentences as a turn's record vector pools them ("Maya: ..."), what the extractor
    embeds (:mod:`engramdb.embed._pool`). The attribute is None for a passage that states
    none, ``"?"`` for one that may say it by implication (left out of the fit)."""
    rows: list[tuple[str, str | None, int]] = []
    turn = 0
    for p in generate(split, seed=seed):
        changes: dict[str, list[Any]] = {}
        for c in p.changes:
            changes.setdefault(c.turn_id, []).append(c)
        for _, turns in p.sessions:
            for t in (t for t in turns if t["role"] == "user"):
                said = changes.get(t["metadata"]["turn_id"], [])
                for passage in split_passages(f"{t['speaker']}: {t['text']}", t["speaker"]):
                    label = next((c.attribute for c in said
                                  if c.new.lower() in passage.lower()), "?" if said else None)
                    rows.append((passage, label, turn))
                turn += 1
    return rows


def fit(rows: Sequence[tuple[str, str | None]], vectors: np.ndarray, embedder: str) -> SenseModel:
    """Centroids of the typed attributes and of no attribute, and a cut per attribute.
    ``vectors``: the passages in their turn's context (:func:`in_context`)."""
    labels = [label for _, label in rows]
    attributes = tuple(a for a in TYPED if labels.count(a) >= 3)
    keep = np.array([label is None or label in attributes for label in labels])
    groups = [None, *attributes]
    centroids = np.stack([vectors[keep & np.array([lb == g for lb in labels])].mean(0)
                          for g in groups])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    model = SenseModel(embedder, attributes, centroids.astype(np.float32),
                       np.zeros(len(attributes), dtype=np.float32))
    margins = model.margins(vectors)
    # never below 0: a sentence nearer no attribute than this one is not about it
    cuts = [max(0.0, _cut(rows, margins[:, i], a)) for i, a in enumerate(attributes)]
    return SenseModel(embedder, attributes, model.centroids, np.array(cuts, dtype=np.float32))


def _cut(rows: Sequence[tuple[str, str | None]], margins: np.ndarray, attribute: str) -> float:
    """The margin that gains most (right - WRONG_COST * wrong) over the sentences that
    hold exactly one value of the attribute's type."""
    gated = [(float(m), label == attribute) for (s, label), m in zip(rows, margins)
             if label in (None, attribute) and _one_value(s, attribute)]
    best, best_gain = max((m for m, _ in gated), default=0.0) + 0.01, 0.0
    for cut, _ in gated:
        gain = sum(ok - WRONG_COST * (not ok) for m, ok in gated if m >= cut)
        if gain > best_gain:
            best, best_gain = cut, gain
    return best


def _one_value(passage: str, attribute: str) -> bool:
    """Does a sentence of the passage hold exactly one value of the attribute's type, as
    the extractor reads it (without the speaker's name, contractions spelt out)?"""
    body = passage.split(": ", 1)[-1]
    return any(len(typed_values(s, attribute)) == 1 for s in sentences(body))


def _data(splits: Sequence[str], embedder: Any) -> tuple[list[tuple[str, str | None]],
                                                         np.ndarray, list[str]]:
    """The passages of the sets that the fit reads, with their vectors in context."""
    rows, turns, origin = [], [], []
    for n, split in enumerate(splits):
        for passage, label, turn in labelled(split):
            rows.append((passage, label))
            turns.append(turn + 100_000 * n)
            origin.append(split)
    raw = np.asarray(embedder.embed_batch([s for s, _ in rows]), dtype=np.float32)
    _, dense = np.unique(turns, return_inverse=True)
    vectors = in_context(raw, dense)
    keep = [i for i, (_, label) in enumerate(rows) if label != "?"]
    return [rows[i] for i in keep], vectors[keep], [origin[i] for i in keep]


def loso(splits: Sequence[str], embedder: Any) -> dict[str, Any]:
    """Each set read by the rules alone and by rules + a model fitted on the other sets."""
    rows, vectors, origin = _data(splits, embedder)
    report = {}
    for held in splits:
        train = [i for i, o in enumerate(origin) if o != held]
        model = fit([rows[i] for i in train], vectors[train], embedder.name)
        rules = measure(held).summary()
        general = measure(held, extractor=RuleExtractor(embedder=embedder, sense=model))
        report[held] = {"rules": rules, "rules+general (fitted on the others)": general.summary(),
                        "wrong": general.wrong}
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.slot_sense",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--set", default=",".join(SETS), help="sets, comma-separated")
    parser.add_argument("--loso", action="store_true", help="leave-one-set-out figures")
    parser.add_argument("--fit", action="store_true", help="fit on every set")
    parser.add_argument("--write", action="store_true", help="with --fit: write the model")
    args = parser.parse_args(argv)
    splits = args.set.split(",")
    if blind := sorted(set(splits) & set(BLIND)):
        parser.error(f"{', '.join(blind)} is the blind set: no fit reads it")
    embedder = get_embedder(args.embedder)
    if args.loso:
        print(json.dumps(loso(splits, embedder), indent=2))
    if args.fit:
        rows, vectors, _ = _data(splits, embedder)
        model = fit(rows, vectors, embedder.name)
        print(json.dumps({a: round(float(c), 4) for a, c in zip(model.attributes, model.cuts)}))
        if args.write:
            models = json.loads(SENSE_FILE.read_text()) if SENSE_FILE.exists() else {}
            models[embedder.name] = model.to_json()
            SENSE_FILE.parent.mkdir(exist_ok=True)
            SENSE_FILE.write_text(json.dumps(models, separators=(",", ":")) + "\n")
            print(f"wrote {SENSE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
