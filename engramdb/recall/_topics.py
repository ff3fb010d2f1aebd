"""What a question about a person's present asks, in words: the attribute families it
names, the words a statement on that family uses, and whether a sentence is the
speaker's own present statement (not a relative's, not a maybe, not a memory).

Read at query time over candidate turns (``recall.current``); no fact record, no slot
grammar. The word lists are general English for each family (the families of
``recall.facts``), not any benchmark's phrasing: a statement that names its topic
in none of these words is still found by its vector (``recall.current`` weighs both).
"""

from __future__ import annotations

import re

__all__ = ["RELATIVES", "asked_families", "cued", "own_statement"]

# family: (words a question asks it with, words a statement about it uses)
_FAMILIES: dict[str, tuple[str, str]] = {
    "location": (
        r"live|lives|(?<!for a )living|home|city|town|based|reside|resides|neighbou?rhood"
        r"|move|moved",
        r"live|lives|lived|living|moved?|moving|relocat\w*|home|apartment|flat|house"
        r"|neighbou?rhood|city|town|lease|commute|based|settled|unpack\w*|movers|downtown"
        r"|street|suburb|address"),
    "employer": (
        r"work|works|working|company|employer|organi[sz]ation|employed|firm",
        r"work|works|working|job|company|employer|hired|offer|joined|office|boss|manager"
        r"|colleagues?|co-?workers?|shift|team|firm|notice|onboarding|interview\w*|quit"
        r"|resign\w*"),
    "job": (
        r"job|for a living|occupation|profession|career|role|title|position|work as",
        r"job|title|promot\w*|role|position|career|profession|trained|qualified|certified"
        r"|business cards?|retrain\w*|work as|working as|shift|patients|clients"),
    "manager": (
        r"manager|boss|supervisor|reports? to",
        r"manager|boss|supervisor|reports? to|team lead|my lead"),
    "partner": (
        r"partner|girlfriend|boyfriend|wife|husband|spouse|dating|married|seeing"
        r"|relationship|together",
        r"partner|girlfriend|boyfriend|wife|husband|fianc\w*|dating|date|seeing|together"
        r"|married|engaged|broke up|relationship|moved in|anniversary|in love|split"),
    "pet": (
        r"pets?|dogs?|cats?|animals?",
        r"pets?|dogs?|cats?|pupp(?:y|ies)|kittens?|vet|adopt\w*|rescue\w*|shelter|walks?"
        r"|leash|litter|breed|mutt|paws?|fur|bark\w*"),
    "diet": (
        r"diet|eat|eats|eating|food|vegetarian|vegan",
        r"eat|eats|eating|diet|meat|vegetarian|vegan|recipes?|meals?|food|cook\w*|dairy"
        r"|gluten|carbs?|sugar|salt|nutrition\w*"),
    "hobby": (
        r"hobby|hobbies|(?:free|spare) (?:time|evenings?|weekends?)|for fun|pastime|into",
        r"hobby|hobbies|free time|spare time|weekends?|taken up|took up|hooked|class"
        r"|classes|lessons?|club|practi[cs]e|gear|for fun"),
    "plan": (
        r"plan|plans|planning|goal|goals|want to do|future|dream|hope|hopes|hoping|aim|aims"
        r"|ambitions?|intends?|next few years|next year",
        r"plans?|planning|goals?|dream\w*|want to|hoping|decided|saving|bucket list"
        r"|vision|next year"),
    "rent": (r"rent", r"rent|landlord|lease|a month|per month|monthly"),
    "salary": (
        r"earn|earns|salary|make a year|makes a year|paid|income|pay",
        r"salary|raise|a year|per year|annual\w*|pay|paid|earn\w*|income|contract|offer"
        r"|gross|take-home"),
}
_ASKED = {f: re.compile(rf"\b(?:{q})\b", re.I) for f, (q, _) in _FAMILIES.items()}
_SAID = {f: re.compile(rf"\b(?:{s})\b", re.I) for f, (_, s) in _FAMILIES.items()}

# A sentence that is not the speaker's own present state: a maybe or a wish, somebody
# else's news ("My sister lives in...", "she's making..."), or the past.
_MAYBE = re.compile(
    r"\b(?:if (?:i|we)(?:'m| am| was| were| had)? ever|if money were|if i could"
    r"|hypothetical\w*|someday|some day|would it be|i'd love to|fantasy|daydream\w*"
    r"|what would it take|might (?:move|get|try|take|go|become|switch)|thinking about"
    r"|considering)\b", re.I)
RELATIVES = (r"sister|brother|friends?|roommate|cousin|mom|mum|dad|mother|father|parents"
              r"|neighbou?rs?|colleague|co-?worker|aunt|uncle|son|daughter|kids|grandkids"
              r"|niece|nephew|people")
_SOMEONE_ELSE = re.compile(
    rf"^\W*(?:(?:my|our|one of my|a) (?:\w+ ){{0,2}}(?:{RELATIVES})|the (?:people|neighbou?rs?"
    rf"|couple))\b", re.I)
# "she just got a new job" is her news; "They made me teacher." is the speaker's
_PRONOUN = re.compile(r"^\W*(?:he|she|they)(?:'s| is| has| just)?\b", re.I)
_ME = re.compile(r"\b(?:me|my|i|i'm|i've|mine)\b", re.I)
_PAST = re.compile(r"\b(?:back in (?:college|school|the day|\d{4})|used to|years ago"
                   r"|when i was|in college|as a kid|childhood|growing up)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


# the noun a question asks for: "which pet lives with...", "Clement's role at work",
# "what's her big goal": the first word after which / what / a possessive, past the
# adjectives that only say "the present one"
_ASKED_NOUN = re.compile(r"(?:\b(?:what|which)|'s)\s+(?:(?:current|present|new|latest|main"
                         r"|big|usual|own)\s+)*(?P<noun>[\w-]+(?:\s+[\w-]+)?)", re.I)


def asked_families(question: str) -> frozenset[str]:
    """The attribute families a question asks about, by its words; when the noun it asks
    for names some of them ("Which pet lives with...?" asks the pet, not the home; "her
    role at work" the job, not the employer), those."""
    named = _families(question)
    if len(named) < 2:
        return named
    for found in _ASKED_NOUN.finditer(question):
        words = found.group("noun").split()
        head = _families(words[0]) or _families(" ".join(words))
        if head:
            return head & named or named
    return named


def _families(text: str) -> frozenset[str]:
    return frozenset(f for f, pattern in _ASKED.items() if pattern.search(text))


def cued(text: str, families: frozenset[str]) -> bool:
    """Does the text say a word of one of these families?"""
    return any(_SAID[f].search(text) for f in families)


def own_statement(text: str, families: frozenset[str], questions: bool = True) -> bool:
    """Is some sentence of ``text`` (those naming the families, else any) the speaker's
    own present statement rather than a maybe, someone else's news, the past or
    (``questions``) a question to the assistant ("What should I cook tonight?" says no
    diet)? With no sentence naming the families, a turn that opens with someone else's
    news is theirs: "my brother just got offered $117,800. unbelievable"."""
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    named = [s for s in sentences if cued(s, families)]
    if not named and sentences and _someone_else(sentences[0]):
        return False
    return any(not (_MAYBE.search(s) or _someone_else(s) or _PAST.search(s)
                    or questions and s.rstrip().endswith("?")) for s in named or sentences)


def _someone_else(sentence: str) -> bool:
    return bool(_SOMEONE_ELSE.search(sentence)
                or _PRONOUN.search(sentence) and not _ME.search(sentence))
