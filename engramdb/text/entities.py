"""Entity names in text, found without an NLP model.

Capitalised words and phrases that do not open a sentence, and quoted titles; the
speakers' own names and calendar words are left out (they would connect everything
in the entity graph of :mod:`engramdb.recall.graph`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .tokens import STOPWORDS

__all__ = ["extract_entities"]

_CAPS = re.compile(r"(?<![.!?:]\s)(?<!^)(?<![\w'])((?:[A-Z][\w'’-]+)(?:\s+(?:of|the|de)?\s*[A-Z][\w'’-]+)*)")
_QUOTED = re.compile(r"[\"“‘']([A-Z][^\"”’']{2,40})[\"”’']")
_NOT_ENTITY = frozenset({"i", "i'm", "i've", "i'll", "i'd", "ok", "okay", "yes", "no", "hey", "hi",
                         "wow", "thanks", "thank", "yeah", "yep", "oh", "haha", "lol", "mom",
                         "dad", "god", "omg"})
# capitalised but not entities: they would link every turn said on a Monday
_CALENDAR = frozenset("""january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday mondays tuesdays
wednesdays thursdays fridays saturdays sundays christmas easter""".split())


def extract_entities(text: str, exclude: Iterable[str] = ()) -> set[str]:
    """Lower-cased entity names in ``text`` (see the module docstring for the rule)."""
    banned = {e.lower() for e in exclude} | _NOT_ENTITY
    found = {m.strip() for m in _CAPS.findall(text)} | {m.strip() for m in _QUOTED.findall(text)}
    out = set()
    for name in found:
        key = re.sub(r"['’]s$", "", name.lower().strip("'’"))
        words = key.split()
        if key and key not in STOPWORDS and not (words[0] in banned or words[-1] in _CALENDAR):
            out.add(key)
    return out
