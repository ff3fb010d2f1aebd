"""Category questions: "What food does Bob like?" is answered by "I love sushi".

A question that asks *which* member of a category (:func:`category_of`: the noun of
"what/which X", or of "what is <someone>'s [favorite] X") is answered by a memory that
names a member of X without ever saying X. The never-said rule and the coverage of
:mod:`engramdb.recall.confidence` count X as said where a member is (:func:`names_member`).

Only the asked category gets this: in "What is the name of Maya's brother?" the
question asks for a name, and "brother" must still be said as such ("sister" is no
member of it). Membership is WordNet's noun hierarchy, compiled into a table shipped
with the package by ``python -m engramdb.bench.hypernym_table --write`` (a
sentence embedder cannot tell a member from a neighbour: BENCHMARKS.md, "Category
questions"). Lookups are set membership; the table (about 0.5 MB compressed) is read
on the first category question whose category the memory does not say.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..text.tokens import STOPWORDS, words

__all__ = ["TABLE_PATH", "category_of", "is_category", "members_of", "names_member"]

TABLE_PATH = Path(__file__).with_name("data") / "categories.tsv.gz"

_WH = frozenset({"what", "which"})
_BE = frozenset({"is", "are", "was", "were"})
_AUX = _BE | frozenset({"does", "do", "did", "has", "have", "had", "will", "would", "can",
                        "could", "should", "might", "may"})
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "my", "your", "our", "its"})
_KIND = frozenset({"kind", "kinds", "type", "types", "sort", "sorts"})
# words that end the asked noun phrase without being stop words: "What is Maya's job now?"
_AFTER = frozenset({"now", "currently", "lately", "nowadays", "recently", "today", "still",
                    "usually", "anymore", "again", "ever", "most", "best", "these", "days"})
# nouns that ask for something that is not a member: a name, a number, a kind ("blood type")
_NOT_CATEGORIES = frozenset({"name", "names", "called", "number", "type", "kind", "sort",
                             "much", "many", "long", "old", "far", "often", "time", "date",
                             "day", "year", "month", "thing", "things"})


def category_of(question: str, names: Sequence[str] = ()) -> str | None:
    """The category whose member the question asks for, singular, or None: "what food
    does bob like?" -> food, "Which cities has she lived in?" -> city, "What is Bob's
    favorite sport?" -> sport, "What kind of car...?" -> car; None for "What is the name
    of Maya's brother?" (a name), "Who is...?", "Where...?" and yes/no questions.
    ``names``: the people the question may name (never a category)."""
    tokens = words(question)
    people = {w.lower() for n in names for w in n.split()}
    for i, token in enumerate(tokens):
        if token in _WH:
            return _head(tokens[i + 1:], people)
    return None


def _head(rest: list[str], people: set[str]) -> str | None:
    """The noun of the phrase after "what"/"which" (or after "what is")."""
    j = 0
    if rest and rest[0] in _BE:  # "what is Bob's favorite food": a possessive or determiner
        j = 1
        if j >= len(rest) or not (rest[j] in _DETERMINERS or rest[j].endswith("'s")):
            return None
    elif rest and rest[0] in _AUX:  # "what does Bob like": asks for no category
        return None
    run: list[str] = []
    while j < len(rest):
        token = rest[j]
        if token in _KIND and j + 1 < len(rest) and rest[j + 1] == "of":
            j += 2
            continue
        if token in _AUX or token in _AFTER or (token in STOPWORDS
                                                and token not in _DETERMINERS):
            break
        run = [] if token in _DETERMINERS or token.endswith("'s") else [*run, token]
        j += 1
    if not run or run[-1] in _NOT_CATEGORIES or run[-1] in people:
        return None
    return _singular(run[-1])


def _singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("xes", "x"), ("ches", "ch"),
                         ("shes", "sh"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + repl
    return word


def is_category(term: str, category: str | None) -> bool:
    """Whether the question's word ``term`` ("cities", "food") names ``category``."""
    return category is not None and _singular(term.removesuffix("'s")) == category


@functools.cache
def _table() -> dict[str, str]:
    if not TABLE_PATH.exists():
        return {}
    text = gzip.decompress(TABLE_PATH.read_bytes()).decode("utf-8")
    return dict(line.split("\t", 1) for line in text.splitlines()
                if line and not line.startswith("#"))


@functools.cache
def members_of(category: str) -> frozenset[str]:
    """The one-word nouns WordNet files under ``category`` (a role noun such as "pet"
    takes its hypernym's: animal); empty when unknown."""
    entry = _table().get(category, "")
    if entry.startswith("="):
        entry = _table().get(entry[1:], "")
    return frozenset(entry.split())


def names_member(category: str, text_words: Iterable[str]) -> bool:
    """Whether one of ``text_words`` (lower-cased words of a memory) is a member of
    ``category``, in its written or singular form ("cats", "Denver's")."""
    members = members_of(category)
    if not members:
        return False
    for word in text_words:
        word = word.removesuffix("'s")
        if word in STOPWORDS:  # "he" is helium, "an" a sign: never the member meant
            continue
        if word in members or _singular(word) in members:
            return True
    return False
