"""Embedding throughput: sentences per second of an embedder on realistic chat turns.

Sentences come from the deterministic synthetic chat corpus of ``bench.scale``
(17 words per turn on average), embedded ``--batch`` at a time after one warm-up
batch, best of ``--repeat`` passes. With ``--reference`` the same sentences also
go through sentence-transformers (if torch and sentence-transformers are
installed) for a side-by-side figure.

Run: ``python -m engramdb.bench.embed_speed [--n 1000] [--batch 64] [--embedder minilm] [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from itertools import islice

from ..embed import embed_texts, get_embedder
from .scale import ScaleCorpus

__all__ = ["SpeedResult", "sentences", "measure", "main"]


@dataclass(frozen=True, slots=True)
class SpeedResult:
    embedder: str
    sentences: int
    batch: int
    seconds: float
    sentences_per_s: float
    mean_words: float


def sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` chat turns of the synthetic corpus, in order."""
    turns = (t for s in ScaleCorpus(n, seed=seed).sessions() for t in s.turns)
    return [t.text for t in islice(turns, n)]


def measure(embedder_name: str, texts: list[str], *, batch: int = 64,
            repeat: int = 3) -> SpeedResult:
    embedder = get_embedder(embedder_name)
    embed_texts(embedder, texts[:batch], batch_size=batch)  # loads the model: not timed
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        embed_texts(embedder, texts, batch_size=batch)
        best = min(best, time.perf_counter() - start)
    words = sum(len(t.split()) for t in texts) / max(len(texts), 1)
    return SpeedResult(embedder_name, len(texts), batch, round(best, 3),
                       round(len(texts) / best, 1), round(words, 1))


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
    parser.add_argument("--embedder", default="minilm", help="embedder name (default minilm)")
    parser.add_argument("--reference", action="store_true",
                        help="also time sentence-transformers, if installed")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    texts = sentences(args.n)
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


if __name__ == "__main__":
    sys.exit(main())
