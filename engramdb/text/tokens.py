"""Tokenising text: words, content terms for the lexical index, light stemming."""

from __future__ import annotations

import functools
import re

__all__ = ["STOPWORDS", "stem", "terms", "words"]

# English stopwords (the common NLTK/sklearn core). Question words stay out of the
# index query: "when did Ana move" should match on "Ana" and "move".
STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't
doing don't down during each few for from further had hadn't has hasn't have haven't having he
he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in
into is isn't it it's its itself let's me more most mustn't my myself no nor not of off on once
only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
shouldn't so some such than that that's the their theirs them themselves then there there's
these they they'd they'll they're they've this those through to too under until up very was
wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while
who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
yourself yourselves also just really s t d ll m o re ve y
""".split())

_WORD = re.compile(r"[\w']+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes kept inside words and trimmed at the ends."""
    return [kept for w in _WORD.findall(text.lower()) if (kept := w.strip("'"))]


def terms(text: str) -> list[str]:
    """Distinct content words of a query, in order: what the lexical index is asked for."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and word not in seen:
            seen[word] = None
    return list(seen)


_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


@functools.lru_cache(maxsize=1 << 16)  # called per word of every hit a search scores
def stem(word: str) -> str:
    """Light suffix stripping (plural, -ing, -ed, possessive): enough to match
    "kids"/"kid" and "Ethan's"/"Ethan" without a full stemmer."""
    word = word.lower()
    word = word.removesuffix("'s")
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + repl
    return word
