"""Build the category table the never-said rule reads (``recall/data/categories.tsv.gz``).

A question that asks for a member of a category ("What food does Bob like?") is
answered by a memory that names the member ("I love sushi") without ever saying the
category. The sentence embedder cannot tell a member from a neighbour (MiniLM puts
"movie" nearer "book" than "food" is to "sushi"; BENCHMARKS.md, "Category questions"),
so the relation comes from WordNet's noun hierarchy, written once by this command into
a table shipped with the package (no download at run time):

* a category is the **first sense** of its name (WordNet's most frequent: "language"
  asks for English, not for a "saying"), or the compound that names a synset first
  ending in it ("musical instrument");
* a **member** is a one-word noun in its first sense (:data:`SENSES`, proper nouns such
  as "Denver" included); its **categories** are the one-word names of its hypernyms up
  to :data:`DEPTH` levels up (instance hypernyms too: Denver is a city), and the last
  word of a compound name ("musical instrument" -> instrument, "video game" -> game);
* only categories a question could ask about are kept: common nouns (WordNet's tagged
  sense count >= 1) with at most :data:`MAX_MEMBERS` members ("entity" or "object"
  would say that everything is said);
* a **role** noun, whose first sense has no kinds of its own ("pet": an animal kept for
  company), stands for its hypernym's members: ``pet\\t=animal``.

    apt-get install wordnet-base      # WordNet 3.0, /usr/share/wordnet
    python -m engramdb.bench.hypernym_table --wordnet /usr/share/wordnet --write
"""

from __future__ import annotations

import argparse
import gzip
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..recall.categories import TABLE_PATH

__all__ = ["DEPTH", "MAX_MEMBERS", "SENSES", "WordNet", "build", "main"]

DEPTH = 8  # "cat" -> feline, carnivore, placental, mammal, vertebrate, chordate, animal
SENSES = 1  # a member's first sense (WordNet's index order: "five" is a number,
#: not a basketball team)
MAX_MEMBERS = 2000  # a category naming more than this is too general to count as said
_WORD = re.compile(r"^[a-z]+$")

NOTICE = """\
# Derived from WordNet 3.0 (nouns) by python -m engramdb.bench.hypernym_table.
# category<TAB>members (space-separated) | category<TAB>=category whose members it takes
# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.
# THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO
# REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT
# LIMITATION, PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF
# MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE
# LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY
# PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS. The name of Princeton University or
# Princeton may not be used in advertising or publicity pertaining to distribution of
# the software and/or database. Title to copyright in this software, database and any
# associated documentation shall at all times remain with Princeton University and
# LICENSEE agrees to preserve same.
"""


@dataclass
class WordNet:
    """The noun part of a WordNet 3.0 database directory (``data.noun``, ``index.noun``)."""

    names: dict[str, list[str]] = field(default_factory=dict)  # synset -> lemmas
    parents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    has_kinds: set[str] = field(default_factory=set)  # synsets with a hyponym
    senses: dict[str, list[str]] = field(default_factory=dict)  # lemma -> synsets, in order
    tagged: dict[str, int] = field(default_factory=dict)  # lemma -> tagged sense count

    @classmethod
    def read(cls, root: Path) -> WordNet:
        wn = cls()
        for fields in _records(root / "data.noun"):
            offset, count = fields[0], int(fields[3], 16)
            wn.names[offset] = [fields[4 + 2 * i].lower() for i in range(count)]
            i = 4 + 2 * count
            for k in range(int(fields[i])):
                symbol, target, pos = fields[i + 1 + 4 * k: i + 4 + 4 * k]
                if pos == "n" and symbol in ("@", "@i"):
                    wn.parents[offset].append(target)
                    wn.has_kinds.add(target)
        for fields in _records(root / "index.noun"):
            lemma, count, pointers = fields[0], int(fields[2]), int(fields[3])
            wn.tagged[lemma] = int(fields[5 + pointers])
            wn.senses[lemma] = fields[6 + pointers: 6 + pointers + count]
        return wn

    def ancestors(self, synset: str, depth: int = DEPTH) -> set[str]:
        out, frontier = set(), {synset}
        for _ in range(depth):
            frontier = {p for s in frontier for p in self.parents.get(s, ())}
            out |= frontier
        return out

    def category_names(self, synset: str) -> set[str]:
        """One-word names a question can use for ``synset``: a common noun (tagged) whose
        first sense it is ("language" asks for English, not for a "saying", a kind of
        its other sense "speech"), or the last word of the compound that names it first
        ("musical_instrument" -> instrument)."""
        names = self.names.get(synset, [])
        out = {n for n in names if self.senses.get(n, [None])[0] == synset}
        if names and "_" in names[0]:  # the synset's own name is the compound
            out.add(names[0].rsplit("_", 1)[-1])
        return {n for n in out if _WORD.match(n) and self.tagged.get(n, 0) > 0}


def _records(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="latin-1") as f:
        for line in f:
            if not line.startswith("  "):  # the license header
                yield line.split(" | ")[0].split()


def build(wn: WordNet) -> dict[str, str]:
    """category -> its members (space-separated) or ``=category`` for a role noun."""
    members: dict[str, set[str]] = defaultdict(set)
    for lemma, synsets in wn.senses.items():
        if not _WORD.match(lemma):
            continue
        for synset in synsets[:SENSES]:
            for above in wn.ancestors(synset):
                for name in wn.category_names(above) - {lemma}:
                    members[name].add(lemma)
    table = {c: " ".join(sorted(m)) for c, m in members.items() if len(m) <= MAX_MEMBERS}
    for lemma, synsets in wn.senses.items():  # its first sense decides, whatever the others
        if not synsets or not _WORD.match(lemma) or not wn.tagged.get(lemma):
            continue
        first = synsets[0]
        if first in wn.has_kinds:
            continue
        for parent in wn.parents.get(first, ()):  # a role: "pet" -> animal
            stands = sorted(c for c in wn.category_names(parent) if c in table)
            if stands:
                table[lemma] = "=" + stands[0]
                break
    return table


def write(table: dict[str, str], path: Path = TABLE_PATH) -> None:
    text = NOTICE + "".join(f"{c}\t{m}\n" for c, m in sorted(table.items()))
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.hypernym_table",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"),
                        help="WordNet 3.0 database directory (data.noun, index.noun)")
    parser.add_argument("--write", action="store_true", help=f"write {TABLE_PATH.name}")
    args = parser.parse_args(argv)
    table = build(WordNet.read(args.wordnet))
    roles = sum(1 for m in table.values() if m.startswith("="))
    print(f"{len(table)} categories ({roles} roles), "
          f"{sum(len(m.split()) for m in table.values() if not m.startswith('='))} links")
    if args.write:
        write(table)
        print(f"wrote {TABLE_PATH} ({TABLE_PATH.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
