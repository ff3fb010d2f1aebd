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
from ._slot_cues import _OPENERS, PET_KIND, general
from ._slot_values import is_country, norm_value, refines, same_value, slot_family
from ._slot_values import valid_value as _valid
from ._slot_words import _FAV_CATS, _FAV_REJECT, _KIN, _MGR, _NOT_NAMES, _REL, _SPECIES, triggered

__all__ = [
    "MULTI_VALUED",
    "SELF",
    "Statement",
    "extract",
    "is_country",
    "norm_value",
    "refines",
    "same_value",
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


# --------------------------------------------------------------- value parts
_BREED = (r"beagle|terrier|retriever|poodle|labrador|lab|collie|spaniel|husky|shepherd|"
          r"dachshund|corgi|pug|greyhound|tabby|siamese|persian|maine\s+coon")
_CAP = r"[A-Z][\w'.&-]*"
_CAPX = r"[A-Z0-9][\w'.&-]*"
_LOW_STOP_FIRST = (r"a|an|the|my|his|her|our|their|your|this|that|it|fear|hope|peace|love|denial|"
                   r"home|night|nights|weekends|myself|ourselves|here|there|now|then|some|least|"
                   r"lot|bit|bed|town|order|case|time|touch|charge|place|front|line|tears|debt")
_LOW_STOP_NEXT = (r"now|then|with|for|since|in|at|on|by|from|to|and|but|or|because|when|where|"
                  r"while|last|this|next|these|anymore|again|too|as|so|after|before|until|today|"
                  r"yesterday|tomorrow|recently|currently|already|still|though|ago|full|part")
_LOW = rf"(?!(?:{_LOW_STOP_FIRST})\b)[a-z][\w'-]*"
_LOW_NEXT = rf"(?!(?:{_LOW_STOP_NEXT})\b)[a-z][\w'-]*"
_PLACE = (rf"(?P<v>(?:[Tt]he\s+)?{_CAP}(?:\s+(?:(?:de|del|la|le|am|upon|on|of|du|da|di|van|"
          rf"von|the)\s+)?{_CAP})*(?:,\s+{_CAP}(?:\s+{_CAP})*(?=\s*(?:[.!?;]|$)))?"
          rf"|{_LOW}(?:\s+{_LOW_NEXT}){{0,2}})")
_ORG = (rf"(?P<v>(?:[Tt]he\s+)?{_CAPX}(?:\s+(?:of|and|&|de|the)\s+{_CAPX}|\s+{_CAPX})*"
        rf"|{_LOW}(?:\s+{_LOW_NEXT}){{0,2}})")
_NAME_BODY = r"[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2}"
_NAME_END = (r"(?=\s*(?:[.,;:!?)]|$|\b(?:and|but|so|now|again|anymore|today|yesterday|last|"
             r"this|recently|too|as|who|because|since|for|when|after|before|on|in|at)\b))")
_NAME = rf"(?P<v>{_NAME_BODY}){_NAME_END}"
_JOBV = (r"(?P<v>(?:[\w-]+\s+){0,3}?[\w-]+)(?=\s*(?:[.,;!?]|$|\s+(?:at|for|in|with|and|but|now|"
         r"since|who|from|of|these|nowadays|again|too|by)\b))")
_FAV = (r"(?P<v>[^.,;!?]{1,40}?)(?=\s*(?:[.,;!?]|$|\s+(?:these days|nowadays|now|because|but|"
        r"and|since|at the moment|right now|lately|anymore|by far|for sure)\b))")
_CAR = r"(?P<v>[\w-]+(?:\s+[\w-]+){0,2}?)(?=\s*(?:[.,;!?]|$|\s+(?:and|but|now|for|because|since|with|last|this|today|yesterday|recently)\b))"
_PHONE = r"(?P<v>\+?\(?\d[\d\s().-]{5,}\d)"
_EMAIL = r"(?P<v>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
_AGE = r"(?P<v>\d{1,3})"
# an activity: a few lower-case words, up to punctuation or a time phrase
_ACT = (r"(?P<v>(?!(?:a|an|the|it|that|this|my|to|working|work|some|looking|thinking|"
        r"feeling|trying|going|getting|wondering|planning|hoping|helping|dating|seeing|eating|"
        r"drinking|using|making|having|taking|living|being|doing|paying|saving)\b)[a-z][\w-]*(?:\s+(?!(?:these|"
        r"lately|now|again|recently|this|last|since|and|but|because|with|for|at|in|on)\b)"
        r"[a-z][\w-]*){0,2})(?=\s*(?:[.,;!?]|$|\s+(?:these\s+days|lately|now|again|recently|"
        r"this|last|since|and|but|because|with|for|at|in|on)\b))")
_PLANV = r"(?P<v>[a-z][\w'-]*(?:\s+[\w'-]+){0,5}?)(?=\s*(?:[.,;!?]|$|\s+(?:instead|next|this|by|in\s+\d)\b))"
_MONEY = r"(?P<v>[$€£]\s?\d[\d,]*(?:\.\d+)?\s?[kK]?|\d[\d,]*\s?(?:dollars|euros|pounds))"

_BE = (r"(?:am|is|are|have\s+been|has\s+been)(?:\s+(?i:now|currently|still|just|also|actually|"
       r"finally|officially|already|really|happily))*")
_ADV = (r"(?:\s*\b(?i:now|currently|still|actually|just|recently|finally|officially|also|"
        r"already|really|happily|since then|have|has)\b)*")
_S = (rf"(?:(?P<s_me>\bI\b|\b[Ww]e\b|\b[Mm]y (?:{_KIN}) and I\b|\b[A-Z][a-z]+ and I\b"
      rf"|\b(?:[Tt]he )?[Uu]ser\b)|\b(?:[Mm]y|[Oo]ur) (?P<s_kin>{_KIN})\b|(?P<s_and>\band\b)"
      rf"|(?:^|(?<=[,:;]\s))(?P<s_name>[A-Z][a-z'-]+)\b(?!\s+(?:and|&)\s)|^)")
_CLAUSE = r"(?:^|[,;:]\s*|\b(?:and|so|but|now|then)\s+)"


@dataclass(frozen=True, slots=True)
class _Pattern:
    slot: str
    regex: re.Pattern[str]
    confidence: float
    negated: bool = False
    value: str = "any"  # how to validate the value: place, org, name, job, car, age, ...
    family_value: bool = False  # True: the slot's value is an enumerated word (diet)
    also: tuple[str, ...] = ()  # further slots the same statement applies to


def _p(slot: str, template: str, confidence: float, *, negated: bool = False,
       value: str = "any", also: tuple[str, ...] = ()) -> _Pattern:
    fill = {"S": _S, "ADV": _ADV, "PLACE": _PLACE, "ORG": _ORG, "NAME": _NAME, "JOBV": _JOBV,
            "FAV": _FAV, "CAR": _CAR, "PHONE": _PHONE, "EMAIL": _EMAIL, "AGE": _AGE,
            "KIN": _KIN, "REL": _REL, "BE": _BE, "MGR": _MGR, "SPECIES": _SPECIES, "CLAUSE": _CLAUSE,
            "NAMEBODY": _NAME_BODY, "BREED": _BREED, "ACT": _ACT, "PLANV": _PLANV,
            "MONEY": _MONEY}
    return _Pattern(slot, re.compile(template.format(**fill)), confidence, negated, value,
                    also=also)


_SA = r"{S}{ADV}\s*"  # subject, optional adverbs/auxiliaries

PATTERNS: tuple[_Pattern, ...] = (
    # -- location / residence
    _p("location", _SA + r"(?:live|lives|lived\s+here|reside|resides|{BE}\s+(?:living|residing|based|"
       r"settled))\s+in\s+{PLACE}", 0.9, value="place"),
    _p("location", _SA + r"(?:moved|relocated|emigrated)\s+(?:back\s+|over\s+|all the way\s+)?"
       r"to\s+{PLACE}", 0.85, value="place"),
    _p("location", r"\b[Mm]y\s+(?:home|house|apartment|flat|place)\s+is\s+(?:now\s+)?in\s+"
       r"{PLACE}", 0.8, value="place"),
    _p("location", _SA + r"{BE}\s+moving\s+(?:back\s+)?to\s+{PLACE}", 0.6,
       value="place"),
    # "writing from my new apartment in Highland, Denver": a new home said in passing
    _p("location", r"\b(?:[Mm]y|[Oo]ur)\s+new\s+(?:apartment|flat|house|home|place|condo)\s+"
       r"(?:in|at)\s+{PLACE}", 0.85, value="place"),
    _p("location", _SA + r"(?:no\s+longer|do\s+not|does\s+not)\s+lives?\s+in\s+{PLACE}", 0.85,
       negated=True, value="place"),
    _p("location", r"{S}\s+used\s+to\s+live\s+in\s+{PLACE}", 0.75, negated=True,
       value="place"),
    _p("location", _SA + r"moved\s+(?:out\s+of|away\s+from)\s+{PLACE}", 0.8, negated=True,
       value="place"),
    # -- employer
    _p("employer", _SA + r"(?:work|works|worked\s+here|{BE}\s+working)\s+(?:at|for)\s+{ORG}", 0.85, value="org"),
    _p("employer", _SA + r"(?:work|works|{BE}\s+working)\s+as\s+(?:a|an)\s+[\w -]+?\s+"
       r"(?:at|for)\s+{ORG}", 0.8, value="org"),
    _p("employer", _SA + r"(?:joined|started at|started working (?:at|for)|began working "
       r"(?:at|for))\s+{ORG}", 0.8, value="org"),
    _p("employer", _SA + r"(?:started|start|am starting|began|got|landed|took|accepted|found)\s+"
       r"(?:a|my)\s+new\s+(?:job|position|role|gig)\s+(?:at|with)\s+{ORG}", 0.9, value="org"),
    _p("employer", _SA + r"(?:got|landed|took|accepted|found)\s+a\s+(?:job|position|role)\s+"
       r"(?:at|with)\s+{ORG}", 0.85, value="org"),
    _p("employer", _SA + r"accepted\s+(?:an|the|a job|a)\s+offer\s+(?:from|at|with)\s+{ORG}",
       0.8, value="org"),
    _p("employer", _SA + r"(?:was|got|been)\s+hired\s+(?:by|at)\s+{ORG}", 0.85, value="org"),
    # "I've worked at X for three years now" (present perfect: still there)
    _p("employer", r"{S}\s+(?:have|has)\s+(?:\w+\s+)?worked\s+(?:at|for)\s+{ORG}"
       r"(?=\s+(?:for|since)\b)", 0.8, value="org"),
    # "I've been at Helio Health for a month now"
    _p("employer", _SA + r"(?:have|has)?\s*been\s+(?:working\s+(?:at|with)|at)\s+{ORG}"
       r"(?=\s+(?:for|since)\b)", 0.8, value="org"),
    # "I got the Helio Health offer and I accepted"
    _p("employer", _SA + r"(?:got|accepted|took|signed)\s+(?:the|an?)\s+{ORG}\s+(?:job\s+)?"
       r"offer\b", 0.8, value="org"),
    _p("employer", r"\b[Mm]y\s+(?:new\s+)?(?:employer|workplace)\s+is\s+{ORG}", 0.85,
       value="org"),
    _p("employer", _SA + r"{BE}\s+employed\s+(?:at|by)\s+{ORG}", 0.85, value="org"),
    _p("employer", _SA + r"(?:started|got|landed|found|accepted)\s+a\s+new\s+job\b"
       r"(?!\s+(?:at|with))", 0.75, value="none"),
    _p("employer", _SA + r"(?:quit|left|resigned\s+from|was\s+laid\s+off\s+from|got\s+laid\s+off"
       r"\s+from|was\s+let\s+go\s+from|was\s+fired\s+from|got\s+fired\s+from|stopped\s+working"
       r"\s+(?:at|for))\s+{ORG}", 0.8, negated=True, value="org"),
    _p("employer", _SA + r"(?:no\s+longer|do\s+not|does\s+not)\s+works?\s+(?:at|for)\s+{ORG}",
       0.85, negated=True, value="org"),
    _p("employer", _SA + r"(?:quit|left|lost)\s+(?:my|our|his|her)\s+job\b", 0.8, negated=True,
       value="none"),
    # "I gave Fernwood my notice"
    _p("employer", _SA + r"(?:gave|handed|handed\s+in|put\s+in)\s+{ORG}\s+(?:my|our)\s+notice\b",
       0.8, negated=True, value="org"),
    _p("employer", _SA + r"(?:was|got|been)\s+(?:laid\s+off|let\s+go|fired|made\s+redundant)\b",
       0.8, negated=True, value="none"),
    _p("employer", _SA + r"(?:retired|am\s+retired|is\s+retired)\b", 0.75, negated=True,
       value="none", also=("job",)),
    # -- job title
    _p("job", _SA + r"(?:work|works|{BE}\s+working)\s+as\s+(?:a\s+|an\s+)?{JOBV}", 0.85,
       value="job"),
    _p("job", r"\b[Mm]y\s+(?:new\s+)?(?:job|job title|title|occupation|profession)\s+is\s+"
       r"(?:now\s+)?(?:a\s+|an\s+)?{JOBV}", 0.75, value="job"),
    _p("job", _SA + r"(?:was\s+|got\s+|been\s+)?promoted\s+to\s+(?:a\s+|an\s+)?{JOBV}", 0.9,
       value="job"),
    _p("job", _SA + r"(?:am|is|are)\s+(?:now\s+|officially\s+|finally\s+)?(?:a|an)\s+{JOBV}", 0.75,
       value="jobnoun"),
    _p("job", _SA + r"became\s+(?:a|an)\s+{JOBV}", 0.8, value="jobnoun"),
    _p("job", _SA + r"(?:am|is|are)\s+no\s+longer\s+(?:a|an)\s+{JOBV}", 0.85, negated=True,
       value="jobnoun"),
    # -- partner
    _p("partner", r"\b[Mm]y\s+(?:new\s+)?(?:{REL})\s+(?:is\s+called|is\s+named|is|'s\s+name\s+is|"
       r"name\s+is)\s+{NAME}", 0.85, value="name"),
    _p("partner", r"{CLAUSE}(?P<v>{NAMEBODY})\s+is\s+(?:now\s+)?my\s+(?:new\s+)?(?:{REL})\b", 0.85,
       value="name"),
    # "my boyfriend Liam is cooking tonight": the name said beside the relation
    # ("my partner Callum and I": him; "my girlfriend, Toby and I": a list of three)
    _p("partner", r"\b[Mm]y\s+(?:new\s+)?(?:{REL})(?:\s+(?P<v>{NAMEBODY})\b(?!\s*(?:and|or)\b"
       r"(?!\s+(?:I|me)\b))|\s*,\s*(?P<v2>{NAMEBODY})\b(?!\s*,?\s*(?:and|or)\b))(?!'s)", 0.75,
       value="name"),
    _p("partner", _SA + r"(?:am|are)\s+(?:now\s+)?(?:dating|seeing|married\s+to|engaged\s+to|"
       r"in\s+a\s+relationship\s+with|going\s+out\s+with|together\s+with)\s+{NAME}", 0.8,
       value="name"),
    _p("partner", _SA + r"(?:got\s+married\s+to|married|got\s+engaged\s+to|been\s+dating|"
       r"been\s+seeing|started\s+dating|started\s+seeing)\s+{NAME}", 0.8, value="name"),
    _p("partner", r"(?P<v>{NAMEBODY})\s+and\s+I\s+(?:are|got)\s+(?:now\s+)?(?:dating|married|"
       r"engaged|together)\b", 0.8, value="name"),
    _p("partner", _SA + r"(?:broke\s+up\s+with|split\s+up\s+with|split\s+from|separated\s+from|"
       r"divorced|got\s+divorced\s+from|dumped|left)\s+{NAME}", 0.85, negated=True,
       value="name"),
    _p("partner", r"(?P<v>{NAMEBODY})\s+and\s+I\s+(?:just\s+)?(?:broke\s+up|split\s+up|split|"
       r"separated|divorced|got\s+divorced|called\s+it\s+quits)\b", 0.85, negated=True,
       value="name"),
    _p("partner", r"{CLAUSE}(?P<v>{NAMEBODY})\s+(?:broke\s+up\s+with\s+me|dumped\s+me|left\s+me|"
       r"divorced\s+me)\b", 0.85, negated=True, value="name"),
    _p("partner", r"\b[Ww]e\s+(?:just\s+|finally\s+)?(?:broke\s+up|split\s+up|separated|got\s+"
       r"divorced|divorced)\b", 0.75, negated=True, value="none"),
    _p("partner", _SA + r"(?:am|is)\s+(?:now\s+)?(?:single|divorced)\b", 0.75, negated=True,
       value="none"),
    # -- manager
    _p("manager", r"\b[Mm]y\s+(?:new\s+)?(?:{MGR})\s+is\s+(?:now\s+)?{NAME}", 0.85,
       value="name"),
    # "My new manager, Priya, is ..."
    _p("manager", r"\b[Mm]y\s+(?:new\s+)?(?:{MGR})\s*,\s*(?P<v>{NAMEBODY})\s*,", 0.85,
       value="name"),
    _p("manager", r"{CLAUSE}(?P<v>{NAMEBODY})\s+is\s+(?:now\s+)?my\s+(?:new\s+)?(?:{MGR})\b", 0.85,
       value="name"),
    _p("manager", _SA + r"(?:report|reports|am\s+reporting)\s+to\s+{NAME}", 0.8, value="name"),
    _p("manager", _SA + r"(?:have|got)\s+a\s+new\s+(?:{MGR})(?:\s*[,:]\s*|\s+(?:called|named)\s+)"
       r"{NAME}", 0.85, value="name"),
    _p("manager", _SA + r"(?:have|got)\s+a\s+new\s+(?:{MGR})\b(?!\s*[,:]?\s*(?:called|named)?\s*"
       r"[A-Z])", 0.75, value="none"),
    _p("manager", r"{CLAUSE}(?P<v>{NAMEBODY})\s+(?:left|quit|resigned|retired|was\s+fired|got\s+"
       r"fired|was\s+let\s+go|has\s+left|moved\s+on)(?:\s+(?:the|our|my)\s+(?:company|team|firm|"
       r"job|department|group)|\s+(?:his|her|their)\s+job)?(?=\s*(?:[.,;!]|$|\band\b|\bso\b|"
       r"\blast\b|\byesterday\b|\brecently\b|\bthis\b))", 0.75, negated=True, value="name"),
    _p("manager", r"(?P<v>{NAMEBODY})\s+is\s+no\s+longer\s+my\s+(?:{MGR})\b", 0.9,
       negated=True, value="name"),
    # -- car
    _p("car", _SA + r"(?:drive|drives|am\s+driving|is\s+driving)\s+(?:a|an)\s+(?:new\s+)?{CAR}",
       0.8, value="car"),
    _p("car", r"\b[Mm]y\s+(?:new\s+)?car\s+is\s+(?:a|an)\s+{CAR}", 0.85, value="car"),
    _p("car", _SA + r"(?:bought|got|purchased|leased|own|owns)\s+(?:a|an|myself\s+a)\s+"
       r"(?:(?:new|used|brand\s+new|second-hand)\s+)*{CAR}", 0.75, value="carbrand"),
    _p("car", _SA + r"(?:bought|got|purchased)\s+(?:a|myself\s+a)\s+new\s+car\b", 0.75,
       value="none"),
    _p("car", _SA + r"traded\s+(?:in\s+)?(?:my|our)\s+(?P<old>[\w-]+(?:\s+[\w-]+)?)\s+for\s+"
       r"(?:a|an)\s+{CAR}", 0.8, value="car"),
    _p("car", _SA + r"(?:sold|crashed|totaled|totalled|wrecked|got\s+rid\s+of)\s+(?:my|our)\s+"
       r"{CAR}", 0.8, negated=True, value="car"),
    # -- pets (multi-valued: only explicit endings supersede)
    _p("pet", _SA + r"(?:have|has|got|adopted|rescued|bought)\s+(?:a|an|another)\s+(?:new\s+)?"
       r"(?:little\s+)?(?:{SPECIES})\s*,?\s+(?:named|called)\s+{NAME}", 0.8, value="name"),
    _p("pet", r"\b[Mm]y\s+(?:{SPECIES})(?:'s\s+name\s+is|\s+is\s+(?:named|called))\s+{NAME}",
       0.8, value="name"),
    # "He's a two-year-old beagle mix called Biscuit"
    _p("pet", r"\b(?:[Hh]e|[Ss]he|[Ii]t)(?:'s|\s+is)\s+(?:a|an)\s+[\w\s-]{{0,30}}?(?:{SPECIES}|"
       r"{BREED})(?:\s+mix)?\s*,?\s+(?:named|called)\s+{NAME}", 0.8, value="name"),
    _p("pet", r"(?:\b[Mm]y\s+(?:{SPECIES})\s*,?\s+|{CLAUSE})(?P<v>{NAMEBODY})\s+(?:died|passed\s+"
       r"away|passed\s+on|was\s+put\s+down|was\s+put\s+to\s+sleep)\b", 0.8, negated=True,
       value="name"),
    # -- favourites
    _p("favourite", r"\b[Mm]y\s+(?:new\s+|all-time\s+|current\s+|absolute\s+)?(?:favou?rite|fave)"
       r"\s+(?P<cat>(?:tv\s+|ice\s+cream\s+|board\s+|video\s+)?[a-z]+)\s+(?:is|are|has\s+to\s+be)"
       r"\s+(?:now\s+|still\s+)?{FAV}", 0.85, value="fav"),
    _p("favourite", r"{CLAUSE}(?P<v>[A-Za-z][\w' -]{{0,40}}?)\s+(?:is|are)\s+(?:now\s+|still\s+)?my"
       r"\s+(?:new\s+|all-time\s+|absolute\s+)?(?:favou?rite|fave)\s+(?P<cat>(?:tv\s+)?[a-z]+)\b",
       0.8, value="fav"),
    # -- diet
    _p("diet", _SA + r"(?:am|is|are|went|gone|became|turned|been)\s+(?:now\s+|fully\s+|completely\s+)?"
       r"(?:a\s+|an\s+)?(?P<v>vegan|vegetarian|pescatarian|pescetarian|flexitarian)\b", 0.8,
       value="word"),
    _p("diet", _SA + r"(?:am|is|are)\s+(?:no\s+longer|not)\s+(?:a\s+|an\s+)?(?P<v>vegan|"
       r"vegetarian|pescatarian|pescetarian)\b", 0.85, negated=True, value="word"),
    _p("diet", _SA + r"(?:stopped|quit|gave\s+up)\s+being\s+(?:a\s+)?(?P<v>vegan|vegetarian|"
       r"pescatarian)\b", 0.85, negated=True, value="word"),
    _p("diet", _SA + r"(?:started\s+eating|eat|am\s+eating)\s+meat\s+again\b", 0.8,
       negated=True, value="none"),
    # -- age
    _p("age", _SA + r"(?:am|is|are)\s+(?:now\s+)?{AGE}\s+(?:years?\s+old|years?\s+of\s+age|"
       r"yrs?\s+old|y/?o)\b", 0.9, value="age"),
    _p("age", _SA + r"(?:turned|turn|turns)\s+{AGE}\b(?!\s*(?:%|percent|minutes|degrees))", 0.85,
       value="age"),
    _p("age", _SA + r"(?:am|is)\s+(?:now\s+)?{AGE}(?=\s*(?:[.!,;]|$|\s+now\b))", 0.75,
       value="age"),
    _p("age", r"\b[Mm]y\s+age\s+is\s+{AGE}\b", 0.85, value="age"),
    # -- contact
    _p("phone", r"\b[Mm]y\s+(?:new\s+)?(?:(?:phone|cell|mobile|telephone)\s+)?(?:number|phone|cell"
       r"|mobile)\s+is\s+(?:now\s+)?{PHONE}", 0.9, value="phone"),
    _p("phone", r"\b(?:reach|call|text)\s+me\s+(?:now\s+)?(?:at|on)\s+{PHONE}", 0.75,
       value="phone"),
    _p("email", r"\b[Mm]y\s+(?:new\s+)?(?:e-?mail|mail)(?:\s+address)?\s*(?:is|:|,)\s*(?:now\s+)?"
       r"{EMAIL}", 0.85, value="email"),
    _p("email", r"\b(?:reach|contact|email|e-mail)\s+me\s+(?:now\s+)?at\s+{EMAIL}", 0.75,
       value="email"),
    # -- school
    _p("school", _SA + r"(?:study|studies|{BE}\s+studying)\s+at\s+"
       r"{ORG}", 0.85, value="org"),
    _p("school", _SA + r"(?:go|goes|{BE}\s+going)\s+to\s+{ORG}", 0.8, value="school"),
    _p("school", _SA + r"(?:am|is|are)\s+(?:now\s+)?(?:a\s+|an\s+)?(?:student|freshman|sophomore|"
       r"grad\s+student|graduate\s+student|phd\s+student|PhD\s+student|doctoral\s+student|"
       r"undergrad|undergraduate|postdoc)\s+at\s+{ORG}", 0.85, value="org"),
    _p("school", _SA + r"(?:transferred|switched)\s+(?:schools?\s+)?to\s+{ORG}", 0.8,
       value="org"),
    _p("school", _SA + r"(?:graduated\s+from|dropped\s+out\s+of|finished\s+my\s+(?:studies|degree)"
       r"\s+at)\s+{ORG}", 0.75, negated=True, value="org"),
    # -- hobby (the one a person is into now: a new one replaces it)
    _p("hobby", r"\b[Mm]y\s+(?:new\s+|main\s+|latest\s+)?(?:hobby|passion)\s+(?:is|has\s+become)\s+"
       r"(?:now\s+)?{ACT}", 0.85, value="act"),
    _p("hobby", _SA + r"(?:have\s+)?(?:taken\s+up|took\s+up|picked\s+up|gotten\s+into|got\s+into|"
       r"started)\s+(?:doing\s+)?{ACT}", 0.8, value="act"),
    _p("hobby", _SA + r"(?:am|is|are)\s+(?:really\s+|totally\s+|super\s+)?into\s+{ACT}", 0.8,
       value="act"),
    _p("hobby", _SA + r"(?:gave\s+up|quit|stopped\s+doing)\s+{ACT}", 0.75, negated=True,
       value="act"),
    # -- plan (a decided plan, not a maybe)
    _p("plan", r"\b[Mm]y\s+(?:new\s+)?plan\s+is\s+(?:now\s+)?to\s+{PLANV}", 0.8, value="plan"),
    _p("plan", r"\b[Nn]ew\s+plan\s*:\s*(?:I\s+(?:want|am\s+going|will)\s+to\s+|I\s+will\s+)?"
       r"{PLANV}", 0.8, value="plan"),
    _p("plan", _SA + r"(?:have\s+)?decided\s+to\s+{PLANV}", 0.8, value="plan"),
    # -- money: rent and salary
    _p("rent", r"\b[Mm]y\s+(?:new\s+|monthly\s+)?rent\s+(?:is|went\s+up\s+to|is\s+now|"
       r"rose\s+to|went\s+down\s+to|will\s+be)\s+(?:now\s+)?{MONEY}", 0.85, value="money"),
    _p("rent", _SA + r"(?:pay|am\s+paying|are\s+paying)\s+{MONEY}\s+(?:a\s+month\s+)?"
       r"(?:in|for|of)\s+rent", 0.85, value="money"),
    _p("salary", r"\b[Mm]y\s+(?:new\s+|annual\s+|base\s+)?(?:salary|pay)\s+(?:is|went\s+up\s+to|"
       r"is\s+now|rose\s+to)\s+(?:now\s+)?{MONEY}", 0.85, value="money"),
    _p("salary", _SA + r"(?:make|earn|am\s+making|am\s+earning|take\s+home)\s+{MONEY}\s+"
       r"(?:a|per)\s+year", 0.85, value="money"),
    # -- name
    _p("name", r"\b[Mm]y\s+name\s+is\s+{NAME}", 0.85, value="name"),
    _p("name", _SA + r"changed\s+my\s+name\s+to\s+{NAME}", 0.9, value="name"),
)

# ---------------------------------------------------------------- modifiers
_HYPO = re.compile(r"\b(?i:if|might|maybe|perhaps|would|could|should|want\s+to|wanna|hope\s+to|"
                   r"hoping\s+to|plan\s+to|planning\s+to|plans\s+to|planned\s+to|thinking\s+"
                   r"(?:about|of)|considering|dream(?:ing)?\s+(?:of|about)|wish|someday|one\s+day|"
                   r"going\s+to(?!\s+(?:the|a|an|my|our|church|school|work|bed|class|classes|"
                   r"lessons|practice|therapy|[a-z]+\s+(?:class|classes|lessons|practice)\b))|gonna|will|about\s+to|trying\s+to|try\s+to|tried\s+to|like\s+to|"
                   r"love\s+to|supposed\s+to|imagine|unless|in\s+case|pretend)\b|\bmay\b")
_REPORTED = re.compile(r"\b(?i:said|says|told\s+me|tells\s+me|heard|apparently|rumou?r|"
                       r"according\s+to|asked|thinks|believes)\b")
_PAST = re.compile(r"\b(?i:when\s+I\s+was|when\s+we\s+were|as\s+a\s+(?:kid|child|teen|teenager|"
                   r"student|boy|girl)|growing\s+up|years\s+ago|back\s+in|back\s+then|in\s+my\s+"
                   r"(?:twenties|thirties|teens|youth)|until|once|had)\b")
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
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+|;\s*|,?\s+but\s+|,\s+so\s+")


def _prepare(text: str) -> str:
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return text


_LEAD = re.compile(r"^(?:Just|Now|Currently|Recently|Finally|Still|Also|Lives?|Living|Moved|"
                   r"Relocated|Works?|Working|Joined|Started|Got|Drives?|Bought|Stud(?:y|ies)|"
                   r"Turned|Quit|Left|Retired|Reports?|Became|Is|Am|Has|Have|Accepted|Signed|"
                   r"Switched|Landed|Took|Settled|Adopted|Rescued|Went|Handed|Gave|Picked|Been|"
                   r"Taking|Started|Getting|Dating|Seeing|Married|Engaged)\b")


def _sentences(text: str) -> Iterator[str]:
    for part in _SENTENCES.split(_prepare(text)):
        part = part.strip()
        if part:  # "Works at Stripe." (a fact without subject): the verb as mid-sentence
            yield _LEAD.sub(lambda m: m.group(0).lower(), part, count=1)


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
    for sentence in _sentences(text):
        lowercase = not re.search(r"[A-Z]", sentence.replace("I ", "").replace(" I", ""))
        question = sentence.rstrip().endswith("?")
        found = []
        slots = triggered(sentence)
        for pattern in PATTERNS:
            if pattern.slot in slots:
                found += [st for match in pattern.regex.finditer(sentence) for st in _statements(
                    pattern, match, sentence, lowercase, question, in_conversation)]
        # an ending found by a template leaves room for the new value in another clause
        done = {slot_family(st.slot) for st in found if not st.negated}
        found += [st for rule, match, who in general(sentence, done, context) for st in _statements(
            rule, match, sentence, lowercase, question, in_conversation, who)]  # type: ignore[arg-type]
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


_APART_TYPE = {"location": "place", "employer": "org", "partner": "name"}


def _apart(slot: str, raw: str, cue: str, in_conversation: bool) -> Statement | None:
    """A value named apart from its cue: less sure than one said in the cue's clause."""
    value = norm_value(slot, raw)
    if not _valid(_APART_TYPE[slot], value, raw, False):
        return None
    return Statement(SELF, slot, value, 0.75 - 0.05 * in_conversation, False, cue, _display(raw))


def _statements(pattern: _Pattern, match: re.Match[str], sentence: str, lowercase: bool,
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
        raw = getattr(pattern, "fixed", "") or (groups.get("v") or groups.get("v2") or "").strip()
        if pattern.value == "name":  # "So Kofi and I broke up": the opener is no name
            raw = _drop_openers(raw)
        value = norm_value(slot, raw)
        if not _valid(pattern.value, value, raw, lowercase):
            return
    question = question and "," not in sentence[match.end():]  # "..., crazy right?"
    conf = _confidence(pattern, match, sentence, question, in_conversation, subject, groups)
    evidence = match.group(0).strip()
    shown = value or "" if pattern.value in ("diet", "act") else _display(raw)  # "veggie"
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


def _display(raw: str) -> str:
    """The value as said, trimmed of punctuation and a leading article."""
    raw = re.sub(r"\s+", " ", raw.strip().strip(".,;:!?\"'"))
    return re.sub(r"^(?:[Tt]he|[Aa]n?|[Mm]y|[Oo]ur)\s+", "", raw)


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
                         r"although|while|whereas|since|so|but)\b,?\s*")


def _clause_scope(sentence: str, match: re.Match[str]) -> tuple[str, str, str]:
    """The match's own clause: the words before it, the match, the words after it."""
    before, after = sentence[:match.start()], sentence[match.end():]
    cuts = [m.end() for m in _CLAUSE_END.finditer(before)]
    end = _CLAUSE_END.search(after)
    return (before[cuts[-1]:] if cuts else before, match.group(0),
            after[:end.start()] if end else after)


def _confidence(pattern: _Pattern, match: re.Match[str], sentence: str, question: bool,
                in_conversation: bool, subject: str, groups: dict[str, str | None]) -> float:
    conf = pattern.confidence
    before, span, after = _clause_scope(sentence, match)
    if pattern.slot != "plan" and (_HYPO.search(before) or _HYPO.search(span)):
        conf *= 0.4
    if _REPORTED.search(before) and not _TOLD_ME.search(before) or \
            _TOLD_ME.search(before) and not _ME.search(span):
        conf *= 0.5  # hearsay; news told to the speaker about the speaker is not
    if question:
        conf *= 0.3
    if pattern.slot != "plan" and _FUTURE.search(after):
        # a rent or pay change is settled when it is announced ("going up to $2,400
        # next month"); a home or a job said with a date to come is not yet
        conf *= 0.9 if pattern.slot in ("rent", "salary") else 0.5
    if not pattern.negated and (_PAST.search(before) or _PAST.search(after[:40])):
        conf *= 0.5
    if _PRESENT.search(span) or _PRESENT.search(after[:30]):
        conf += 0.05
    if subject != SELF and not subject.startswith("name:"):
        conf -= 0.1  # a relation's fact is said second-hand
    if in_conversation:
        conf -= 0.05
    return round(max(0.0, min(conf, 0.97)), 3)
