"""The general slot grammar: a cue of the attribute and a typed value in one clause.

The templates of :mod:`engramdb.text.slots` read the phrasings they were written
for ("I moved to Denver"). People say the same thing in many other ways ("Home is
Lisbon now", "First week at Quarry Software done!", "They made me sales
director"). Those share two things: a *cue* of the attribute (a word of its
lexicon: home, lease, commute...; job, hired, first week...) and a value of the
attribute's *type* (a capitalised place or organisation, a person's name, an
amount of money, a job noun, a diet word) in the same clause, about the speaker.
The rules below pair the two with a few connecting words each, so that one rule
covers a family of phrasings, not one sentence.

They run only for the slots the templates found nothing for in a sentence, and
their statements go through the same validation and confidence (hypotheticals,
questions, reported speech, the past) as the templates'. The subject of a clause
(:func:`clause_subject`) decides whose fact it is: the speaker's, a relation's
("my sister's new place in Lisbon"), a named person's ("Maya moved to Denver"),
or nobody's ("he", "they", "the restaurant"), which keeps a friend's employer or
a sister's city from becoming the user's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ._slot_rule import Rule, by_slot, rule
from ._slot_words import _BREEDS, _DIETS, _JOBS, _NOT_NAMES, _ORG_HEADS, _REL, _SPECIES

__all__ = ["PET_KIND", "RULES", "clause_subject", "general", "turn_slots"]

_PET = rf"(?:{_SPECIES}|{_BREEDS})s?"
# a pet of one's past is no current pet ("Max, my childhood dog")
_PETADJ = r"(?:(?!(?:childhood|old|late|former|previous|first)\b)[\w-]+\s+){0,2}?"
_PET_WORD = rf"\b(?i:{_PET})\b"
#: the kind of animal a pet statement names ("greyhound"), for the value as shown
PET_KIND = re.compile(rf"\b(?!rescue\b)(?:{_SPECIES}|{_BREEDS})\b")
_CAPW = r"[A-Z][\w'.&-]*"
# a capitalised run (a place, an organisation): "Denver", "Highland, Denver", "Bank of Oslo"
_TIMEWORD = (r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
             r"April|May|June|July|August|September|October|November|December|I")
_CAPRUN = (rf"{_CAPW}(?:\s+(?:(?:of|de|del|la|le|du|da|van|von|upon|am|and|&|the)\s+)?"
           rf"(?!(?:{_TIMEWORD})\b)[A-Z0-9][\w'.&-]*){{0,3}}")
_PLACE = rf"(?P<v>{_CAPRUN}(?:,\s+{_CAPW}(?:\s+{_CAPW})?(?=\s*(?:[.!?;]|$|\s+(?:now|for|since)\b)))?)"
_ORG = rf"(?P<v>(?:[Tt]he\s+)?{_CAPRUN})"
# an organisation by its last word ("Saltmarsh Brewing", "Juniper Bank"): no person's name
_NAMED_ORG = (rf"(?P<v>(?:[Tt]he\s+)?(?:{_CAPW}\s+){{1,3}}(?:{'|'.join(sorted(w.title() for w in _ORG_HEADS))})"
              rf"\b(?!\s+[A-Z]))")
# a title is part of a name ("her name is Mr. Pickles"), not a name of its own
_HONORIFIC = r"(?:(?:Mr|Mrs|Ms|Mx|Dr|Sir|Dame|Lady|Lord|Captain|Professor|Prince|Princess|King|Queen)\.?\s+)"
_NAME = rf"(?P<v>{_HONORIFIC}?[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)(?!\s+(?:[A-Z]|&|of\b))"
_NAME1 = rf"(?P<v>{_HONORIFIC}?[A-Z][a-z'-]+)(?!\s+(?:[A-Z]|&|of\b))"
# (or a clause: "I'm typing one-handed because Biscotti has decided my lap is her bed")
_OPENING_PET = (rf"(?:^(?:(?:But|And|So|Now|Still|Also|Plus|Meanwhile|Anyway|Oh|Well),?\s+)?|"
                rf"\b(?:because|since|cause|cos|now\s+that|while)\s+)"
                rf"{_NAME1}\s+(?:is|has|had|came|comes|gets|got|keeps|loves|hates|sleeps|"
                r"slept|ate|eats|chewed|chews|stole|steals|pulls|barks|barked|refuses|refused|"
                r"follows|followed|sits|sat|jumped|jumps|ran|runs|went|goes|needs|seems)\b")
_ANIMAL_TURN = rf"\b(?i:{_SPECIES}|{_BREEDS}|puppies|kitties|bunnies|ponies)s?\b"
# a turn about an animal by what only animals go with (vet, shelter, litter...)
_ANIMAL_CARE = (rf"\b(?i:{_SPECIES}|{_BREEDS}|puppies|kitties|bunnies|vet|vets|shelter|rescued|"
                r"adopted|adopt|leash|litter|kibble|paws?|neutered|spayed|groomer)s?\b")
# the turn's animal is someone else's: "My neighbour has a dog. Rex is huge."
_THEIR_ANIMAL = (r"\b(?i:(?:my|our|his|her|their)\s+(?:\w+\s+)?(?:sister|brother|mom|mum|"
                 r"mother|dad|father|son|daughter|parents|aunt|uncle|cousin|niece|nephew|"
                 r"friends?|neighbou?rs?|colleagues?|coworkers?|boss|roommate|flatmate)|"
                 rf"someone|somebody|[a-z]+'s)\b[^.!?]{{0,40}}?\b(?i:{_SPECIES}|{_BREEDS})")
_COUPLE_WORDS = (rf"\b(?i:{_REL}|dat(?:e|es|ed|ing)|anniversary|married|wedding|engaged|"
                 r"in\s+love|romantic|kiss\w*)\b")
_JOBHEAD = "|".join(sorted(_JOBS | {"head", "manager", "officer", "partner", "associate",
                                    "nurse", "lead", "director"}, key=len, reverse=True))
_JOBMOD = r"(?!(?:a|an|the|my|our|their|his|her|new|job|role|position)\b)[A-Za-z][\w-]*"
_JOBFORM = r"(?!(?:assist|insist|resist|persist|exist|consist|subsist|twist)\b)[a-z]{3,}(?:ist|ician)"
_JOB = rf"(?P<v>(?:{_JOBMOD}\s+){{0,3}}?(?:(?i:{_JOBHEAD})s?|{_JOBFORM}))\b(?!-)"
_MONEY = (r"(?P<v>[$€£]\s?\d[\d,]*(?:\.\d+)?\s?(?:[kK]\b)?|\d[\d,]*(?:\.\d+)?\s?[kK]?\s?"
          r"(?:dollars|euros|pounds|bucks)\b)")
_DIET = rf"(?P<v>(?i:{_DIETS}))"
_DIET_NEXT = (r"(?=\s*(?:[.,;:!?)]|$|(?:now|from\s+now|from\s+today|for|since|these|again|and|but|diet|lifestyle|life|"
              r"too|full[- ]time|by|at|in|because|so|after|last|this|as|anymore|officially|"
              r"is|was|has|month|months|week|weeks|year|years|days|ever|myself|all|about|around|"
              r"nearly|almost|over|ever\s+since|two|three|four|five|six|lol|lmao|haha|tbh|though|tho|"
              r"a\s+(?:few|couple|"
              r"while|month|year|week))\b))")
_STOP_ACT = (r"a|an|the|it|that|this|these|those|my|our|your|his|her|their|to|working|work|"
             r"dating|seeing|eating|going|looking|feeling|thinking|using|saving|planning|"
             r"helping|hoping|wondering|learning\s+to|"
             r"trying|getting|doing|being|having|making|taking|me|you|him|them|us|some|"
             r"something|anything|everything|more|less|new|so|really|too|very|much|"
             r"there|here|again|back|out|up|down|on|off|in|at|with|for|of|and|or|but")
_ACT_END = (r"(?=\s*(?:[.,;:!?)]|$|\s+(?:these\s+days|lately|now|again|recently|this|last|since|"
            r"and|but|because|with|for|at|in|on|every|most|all|a\s+lot|so|too|like|which|"
            r"that|after|before|when|ever|class|classes|lessons?|course|club|group|a\s+(?:couple|few|"
            r"bit|year|month|week)|about|around|over|during|instead|years?|months?|weeks?)\b))")
_ACT = (rf"(?P<v>(?!(?:{_STOP_ACT})\b)[a-z][\w-]*(?:\s+(?!(?:{_STOP_ACT})\b)[a-z][\w-]*){{0,2}}?)"
        rf"{_ACT_END}")
_PLAN_END = (r"(?=\s*(?:[.,;:!?)]|['\"’”](?!\w)|$|\s+(?:instead|next|this|by|before|in\s+\d|someday|one\s+day|"
             r"eventually|soon|within|and\s+(?:I|we)|but|because|so)\b))")
# an errand for tonight is not a plan for one's life
_EPHEMERAL = r"tonight|today|tomorrow|later|this\s+(?:morning|afternoon|evening|weekend|week)"
_PLAN = (r"(?P<v>(?!(?:be|do(?!\s+(?:an?|my)\s)|the|a|my|it|that|this|bed|sleep|work|say|ask|"
         r"see|tell|check)\b)[a-z][\w'-]*(?:\s+(?!(?:" + _EPHEMERAL + r")\b)[\w'-]+){0,5}?)"
         + _PLAN_END + r"(?!\s+(?:" + _EPHEMERAL + r")\b)")
_VISIT = (r"\b(?i:trip|vacation|holiday|conference|visiting|visit|wedding|hotel|airbnb|"
          r"flight|tour|weekend\s+in|week\s+in)\b")
_DATING = (r"\b(?i:dating|seeing\s+someone|boyfriend|girlfriend|partner|met\s+someone|crush|"
           r"first\s+date|a\s+date|relationship|fianc)")
_BUSY = (r"working|feeling|thinking|sleeping|going|getting|trying|doing|looking|struggling|"
         r"waiting|dealing|stressing|worrying|traveling|travelling|eating|drinking|crying|"
         r"spending|saving|paying|dating|seeing|having|making|taking|using|coming|staying")
# a few plain words between a cue and its value: no other person, no new clause, no source
_GAP = (r"(?:\s+(?!(?:my|our|his|her|their|he|she|they|you|because|but|when|if|where|while|"
        r"from|visit\w*|and|or|so|than|like|near|until|before|after)\b)[\w'-]+){0,5}?\s+")
_MATE = (rf"(?:{_REL}|other\s+half|better\s+half|significant\s+other|bf|gf|hubby|wifey|"
         rf"husband-to-be|wife-to-be)")
_WORK = (r"\b(?i:work|job|company|office|boss|colleagues?|coworkers?|team|clients?|hired|"
         r"employer|salary|promot\w*)\b")
_GOAL = (r"\b(?i:saving(?:\s+up)?\s+(?:for|because|so)|goal|dream|bucket\s+list|plan|planning|"
         r"someday|one\s+day|keep\s+telling|spreadsheet|working\s+towards?|committed)\b")
_NOT_MINE_JOB = r"\b(?i:interview\w*|appl(?:y|ied|ying)|client|customer|meeting|call\s+with|lunch|dinner)\b"
# how long one has been with something ("for years", "since 2019", "going on eight years")
_FOR_YEARS = r"(?:for|since|going\s+on|nearly|almost|over|coming\s+up\s+on)\b"
_NEVER_LEFT = r"\b(?i:never\s+(?:really\s+)?(?:left|moved)|still\s+(?:here|live|living))\b"
_SPARE = (r"\b(?i:hobby|hooked|spare|free\s+time|evenings?|weekends?|every\s+\w+day|"
          r"(?:twice|three\s+times|once)\s+a\s+week|a\s+week)\b")
_HOUSING = r"(?:place|apartment|flat|house|studio|condo|one-bedroom|two-bedroom|loft|rental)"
_NOW = r"(?:\s+(?i:now|currently|still|officially|finally|just|already|also|really))*"
_OWN = r"(?:my|our|the)"


# a sentence that is only a job title, and a turn that announces a new one
_BARE_JOB = rf"^(?:an?\s+)?{_JOB}\s*[.!]*$"
_TITLE_NEWS = r"\b(?i:new\s+(?:job\s+)?(?:title|role|position)|promot(?:ed|ion))\b"


def _c(slot: str, regex: str, confidence: float, value: str, **kw: Any) -> Rule:
    """A general rule: the subject is the clause's (:func:`clause_subject`)."""
    return rule(slot, regex, confidence, value, **kw)


RULES: tuple[Rule, ...] = (
    # -- home: a residence word and a place after a locative word
    _c("location", rf"\b(?i:liv(?:e|es|ing)|settled|settling|based|residing|relocated|moved|"
       rf"unpacked|unpacking|"
       rf"ended\s+up|put\s+down\s+roots|made\s+the\s+move|the\s+move|our\s+move|my\s+move)"
       rf"(?:\s+(?i:here|over|back|out|down|up|all\s+the\s+way|permanently|for\s+good)){{0,2}}"
       rf"\s+(?:in|to|into)\s+(?:the\s+)?{_PLACE}", 0.8, "place"),
    _c("location", rf"\b(?i:home|address)(?:\s+(?i:base|these\s+days|now|nowadays))?\s+(?:is|has\s+been|"
       rf"'s)\s+(?:now\s+|officially\s+)?(?:in\s+)?{_PLACE}", 0.8, "place"),
    _c("location", rf"{_PLACE}\s+(?:is|has\s+become|feels\s+like|has\s+been)(?:\s+(?i:now|"
       rf"finally|officially|really|already))*\s+(?:(?:my|our)\s+)?(?:new\s+)?home\b", 0.8,
       "place"),
    _c("location", rf"\bcall(?:ing)?\s+{_PLACE}\s+home\b", 0.8, "place"),
    _c("location", rf"\b(?:ended\s+up|finally)\s+(?:moving|settling|living)\s+(?:in|to)\s+{_PLACE}",
       0.8, "place"),
    _c("location", rf"\bpacked\s+up\s+(?:and\s+)?(?:headed|moved|went|left)\s+(?:out\s+|over\s+)?"
       rf"(?:to|for)\s+{_PLACE}", 0.8, "place"),
    _c("location", rf"(?<![\w-]){_PLACE}-based(?=\s*(?:now|these\s+days|[.,;!]|$))", 0.75,
       "place"),
    _c("location", rf"{_PLACE}\s+(?:resident|residents|local|locals)\b", 0.75, "place"),
    _c("location", rf"\bnew\s+(?:life|chapter|start|beginning)\s+(?:here\s+)?in\s+{_PLACE}", 0.8,
       "place"),
    _c("location", rf"\bnew\s+(?:city|town|hometown|home\s+town|country)\s*,?\s+{_PLACE}", 0.8,
       "place"),
    _c("location", rf"\b(?:my|our)\s+(?:little\s+|tiny\s+|own\s+|rented\s+|cosy\s+|cozy\s+)?"
       rf"(?:flat|apartment|house|place|condo|studio|loft)\s+(?:here\s+)?in\s+{_PLACE}", 0.75,
       "place", unless=_VISIT),
    _c("location", rf"\bbeen\s+(?:living\s+)?(?:here\s+)?in\s+{_PLACE}\s+(?:(?:for\s+)?(?:a|an|one|two|"
       rf"three|four|five|six|several|a\s+few|a\s+couple\s+of|\d+)\s+(?:weeks|months|years)|"
       rf"(?:for\s+)?(?:so\s+long|ages|years|decades|forever))\b",
       0.75, "place", unless=_VISIT),
    _c("location", rf"\b(?i:new|own|first)\s+(?:place|apartment|flat|house|home|condo|"
       rf"neighbou?rhood|digs|studio|loft|townhouse)\s+(?:here\s+)?(?:in|at)\s+{_PLACE}", 0.85,
       "place"),
    _c("location", rf"\b(?:signed\s+(?:a|the)\s+lease|got\s+the\s+keys|bought\s+(?:a|our|my)\s+"
       rf"(?:first\s+)?(?:house|home|place|flat|condo|apartment))(?:\s+[\w-]+){{0,3}}?\s+in\s+"
       rf"{_PLACE}", 0.8, "place"),
    _c("location", rf"\binto\s+(?:a|the|our|my)\s+(?:new\s+|little\s+|bigger\s+|first\s+)?{_HOUSING}\s+"
       rf"(?:in|at)\s+{_PLACE}", 0.8, "place", unless=_VISIT),
    _c("location", rf"\b(?:the|our|my)\s+new\s+{_HOUSING}\s+is\s+(?:in|at)\s+{_PLACE}", 0.8, "place"),
    # relative clauses: "Denver, where we live now", "the city I call home, Lisbon"
    _c("location", rf"{_PLACE}\s*,\s*(?:which\s+is\s+)?where\s+(?:I|we)\s+(?:now\s+|currently\s+|"
       rf"finally\s+)?(?:live|am\s+based|are\s+based|moved|settled|ended\s+up)\b", 0.8, "place"),
    _c("location", rf"\b(?:the\s+)?(?:city|town|place|neighbou?rhood|country)\s+(?:I|we)\s+(?:now\s+)?"
       rf"(?:live\s+in|moved\s+to|call\s+home|am\s+in|are\s+in)(?:\s+now)?\s*(?:,|:|is|-)\s*{_PLACE}",
       0.8, "place"),
    _c("location", rf"\b(?:commute|neighbou?rs|neighbou?rhood|landlord)\s+(?:from|in|here\s+in)\s+"
       rf"{_PLACE}", 0.75, "place"),
    _c("location", rf"\b(?:am|are)(?:\s+(?:now|officially|finally|living|settled))*\s+(?:in|out\s+"
       rf"in|over\s+in|down\s+in|up\s+in)\s+{_PLACE}(?=\s+(?:now|these\s+days|for\s+good|"
       rf"permanently|full[- ]time)\b)", 0.75, "place"),
    _c("location", rf"\b(?:no\s+longer|not)\s+(?:living|based)\s+in\s+{_PLACE}", 0.8, "place",
       negated=True),
    _c("location", rf"\b(?:left|moved\s+away\s+from|said\s+goodbye\s+to)\s+{_PLACE}\s+"
       rf"(?:behind|for\s+good)\b", 0.8, "place", negated=True),
    # a place one has not lived in since: "it still says X and I haven't lived there since"
    _c("location", rf"(?:\b(?:still\s+)?(?:says|reads|shows|lists)\s+)?{_PLACE}\s*,?\s+(?:and|but|though|"
       rf"yet)\s+(?:I|we)\s+(?:have\s+not|had\s+not|no\s+longer|do\s+not)"
       rf"\s+(?:lived?|living|been\s+living)\s+there\b", 0.8, "place", negated=True, object_self=True),
    # looser: a residence word, then (a few plain words later) a place after in/to
    _c("location", rf"\b(?i:move|moved|moving|relocat\w*|settl\w*|liv(?:e|ing)|home|house|apartment|"
       rf"flat|neighbou?rhood|lease|unpack\w*|movers|boxes){_GAP}\b(?:in|to|into)\s+(?:the\s+)?{_PLACE}",
       0.75, "place", unless=_VISIT),
    _c("location", rf"\b(?i:move|moved|moving|relocated)\s+(?:\w+\s+)?from\s+{_CAPRUN}\s+to\s+{_PLACE}",
       0.8, "place"),
    # "here in X" is where the speaker is; "X born and raised" and never left, too
    _c("location", rf"\bhere\s+in\s+{_PLACE}", 0.75, "place", object_self=True,
       unless=rf"{_VISIT}|\b(?i:visiting|staying|trip|passing\s+through)\b"),
    _c("location", rf"(?:^|\bin\s+){_PLACE}\s*,?\s+born\s+and\s+(?:raised|bred)", 0.75, "place",
       when=_NEVER_LEFT),
    _c("location", rf"\bborn\s+and\s+(?:raised|bred)\s+in\s+{_PLACE}", 0.75, "place",
       when=_NEVER_LEFT),
    # what says one's title ("my email signature says store manager")
    _c("job", rf"\b(?:[Mm]y|[Oo]ur)\s+(?:new\s+)?(?:email\s+)?(?:signature|badge|name\s*tag|"
       rf"business\s+cards?|job\s+title|title|door\s+sign)\s+(?:now\s+)?(?:says|reads)\s+"
       rf"[\"']?(?:an?\s+)?{_JOB}", 0.75, "jobnoun"),
    # -- employer: a work word and an organisation
    _c("employer", rf"\b(?:(?i:first|second|third|1st|2nd|3rd|new|fourth)\s+(?:full\s+|few\s+|"
       rf"couple\s+(?:of\s+)?|two\s+|three\s+)?(?:day|week|month|shift|days|weeks|months|year|fortnight)|(?i:day|week)\s+(?:one|1))"
       rf"(?:\s+(?:done|down|over|in|finished|complete|completed|survived|wrapped(?:\s+up)?))?\s+(?:at|with)\s+"
       rf"{_ORG}", 0.8, "org"),
    _c("employer", rf"\b(?:am|are)\s+now\s+(?:at|with)\s+{_ORG}", 0.75, "org"),
    # "been with X for years": an employer when the turn talks of work, else a partner
    _c("employer", rf"\bbeen\s+with\s+{_ORG}\s+{_FOR_YEARS}", 0.75, "org", when=_WORK),
    _c("employer", rf"\bbeen\s+(?:with|at)\s+{_NAMED_ORG}\s+{_FOR_YEARS}", 0.75, "org"),
    # "The X" is no person: been with it for years, it employs
    _c("employer", rf"\bbeen\s+with\s+(?P<v>The\s+{_CAPRUN})\s+{_FOR_YEARS}", 0.75, "org"),
    # the people of a named place, said with the speaker among them: where one works
    _c("employer", rf"\b(?i:everyone|everybody|people|folks|staff|colleagues|co-?workers)\s+at\s+"
       rf"{_ORG}\b", 0.75, "org", object_self=True, when=r"\b(?:me|my|I)\b",
       unless=rf"{_VISIT}|\b(?i:customers?|clients?|guests?)\b"),
    _c("employer", rf"\boffer\s+from\s+{_ORG}\s+and\s+(?:I\s+)?(?:took|accepted|said\s+yes|"
       rf"signed)", 0.8, "org"),
    _c("employer", rf"\b(?:took|accepted|signed|said\s+yes\s+to|taking|accepting)\s+(?:the|an?|their|"
       rf"that)\s+(?:job\s+|new\s+)?offer\s+(?:from|at|with)\s+{_ORG}", 0.8, "org"),
    _c("employer", rf"\b(?:my|our)\s+(?:new\s+)?(?:company|employer|firm|workplace|work)\s*,\s*"
       rf"{_ORG}\s*,", 0.8, "org"),
    _c("employer", rf"{_ORG}\s*,\s*(?:(?:my|our)\s+(?:new\s+)?(?:company|employer|firm|workplace)|"
       rf"where\s+I\s+(?:now\s+)?work)\b", 0.8, "org"),
    _c("employer", rf"\b(?:the\s+)?(?:company|firm|place|organi[sz]ation|startup)\s+I\s+(?:now\s+)?"
       rf"work\s+(?:at|for)(?:\s+now)?\s*(?:,|:|is|-)\s*{_ORG}", 0.8, "org"),
    _c("employer", rf"\b(?:(?:first|latest|new)\s+)?(?:paycheck|paycheque|payslip|pay\s+stub|"
       rf"paystub)\s+from\s+{_ORG}", 0.75, "org"),
    _c("employer", rf"\bpart\s+of\s+{_ORG}\s+(?:team|family|crew)\b", 0.75, "org"),
    _c("employer", rf"\b(?:left|quit)\s+{_CAPRUN}\s+(?:for|to\s+join|to\s+work\s+at)\s+{_ORG}",
       0.75, "org"),
    _c("employer", rf"\b(?:notice|resignation)\s+(?:in\s+)?(?:at|to)\s+{_ORG}", 0.8, "org",
       negated=True),
    _c("employer", rf"\b(?i:last)\s+(?:day|week|shift)\s+(?:at|with)\s+{_ORG}", 0.75, "org",
       negated=True),
    _c("employer", rf"\b(?:job|position|role|gig|offer|contract|post|internship)\s+(?:at|with)\s+"
       rf"{_ORG}", 0.8, "org"),
    _c("employer", rf"\b(?i:work|works|working|started|starting|joined|joining|employed|"
       rf"hired|signed|onboarding|onboarded|orientation|induction|been)(?:\s+(?:full[- ]time|part[- ]time|here|there|"
       rf"now|officially|over)){{0,2}}\s+(?:at|for|by|on\s+at)\s+{_ORG}", 0.8, "org"),
    _c("employer", rf"\b(?:signed|started|starting)\s+with\s+{_ORG}", 0.8, "org"),
    _c("employer", rf"\b(?:joined|joining)\s+{_ORG}", 0.8, "org"),
    _c("employer", rf"{_ORG}\s+(?:hired|took\s+me\s+on|brought\s+me\s+on|offered\s+me|picked\s+me)"
       rf"\b", 0.8, "org", object_self=True),
    _c("employer", rf"\b(?:switched|switching|switch|jumped\s+ship|made\s+the\s+(?:jump|switch|leap)|moved\s+over)"
       rf"(?:\s+over)?\s+to\s+{_ORG}", 0.8, "org"),
    _c("employer", rf"\b(?:am|are)\s+(?:now\s+)?at\s+{_ORG}\s+now\b", 0.75, "org"),
    # "I'm with Priya now" after a break-up is a partner, not an employer
    _c("employer", rf"\b(?:am|are)\s+(?:now\s+)?with\s+{_ORG}\s+now\b", 0.75, "org",
       unless=rf"{_COUPLE_WORDS}|\b(?i:split|broke\s+up|dating|seeing|ex)\b"),
    # accepting a job: "the interviews went well ... I said yes to X"
    _c("employer", rf"\b(?:said\s+yes|agreed)\s+to\s+{_ORG}", 0.75, "org",
       when=r"\b(?i:interview\w*|offer|job|role|position|recruiter|hired|contract)\b"),
    _c("employer", rf"\b(?:colleagues|coworkers|co-workers|team|office|boss|manager)\s+at\s+{_ORG}",
       0.75, "org"),
    # ("first week done at X" is no ending)
    _c("employer", rf"\b(?:quit|left|leaving|resigned\s+from|walked\s+away\s+from|(?<!week\s)(?<!day\s)"
       rf"(?<!shift\s)(?<!month\s)done\s+"
       rf"(?:working\s+)?(?:at|with)|laid\s+off\s+(?:from|by)|let\s+go\s+(?:from|by))\s+{_ORG}"
       rf"(?=\s+(?:for|to\s+join|after|last|this|and|in)\b|\s*[.,;!]|$)", 0.8, "org",
       negated=True),
    _c("employer", rf"\b(?i:job|work|working|office|team|company|colleagues|coworkers|co-workers|"
       rf"boss|hired|role|position|onboarding|employer|started|joined|offer|contract){_GAP}"
       rf"\bat\s+{_ORG}", 0.75, "org", unless=_NOT_MINE_JOB),
    # -- job title: a role word and a job noun
    _c("job", rf"\b(?:(?i:work|works|working|started|hired|joined|back|retrained|qualified|"
       rf"role|position|job|career|now|officially|listed|signed\s+on|taken\s+on)|on\s+the\s+"
       rf"(?:rota|roster|schedule|books|payroll))\s+as\s+(?:an?\s+|the\s+|their\s+|our\s+)?"
       rf"(?:new\s+)?{_JOB}", 0.8, "job"),
    # a title said bare: "I'm volunteer driving instructor since the restructure"; "(it)
    # should be prep cook since the reshuffle" of what still says the old one
    _c("job", rf"\b(?:am|are)\s+(?:now\s+)?(?!(?:an?|the|my|our|in|at|on|with|so|not|now)\b){_JOB}"
       rf"\s+(?:now|since|as\s+of|these\s+days)\b", 0.75, "jobnoun"),
    _c("job", rf"^(?i:(?:it|that|this|which)\s+)?(?i:should)\s+(?:now\s+)?(?:be|say|read)\s+(?:an?\s+)?{_JOB}"
       rf"\s+(?:now|since|as\s+of)\b", 0.75, "jobnoun",
       when=r"\b(?i:still\s+(?:says|reads|lists|shows|has))\b", presumed=True),
    # what one answers when asked, writes on a form: "when people ask what I do I say X"
    _c("job", rf"\bwhat\s+I\s+do\b[^.!?]{{0,20}}?\bI\s+(?:say|tell\s+them|answer)\s+(?:that\s+I\s+am\s+)?"
       rf"(?:an?\s+)?{_JOB}", 0.75, "jobnoun", object_self=True),
    _c("job", rf"\b(?:wrote|write|put|typed|entered|filled\s+in)\s+[\'\"‘“]\s*(?:an?\s+)?{_JOB}\s*[\'\"’”]"
       rf"\s+(?:on|in|under|as|into)\b", 0.75, "jobnoun"),
    # a title on a sentence of its own, in a turn that announces one ("new title on my
    # door! fleet trainer.")
    _c("job", _BARE_JOB, 0.75, "jobnoun", when=_TITLE_NEWS),
    _c("job", rf"\b(?:have|has)\s+been\s+(?:an?|the)\s+(?:new\s+)?{_JOB}(?!\s+(?:of|at\s+heart)\b)"
       rf"(?=\s*(?:[.,;!]|$|\s+(?:for|since|now|ever)\b))", 0.75, "job"),
    # "Being a paralegal means...", "As a nurse I...": the speaker's own work, said in passing
    _c("job", rf"(?<!\bof\s)(?<!\babout\s)(?<!\bwith\s)\b(?i:being)\s+(?:an?\s+)?{_JOB}\s+(?:is|means|has|was|"
       rf"comes|involves|can)\b", 0.75, "job", object_self=True),
    _c("job", rf"(?:^|[,:]\s*)(?i:as)\s+(?:an?\s+)?{_JOB}\s*,?\s+I\b", 0.75, "job"),
    _c("job", rf"\bmyself\s+as\s+(?:an?\s+|the\s+)?(?:new\s+)?{_JOB}", 0.75, "job"),
    _c("job", rf"\b(?:made|making|named|appointed|promoted|bumped)\s+(?:me\s+)?(?:up\s+)?(?:to\s+)?"
       rf"(?:an?\s+|the\s+|their\s+|our\s+)?(?:new\s+)?{_JOB}", 0.8, "job", object_self=True),
    _c("job", rf"\b(?:title|role|position|job)(?:\s+(?i:now|these\s+days))?\s*(?:is|:|-)\s*"
       rf"(?:now\s+|officially\s+)?(?:an?\s+)?{_JOB}", 0.8, "job"),
    _c("job", rf"\b(?:am|are)(?:\s+(?i:now|officially|finally|the\s+team's|their))*\s+"
       rf"(?:an?|the|their|our)\s+(?:new\s+)?{_JOB}(?!\s+(?:of|at\s+heart)\b)", 0.75, "job"),
    _c("job", rf"(?:^|:\s*)(?:(?i:officially|now|finally|newly)\s+)+(?:an?\s+|the\s+)?{_JOB}",
       0.75, "job"),
    _c("job", rf"\b(?:moved|stepped|stepping|transitioned|switched|moving)\s+(?:up\s+)?(?:in)?to\s+"
       rf"(?:an?\s+|the\s+)?(?:new\s+)?{_JOB}", 0.8, "job"),
    _c("job", rf"\bgave\s+me\s+(?:the|a)\s+(?:new\s+)?{_JOB}\s+(?:title|role|job|position)\b",
       0.8, "job", object_self=True),
    _c("job", rf"\b(?i:promotion|title|role)\b[^.!?:]{{0,25}}:\s*(?:an?\s+)?{_JOB}", 0.75, "job"),
    _c("job", rf"\b(?:got|landed|took|accepted|earned)\s+(?:the|a|my)\s+(?:new\s+)?{_JOB}\s+"
       rf"(?:job|role|position|title|promotion)\b", 0.8, "job"),
    # -- partner: a relationship word and a name
    _c("partner", rf"\b(?:been\s+(?:dating|seeing|going\s+out\s+with)|started\s+(?:dating|"
       rf"seeing|going\s+out\s+with)|moved\s+in\s+with|engaged\s+to|married\s+to|married|"
       rf"proposed\s+to|going\s+steady\s+with|in\s+a\s+relationship\s+with)\s+{_NAME}", 0.8,
       "name"),
    _c("partner", rf"{_NAME}(?:'s|\s+is)\s+(?:now\s+)?(?:officially\s+)?my\s+(?:new\s+)?"
       rf"(?:{_REL})\b", 0.8, "name"),
    _c("partner", rf"\b(?:[Mm]e|I)\s+and\s+{_NAME}\s+(?:are|got|have\s+been|started|just)\s+"
       rf"(?:now\s+|officially\s+)?(?:dating|together|engaged|married|a\s+couple|a\s+thing|"
       rf"official|seeing\s+each\s+other|tied\s+the\s+knot|moved\s+in\s+together)", 0.8, "name"),
    _c("partner", rf"\b(?:have|got|have\s+got)\s+a\s+(?:new\s+)?(?:{_REL})(?:\s+now)?\s*[,:-]\s*"
       rf"{_NAME}", 0.8, "name"),
    _c("partner", rf"{_NAME}\s*,\s*my\s+(?:new\s+)?{_MATE}\b", 0.8, "name"),
    _c("partner", rf"\b(?:been|am|are)\s+(?:happily\s+)?with\s+{_NAME}\s+(?:for|since)\b", 0.75, "name",
       unless=_WORK),
    _c("partner", rf"\bthe\s+(?:guy|girl|man|woman|person)\s+I\s+am\s+(?:seeing|dating|with)(?:\s+now)?"
       rf"\s*(?:,|:|is|-)\s*{_NAME}", 0.8, "name"),
    # the one who meets the parents ("X met my parents", "too soon to introduce X to my
    # parents?"): a partner, even when what is asked is something else
    _c("partner", rf"\b(?i:introduc\w*|bring|bringing|brought|take|taking|took)\s+{_NAME}\s+(?:home\s+)?"
       rf"to\s+(?:meet\s+)?(?:my|our)\s+(?:parents|folks|family|mum|mom|mother|dad|father)\b", 0.75,
       "name", unless=_PET_WORD, presumed=True),
    _c("partner", rf"{_NAME}\s+(?:finally\s+|officially\s+|just\s+)?(?:met|meets|is\s+meeting|"
       rf"has\s+met)\s+(?:my|our)\s+(?:parents|folks|family|mum|mom|mother|dad|father)\b", 0.75,
       "name", unless=_PET_WORD, presumed=True),
    _c("partner", rf"\b(?:date\s+night|dinner\s+date|anniversary)(?:\s+(?:tonight|tomorrow|this\s+"
       rf"\w+|on\s+\w+))?\s+with\s+{_NAME}", 0.75, "name"),
    _c("partner", rf"\b(?:things|it)\s+with\s+{_NAME}\s+(?:is|are)\s+(?:getting\s+(?:serious|"
       rf"better)|going\s+(?:really\s+)?(?:well|great)|serious)", 0.75, "name"),
    _c("partner", rf"\b(?:dates?|date\s+night|going\s+out)\s+with\s+{_NAME}", 0.75, "name"),
    _c("partner", rf"\b(?:his|her|their)\s+name(?:'s|\s+is)\s+{_NAME}", 0.75, "name",
       when=_DATING, unless=_PET_WORD),
    _c("partner", rf"\bnot\s+(?:together\s+)?with\s+{_NAME}\s+(?:anymore|any\s+more)\b", 0.8,
       "name", negated=True),
    _c("partner", rf"{_NAME}\s+and\s+I\s+(?:(?:have|had)\s+been|are|got|started|just|finally)"
       rf"(?:\s+(?:now|officially|finally|just|been))*\s+(?:dating|together|a\s+thing|an\s+item|"
       rf"a\s+couple|tied\s+the\s+knot|got\s+hitched|moved\s+in\s+together|"
       rf"engaged|married|going\s+out|seeing\s+each\s+other|official|exclusive|moved\s+in)",
       0.8, "name"),
    _c("partner", rf"{_NAME}\s+and\s+I\s+(?:just\s+|finally\s+)?(?:tied\s+the\s+knot|got\s+hitched|"
       rf"moved\s+in\s+together)", 0.8, "name"),
    _c("partner", rf"{_NAME}\s+(?:asked\s+me\s+out|proposed|moved\s+in\s+with\s+(?:me|us)|"
       rf"and\s+I\s+moved\s+in\s+together)\b", 0.75, "name", object_self=True),
    # one who is moving in with the speaker is a partner now, whenever the move is
    _c("partner", rf"{_NAME}\s+(?:is|are)\s+(?:finally\s+|officially\s+)?moving\s+in\s+(?:with\s+(?:me|us)|"
       rf"together)\b", 0.75, "name", object_self=True, presumed=True, unless=_PET_WORD),
    _c("partner", rf"\b(?:my|our)\s+(?:new\s+)?(?:bf|gf|hubby|other\s+half|significant\s+other|"
       rf"man|girl|guy|date|lady|person)(?:\s+|\s*,\s*(?![A-Z][a-z'-]+\s*,?\s*(?:and|or)\b)){_NAME}",
       0.75, "name"),
    _c("partner", rf"\b(?:seeing|dating|met)\s+(?:someone|somebody|a\s+(?:guy|girl|woman|man))"
       rf"(?:\s+new)?(?:\s*[,:-]\s*|\s+(?:named|called)\s+|[^.!?]{{0,20}}?(?:his|her|their)\s+name"
       rf"\s+is\s+){_NAME}", 0.8, "name"),
    _c("partner", rf"{_NAME}\s+and\s+I\s+(?:have\s+)?(?:ended\s+(?:things|it)|are\s+(?:done|over|"
       rf"finished)|called\s+it\s+off|went\s+our\s+separate\s+ways|are\s+no\s+longer\s+together|"
       rf"are\s+not\s+together)",
       0.85, "name", negated=True),
    _c("partner", rf"\b(?:ended\s+(?:things|it)\s+with|split\s+with|over\s+with)\s+{_NAME}", 0.8,
       "name", negated=True),
    # -- pets: a pet word and a name (several pets at once: only endings close one)
    _c("pet", rf"\b{_PET}\b[^.!?]{{0,40}}?\b(?:named|called|name\s+is|name's)\s+{_NAME}", 0.8,
       "name"),
    _c("pet", rf"\b(?:meet|welcome|introducing|say\s+hi\s+to|say\s+hello\s+to)\s+{_NAME}\s*,?\s+"
       rf"(?:our|my|the|an?)\s+(?:new\s+)?{_PETADJ}{_PET}\b", 0.8, "name"),
    _c("pet", rf"\b(?:our|my)\s+(?:new\s+)?{_PETADJ}{_PET}\s*,?\s+{_NAME}", 0.75,
       "name"),
    # a name said to be an animal: "X, a scruffy terrier mix", "X is a two-year-old greyhound"
    _c("pet", rf"{_NAME}\s*(?:,|\s+is)\s*(?:our|my|an?)\s+(?:new\s+)?{_PETADJ}{_PET}\b", 0.75,
       "name"),
    # a name opening a sentence of a turn about an animal, doing what animals do or being
    # how they are ("... a dog that pulls on the lead? Moxie is sweet"): a pet
    _c("pet", rf"{_OPENING_PET}", 0.77, "opening", when=_ANIMAL_TURN,
       unless=rf"{_COUPLE_WORDS}|{_THEIR_ANIMAL}"),
    # a young one named in a turn about an animal ("the shelter called ... a little one
    # called Nugget"); an animal's care named by whose it is ("vet bill for X's shots")
    _c("pet", rf"\b(?:an?|the|this|little|tiny)\s+(?:[\w-]+\s+){{0,2}}?(?:one|girl|boy|guy|fella|"
       rf"baby|furball|fluffball|floof|monster)\s+(?:named|called)\s+{_NAME}", 0.75, "name",
       object_self=True, when=_ANIMAL_CARE, unless=rf"{_COUPLE_WORDS}|{_THEIR_ANIMAL}"),
    _c("pet", rf"\b(?i:vet|vet's|veterinary|grooming)\s+(?:bill|visit|appointment|trip|check-?up|"
       rf"fees?)\s+(?:for|with)\s+(?P<v>[A-Z][a-z-]+)(?:'s)?\b(?!\s+[A-Z])", 0.75, "name"),
    _c("pet", rf"\b(?P<v>[A-Z][a-z-]+)'s\s+(?:first\s+|second\s+|booster\s+|latest\s+)?(?:shots|jabs|vaccinations?|"
       rf"worming|flea\s+treatment|kibble|litter|leash|collar|crate)\b", 0.75, "name",
       when=_ANIMAL_CARE, unless=_COUPLE_WORDS),
    _c("pet", rf"\b(?:named|calling|called)\s+(?:him|her|it|them|the\s+{_PET})\s+{_NAME}", 0.8,
       "name"),
    _c("pet", rf"\b(?:an?|new)\s+{_PETADJ}{_PET}\s*,\s*{_NAME}", 0.75, "name"),
    _c("pet", rf"\b(?:his|her|its|their)\s+name(?:'s|\s+is)\s+{_NAME}", 0.75, "name",
       when=_PET_WORD, unless=_DATING),
    _c("pet", rf"\b(?:lost|had\s+to\s+put\s+down|said\s+goodbye\s+to|buried)\s+{_NAME}\b", 0.75,
       "name", negated=True),
    # -- diet: a diet word said of oneself (not "a vegan recipe")
    _c("diet", rf"\b(?!(?:not|no)\s){_DIET}{_DIET_NEXT}", 0.8, "diet"),
    _c("diet", rf"\b(?:stopped\s+eating|gave\s+up|cut\s+out|quit|went)\s+(?P<v>meat)\b", 0.75, "diet",
       fixed="pescatarian", when=r"\b(?:fish|seafood)\b"),
    _c("diet", rf"\b(?:stopped\s+eating|gave\s+up|cut\s+out|quit)\s+(?P<v>meat)\b", 0.75, "diet",
       fixed="vegetarian", unless=r"\b(?:fish|seafood)\b"),
    _c("diet", rf"\b(?:not|no\s+longer|stopped\s+being|quit\s+being|gave\s+up\s+being)\s+"
       rf"(?:an?\s+|fully\s+)?{_DIET}\b", 0.85, "diet", negated=True),
    _c("diet", rf"\b(?:quit|gave\s+up|ditched|dropped|stopped|done\s+with)\s+(?:(?:the|my)\s+)?"
       rf"{_DIET}(?:\s+(?:thing|diet))?(?=\s*(?:[.,;!]|$|\s+(?:and|for|after|because)\b))",
       0.8, "diet", negated=True),
    # -- hobby: an activity after an interest word
    _c("hobby", rf"\b(?:weekends|evenings|free\s+time|spare\s+time|saturdays|sundays)\s+(?:are|is)"
       rf"\s+(?:(?:all\s+)?(?:about|for)|all)\s+{_ACT}", 0.75, "act"),
    _c("hobby", rf"\b(?:weekends|evenings|free\s+time|spare\s+time|saturdays|sundays|mornings)\s+"
       rf"(?:mostly\s+|mainly\s+|all\s+)?(?:go|goes|went)\s+(?:to|into|on)\s+{_ACT}", 0.75, "act"),
    _c("hobby", rf"(?:^|[,:;]\s*)(?P<v>[a-z]+(?:\s+[a-z]+){{0,2}})\s+is\s+where\s+(?:all\s+)?my\s+"
       rf"(?:free\s+|spare\s+)?(?:time|weekends|evenings|money)\s+(?:goes|go)\b", 0.75, "act"),
    _c("hobby", rf"\b(?:find|catch|see)\s+me\s+(?:[\w'-]+\s+){{0,6}}?doing\s+{_ACT}", 0.75, "act",
       object_self=True, when=r"\b(?i:most|every|usually|always|weekends|evenings|mornings|nights)\b"),
    _c("hobby", rf"\b(?:go|goes|went)\s+(?P<v>[a-z]+ing)\s+(?:every|most|each|on\s+(?:weekends|"
       rf"sundays|saturdays))\b", 0.75, "act"),
    _c("hobby", rf"\bbeen\s+(?!(?:{_BUSY})\b)(?P<v>[a-z]+ing)\s+(?:like\s+crazy|nonstop|"
       rf"every\s+(?:day|week|weekend|evening|morning)\b)", 0.75, "act"),
    _c("hobby", rf"\b(?:play|practi[cs]e)\s+(?P<v>[a-z]+(?:\s+[a-z]+)?)\s+(?:every|most|each|"
       rf"several\s+times|twice|three\s+times|on\s+weekends)\b", 0.75, "act"),
    _c("hobby", rf"\bdoing\s+(?:a\s+lot\s+of|lots\s+of|more)\s+{_ACT}(?=\s+(?:lately|these\s+days|"
       rf"now))", 0.75, "act"),
    _c("hobby", rf"\b(?:obsessed\s+with|hooked\s+on|addicted\s+to|got\s+(?:really\s+)?into|getting\s+(?:really\s+|"
       rf"super\s+)?into|gotten\s+(?:really\s+|super\s+)?into|spending\s+(?:all\s+)?my\s+"
       rf"(?:free\s+|spare\s+)?time\s+on)\s+{_ACT}", 0.8, "act"),
    _c("hobby", rf"\b(?:signed\s+up\s+for|enrolled\s+in|joined|started|taking|began|doing|"
       rf"go\s+to|going\s+to)\s+(?:(?:an?|some|weekly|daily|local|beginner|beginners'?|evening|"
       rf"morning|intro|introductory|regular|new)\s+)*{_ACT}\s+(?:class|classes|lessons|"
       rf"course|club|league|workshop)\b", 0.8, "act"),
    _c("hobby", rf"\b(?:spend|spending|spent)\s+(?:most|all|many|a\s+lot)?\s*(?:of\s+)?(?:my\s+)?"
       rf"(?:weekends|evenings|free\s+time|spare\s+time|mornings|saturdays|sundays|nights)\s+"
       rf"(?:on\s+|doing\s+)?{_ACT}", 0.75, "act"),
    _c("hobby", rf"\b(?:hobby|obsession|passion|pastime)(?:\s+(?i:lately|these\s+days|now|of\s+the\s+"
       rf"moment))?\s*(?:is|:|-|=|alert:?)\s*(?:now\s+)?{_ACT}", 0.8, "act"),
    _c("hobby", rf"(?:^|[,:]\s*)(?P<v>(?-i:[A-Z]?[a-z]+(?:\s+[a-z]+){{0,2}}))\s+(?:is|has\s+become)\s+"
       rf"(?:now\s+)?(?:my|the)\s+(?:new\s+)?(?:hobby|thing|obsession|passion)\b", 0.75, "act"),
    _c("hobby", rf"\b(?:love|adore|really\s+into)\s+{_ACT}\s*,\s*it(?:'s|\s+is)\s+(?:really\s+|totally\s+)?my\s+"
       rf"(?:thing|jam|passion|hobby|life)\b", 0.75, "act"),
    _c("hobby", rf"\b(?:[Mm]y\s+)?(?:one|only|main|big)\s+thing\s+outside\s+(?:of\s+)?(?:work|the\s+office|"
       rf"my\s+job)\s+is\s+{_ACT}", 0.75, "act"),
    # what one's weekends are, one's "whole personality": "X is basically my whole personality"
    _c("hobby", rf"(?:^|[,:]\s*)(?!(?:work|school|family|this|that|it|money|sleep|coffee|food)\b)"
       rf"(?P<v>(?-i:[A-Z]?[a-z]+(?:\s+[a-z]+){{0,2}}))\s+(?:is|has\s+become)\s+(?:now\s+|basically\s+|"
       rf"pretty\s+much\s+|literally\s+|honestly\s+)*my\s+(?:whole|entire)\s+(?:personality|life|"
       rf"world)\b", 0.75, "act"),
    # a whole day on an activity, in a turn that calls it a hobby ("spent all sunday on X ...
    # is that a hobby or a problem")
    _c("hobby", rf"\b(?:spend|spending|spent)\s+(?:all|the\s+whole|every)\s+(?:day|weekend|saturday|"
       rf"sunday|evening|night|morning)\s+(?:on|doing)\s+{_ACT}", 0.75, "act",
       when=r"\b(?i:hobby|hobbies|obsess\w*|addict\w*|hooked|passion)\b"),
    # a group of the activity that the speaker's week runs around ("the X group meets on
    # Thursdays now, so I've had to move ..."); a course in it ("a beginners' course in X")
    _c("hobby", rf"\b(?:[Tt]he|[Mm]y|[Oo]ur)\s+{_ACT}\s+(?:group|club|society|circle|class|classes|"
       rf"course|workshop|league|team)\s+(?:meets|met|starts|moved|runs|is\s+meeting)\b", 0.75,
       "act", when=r"\b(?:I|my|me)\b"),
    _c("hobby", rf"\b(?:signed\s+up\s+for|enrolled\s+in|joined|started|taking|began|doing)\s+"
       rf"(?:(?:an?|some|the|weekly|local|beginners?'?|evening|intro|introductory|new)\s+)*"
       rf"(?:class|classes|lessons|course|workshop)\s+(?:in|on)\s+{_ACT}", 0.8, "act"),
    _c("hobby", rf"\b(?:have\s+been|has\s+been|been)\s+(?:really\s+|totally\s+|super\s+|big\s+)?"
       rf"into\s+{_ACT}", 0.8, "act"),
    # "lately it's all X", "it's X now, three evenings a week": what the free hours go to
    _c("hobby", rf"\b(?i:lately|these\s+days|nowadays|now)\s*,?\s+it(?:'s|\s+is)\s+all\s+(?:about\s+)?{_ACT}",
       0.75, "act", when=_SPARE),
    _c("hobby", rf"^(?i:it)(?:'s|\s+is)\s+{_ACT}\s+now\b", 0.75, "act", when=_SPARE),
    # -- plan: a plan word and what to do
    _c("plan", rf"\b(?i:plan|goal|aim|dream|resolution|mission|priority|target|next\s+step|"
       rf"next\s+adventure|big\s+project)(?:\s+(?:now|these\s+days|for\s+(?:this|next)\s+year|"
       rf"this\s+year|for\s+\d{{4}}|for\s+the\s+year))?\s*(?:is|:|'s|-)\s+(?:now\s+|still\s+)?(?:to\s+)?{_PLAN}", 0.8, "plan"),
    _c("plan", rf"\b(?:planning|aiming|hoping|intend|intending|determined|committed|set|"
       rf"saving\s+up|saving|preparing|decided|resolved|made\s+up\s+my\s+mind)\s+to\s+{_PLAN}",
       0.8, "plan"),
    # a decision said as what one is going to do ("I've decided I'm going to X"), and the
    # item a list of one's aims names ("next big thing on my list: X")
    _c("plan", rf"\b(?:decided|made\s+up\s+my\s+mind|resolved|determined|committed)(?:\s+that)?\s+"
       rf"(?:I|we)\s+(?:am|are)\s+(?:really\s+|finally\s+|actually\s+)?(?:going\s+to|gonna)\s+"
       rf"{_PLAN}", 0.8, "plan"),
    _c("plan", rf"\b(?i:(?:next|first|top|one|big|biggest)\s+(?:big\s+)?(?:thing|item|goal|project)\s+"
       rf"on\s+(?:my|our|the)\s+(?:bucket\s+|to-?do\s+|life\s+)?list|(?:top|head)\s+of\s+(?:my|"
       rf"our)\s+(?:bucket\s+)?list)\s*(?:is|:|-)\s+(?:to\s+)?{_PLAN}", 0.8, "plan"),
    # what a reminder of one's aim says ("my new lock screen is a reminder to X", a vision
    # board: "the new one says: X")
    _c("plan", rf"\b(?i:lock\s*screen|wallpaper|vision\s+board|whiteboard|post-?it|sticky\s+note)\b"
       rf"[^.!?]{{0,20}}?\b(?:is\s+a\s+reminder\s+to|reminds\s+me\s+to|says\s*:?|reads\s*:?)\s+(?:to\s+)?"
       rf"{_PLAN}", 0.75, "plan", object_self=True),
    _c("plan", rf"^(?i:the\s+)?(?:new\s+)?(?i:one|it)\s+(?:now\s+)?(?:says|reads)\s*:\s*(?:to\s+)?{_PLAN}",
       0.75, "plan", when=r"\b(?i:lock\s*screen|wallpaper|vision\s+board|whiteboard|post-?it|"
       r"sticky\s+note)\b"),
    # what one takes advice on how to do, what one's savings are labelled
    _c("plan", rf"\b(?:booked|scheduled|set\s+up|arranged)\s+(?:a|an|my)\s+(?:meeting|appointment|call|"
       rf"session|consultation)\s+with\s+(?:a|an|my|the)\s+(?:[\w-]+\s+){{0,3}}?about\s+how\s+to\s+"
       rf"{_PLAN}", 0.75, "plan"),
    _c("plan", rf"\b(?:savings?|fund|jar|pot|tin|envelope|account)\b[^.!?]{{0,30}}?\b(?:labelled|labeled|called|"
       rf"named|marked)\s+[\'\"‘“]{_PLAN}[\'\"’”]", 0.75, "plan"),
    _c("plan", rf"\bwhat\s+(?:I|we)\s+(?:actually\s+|really\s+|truly\s+)?(?:want|plan|intend|"
       rf"need)(?:\s+to\s+do)?(?:\s+(?:now|these\s+days|most))?\s+is\s+to\s+{_PLAN}", 0.8, "plan"),
    # "I want to X" is a plan when the turn says it is one (saving for it, a goal, a dream)
    _c("plan", rf"\b(?:I|we)\s+(?:really\s+|truly\s+|still\s+)?(?:want|wants|need)\s+to\s+{_PLAN}",
       0.75, "plan", when=_GOAL),
    _c("plan", rf"\b(?:want|wants|wanna|would\s+love|hope|really\s+want)\s+to\s+{_PLAN}(?=\s+(?:next\s+"
       rf"(?:year|spring|summer|fall|autumn|winter)|this\s+year|someday|one\s+day|eventually|"
       rf"by\s+\d{{4}}|in\s+\d{{4}}|before\s+I\s+turn))", 0.75, "plan"),
    # -- money: rent and salary
    _c("rent", rf"\b(?i:renewal|landlord|letting\s+agent|they)\s+(?:now\s+)?(?:want|wants|is\s+asking\s+for|"
       rf"are\s+asking\s+for|asks\s+for)\s+{_MONEY}", 0.75, "money", object_self=True,
       when=r"\b(?i:rent|renewal|landlord|lease|letting)\b"),
    _c("rent", rf"^{_MONEY}\s+(?:gone|out|down|paid|leaves|left\s+my\s+account)\b", 0.75, "money",
       when=r"\b(?i:rent)\b"),
    # a question on one's own rent presumes it ("Is $1,275 a month fair for what I've got?")
    _c("rent", rf"^(?i:is)\s+{_MONEY}\s+(?:a|per)\s+month\s+(?:fair|normal|reasonable|too\s+much|a\s+lot|"
       rf"okay|ok|steep|high)\b(?=[^.!?]*\b(?:I|my|we|our)\b)", 0.75, "money", presumed=True,
       when=r"\b(?i:rent|landlord|lease|bedrooms?|flat|apartment)\b"),
    _c("rent", rf"\b(?i:rent|landlord|lease|housing)\b[^.!?]{{0,60}}?(?<!from\s)(?<!was\s)(?<!of\s)"
       rf"(?<!than\s){_MONEY}", 0.8, "money"),
    _c("rent", rf"\b(?:pay|paying|paid)\s+{_MONEY}\s+(?:a\s+month\s+)?(?:for|on)\s+(?:the|our|my|an?)\s+"
       rf"(?:new\s+)?{_HOUSING}", 0.8, "money"),
    _c("rent", rf"\b{_HOUSING}\s+(?:is|costs|runs)\s+(?:us\s+|me\s+)?{_MONEY}(?:\s+a\s+month|"
       rf"\s+per\s+month|\s+monthly)", 0.75, "money"),
    _c("rent", rf"{_MONEY}\s+(?:a|per|each)\s+month\s+(?:in|for)\s+(?:rent|the\s+(?:new\s+)?"
       rf"(?:place|apartment|flat|house|studio))", 0.8, "money"),
    _c("salary", rf"\b(?:job|role|position|it|gig)\s+pays\s+(?:me\s+)?(?:about\s+|around\s+)?"
       rf"{_MONEY}", 0.8, "money", unless=r"\b(?i:rent)\b"),
    _c("salary", rf"\b(?i:salary|(?<!I\s)(?<!we\s)pay|paid|paying\s+me|earn|earning|make|making|raise|income|"
       rf"bring\s+in|bring\s+home|take\s+home|gross|"
       rf"comp|compensation|base|offer)\b[^.!?]{{0,40}}?(?<!from\s)(?<!was\s)(?<!of\s)(?<!than\s)"
       rf"{_MONEY}(?![^.!?]*\b(?:rent|month)\b)",
       0.8, "money"),
    _c("salary", rf"\b(?:paying|pay|paid|offered|giving|gave|bumped|raised|moved)\s+me\s+"
       rf"[^.!?]{{0,20}}?{_MONEY}", 0.8, "money", object_self=True, unless=r"\b(?i:rent)\b"),
    _c("salary", rf"\b(?:came\s+back\s+with|settled\s+on|agreed\s+on|landed\s+at)\s+{_MONEY}", 0.75,
       "money", object_self=True, when=r"\b(?i:negotiat\w*|raise|salary|pay|offer)\b"),
    _c("salary", rf"{_MONEY}\s+(?:(?:a|per)\s+year|annually|per\s+annum|base|salary|(?:before|after|"
       rf"pre)[\s-]tax)\b",
       0.8, "money"),
)


# ------------------------------------------------------------------ subjects
_OTHER_REL = (r"sister|brother|mom|mum|mother|dad|father|son|daughter|parents|grandma|"
              r"grandmother|grandpa|grandfather|aunt|uncle|cousin|niece|nephew|friend|"
              r"friends|buddy|pal|mate|roommate|flatmate|housemate|colleague|coworker|"
              r"co-worker|neighbou?r|boss|manager|ex|sibling|kid|kids|wife|husband|partner|"
              r"boyfriend|girlfriend|fianc[eé]e?|classmate|teammate|landlord|cat|dog")
# "my friend", "my oldest friends", "one of my closest colleagues": any two words between;
# "a friend of mine", "a coworker": someone the speaker knows, unnamed, is no speaker
_ACQUAINTANCE = (r"friend|buddy|pal|mate|colleague|coworker|co-worker|neighbou?r|cousin|"
                 r"classmate|teammate|roommate|flatmate|housemate")
_REL_SUBJECT = re.compile(rf"\b(?:(?:[Mm]y|[Oo]ur)\s+(?:[a-z][a-z-]*\s+){{0,2}}?(?P<rel>{_OTHER_REL})"
                          rf"|(?:[Aa]n?|[Ss]ome)\s+(?:[a-z][a-z-]*\s+)?(?P<acq>{_ACQUAINTANCE})s?)"
                          rf"(?:'s)?\b")
_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Yy]ou|[Hh]is|[Hh]er|[Tt]heir|[Yy]our|"
                      r"[Ee]veryone|[Ss]omeone|[Pp]eople)\b")
_SELF = re.compile(r"\b(?:I|[Ww]e|[Mm]e|[Mm]y|[Oo]ur|[Uu]s|[Mm]yself)\b")
_CLAUSE_START = re.compile(r"(?:^|[,:;(—–-]\s+|\b(?:and|but|so|because|while|although|though|"
                           r"since|when|after|before|then)\s+)")
_NAMED = re.compile(r"^(?P<name>[A-Z][a-z'-]+)(?:\s+(?:(?i:now|just|finally|officially|"
                    r"recently|also|has|have|had|is|was|no\s+longer|not)))*\s*$")
_NEGATION = re.compile(r"\b(?:not|never|no\s+longer|no|nor|neither|used\s+to|without|quit|ditched|"
                       r"instead\s+of|rather\s+than|appl(?:y|ied|ying)|interview\w*|turned\s+down|"
                       r"declined|rejected|waiting|hear\s+back|before)\b", re.IGNORECASE)
_LOWERABLE = frozenset("""signed got bought made switched jumped joined started starting
    working worked moved moving settled settling living lived seeing dating meet welcome
    introducing say named calling called lost had ended split spending spent spend
    discovered obsessed hooked taking took landed earned accepted back officially finally
    new first just now currently recently still also been engaged married retrained
    qualified promoted planning hoping saving aiming determined decided paying earning
    making my our the we vegan vegetarian veggie pescatarian handed accepted going went
    greetings unpacked his her its their""".split())
_OPENERS = frozenset("""big quick small huge little good great bad sad some update updates
    news finally officially so well oh ok okay yes yeah wow guess what fun life things
    today lately honestly anyway also still just now hey hi btw by the way fyi since then
    after before last this past week weeks month months year years weekend ago yesterday
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december spring summer fall autumn
    winter as of exciting sadly happily good great personal front on my end one two three
    four five six seven eight nine ten few couple several day days annual monthly weekly
    yearly daily hourly gross net base total current starting final""".split())
# words a clause may have before the cue and still be the speaker's ("Got a raise to",
# "Friday was my last day at", "My new colleagues at")
_SPEAKERS_OWN = frozenset("""my our the a an new first whole was is are were has have had
    been will in at to from with on for of into going went gone turned became being""".split()
                           ) | _LOWERABLE
_WORD = re.compile(r"[A-Za-z']+")
_MINE = re.compile(r"\b(?:[Mm]y|[Oo]ur)\s+(?:new\s+)?$")
_SUBJ_DET = frozenset("the our my their his her this that a an its your".split())


_JOINED = re.compile(r"\s+(?:and|then)\s+$")
_ADVERBS = re.compile(r"\b(?i:just|then|also|finally|recently|now|officially|already|even)\b")


def _clause_start(sentence: str, start: int) -> int:
    begin = 0
    for m in _CLAUSE_START.finditer(sentence, 0, start):
        if m.end() <= start:
            begin = m.end()
    return begin


def clause_subject(sentence: str, start: int) -> str | None:
    """Whose statement the clause before ``start`` makes: ``"self"``, a relation word,
    ``"name:<lower-cased name>"``, or None (someone else, unnamed)."""
    begin = _clause_start(sentence, start)
    prefix = sentence[begin:start]
    joined = _JOINED.search(sentence, 0, begin)
    if joined and joined.end() == begin and not _WORD.findall(_ADVERBS.sub("", prefix)):
        # "My friend just left X and moved to Y": a clause with no subject of its own
        # is the previous clause's
        return clause_subject(sentence, joined.start())
    rel = _REL_SUBJECT.search(prefix)
    if rel:
        word = (rel.group("rel") or rel.group("acq")).lower()
        if word in ("cat", "dog"):
            return None
        return word if word in ("parents", "kids") else word.removesuffix("s")
    if _PRONOUN.search(prefix):
        return None
    named = _NAMED.match(prefix.strip())
    if named and named.group("name").lower() not in _SPEAKERS_OWN:
        name = named.group("name")
        if name.lower() not in _NOT_NAMES | _OPENERS and not name.endswith("ly"):
            return "name:" + name.lower()
    words = _WORD.findall(prefix)
    if any(w in ("I", "we", "We") for w in words):
        return "self"
    # a noun phrase right before the cue is its subject ("Our office moved to X", "The
    # company", "Jordan's team"); anything else around the cue is the speaker's chatter
    tail = [w.lower() for w in words[-3:]]
    if len(tail) >= 2 and tail[-1] not in _SPEAKERS_OWN | _OPENERS and (
            tail[-2] in _SUBJ_DET or tail[-2].endswith("'s")
            or (len(tail) == 3 and tail[-3] in _SUBJ_DET and tail[-2] not in _SPEAKERS_OWN)):
        return None
    return "self"


_OPENING = re.compile(_OPENING_PET)
_BARE_JOB_RE, _TITLE_NEWS_RE = re.compile(_BARE_JOB), re.compile(_TITLE_NEWS)
_ANIMAL = re.compile(_ANIMAL_TURN)


def turn_slots(sentence: str, turn: str) -> set[str]:
    """Slots a sentence speaks of by where it stands in its turn, not by its own words: a
    name opening a sentence (or a clause) of a turn about an animal may be the animal's; a sentence
    that is only a job title, in a turn announcing a new title, is the speaker's."""
    out = {"pet"} if _OPENING.search(sentence) and _ANIMAL.search(turn) else set()
    if _BARE_JOB_RE.match(sentence) and _TITLE_NEWS_RE.search(turn):
        out.add("job")
    return out


def general(sentence: str, slots: set[str],
            context: str = "") -> Iterator[tuple[Rule, re.Match[str], str]]:
    """Matches of the general rules in ``sentence`` for ``slots``, each with
    the subject of its clause (rules whose clause is someone else's are left out).
    ``context`` is the whole turn: "Got a kitten! Her name is Luna." (a rule's
    ``when``/``unless`` read it)."""
    head, _, rest = sentence.partition(" ")
    if head.lower() in _LEADS:  # "Signed the lease...": the cue, not a name
        sentence = f"{head.lower()} {rest}"
    for slot in slots:
        for cue in _BY_SLOT.get(slot, ()):
            if not cue.applies(context or sentence):
                continue
            for match in cue.regex.finditer(sentence):
                subject = _subject_of(cue, sentence, match)
                if subject is not None:
                    yield cue, match, subject


#: the words the rules spell out: a sentence's first word among them is a cue that only
#: its position capitalised ("Things with Mateo are getting serious")
_CUE_WORDS = frozenset(w for cue in RULES for w in re.findall(r"(?<![\\?])\b[a-z]{3,}\b",
                                                             cue.regex.pattern))
_LEADS = _LOWERABLE | _CUE_WORDS
_BY_SLOT = by_slot(RULES)


def _subject_of(rule: Rule, sentence: str, match: re.Match[str]) -> str | None:
    start = match.start()
    clause = sentence[_clause_start(sentence, start):match.start("v")]
    if not rule.negated and _NEGATION.search(clause):
        return None  # "I did not get the job at X", "no vegan options"
    if rule.object_self:  # "they made me ...": the speaker is the object ("my boss made me
        # team lead" too); without "me", a relative in the clause is ("my sister got promoted")
        mine = re.search(r"\b(?:me|us)\b", match.group(0)) is not None
        return "self" if mine or not _REL_SUBJECT.search(clause) else None
    if _MINE.search(sentence, 0, start):  # "they bumped my salary up to": mine, said of me
        return "self"
    return clause_subject(sentence, start)
