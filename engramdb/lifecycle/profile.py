"""The per-user profile: stable facts (name, places, people, preferences) by patterns.

Extractive and deterministic: first-person statements of the user ("I live in
Lisbon", "my sister Marta...", "I'm allergic to peanuts", "my favourite band is
Radiohead") are matched by the patterns below, in the spirit of the user
"portraits" of MemoryBank (Zhong et al., 2023, arXiv:2305.10250) but without an
LLM. Each fact keeps the id of the record it came from, so the profile can be
rebuilt without a record that is deleted, and superseded records (``superseded_by``
set, or ``valid_to`` in the past) do not contribute.

Whose statements count: stand-alone memories, and turns whose speaker is the user
(role "user", speaker "user" or equal to the user id); when no turn speaker is
recognised that way, every speaker that is not an assistant (role "assistant",
or named assistant/bot/ai/system).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._models import Record, utcnow

__all__ = [
    "ASSISTANT_NAMES",
    "Fact",
    "Profile",
    "build_profile",
    "extract_facts",
    "subject_records",
    "user_facts",
]

ASSISTANT_NAMES = frozenset({"assistant", "bot", "ai", "system", "agent", "model"})

_NAME = r"(?:(?:Dr|Mr|Mrs|Ms|Prof)\.? |Professor )?[A-Z][\w'-]+(?: [A-Z][\w'-]+)?"
_PLACE = r"[A-Z][\w'.-]*(?:,? [A-Z][\w'.-]*){0,3}"
_PHRASE = r"[^.,;!?\n]{2,60}?"
_END = r"(?=[.,;!?\n]| and | but | since | because | who | which | when | for | at | in \d|$)"
_RELATIONS = (r"wife|husband|partner|son|daughter|sister|brother|mother|mom|mum|father|dad|"
              r"best friend|friend|boss|manager|colleague|coworker|girlfriend|boyfriend|"
              r"fianc[ée]e?|grandmother|grandfather|grandma|grandpa|granny|aunt|uncle|cousin|"
              r"niece|nephew|roommate|flatmate|co-founder|cofounder|supervisor|doctor|"
              r"therapist|neighbou?r|kid|child|baby|stepson|stepdaughter|mother-in-law|"
              r"father-in-law|teacher|coach|trainer")
_PETS = (r"dog|cat|puppy|kitten|rabbit|bunny|hamster|parrot|horse|pony|bird|turtle|tortoise|"
         r"fish|snake|lizard|guinea pig|ferret|labrador|greyhound|beagle|poodle|terrier|"
         r"retriever|spaniel|husky|collie|shepherd|tabby")
_JOBS = (r"engineer|teacher|nurse|doctor|designer|developer|accountant|photographer|chef|cook|"
         r"lawyer|student|manager|scientist|writer|artist|researcher|tester|consultant|analyst|"
         r"programmer|architect|pharmacist|therapist|mechanic|electrician|plumber|pilot|farmer|"
         r"librarian|journalist|musician|dentist|professor|officer|paramedic|firefighter|"
         r"carpenter|baker|driver|cleaner|entrepreneur|founder|editor|translator|"
         r"veterinarian|vet|surgeon|counselor|counsellor|lecturer|barista|waiter|waitress|"
         r"freelancer|coder|biologist|chemist|physicist|economist|banker|salesperson|"
         r"recruiter|administrator|secretary|clerk|technician|painter|sculptor|dancer|singer|"
         r"actor|actress|athlete|coach|trainer|student|intern|retiree")

_I = r"\b(?:I|[Ww]e)"
_IM = r"\bI(?:'m| am)"

# (attribute, pattern, group of the value, group of the relation or None)
_PATTERNS: list[tuple[str, re.Pattern[str], int, int | None]] = [
    ("name", re.compile(rf"(?i:\bmy name is|\bcall me) ({_NAME})\b"), 1, None),
    ("name", re.compile(rf"^(?i:hi|hello|hey)[,!]? (?i:i'm|i am) ({_NAME})\b"), 1, None),
    ("location", re.compile(rf"{_I} (?i:(?:now |currently )?(?:live|am living|'m living|"
                            rf"reside))(?i: with (?:my )?[\w ]{{1,30}}?)? in ({_PLACE})"), 1,
     None),
    ("location", re.compile(rf"{_I} (?i:(?:just |recently |finally )?(?:moved|relocated))"
                            rf"(?: from {_PLACE})?(?: back)? to ({_PLACE})"), 1, None),
    ("location", re.compile(rf"{_IM} (?i:based|living) in ({_PLACE})"), 1, None),
    ("location", re.compile(rf"(?i:\bmy (?:home|flat|apartment|house) is in) ({_PLACE})"), 1,
     None),
    ("origin", re.compile(rf"{_IM} (?i:originally )?(?i:from) ({_PLACE})"), 1, None),
    ("origin", re.compile(rf"\bI (?i:grew up|was born) in (?:[a-z][\w ]{{0,30}}? in )?"
                          rf"({_PLACE})"), 1, None),
    ("job", re.compile(rf"{_IM} (?:an? )?((?:[\w-]+ ){{0,3}}(?i:{_JOBS}))\b"), 1, None),
    ("job", re.compile(rf"(?i:\bI work as an?|\bmy job is(?: an?)?) ({_PHRASE}){_END}"), 1,
     None),
    ("employer", re.compile(rf"(?i:\bI work|\bI'm working|\bI am working)(?: as an? [\w -]+?)?"
                            rf" (?i:at|for) ({_PHRASE}){_END}"), 1, None),
    ("employer", re.compile(rf"(?i:\bmy employer is) ({_PHRASE}){_END}"), 1, None),
    ("person", re.compile(rf"(?i:\bmy ({_RELATIONS}))(?:,| is called| is named| named| "
                          rf"called| is|'s name is)? ({_NAME})\b"), 2, 1),
    ("person", re.compile(rf"(?i:\b(?:married|engaged) to|\bdating) ({_NAME})\b"), 1, None),
    ("pet", re.compile(rf"(?i:\b(?:my|our|a|an) (?:[\w-]+ ){{0,2}}?({_PETS}))(?i:'s name is| is "
                       rf"called| is named| called| named) ({_NAME})\b"), 2, 1),
    ("pet", re.compile(rf"(?i:\bmy ({_PETS})) ({_NAME})\b"), 2, 1),
    ("likes", re.compile(rf"\bI (?i:really |absolutely |just )?(?i:love|like|enjoy|adore|"
                         rf"prefer) ({_PHRASE}){_END}"), 1, None),
    ("favourite", re.compile(rf"(?i:\bmy fav(?:ou)?rite ([\w ]{{2,25}}?) is) ({_PHRASE})"
                             rf"{_END}"), 2, 1),
    ("dislikes", re.compile(rf"\bI (?i:really )?(?i:hate|dislike|can't stand|cannot stand|"
                            rf"don't like|do not like) ({_PHRASE}){_END}"), 1, None),
    ("age", re.compile(rf"{_IM} (\d{{1,3}})(?: years old|yo\b|\.|,|$)"), 1, None),
    ("diet", re.compile(rf"{_IM} (?:a )?(?i:(vegetarian|vegan|pescatarian|gluten-free|"
                        rf"lactose intolerant|diabetic|teetotal))"), 1, None),
    ("allergy", re.compile(rf"{_IM} (?i:allergic to) ({_PHRASE}){_END}"), 1, None),
    ("birthday", re.compile(rf"(?i:\bmy birthday is(?: on)?) ({_PHRASE}){_END}"), 1, None),
]

# Phrases that follow "I like"/"I am a" but are not facts about the user.
_JUNK = re.compile(r"^(?:it|that|this|to|the idea|how|when|what|you|him|her|them|lot|bit|"
                   r"little|big fan)\b", re.IGNORECASE)

_SECTIONS = (("name", "Name"), ("location", "Lives in"), ("origin", "From"), ("job", "Job"),
             ("employer", "Works at"), ("person", "People"), ("pet", "Pets"),
             ("likes", "Likes"), ("favourite", "Favourites"), ("dislikes", "Dislikes"),
             ("diet", "Diet"), ("allergy", "Allergies"), ("age", "Age"),
             ("birthday", "Birthday"), ("school", "Studies at"), ("hobby", "Hobbies"),
             ("plan", "Plans"), ("car", "Car"), ("rent", "Rent"), ("salary", "Salary"))


@dataclass(frozen=True, slots=True)
class Fact:
    """One stable fact about the user and the record it was read from."""

    attribute: str  # name, location, origin, job, employer, person, pet, likes, ...
    value: str
    source_id: str
    relation: str | None = None  # "sister" for a person, "dog" for a pet, "band" for a favourite
    at: datetime | None = None

    def label(self) -> str:
        return f"{self.relation} {self.value}" if self.relation else self.value


@dataclass(slots=True)
class Profile:
    """What the engine knows about a user, newest first within each attribute."""

    user_id: str
    facts: list[Fact] = field(default_factory=list)
    updated_at: datetime | None = None
    record_id: str | None = None  # the stored kind="profile" record, when there is one

    def values(self, attribute: str) -> list[str]:
        return list(dict.fromkeys(f.label() for f in self.facts if f.attribute == attribute))

    @property
    def name(self) -> str | None:
        names = self.values("name")
        return names[0] if names else None

    @property
    def location(self) -> str | None:
        """Where the user lives now: the newest location statement."""
        places = self.values("location")
        return places[0] if places else None

    @property
    def places(self) -> list[str]:
        return list(dict.fromkeys(self.values("location") + self.values("origin")))

    @property
    def people(self) -> list[str]:
        return self.values("person")

    @property
    def preferences(self) -> list[str]:
        return self.values("likes") + self.values("favourite")

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(f.source_id for f in self.facts))

    def text(self) -> str:
        """The profile as one searchable paragraph (the stored record's text)."""
        parts = [f"Profile of {self.user_id}."]
        for attribute, title in _SECTIONS:
            values = self.values(attribute)
            if values:
                parts.append(f"{title}: {'; '.join(values)}.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "name": self.name, "location": self.location,
                "places": self.places, "people": self.people, "preferences": self.preferences,
                "facts": [{"attribute": f.attribute, "value": f.value, "relation": f.relation,
                           "source_id": f.source_id,
                           "at": f.at.isoformat() if f.at else None} for f in self.facts],
                "updated_at": self.updated_at.isoformat() if self.updated_at else None,
                "record_id": self.record_id}


_SENTENCE = re.compile(r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)(?<!\bProf\.)"
                       r"(?<=[.!?])\s+")


def _clean(value: str) -> str:
    value = value.strip(" '\".")
    value = re.sub(r"^(?:the|a|an) (?=[A-Z])", "", value)
    return re.sub(r"\s+", " ", value)


def extract_facts(record: Record) -> list[Fact]:
    """The facts one record states about its author."""
    out: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for sentence in _SENTENCE.split(record.text):
        for attribute, pattern, vgroup, rgroup in _PATTERNS:
            for match in pattern.finditer(sentence):
                value = _clean(match.group(vgroup))
                if not value or len(value) > 60 or _JUNK.match(value):
                    continue
                relation = match.group(rgroup).lower() if rgroup else None
                if attribute == "job" and relation is None and value.lower().startswith(
                        ("big ", "huge ", "fan ")):
                    continue
                key = (attribute, f"{relation} {value}".lower())
                if key in seen:
                    continue
                seen.add(key)
                out.append(Fact(attribute, value, record.id, relation, record.timestamp))
    return out


def _is_current(record: Record, now: datetime) -> bool:
    if record.superseded_by:
        return False
    return record.valid_to is None or record.valid_to > now


def subject_records(user_id: str, records: Iterable[Record]) -> list[Record]:
    """The records whose first person is the user (see the module docstring)."""
    items = list(records)
    own = [r for r in items if r.kind in ("memory", "document")]
    turns = [r for r in items if r.kind == "turn"]
    uid = user_id.strip().lower()
    mine = [t for t in turns if (t.role or "").lower() == "user"
            or (t.speaker or "").strip().lower() in ("user", uid)]
    if not mine:
        mine = [t for t in turns if (t.role or "").lower() != "assistant"
                and (t.speaker or "").strip().lower() not in ASSISTANT_NAMES]
    return own + mine


# Fact-record attribute families -> (profile attribute, relation); favourite keeps its category.
_FROM_FACTS = {"location": ("location", None), "employer": ("employer", None),
               "job": ("job", None), "diet": ("diet", None), "age": ("age", None),
               "name": ("name", None), "pet": ("pet", None), "partner": ("person", "partner"),
               "manager": ("person", "manager"), "school": ("school", None),
               "hobby": ("hobby", None), "plan": ("plan", None), "rent": ("rent", None),
               "salary": ("salary", None), "car": ("car", None), "favourite": ("favourite", None)}
_PARTNER_WORDS = frozenset({"wife", "husband", "partner", "girlfriend", "boyfriend", "fiance",
                           "fiancé", "fiancee", "fiancée"})


def user_facts(user_id: str, records: Sequence[Record]) -> list[Record]:
    """The ``kind="fact"`` records about the user themselves (not about their sister):
    subject "user", or, when there is none, the conversation's non-assistant speakers."""
    facts = [r for r in records if r.kind == "fact" and "/" not in
             str(r.metadata.get("subject", "/"))]
    mine = [r for r in facts if r.metadata.get("subject") == "user"]
    return mine or [r for r in facts if str(r.metadata.get("subject")).startswith("speaker:")]


def _fact_facts(facts: Sequence[Record], now: datetime) -> list[Fact]:
    """Profile facts from current fact records, newest first."""
    out = []
    for r in sorted(facts, key=lambda r: r.valid_from or r.timestamp or now, reverse=True):
        meta = r.metadata
        value, family = meta.get("value"), str(meta.get("family", ""))
        if not _is_current(r, now) or meta.get("polarity") is False or not value \
                or family not in _FROM_FACTS:
            continue
        attribute, relation = _FROM_FACTS[family]
        if family == "favourite":
            relation = str(meta.get("attribute", "")).partition(":")[2] or None
        out.append(Fact(attribute, str(value), r.id, relation, r.valid_from or r.timestamp))
    return out


def _covered(fact: Fact, families: set[str]) -> bool:
    """A pattern fact about something the fact records track (they know what is current)."""
    if fact.attribute == "person":
        return ("manager" in families and fact.relation in ("manager", "boss", "supervisor")) \
            or ("partner" in families and (fact.relation or "") in _PARTNER_WORDS)
    return any(_FROM_FACTS[f][0] == fact.attribute for f in families if f in _FROM_FACTS)


def build_profile(user_id: str, records: Sequence[Record], *,
                  now: datetime | None = None) -> Profile:
    """Extract the profile from a user's records (any order); newest facts first.

    Fact records (``kind="fact"``) decide every attribute they track: only their current
    values count there, so the profile follows each knowledge update; the patterns
    below fill in what no fact record covers (likes, allergies, family members...)."""
    now = now or utcnow()
    tracked = user_facts(user_id, records)
    families = {str(r.metadata.get("family")) for r in tracked}
    subject = [r for r in subject_records(user_id, records) if _is_current(r, now)]
    subject.sort(key=lambda r: (r.timestamp or now, r.position or 0), reverse=True)
    facts = _fact_facts(tracked, now) + [f for r in subject for f in extract_facts(r)
                                         if not _covered(f, families)]
    speakers = {(r.speaker or "").strip() for r in subject if r.kind == "turn"}
    speakers = {s for s in speakers if s and s.lower() not in ASSISTANT_NAMES | {"user"}}
    if not any(f.attribute == "name" for f in facts) and len(speakers) == 1:
        # the conversation names its speaker: that is the user's name
        speaker = next(iter(speakers))
        first = next(r for r in subject if (r.speaker or "").strip() == speaker)
        facts.append(Fact("name", speaker, first.id, None, first.timestamp))
    return Profile(user_id, facts, now)
