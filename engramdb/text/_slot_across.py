"""A cue in one sentence of a turn, its value in another: "New city! Seattle!".

People announce a change and name it apart: "Life update: new city! Seattle!", "we
finally signed the lease... the place is in Ballard" is caught by a rule, but "I
guess it's official, I'm a local" names the town only in another clause ("my
library card from the Tacoma public library"). The rules of
:mod:`engramdb.text._slot_cues` need the cue and the value in one clause; this reads
the whole turn when a sentence holds a *bare* cue (one that says the speaker has a
new value of an attribute without naming it) and no rule found that attribute:
if the rest of the turn names exactly one value of the attribute's type, that is it.

The value's type comes from spaCy's named entities when the ``nlp`` extra is
installed (GPE for a city, ORG for an employer, PERSON for a partner), run only on
the few turns that reach this point; without it, from capitalised words where a
value of that type stands (after "in", "at", "to", or a sentence of its own:
"Seattle!"). Two candidates, or none, say nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ._slot_words import _ORG_HEADS

__all__ = ["BARE", "Bare", "EntityFinder", "across", "spacy_entities"]

#: (start, end, label) of each named entity of a text; None: no model, use the rules
EntityFinder = Callable[[str], Sequence[tuple[int, int, str]] | None]

_WORK = (r"\b(?i:work|job|company|office|boss|colleagues?|coworkers?|team|employee|hired|"
         r"employer|role|position|offer|contract|onboarding)\b")


@dataclass(frozen=True, slots=True)
class Bare:
    """A cue of ``slot`` that names no value; ``labels``: the entity types a value has."""

    slot: str
    regex: re.Pattern[str]
    labels: tuple[str, ...]
    lead: str  # words before a value of this type, for the rules fallback
    when: str = ""  # the turn must also match this
    heads: frozenset[str] = frozenset()  # last words that make a capitalised run one anywhere


def _b(slot: str, regex: str, labels: tuple[str, ...], lead: str, when: str = "",
       heads: frozenset[str] = frozenset()) -> Bare:
    return Bare(slot, re.compile(regex, re.IGNORECASE), labels, lead, when, heads)


BARE: tuple[Bare, ...] = (
    _b("location", r"\b(?:new\s+(?:city|town|country|hometown|home\s+town|neighbou?rhood)"
       r"|(?:I\s+am|we\s+are)\s+(?:now\s+|officially\s+|finally\s+)*(?:an?\s+)?locals?"
       r"|signed\s+(?:the|a|our)\s+lease|got\s+the\s+keys|(?:we|I)\s+(?:have\s+)?(?:finally\s+|"
       r"just\s+|officially\s+)*(?:moved|relocated)(?=\s*[.!,;]|\s*$)|the\s+move\s+is\s+(?:done|"
       r"over|official)"
       # one's own street is where one lives ("the plows in X ... our street still hasn't
       # been done")
       r"|(?:our|my)\s+(?:street|road|block)(?!\s+(?:party|parties|food|art|style|smarts|cred)\b))",
       ("GPE", "LOC"), r"in|to|into|from\s+the|at"),
    _b("employer", r"\b(?:(?:I|we)\s+(?:just\s+|finally\s+)?(?:started|landed|got|accepted)\s+"
       r"(?:a|the|my)\s+new\s+(?:job|role|position)|newest\s+(?:employee|hire|recruit|member\s+of"
       r"\s+the\s+team)|made\s+the\s+(?:switch|jump|leap|move)|got\s+(?:the\s+job|hired)|"
       r"accepted\s+(?:the|their)\s+offer|signed\s+(?:the|my)\s+contract)\b", ("ORG", "FAC"),
       r"at|for|with|joined|to", when=_WORK, heads=_ORG_HEADS),
    _b("partner", r"\b(?:(?:seeing|dating)\s+someone(?:\s+new)?|met\s+someone|new\s+(?:boyfriend|"
       r"girlfriend|partner)|started\s+dating|we\s+are\s+(?:official|together|a\s+couple))\b",
       ("PERSON",), r"with|named|called|meet"),
)

#: entity types a value of each type cannot have
_CLASH = {"GPE": {"PERSON", "DATE", "TIME", "NORP"}, "ORG": {"PERSON", "GPE", "DATE", "TIME"},
          "PERSON": {"GPE", "ORG", "LOC", "FAC", "DATE", "TIME"}}
_HEDGE = re.compile(r"\b(?i:if|might|maybe|perhaps|would|could|should|want\s+to|hope|wish|"
                    r"someday|thinking|considering|not|never|no\s+longer|when|once|used\s+to)\b")
_OTHER = re.compile(r"\b(?:[Mm]y|[Oo]ur)\s+(?:\w+\s+){0,2}?(?:sister|brother|mom|mum|dad|mother|"
                    r"father|friend|cousin|aunt|uncle|parent|neighbou?r|roommate|colleague|"
                    r"coworker|boss|son|daughter)s?\b|\b(?:[Hh]e|[Ss]he|[Tt]hey)\b")
_OLD = re.compile(r"(?i:\b(?:(?:moved|came|relocated|moving)\s+(?:here\s+|over\s+)?from|out\s+of|left|leaving|old|back\s+in|visit(?:ed|ing)?|trip\s+to|"
                  r"miss|years\s+in)\s+(?:the\s+)?)$")
_CAPRUN = re.compile(r"\b[A-Z][\w'&.-]*(?:\s+(?:of\s+|de\s+|&\s+)?[A-Z][\w'&.-]*){0,3}")
_SKIP = frozenset("""i i'm the a an my our we he she it they this that so and but now then yes no
    ok okay well oh also just yeah hey hi hello wow life update news big guess finally
    honestly today tonight tomorrow yesterday monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october
    november december new me us""".split())


def across(text: str, found: set[str],
           entities: EntityFinder | None) -> Iterator[tuple[str, str, str]]:
    """(slot, value as said, cue) for each bare cue of ``text`` whose slot is not in
    ``found`` and whose value the rest of the turn names once."""
    for bare in BARE:
        if bare.slot in found:
            continue
        cue = bare.regex.search(text)
        if cue is None or (bare.when and not re.search(bare.when, text)) or _hedged(text, cue):
            continue
        values = _candidates(text, bare, entities)
        if len(values) == 1:
            yield bare.slot, values.pop(), cue.group(0)


def _hedged(text: str, cue: re.Match[str]) -> bool:
    start = max(text.rfind(c, 0, cue.start()) for c in ".!?;,")
    clause = text[start + 1:cue.start()]
    return bool(_HEDGE.search(clause) or _OTHER.search(clause)) or \
        text[cue.end():].lstrip().startswith("?")


def _candidates(text: str, bare: Bare, entities: EntityFinder | None) -> set[str]:
    """Values of the bare cue's type in the turn: capitalised words where such a value
    stands, and the tagger's entities of that type, less what the tagger says is of
    another type (a PERSON is no city: "We moved! Jake helped us carry the couch")."""
    spans = [m.span() for m in _CAPRUN.finditer(text) if _stands(text, m, bare)]
    if len(spans) == 1 and _free(text, spans[0][0]):
        return {text[slice(*spans[0])].strip(" .,!?")} - {""}  # no tagger needed
    tagged = (entities(text) if entities is not None else None) or ()
    spans += [(s, e) for s, e, label in tagged if label in bare.labels]
    wrong = {text[s:e] for s, e, label in tagged if label in _CLASH[bare.labels[0]]}
    return {text[s:e].strip(" .,!?") for s, e in spans
            if _free(text, s) and text[s:e].strip(" .,!?") not in wrong} - {""}


def _stands(text: str, m: re.Match[str], bare: Bare) -> bool:
    """Without a tagger: a capitalised run where a value of the type stands, or one
    whose last word says its type ("Summit Insurance")."""
    words = m.group(0).split()
    if words[0].lower() in _SKIP:
        return False
    if len(words) > 1 and words[-1].lower() in bare.heads:
        return True
    before = text[:m.start()].rstrip()
    alone = re.match(r"\s*(?:[.!?]|$)", text[m.end():]) and (not before or before[-1] in ".!?:")
    return bool(alone or re.search(rf"\b(?:{bare.lead})$", before, re.IGNORECASE))


def _free(text: str, start: int) -> bool:
    """Not an old value ("out of Rotterdam"), not someone else's ("my sister's in X")."""
    before = text[max(0, start - 40):start]
    clause = re.split(r"[.!?;,]", before)[-1]
    return not _OLD.search(before.rstrip() + " ") and not _OTHER.search(clause)


@lru_cache(maxsize=1)
def _ner() -> Any:
    try:
        import spacy
    except ImportError:
        return None
    from .nlp import MODELS

    for package in MODELS:
        try:
            return spacy.load(package, exclude=["tagger", "parser", "attribute_ruler",
                                                "lemmatizer", "senter"])
        except (OSError, ImportError):
            continue
    return None


def spacy_entities() -> EntityFinder | None:
    """spaCy's named entities when its English model is installed, else None. The model
    loads on the first call of the finder, not here: most turns never need it."""
    try:
        import importlib.util

        if importlib.util.find_spec("spacy") is None:
            return None
    except (ImportError, ValueError):
        return None

    def find(text: str) -> list[tuple[int, int, str]] | None:
        nlp = _ner()
        if nlp is None:
            return None
        return [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]

    return find
