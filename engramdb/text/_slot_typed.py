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

from ._slot_cues import _JOB, _OPENERS
from ._slot_values import money_fits, norm_value, valid_value
from ._slot_words import _BREEDS, _DIETS, _KIN, _NOT_NAMES, _ORG_HEADS, _REL, _SPECIES

__all__ = ["TYPED", "pet_or_partner", "read_typed", "speaks_of_self", "typed_values",
           "worth_sensing"]

#: The attributes the general path reads, each with the type of its value.
TYPED = {"location": "place", "employer": "org", "partner": "name", "pet": "pet",
         "rent": "money", "salary": "money", "diet": "diet", "job": "job", "plan": "plan"}

_CAPS = re.compile(r"(?<![\w'’-])(?!I\b)[A-Z][\w'’.-]*(?:\s+(?:(?:of|de|du|la|van|von|&)\s+)?"
                   r"(?!I\b)[A-Z][\w'’.-]*)*")
_MONEY = re.compile(r"[$€£]\s?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?[kK]\b)?")
_DIET_ANY = re.compile(rf"\b(?:{_DIETS})\b", re.IGNORECASE)
_JOB_NP = re.compile(rf"\b(?:a|an)\s+{_JOB}")
# "to" of motion or relation, not an infinitive of intent ("my free time goes to running")
_TO_NOT_INTENT = frozenset("""goes go went going back next close due up listen talk thanks
    according used related similar compared down over out way moved move flew drove come came
    get got gets trip visit return returned""".split())
# an infinitive is a plan after a wish ("I want to ...", "all I can think about is how
# to ...", "what I actually want is to ..."), not after any verb ("drives me to do")
_INTENT = frozenset("want wants wanted is how".split())
_PLAN = re.compile(r"\b(?P<pre>[\w']+)\s+to\s+(?P<v>(?!(?:be|the|a|an|my|our|your|his|her|their|it|this|that|me|"
                   r"you|him|them|us|when|what|where|why|how|who|which|work|school|bed|sleep|"
                   r"do\s+it|know|say|see|ask|hear|get\s+it|[a-z]+ing)\b)[a-z]+"
                   r"(?:\s+(?!-)[^\s.,;:!?]+){0,5}?)(?=\s*(?:[.,;:!?]|$|\s(?:and|but|so|"
                   r"because|before|after|when|if|instead|again|someday|one\s+day|is|was)\b|\s+-))")

# Whose, and whether it holds now: any of these in the sentence and it says nothing.
_OTHER = re.compile(rf"\b(?i:(?:my|our|his|her|their|one\s+of\s+my|a)\s+(?:\w+\s+)?(?:{_KIN}|"
                    r"friends?|neighbou?rs?|cousins?|colleagues?|co-?workers?|boss|nephew|niece|"
                    r"kids?|sons?|daughters?|brothers?|sisters?|classmates?)|someone|somebody|"
                    r"people(?!\s+at\b)|he|she)\b"
                    # what an ad, a recruiter or a stranger offers is theirs until taken
                    r"|\b(?i:(?:a|an|the|this|that|some)\s+(?:[\w-]+\s+){0,2}?(?:ad|advert|"
                    r"advertisement|listing|posting|recruiter|headhunter|stranger|customer|"
                    r"client|guest)s?)\b")
# someone else's thing: "the neighbours' dog", "my cousin's cat" (not "it's", "that's")
_POSSESSIVE = re.compile(r"\b(?!(?:it|that|there|here|what|who|he|she|let|one|everyone|"
                         r"everything|nobody|today|life|work)'s)[a-z]+(?:'s|s')\s")
_PARTNER_WORD = re.compile(rf"\b(?i:{_REL})\b")
_HEDGE = re.compile(r"\b(?i:if|might|maybe|perhaps|would|could|should|will|gonna|going\s+to|"
                    r"(?:wants?|wanted|hope|hoping|plan|planning|decided|need|trying|try|"
                    r"learn\w*|saving\s+up)\s+to|dream\w*|wish|someday|hope|hoping|"
                    r"thinking\s+(?:about|of)|considering|imagine|hypothetical(?:ly)?|probably|"
                    r"not\s+sure|unless|in\s+case|supposed|pretend|whether)\b")
# an ending anywhere in the sentence ("Chloe and I split up"); a negation only in the
# value's clause ("Gross is $121,500 a year and I'm not sure what comes off")
_NEGATED = re.compile(r"\b(?i:not|cannot|never|no\s+longer|anymore|any\s+more)\b")
# a home, a job, a partner with a date to come is not yet (a rent or pay change is
# settled when it is announced: "they want $3,400 from next month")
_FUTURE = re.compile(r"\b(?i:next\s+(?:week|weekend|month|year|summer|spring|fall|autumn|winter)|"
                     r"tomorrow|soon|in\s+(?:a|two|three|a\s+few)\s+(?:days?|weeks?|months?))\b")
_ENDED = re.compile(r"\b(?i:died|passed|lost|lose|losing|sorry|condolences|funeral|broke\s+up|"
                    r"split|left|quit|used\s+to|ex|miss|missed|former|formerly|previous|dropped|"
                    r"ditched|gave\s+up|stopped|done\s+with|no\s+more|moved\s+on\s+from|"
                    r"old\s+(?:job|place|city|apartment|flat|house))\b")
_PAST = re.compile(r"\b(?i:(?:I|we)\s+(?:\w+ed|had|did|went|lived|spent|took|made|"
                   r"grew|came|saw|knew|thought|felt)|back\s+(?:in|then|when)|ago|when\s+I\s+was|"
                   r"until|before|last\s+year|growing\s+up|as\s+a\s+kid|childhood)\b")
# "It was in London": the past, unless the clause says when ("today was my first shift")
_WAS = re.compile(r"\b(?i:was|were)\b")
_NOW = re.compile(r"\b(?i:today|tonight|now|this\s+(?:morning|week|month)|currently|these\s+days|"
                  r"finally|officially|just)\b")
# where a hedge, an ending or a "was" stops applying: "Gross is $121,500 a year and I'm
# not sure what comes off" ("not" is another clause's)
_CLAUSE = re.compile(r"\s*(?:[,;:—–]|\s(?:and|but|because|so|which|while|though|although|"
                     r"whereas)\s)\s*")
_SUBJECT_CLAUSE = re.compile(r"(?:[,;:—–]\s*(?:(?:and|but|so|because|though|although|while)\s+)?|"
                             r"\s(?:and|but|so|because|though|although|while)\s+)"
                             r"(?=(?:I|we|it|this|that|they|he|she)\s)|[;:—–]\s*")
# a name after these is a place or an organisation, not a person or a pet ("in Florida")
_PLACE_BEFORE = re.compile(r"\b(?i:in|to|from|at|near|around|across)\s+(?:the\s+)?$")
# A bare name is a pet or a partner by what the turn says around it, not by the name:
# "Her name is Shadow!" after "I just adopted this cute pup" is a dog. Words only animals
# go with (not "walk", "treat" or "lab": people take walks and treats, and work in
# labs), and words only a
# couple goes with; general words, not phrases of any set.
_ANIMAL = re.compile(rf"\b(?:{_SPECIES}|{_BREEDS.replace('|lab|', '|')}|dogs|cats|kittens|puppies|pups|kitties|"
                     r"vet|vets|veterinarian|rescued|adopted|adopt|shelter|leash|walkies|paws?|"
                     r"bark(?:s|ed|ing)?|litter|meow\w*|purr\w*|kibble|fetch|neutered|spayed|"
                     r"groomer|crate|vaccin\w*|good\s+(?:boy|girl))\b")
_COUPLE = re.compile(rf"\b(?i:{_REL}|dat(?:e|es|ed|ing)|anniversary|married|wedding|engaged|"
                     r"moved\s+in\s+together|in\s+love|romantic|kiss\w*)\b")
_I = re.compile(r"\bI\b")
_PLAN_HEDGE = re.compile(r"\b(?i:if|would|could|might|maybe|perhaps|should|someday|one\s+day|"
                         r"let\s+go|gave\s+up|used\s+to)\b")
_FIRST = re.compile(r"\b(?:I|[Mm]y|[Mm]e|[Ww]e|[Oo]ur)\b")
_SECOND = re.compile(r"\b(?i:you|your|yours)\b")
_VOCATIVE_BEFORE = re.compile(r"(?:^|\b(?i:hey|hi|hello|thanks|thank\s+you|congrats|"
                              r"congratulations|wow|yeah|yes|oh|sorry|dear|ok|okay|well|go)"
                              r"\s*,?\s*)$")
_VOCATIVE_AFTER = re.compile(r"\s*(?:[,!?]|\.?\s*$)")
_SENTENCE_END = re.compile(r"\s*[.!?]*\s*$")
_NOT_CAPS = _NOT_NAMES | _OPENERS


def speaks_of_self(text: str) -> bool:
    """Does the turn say anything of its speaker (I, my, we...)? Only then is it read."""
    return _FIRST.search(text) is not None


def pet_or_partner(ranked: Sequence[tuple[str, bool]], turn: str, before: str = ""
                   ) -> list[tuple[str, bool]]:
    """``ranked`` with a bare name read as a pet when the turn, or the turn it answers
    (``before``), speaks of an animal and not of a couple; as a partner only when it does
    not speak of an animal. The sense model alone cannot tell "Biscotti has decided my lap
    is her bed" from a partner: both are someone close, named."""
    animal = bool(_ANIMAL.search(turn) or _ANIMAL.search(before))
    if not animal or _COUPLE.search(turn):
        return list(ranked)
    ok = dict(ranked)
    out: list[tuple[str, bool]] = []
    for attribute, passed in ranked:
        if attribute in ("partner", "pet") and "pet" not in dict(out):
            out.append(("pet", ok.get("partner", False) or ok.get("pet", False)))
        elif attribute not in ("partner", "pet"):
            out.append((attribute, passed))
    return out


def worth_sensing(sentence: str) -> bool:
    """Cheap: could the sentence hold a value the general path reads (a name past its
    first word, money, a diet word, a job noun phrase, an infinitive), said plainly?"""
    if sentence.rstrip().endswith("?"):
        return False
    return bool(_MONEY.search(sentence) or _names(sentence)
                or _DIET_ANY.search(sentence) or _JOB_NP.search(sentence)
                or _PLAN.search(sentence))


def read_typed(sentence: str, ranked: Sequence[tuple[str, bool]],
               speakers: Collection[str] = ()) -> list[tuple[str, str]]:
    """(attribute, value as said): the nearest attribute in meaning (``ranked``, nearest
    first, each with whether it passed its cut) that has a value of its type in
    ``sentence``, if it passed its cut and the value is the only one; nothing when the
    sentence is not the speaker's now. "My new salary is $110,000" is a salary even
    when rent, also money, passes its cut too. ``speakers``: the conversation's first
    names (lower case), never a value ("Wow, Maria!")."""
    if not worth_sensing(sentence):
        return []
    # money means rent or pay; when the one the sense passed cannot be that amount, its
    # size says which ("Annual pay: $61,250" sensed as rent is a salary)
    money = [a for a, ok in ranked if ok and TYPED.get(a) == "money"]
    unfit = bool(money) and not any(typed_values(sentence, a, speakers) for a in money)
    for attribute, passed in ranked:
        passed = passed or (unfit and TYPED.get(attribute) == "money")
        values = typed_values(sentence, attribute, speakers)
        if values:  # two of the type: which one is meant is not said
            return [(attribute, values[0])] if passed and len(values) == 1 else []
    return []


def _a_speaker(value: str, speakers: Collection[str]) -> bool:
    first = value.split()[0].lower()
    return any(name.startswith(first) for name in speakers)  # "Mel" for Melanie


def typed_values(sentence: str, attribute: str, speakers: Collection[str] = ()) -> list[str]:
    """The values of ``attribute``'s type in ``sentence``, if it is the speaker's now."""
    if attribute not in TYPED or sentence.rstrip().endswith("?") or _ENDED.search(sentence) \
            or not _whose(sentence, attribute):
        return []
    values = _values(sentence, TYPED[attribute], speakers)
    values = [v for v in values if money_fits(attribute, v, sentence)]
    if len(values) > 1:
        return values
    if TYPED[attribute] != "money" and _FUTURE.search(sentence):
        return []
    if attribute == "plan":
        return values
    return [v for v in values if _now(_clause_of(sentence, v))]


def _clause_of(sentence: str, value: str) -> str:
    """From where the value's clause gets its own subject ("..., and I", "but we") to
    where the next clause begins: "if money were no object I'd pack up and move to X"
    is one (the hedge scopes over "move"), "X is great and I'm not sure" two."""
    at = sentence.find(value)
    if at < 0:
        return sentence
    starts = [m.end() for m in _SUBJECT_CLAUSE.finditer(sentence, 0, at)]
    end = _CLAUSE.search(sentence, at + len(value))
    if end and end.start() == at + len(value) and _SUBJECT_CLAUSE.match(sentence, end.start()):
        end = None  # "Toby and I are gonna ...": the value is in the subject of what follows
    return sentence[starts[-1] if starts else 0:end.start() if end else len(sentence)]


def _now(clause: str) -> bool:
    """The value's clause holds now: no hedge, no ending, no "was" said without a now."""
    if _HEDGE.search(clause) or _NEGATED.search(clause):
        return False
    return not _WAS.search(clause) or bool(_NOW.search(clause))


def _whose(sentence: str, attribute: str) -> bool:
    """The speaker's, not someone else's or the addressee's, and not the past."""
    if _POSSESSIVE.search(sentence):
        return False
    other = _OTHER.search(sentence)
    if other and not (attribute == "partner" and _PARTNER_WORD.search(other.group(0))):
        return False
    if _SECOND.search(sentence):  # "you must be a good salesperson", "you and Max"
        return False
    if attribute == "plan":  # the speaker's own wish, said plainly
        return bool(_I.search(sentence)) and not _PLAN_HEDGE.search(sentence)
    return not _PAST.search(sentence)


# an amount said as the old one ("instead of $875", "up from $1,800") is not the value
_OLD_AMOUNT = re.compile(r"\b(?i:instead\s+of|up\s+from|down\s+from|from|was|were|used\s+to\s+be|"
                         r"compared\s+(?:to|with)|than|rather\s+than)\s+(?:about\s+|around\s+)?$")


def _values(sentence: str, kind: str, speakers: Collection[str]) -> list[str]:
    if kind == "money":
        found = [m.group(0) for m in _MONEY.finditer(sentence)
                 if not _OLD_AMOUNT.search(sentence, 0, m.start())]
    elif kind == "diet":
        found = [m.group(0).lower() for m in _DIET_ANY.finditer(sentence)]
    elif kind == "job":
        found = [m.group("v") for m in _JOB_NP.finditer(sentence)]
        found = [v for v in found if valid_value("jobnoun", norm_value("job", v), v, False)]
    elif kind == "plan":
        found = [m.group("v") for m in _PLAN.finditer(sentence)
                 if m.group("pre").lower() in _INTENT][:1]
        found = [v for v in found if valid_value("plan", v, v, False)]
    else:
        names = [v for v in _names(sentence) if not _a_speaker(v, speakers)]
        if len(names) > 1:  # "Luna and Oliver": which one is meant is not said
            return names
        found = [v for v in names if _fits(kind, v) and _fits_where(kind, v, sentence)]
    return list(dict.fromkeys(found))


# "everyone at X", "the people at X", "my team at X": X is where people work, no home
_PEOPLE_AT = re.compile(r"\b(?:(?i:everyone|everybody|people|folks|staff|team|crew|colleagues|"
                        r"co-?workers|boss|manager|managers|payroll|HR)\s+(?:at|from)|"
                        # what one says yes to, applies or signs with is no home
                        r"(?i:said\s+yes|agreed|applied|signed\s+on)\s+(?:to|at|with))\s+(?:the\s+)?$")
# a person or a pet is not "the X" ("been with The Salted Fig"), nor an acronym ("Same ID")
_NOT_PERSON_BEFORE = re.compile(r"\b(?i:the)\s+$")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


def _fits_where(kind: str, value: str, sentence: str) -> bool:
    """What the words right before a name say it is: "in X" a place, "the people at X"
    an organisation, "the X" or an acronym neither a person nor a pet."""
    before = sentence[:max(sentence.find(value), 0)]
    if kind in ("name", "pet"):
        return not (_PLACE_BEFORE.search(before) or _NOT_PERSON_BEFORE.search(before)
                    or _ACRONYM.search(value))
    if kind == "place":
        return not _PEOPLE_AT.search(before)
    return True


def _names(sentence: str) -> list[str]:
    """Capitalised runs that can be names: openers, day words and who is spoken to
    dropped. One capitalised word opening the sentence may be any word ("Walks with
    Pepper..."): not a name, unless another follows it ("Luna and Oliver!"); two
    ("Greystone Council is ...") are one. (spaCy's tagger would read a few more, at
    several times the cost of the whole general path: measured, not worth it.)"""
    runs = []
    for m in _CAPS.finditer(sentence):
        if _vocative(sentence, m.start(), m.end()):
            continue  # "Wow, Maria!", "Thanks, Andrew.": who is spoken to
        words = m.group(0).rstrip(".").split()
        while words and (_not_a_name(words[0].lower()) or words[0] == "I"):
            words.pop(0)
        if words:
            first = m.start() == 0 and len(words) == 1 == len(m.group(0).split())
            runs.append((first, " ".join(words)))
    inner = [run for first, run in runs if not first]
    if runs and runs[0][0] and re.match(r"\S+(?:\s+\S+)*\s+(?:and|or|&)\s+(?!I\b)[A-Z]",
                                        sentence[:len(runs[0][1]) + 8]):
        inner.insert(0, runs[0][1])  # "Luna and Oliver!": both are names
    return inner


def _not_a_name(word: str) -> bool:
    """Openers and time words, plural too ("free lunch on Fridays")."""
    return word in _NOT_CAPS or (word.endswith("s") and word[:-1] in _NOT_CAPS)


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
