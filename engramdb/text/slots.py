"""Slot statements: *who* (subject) has *what* attribute (slot) with *which* value.

Knowledge-update detection without an LLM rests on one observation: most facts
that go stale in a personal memory are single-valued attributes of a person —
where they live, who employs them, who their manager or partner is, their age,
car, phone number, favourite X. :func:`extract` finds such statements with
hand-written patterns and gives each a confidence; :mod:`.updates` compares
two statements about the same (subject, slot).

Precision comes first (a false supersession hides a true fact), so the patterns
are narrow and the confidence is lowered by anything that makes a statement
not a present fact about the speaker: hypotheticals ("I might move to Rome"),
questions, reported speech, childhood/past framing, future plans ("next
month"), other subjects ("my sister lives in ..." is about the sister).

Values are compared after normalisation (case, articles, company suffixes,
common aliases); see :func:`same_value` and :func:`refines`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ._slot_across import EntityFinder, across, spacy_entities
from ._slot_rule import Rule, by_slot
from ._slot_templates import TEMPLATES
from ._slot_cues import _OPENERS, PET_KIND, general, turn_slots
from ._slot_values import is_country, money_fits, norm_value, refines, same_value, slot_family
from ._slot_values import valid_value as _valid
from ._slot_words import _FAV_CATS, _FAV_REJECT, _KIN, _NOT_NAMES, triggered

__all__ = [
    "MULTI_VALUED",
    "SELF",
    "Statement",
    "extract",
    "is_country",
    "norm_value",
    "refines",
    "same_value",
    "sentences",
    "slot_family",
    "spacy_entities",
    "subject_for",
]

SELF = "self"

#: Slots a person can hold several values of at once: a new value never
#: supersedes an old one, only an explicit negation ("Rex passed away") does.
MULTI_VALUED = frozenset({"pet"})


@dataclass(frozen=True, slots=True)
class Statement:
    """One (subject, slot) = value statement found in a text.

    ``subject`` is ``"self"`` (the speaker) or a relation such as ``"sister"``;
    ``value`` is normalised, or None for "a new, unnamed one" ("I got a new
    car") and for negations without a value ("we broke up"). ``negated``
    statements end a value rather than assert one.
    """

    subject: str
    slot: str
    value: str | None
    confidence: float
    negated: bool = False
    evidence: str = ""  # the matched words, for debugging; never stored
    display: str = ""  # the value as it was said ("Helio Health"), for a fact's text

    @property
    def key(self) -> tuple[str, str]:
        return (self.subject, self.slot)



# ---------------------------------------------------------------- modifiers
_HYPO = re.compile(r"\b(?i:if|might|maybe|perhaps|would|could|should|want\s+to|wanna|hope\s+to|"
                   r"hoping\s+to|plan\s+to|planning\s+to|plans\s+to|planned\s+to|thinking\s+"
                   r"(?:about|of)|considering|dream(?:ing)?\s+(?:of|about)|wish|someday|one\s+day|"
                   r"going\s+to(?!\s+(?:the|a|an|my|our|church|school|work|bed|class|classes|"
                   r"lessons|practice|therapy|[a-z]+\s+(?:class|classes|lessons|practice)\b))|gonna|will|about\s+to|trying\s+to|try\s+to|tried\s+to|like\s+to|"
                   r"love\s+to|supposed\s+to|imagine|unless|in\s+case|pretend|probably|"
                   r"hopefully|not\s+sure|I\s+think|we\s+think)\b|\bmay\b")
_REPORTED = re.compile(r"\b(?i:said|says|told\s+me|tells\s+me|heard|apparently|rumou?r|"
                       r"according\s+to|asked|thinks|believes)\b")
_PAST = re.compile(r"\b(?i:when\s+I\s+was|when\s+we\s+were|as\s+a\s+(?:kid|child|teen|teenager|"
                   r"student|boy|girl)|growing\s+up|years\s+ago|back\s+in|back\s+then|in\s+my\s+"
                   r"(?:twenties|thirties|teens|youth)|until|(?<!\bfor\s)once|(?<!\bhas\s)(?<!\bhave\s)had)\b")
_TOLD_ME = re.compile(r"\b(?i:told|tells|informed|emailed|called)\s+(?:me|us)\b")
_ME = re.compile(r"\b(?:I|me|us|[Mm]y|[Oo]ur)\b")
_FUTURE = re.compile(r"^[^.!?]{0,25}?\b(?i:next\s+(?:week|month|year|summer|spring|fall|autumn|"
                     r"winter|weekend)|tomorrow|soon|in\s+(?:a|two|three|a\s+few|\d+)\s+"
                     r"(?:weeks?|months?|years?)|later\s+this)\b")
_PRESENT = re.compile(r"\b(?i:now|currently|these\s+days|nowadays|just|recently|finally|"
                      r"officially|new|anymore|any\s+more|no\s+longer)\b")
_SUBJ_TOKEN = re.compile(rf"\b(?:I|[Ww]e)\b|\b(?:[Mm]y|[Oo]ur) (?P<kin>{_KIN})\b")

# ------------------------------------------------------------ text plumbing
_CONTRACTIONS = (
    (re.compile(r"[’‘]"), "'"),
    (re.compile(r"\bi\b"), "I"),
    (re.compile(r"\b[Ii]m\b|\bI'm\b|\bi'm\b"), "I am"),
    (re.compile(r"\b([Ww]e|[Yy]ou|[Tt]hey)'re\b"), r"\1 are"),
    (re.compile(r"\b(I|[Ww]e|[Yy]ou|[Tt]hey)'ve\b"), r"\1 have"),
    (re.compile(r"\b(I|[Ww]e|[Yy]ou|[Tt]hey|[Ss]he|[Hh]e)'d\b"), r"\1 would"),
    (re.compile(r"\b(I|[Ww]e|[Yy]ou|[Tt]hey|[Ss]he|[Hh]e)'ll\b"), r"\1 will"),
    (re.compile(r"\b([Cc]a)n't\b"), r"\1nnot"),
    (re.compile(r"\b([Ww])on't\b"), r"\1ill not"),
    (re.compile(r"n't\b"), " not"),
)
# "St. Brendan's Hospital", "4 a.m. is breakfast time": a full stop of an abbreviation ends no sentence
_SENTENCES = re.compile(r"(?<!\bSt\.)(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMt\.)(?<!\bMrs\.)"
                        r"(?<!\b[ap]\.m\.)(?<=[.!?])\s+|\n+|;\s*|,?\s+but\s+|,\s+so\s+")


def _prepare(text: str) -> str:
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return text


_LEAD = re.compile(r"^(?:Just|Now|Currently|Recently|Finally|Still|Also|Lives?|Living|Moved|"
                   r"Relocated|Works?|Working|Joined|Started|Got|Drives?|Bought|Stud(?:y|ies)|"
                   r"Turned|Quit|Left|Retired|Reports?|Became|Is|Am|Has|Have|Accepted|Signed|"
                   r"Switched|Landed|Took|Settled|Adopted|Rescued|Went|Handed|Gave|Picked|Been|"
                   r"Taking|Started|Getting|Dating|Seeing|Married|Engaged)\b")


def _sentences(prepared: str) -> Iterator[str]:
    for part in _SENTENCES.split(prepared):
        part = part.strip()
        if part:  # "Works at Stripe." (a fact without subject): the verb as mid-sentence
            yield _LEAD.sub(lambda m: m.group(0).lower(), part, count=1)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as :func:`extract` reads them (contractions spelt out)."""
    return list(_sentences(_prepare(text)))


def _fav_slot(cat: str) -> str | None:
    cat = re.sub(r"\s+", " ", cat.strip().lower())
    if cat in _FAV_REJECT:
        return None
    return "favourite:" + _FAV_CATS.get(cat, cat)


# ---------------------------------------------------------------- extract
def extract(text: str, *, in_conversation: bool = False,
            entities: EntityFinder | None = None) -> list[Statement]:
    """Every slot statement in ``text``, with a confidence in [0, 1].

    ``in_conversation`` marks a conversation turn (chit-chat is less reliable
    than a stored fact: a small penalty). Subjects are ``"self"`` for the
    speaker (I, we, "my wife and I", "the user", or no subject at all as in
    "Works at Stripe") and the relation word for third parties ("sister").
    ``entities`` types the values of a cue said apart from its value ("New city!
    Seattle!", :mod:`._slot_across`); None: capitalised words where values stand.
    """
    out: dict[tuple[str, str, str | None, bool], Statement] = {}
    context = _prepare(text)
    for sentence in _sentences(context):
        lowercase = not re.search(r"[A-Z]", sentence.replace("I ", "").replace(" I", ""))
        question = sentence.rstrip().endswith("?")
        found = []
        slots = triggered(sentence) | turn_slots(sentence, context)
        for pattern in (p for slot in slots for p in _TEMPLATES_BY_SLOT.get(slot, ())):
            if pattern.applies(context):
                found += [st for match in pattern.regex.finditer(sentence) for st in _statements(
                    pattern, match, sentence, lowercase, question, in_conversation)]
        # an ending found by a template leaves room for the new value in another clause
        done = {slot_family(st.slot) for st in found if not st.negated}
        found += [st for rule, match, who in general(sentence, slots - done, context) for st in _statements(
            rule, match, sentence, lowercase, question, in_conversation, who)]
        for st in found:
            key = (st.subject, st.slot, st.value, st.negated)
            if key not in out or out[key].confidence < st.confidence:
                out[key] = st
    mine = {slot_family(st.slot) for st in out.values() if st.subject == SELF and not st.negated}
    for slot, raw, cue in across(context, mine, entities):
        st = _apart(slot, raw, cue, in_conversation)
        if st is not None:
            out[(st.subject, st.slot, st.value, False)] = st
    return list(out.values())


_TEMPLATES_BY_SLOT = by_slot(TEMPLATES)
_APART_TYPE = {"location": "place", "employer": "org", "partner": "name"}


def _apart(slot: str, raw: str, cue: str, in_conversation: bool) -> Statement | None:
    """A value named apart from its cue: less sure than one said in the cue's clause."""
    value = norm_value(slot, raw)
    if not _valid(_APART_TYPE[slot], value, raw, False):
        return None
    return Statement(SELF, slot, value, 0.75 - 0.05 * in_conversation, False, cue, _display(raw))


def _statements(pattern: Rule, match: re.Match[str], sentence: str, lowercase: bool,
                question: bool, in_conversation: bool,
                subject: str | None = None) -> Iterator[Statement]:
    groups = match.groupdict()
    subject = subject or _subject(groups, sentence, match.start())
    if subject is None:
        return
    slot = pattern.slot
    if "cat" in groups and groups["cat"] is not None:
        fav = _fav_slot(groups["cat"])
        if fav is None:
            return
        slot = fav
    value: str | None = None
    raw = ""
    if pattern.value != "none":
        raw = pattern.fixed or (groups.get("v") or groups.get("v2") or "").strip()
        if pattern.value == "name":  # "So Kofi and I broke up": the opener is no name
            raw = _drop_openers(raw)
        value = norm_value(slot, raw)
        if not _valid(pattern.value, value, raw, lowercase) or not money_fits(slot, raw, sentence):
            return
    # "..., crazy right?"; a form that presumes its value is said in any question
    question = question and "," not in sentence[match.end():] and not pattern.presumed
    conf = _confidence(pattern, match, sentence, question, in_conversation, subject, groups)
    evidence = match.group(0).strip()
    # an activity as normalised ("doing pottery": pottery); a diet as said ("plant-based"
    # is a diet of its own, though it compares equal to vegan)
    shown = value or "" if pattern.value == "act" else _display(raw).lower() \
        if pattern.value == "diet" else _display(raw, keep_the=pattern.value == "org")
    if slot == "pet" and not pattern.negated and shown:  # "greyhound Pixel", as said
        kinds = PET_KIND.findall(match.group(0).lower())
        shown = f"{kinds[-1]} {shown}" if kinds else shown
    for name in (slot, *pattern.also):
        yield Statement(subject, name, value if name == slot else None, conf, pattern.negated,
                        evidence, shown if name == slot else "")
    if groups.get("old"):
        old = norm_value(slot, groups["old"])
        yield Statement(subject, slot, old, conf, True, evidence, _display(groups["old"]))


def subject_for(subject: str, owner: str, names: Mapping[str, str] = {}) -> str:
    """A statement's subject as the engine keys it: the speaker's own (``owner``), a
    named person ("Maya moved to Denver": ``names["maya"]`` when Maya is a known speaker
    or the user, else ``"speaker:maya"``), or a relation of the speaker ("user/sister")."""
    if subject == SELF:
        return owner
    if subject.startswith("name:"):
        name = subject[5:]
        return names.get(name, f"speaker:{name}")
    return f"{owner}/{subject}"


_NOT_OPENERS = _NOT_NAMES | _OPENERS


def _drop_openers(raw: str) -> str:
    words = raw.split()
    while len(words) > 1 and words[0].lower() in _NOT_OPENERS:
        words.pop(0)
    return " ".join(words)


def _display(raw: str, keep_the: bool = False) -> str:
    """The value as said, trimmed of punctuation and a leading article; ``keep_the``: a
    capitalised "The" is part of an organisation's name ("The Salted Fig")."""
    raw = re.sub(r"\s+", " ", raw.strip().strip(".,;:!?\"'"))
    return re.sub(r"^(?:the|[Aa]n?|[Mm]y|[Oo]ur)\s+" if keep_the else
                  r"^(?:[Tt]he|[Aa]n?|[Mm]y|[Oo]ur)\s+", "", raw)


def _subject(groups: dict[str, str | None], sentence: str, start: int) -> str | None:
    name = groups.get("s_name")
    if name and name.lower() in _PRONOUNS:
        return None  # "He works at X": someone's, but whose?
    if name:  # "Maya moved to Denver"; "Officially moved ..." is the speaker's
        return SELF if name.lower() in _NOT_NAMES | _OPENERS or name.endswith("ly") \
            else "name:" + name.lower()
    if groups.get("s_kin"):
        return _kin(groups["s_kin"] or "")
    if groups.get("s_and"):  # "I sold my Civic and bought a Tesla": the earlier subject
        found = list(_SUBJ_TOKEN.finditer(sentence, 0, start))
        if not found:
            return None
        kin = found[-1].group("kin")
        return _kin(kin) if kin else SELF
    return SELF


_PRONOUNS = frozenset("he she they it you there this that these those everyone someone "
                      "people everybody somebody".split())


def _kin(word: str) -> str:
    word = word.lower()
    return {"mum": "mom", "mother": "mom", "father": "dad", "grandmother": "grandma",
            "grandfather": "grandpa", "fiancee": "fiance", "fiancé": "fiance",
            "fiancée": "fiance", "flatmate": "roommate"}.get(word, word)


# Where one clause of a sentence ends and the next begins: a hedge, the past or a report
# in one clause ("Kofi and I broke up back in the spring, and I've been seeing Lena")
# says nothing about the other. A bare comma does not end one ("If I get it, I'm moving").
_CLAUSE_END = re.compile(r"[;—–]\s*|:\s+|,\s*(?:and|or|plus|then|which|who|because|though|"
                         r"although|while|whereas|since|so|but)\b,?\s*"
                         # "the doc said it was bad so I'm doing X now": what follows "so"
                         # with a subject of its own is said by the speaker
                         r"|\s+so\s+(?=(?:I|we)\s+(?:am|are|have)\b)")


def _clause_scope(sentence: str, match: re.Match[str]) -> tuple[str, str, str]:
    """The match's own clause: the words before it, the match, the words after it."""
    before, after = sentence[:match.start()], sentence[match.end():]
    cuts = [m.end() for m in _CLAUSE_END.finditer(before)]
    end = _CLAUSE_END.search(after)
    return (before[cuts[-1]:] if cuts else before, match.group(0),
            after[:end.start()] if end else after)


def _confidence(pattern: Rule, match: re.Match[str], sentence: str, question: bool,
                in_conversation: bool, subject: str, groups: dict[str, str | None]) -> float:
    conf = pattern.confidence
    before, span, after = _clause_scope(sentence, match)
    if pattern.slot != "plan" and not pattern.presumed and (_HYPO.search(before) or
                                                             _HYPO.search(span)):
        conf *= 0.4
    if _REPORTED.search(before) and not _TOLD_ME.search(before) or \
            _TOLD_ME.search(before) and not _ME.search(span):
        conf *= 0.5  # hearsay; news told to the speaker about the speaker is not
    if question:
        conf *= 0.3
    if pattern.slot not in ("plan", "rent", "salary") and not pattern.presumed and \
            _FUTURE.search(after):
        # a home or a job said with a date to come is not yet; a rent or pay change is
        # settled when it is announced ("going up to $2,400 next month")
        conf *= 0.5
    # the words after the match, with its last word ("Rex has had": present perfect)
    following = (span + after)[max(0, len(span) - 5):len(span) + 40]
    if not pattern.negated and (_PAST.search(before) or _PAST.search(following)):
        conf *= 0.5
    if _PRESENT.search(span) or _PRESENT.search(after[:30]):
        conf += 0.05
    if subject != SELF and not subject.startswith("name:"):
        conf -= 0.1  # a relation's fact is said second-hand
    if in_conversation:
        conf -= 0.05
    return round(max(0.0, min(conf, 0.97)), 3)
