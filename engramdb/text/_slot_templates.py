"""The slot templates: one phrasing family each, its subject read from the regex.

"I moved to Denver", "my rent is now $2,100", "Sofia and I broke up": each template
spells out the subject (``{S}``: I, we, "my sister", a name at the start of a clause)
and the value's slot in the sentence (``{PLACE}``, ``{ORG}``, ``{NAME}``...). They run
first; the general cues of :mod:`engramdb.text._slot_cues` run for the slots they
found nothing for. Both are :class:`~engramdb.text._slot_rule.Rule` objects: a new
rule is one ``_p(...)`` line here or one ``_c(...)`` line there.
"""

from __future__ import annotations

from typing import Any

from ._slot_rule import Rule, rule
from ._slot_words import _BREEDS, _KIN, _MGR, _REL, _SPECIES

__all__ = ["TEMPLATES"]

# --------------------------------------------------------------- value parts
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


def _p(slot: str, template: str, confidence: float, **kw: Any) -> Rule:
    """A template: ``{S}`` (the subject), ``{PLACE}``, ``{NAME}``... filled in."""
    fill = {"S": _S, "ADV": _ADV, "PLACE": _PLACE, "ORG": _ORG, "NAME": _NAME, "JOBV": _JOBV,
            "FAV": _FAV, "CAR": _CAR, "PHONE": _PHONE, "EMAIL": _EMAIL, "AGE": _AGE,
            "KIN": _KIN, "REL": _REL, "BE": _BE, "MGR": _MGR, "SPECIES": _SPECIES, "CLAUSE": _CLAUSE,
            "NAMEBODY": _NAME_BODY, "BREED": _BREEDS, "ACT": _ACT, "PLANV": _PLANV,
            "MONEY": _MONEY}
    return rule(slot, template.format(**fill), confidence, **kw)


_SA = r"{S}{ADV}\s*"  # subject, optional adverbs/auxiliaries

TEMPLATES: tuple[Rule, ...] = (
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
    _p("hobby", _SA + r"(?:gave\s+up|quit|stopped\s+doing)\s+(?:on\s+)?{ACT}", 0.75, negated=True,
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
