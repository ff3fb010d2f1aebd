"""The general path: a value found by its type in a sentence whose meaning names the attribute.

:mod:`engramdb.text._slot_sense` says what a sentence is about ("Orientation at Tallow
Logistics today was eight hours of slides" is about an employer) without a cue word.
This reads the value by its *type* (a capitalised name for a home, an employer, a
partner or a pet; an amount of money for rent or pay; a diet word; a job noun phrase;
an infinitive for a plan) and only when the sentence holds exactly one value of that
type, and checks whose it is: a sentence about someone else ("my friend from school
just moved to ..."), a hypothetical, a question, the past or an ending says nothing.

Precision comes first: a false fact supersedes a true one. The rules of
:mod:`engramdb.text.slots` stay the precise path; this runs only for attributes they
found nothing of in the turn, and its facts are less sure than theirs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ._slot_across import EntityFinder
from ._slot_cues import _DIET, _JOB, _OPENERS
from ._slot_values import norm_value, valid_value
from ._slot_words import _KIN, _NOT_NAMES, _ORG_HEADS, _REL

__all__ = ["TYPED", "read_typed", "speaks_of_self", "typed_values", "worth_sensing"]

#: The attributes the general path reads, each with the type of its value.
TYPED = {"location": "place", "employer": "org", "partner": "name", "pet": "pet",
         "rent": "money", "salary": "money", "diet": "diet", "job": "job"}

_CAPS = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*(?:\s+(?:(?:of|de|du|la|van|von|&)\s+)?"
                   r"[A-Z][\w'’.-]*)*")
_MONEY = re.compile(r"[$€£]\s?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?[kK]\b)?")
_DIET_ANY = re.compile(rf"\b(?:{_DIET[6:-1]}|low[- ](?:sodium|carb|fat|fodmap|sugar|salt))\b",
                       re.IGNORECASE)
_JOB_NP = re.compile(rf"\b(?:a|an)\s+{_JOB}")
# "to" of motion or relation, not an infinitive of intent ("my free time goes to running")
_TO_NOT_INTENT = frozenset("""goes go went going back next close due up listen talk thanks
    according used related similar compared down over out way moved move flew drove come came
    get got gets trip visit return returned""".split())
_PLAN = re.compile(r"\b(?P<pre>[\w']+)\s+to\s+(?P<v>(?!(?:be|the|a|an|my|our|your|his|her|their|it|this|that|me|"
                   r"you|him|them|us|when|what|where|why|how|who|which|work|school|bed|sleep|"
                   r"do\s+it|know|say|see|ask|hear|get\s+it|[a-z]+ing)\b)[a-z]+"
                   r"(?:\s+(?!-)[^\s.,;:!?]+){0,5}?)(?=\s*(?:[.,;:!?]|$|\s(?:and|but|so|"
                   r"because|before|after|when|if|instead|again|someday|one\s+day|is|was)\b|\s+-))")

# Whose, and whether it holds now: any of these in the sentence and it says nothing.
_OTHER = re.compile(rf"\b(?i:(?:my|our|his|her|their|one\s+of\s+my|a)\s+(?:\w+\s+)?(?:{_KIN}|"
                    r"friends?|neighbou?rs?|cousins?|colleagues?|co-?workers?|boss|nephew|niece|"
                    r"kids?|sons?|daughters?|brothers?|sisters?|classmates?)|someone|somebody|"
                    r"everyone|everybody|people|he|she)\b")
# someone else's thing: "the neighbours' dog", "my cousin's cat" (not "it's", "that's")
_POSSESSIVE = re.compile(r"\b(?!(?:it|that|there|here|what|who|he|she|let|one|everyone|"
                         r"everything|nobody|today|life|work)'s)[a-z]+(?:'s|s')\s")
_PARTNER_WORD = re.compile(rf"\b(?i:{_REL})\b")
_HEDGE = re.compile(r"\b(?i:if|might|maybe|perhaps|would|could|should|will|gonna|going\s+to|"
                    r"wants?|wanted|hope|hoping|plan|planning|decided|dream\w*|wish|trying|"
                    r"try|need|learn\w*|saving|someday|"
                    r"thinking\s+(?:about|of)|considering|imagine|hypothetical(?:ly)?|probably|"
                    r"not\s+sure|unless|in\s+case|supposed|pretend|whether)\b")
_ENDED = re.compile(r"\b(?i:not|never|no\s+longer|anymore|any\s+more|died|passed|lost|lose|"
                    r"losing|sorry|condolences|funeral|broke\s+up|"
                    r"split|left|quit|used\s+to|ex|miss|missed|former|formerly|previous|"
                    r"old\s+(?:job|place|city|apartment|flat|house))\b")
_PAST = re.compile(r"\b(?i:was|were|(?:I|we)\s+(?:\w+ed|had|did|went|lived|spent|took|made|"
                   r"grew|came|saw|knew|thought|felt)|back\s+(?:in|then|when)|ago|when\s+I\s+was|"
                   r"until|before|last\s+year|growing\s+up|as\s+a\s+kid|childhood)\b")
_FIRST = re.compile(r"\b(?:I|[Mm]y|[Mm]e|[Ww]e|[Oo]ur)\b")
_SECOND = re.compile(r"\b(?i:you|your|yours)\b")
_VOCATIVE_BEFORE = re.compile(r"(?:^|\b(?i:hey|hi|hello|thanks|thank\s+you|congrats|"
                              r"congratulations|wow|yeah|yes|oh|sorry|dear|ok|okay|well|go)"
                              r"\s*,?\s*)$")
_VOCATIVE_AFTER = re.compile(r"\s*(?:[,!?]|\.?\s*$)")
_SENTENCE_END = re.compile(r"\s*[.!?]*\s*$")
_NAMEISH = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART"})
_NOT_CAPS = _NOT_NAMES | _OPENERS


def speaks_of_self(text: str) -> bool:
    """Does the turn say anything of its speaker (I, my, we...)? Only then is it read."""
    return _FIRST.search(text) is not None


def worth_sensing(sentence: str) -> bool:
    """Cheap: could the sentence hold a value the general path reads (a name past its
    first word, money, a diet word, a job noun phrase, an infinitive), said plainly?"""
    if sentence.rstrip().endswith("?") or _ENDED.search(sentence):
        return False
    return bool(_MONEY.search(sentence) or _CAPS.search(sentence, 1) and _names(sentence)
                or _DIET_ANY.search(sentence) or _JOB_NP.search(sentence)
                or _PLAN.search(sentence))


def read_typed(sentence: str, ranked: Sequence[tuple[str, bool]],
               entities: EntityFinder | None = None,
               speakers: Collection[str] = ()) -> list[tuple[str, str]]:
    """(attribute, value as said): the nearest attribute in meaning (``ranked``, nearest
    first, each with whether it passed its cut) that has a value of its type in
    ``sentence``, if it passed its cut and the value is the only one; nothing when the
    sentence is not the speaker's now. "My new salary is $110,000" is a salary even
    when rent, also money, passes its cut too. ``speakers``: the conversation's first
    names (lower case), never a value ("Wow, Maria!")."""
    if not worth_sensing(sentence):
        return []
    for attribute, passed in ranked:
        values = typed_values(sentence, attribute, entities, speakers)
        if values:  # two of the type: which one is meant is not said
            return [(attribute, values[0])] if passed and len(values) == 1 else []
    return []


def _a_speaker(value: str, speakers: Collection[str]) -> bool:
    first = value.split()[0].lower()
    return any(name.startswith(first) for name in speakers)  # "Mel" for Melanie


def typed_values(sentence: str, attribute: str, entities: EntityFinder | None = None,
                 speakers: Collection[str] = ()) -> list[str]:
    """The values of ``attribute``'s type in ``sentence``, if it is the speaker's now."""
    if attribute not in TYPED or sentence.rstrip().endswith("?") or _ENDED.search(sentence) \
            or not _whose_now(sentence, attribute):
        return []
    return _values(sentence, TYPED[attribute], entities, speakers)


def _whose_now(sentence: str, attribute: str) -> bool:
    if _POSSESSIVE.search(sentence):
        return False
    other = _OTHER.search(sentence)
    if other and not (attribute == "partner" and _PARTNER_WORD.search(other.group(0))):
        return False
    if _SECOND.search(sentence):  # "you must be a good salesperson", "you and Max"
        return False
    return not _HEDGE.search(sentence) and not _PAST.search(sentence)


def _values(sentence: str, kind: str, entities: EntityFinder | None,
            speakers: Collection[str]) -> list[str]:
    if kind == "money":
        found = [m.group(0) for m in _MONEY.finditer(sentence)]
    elif kind == "diet":
        found = [m.group(0).lower() for m in _DIET_ANY.finditer(sentence)]
    elif kind == "job":
        found = [m.group("v") for m in _JOB_NP.finditer(sentence)]
        found = [v for v in found if valid_value("jobnoun", norm_value("job", v), v, False)]
    elif kind == "plan":
        found = [m.group("v") for m in _PLAN.finditer(sentence)
                 if m.group("pre").lower() not in _TO_NOT_INTENT][:1]
        found = [v for v in found if valid_value("plan", v, v, False)]
    else:
        names = [v for v in _names(sentence, entities) if not _a_speaker(v, speakers)]
        if len(names) > 1:  # "Luna and Oliver": which one is meant is not said
            return names
        found = [v for v in names if _fits(kind, v)]
    return list(dict.fromkeys(found))


def _names(sentence: str, entities: EntityFinder | None = None) -> list[str]:
    """Capitalised runs that can be names: openers and day words dropped; a run at the
    sentence's start only when nothing else is named and spaCy calls it a name."""
    runs = []
    for m in _CAPS.finditer(sentence):
        if _vocative(sentence, m.start(), m.end()):
            continue  # "Wow, Maria!", "Thanks, Andrew.": who is spoken to
        words = m.group(0).rstrip(".").split()
        while words and (words[0].lower() in _NOT_CAPS or words[0] == "I"):
            words.pop(0)
        if words:
            runs.append((m.start() == 0 and len(words) == len(m.group(0).split()), " ".join(words)))
    inner = [run for first, run in runs if not first]
    if runs and runs[0][0] and re.match(r"\S+(?:\s+\S+)*\s+(?:and|or|&)\s+[A-Z]",
                                        sentence[:len(runs[0][1]) + 8]):
        inner.insert(0, runs[0][1])  # "Luna and Oliver!": both are names
    if inner or entities is None:
        return inner
    spans = entities(sentence) or ()
    return [run for first, run in runs if first and any(
        sentence.startswith(run) and s == 0 and label in _NAMEISH for s, _, label in spans)]


def _vocative(sentence: str, start: int, end: int) -> bool:
    """Who is spoken to: "Wow, Maria!", "Hey Andrew, ...", "... for me, Sam." """
    if _VOCATIVE_BEFORE.search(sentence, 0, start) and _VOCATIVE_AFTER.match(sentence, end):
        return True
    return sentence[:start].rstrip().endswith(",") and bool(_SENTENCE_END.match(sentence, end))


def _fits(kind: str, raw: str) -> bool:
    words = raw.split()
    value = norm_value("employer" if kind == "org" else "location", raw)
    org = words[-1].lower() in _ORG_HEADS
    if kind == "org":
        return valid_value("org", value, raw, False) and (org or len(words) > 1)
    if kind == "place":
        return len(words) <= 3 and not org and valid_value("place", value, raw, False)
    most = 1 if kind == "pet" else 2  # a pet has one name; a partner may be named in full
    return len(words) <= most and not org and valid_value("name", raw.lower(), raw, False)
