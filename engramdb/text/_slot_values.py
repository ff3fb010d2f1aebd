"""Slot values: normalisation, comparison and validation (see :mod:`engramdb.text.slots`)."""

from __future__ import annotations

import re

from ._slot_words import _ALIASES, _CAR_BRANDS, _COUNTRIES, _JOBS, _LOWER_STOP, _NOT_NAMES, _ORG_HEADS

__all__ = ["is_country", "money_fits", "norm_value", "refines", "same_value", "slot_family",
           "valid_value"]


def slot_family(slot: str) -> str:
    """``"favourite:food"`` -> ``"favourite"`` (audit entries name only the family)."""
    return slot.split(":", 1)[0]


_ORG_SUFFIX = re.compile(r"\s*,?\s+(?:inc|ltd|llc|gmbh|corp|corporation|co|plc|ag|sa)\.?$")
_TOKEN = re.compile(r"[\w@+.-]+")
_FILLER = frozenset({"the", "of", "and", "a", "an", "&"})


def norm_value(slot: str, raw: str) -> str:
    """Normalise a value for comparison: case, articles, suffixes, aliases."""
    family = slot_family(slot)
    value = re.sub(r"\s+", " ", raw.strip().strip(".,;:!?\"'")).lower()
    if family == "phone":
        return re.sub(r"[^\d+]", "", value)
    if family in ("email", "age"):
        return value
    value = re.sub(r"^(?:the|a|an|my|our)\s+", "", value)
    value = _ORG_SUFFIX.sub("", value) if family in ("employer", "school") else value
    return _ALIASES.get(value, value)


def _tokens(value: str) -> set[str]:
    return {t for t in _TOKEN.findall(value.replace(",", " ")) if t not in _FILLER}


def same_value(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return a == b or _ALIASES.get(a, a) == _ALIASES.get(b, b)


def refines(general: str | None, specific: str | None) -> bool:
    """True when ``specific`` says all that ``general`` says and more ("berlin" <
    "kreuzberg, berlin"; "nurse" < "head nurse")."""
    if not general or not specific:
        return False
    g, s = _tokens(general), _tokens(specific)
    return bool(g) and g < s


def is_country(value: str | None) -> bool:
    return value is not None and value in _COUNTRIES


def valid_value(kind: str, value: str, raw: str, lowercase: bool) -> bool:
    words = value.split()
    if not words or len(value) > 60:
        return False
    bare = re.sub(r"^(?:the|a|an)\s+", "", raw, flags=re.IGNORECASE)
    if bare[:1].islower() and kind in ("place", "org", "school"):
        # lower-case values only when the whole sentence is lower-case, and never stop words
        if not lowercase or any(w in _LOWER_STOP for w in words):
            return False
    if kind == "opening":  # a name opening a sentence: no common word ("Dinner is ready")
        return _opening_name(value)
    if kind == "name":  # a person's or a pet's: "Juniper Bank" is neither
        return words[0] not in _NOT_NAMES and (len(words) == 1 or words[-1] not in _ORG_HEADS)
    if kind == "job":
        return words[0] not in ("to", "the", "my", "part", "of") and len(words) <= 4
    if kind == "jobnoun":
        return words[-1] in _JOBS and len(words) <= 4
    if kind == "car":
        return (bool(set(words) & _CAR_BRANDS) or raw[:1].isupper()) and words[0] not in (
            "lot", "bit", "car", "little")
    if kind == "carbrand":
        return bool(set(words) & _CAR_BRANDS)
    if kind == "age":
        return 0 < int(value) < 125
    if kind == "school":
        return bool(re.search(r"\b(?:university|college|school|academy|institute|high|uni|"
                              r"polytechnic)\b", value))
    if kind == "fav":
        return len(words) <= 5
    if kind in ("place", "org"):  # a day, a month, "I" are not places or employers
        return words[0] not in _NOT_NAMES and value not in _NOT_PLACES and (
            kind == "org" or value not in _NOT_TOWNS)
    if kind == "act":
        return len(words) <= 3 and words[-1] not in _NOT_ACTS
    if kind == "plan":
        return len(words) <= 6
    return True


_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?([kK])?")
# pay said per hour, week or month is no yearly salary; rent said per year is rare
_PER = re.compile(r"\b(?i:an?\s+hour|per\s+hour|hourly|/\s?hr|an?\s+week|per\s+week|weekly|"
                  r"an?\s+month|per\s+month|monthly|every\s+month|each\s+month|a\s+day|per\s+day)\b")
#: Rent is a month's (at most this), a salary a year's (at least this) unless said per
#: hour, week or month: "Annual pay: $61,250" is no rent, "$1,930 gone" no salary.
RENT_MAX, SALARY_MIN = 15_000, 10_000


def money_fits(slot: str, raw: str, sentence: str = "") -> bool:
    """Whether an amount is of the size of ``slot``'s values (rent a month's, salary a
    year's), whatever the words around it say; other slots: always."""
    if slot not in ("rent", "salary"):
        return True
    m = _AMOUNT.search(raw)
    if m is None:
        return True
    amount = float(m.group(1).replace(",", "")) * (1000 if m.group(2) else 1)
    if slot == "rent":
        return amount <= RENT_MAX
    return amount >= SALARY_MIN or _PER.search(sentence) is not None


def _opening_name(value: str) -> bool:
    from .tokens import STOPWORDS

    from ._slot_words import _COMMON_OPENERS, _SPECIES_WORDS
    return (value not in _NOT_NAMES and value not in STOPWORDS and value not in _COMMON_OPENERS
            and value not in _SPECIES_WORDS and not _NOUN_FORM.search(value))


# word endings of common nouns, adjectives and adverbs, not of names
_NOUN_FORM = re.compile(r"(?:ing|ness|tion|sion|ment|ity|ful|less|ous|ly|ance|ence|ship|"
                        r"hood|ism|er|ed|(?<![uio])s)$")


# Capitalised words a place or employer slot catches that are neither.
_NOT_PLACES = frozenset("""home work school town bed mind christmas easter thanksgiving
    halloween covid""".split())
_NOT_TOWNS = frozenset("""zoom slack google maps airbnb uber""".split())
# Last words of a phrase after "into", "spend my weekends on" that are no activity.
_NOT_ACTS = frozenset("""it that this them stuff things thing idea trouble debt shape""".split())
