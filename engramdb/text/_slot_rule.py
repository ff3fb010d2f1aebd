"""One extraction rule type, for the templates and the general cues alike.

A :class:`Rule` is a regex whose group ``v`` holds the value of ``slot``, with what
the rest of the slot grammar needs to turn a match into a statement: how sure a
match is, how to check the value, whether it ends a value rather than states one,
whose statement it is when the speaker is the object ("they made me sales
director"), and turn-level conditions (``when``/``unless``: "Her name is Luna" is a
pet's name only in a turn about a kitten). :mod:`engramdb.text._slot_templates`
(subject spelt out in the regex) and :mod:`engramdb.text._slot_cues` (subject read
from the clause) are two tables of it, run by one loop in :mod:`engramdb.text.slots`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Rule", "by_slot", "rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A regex with the value of ``slot`` in group ``v`` (or ``v2``)."""

    slot: str
    regex: re.Pattern[str]
    confidence: float
    #: the value's type, as :func:`engramdb.text._slot_values.valid_value` reads it
    #: (place, org, name, job, money, diet, act...); "none": the rule names no value
    value: str = "any"
    negated: bool = False  # it ends a value ("I quit Helio") rather than states one
    also: tuple[str, ...] = ()  # further slots the same statement applies to
    object_self: bool = False  # the speaker is the object ("they made me ..."): no subject
    fixed: str = ""  # the value, when the cue says it ("gave up meat": vegetarian)
    when: re.Pattern[str] | None = None  # the rule applies only when the turn matches ...
    unless: re.Pattern[str] | None = None  # ... and does not match this
    #: the form presumes the value, so a question, a hedge or a date to come on something
    #: else still says it ("is it too soon to introduce Ana to my parents?": Ana is a
    #: partner either way; "Ana is moving in with me next week": a partner now)
    presumed: bool = False

    def applies(self, turn: str) -> bool:
        """Whether the turn-level conditions hold for ``turn`` (the whole turn's text)."""
        return (self.when is None or self.when.search(turn) is not None) and \
            (self.unless is None or self.unless.search(turn) is None)


def by_slot(rules: tuple[Rule, ...]) -> dict[str, tuple[Rule, ...]]:
    """A table's rules per slot, in table order: a sentence runs only its slots' rules."""
    out: dict[str, list[Rule]] = {}
    for r in rules:
        out.setdefault(r.slot, []).append(r)
    return {slot: tuple(rs) for slot, rs in out.items()}


def rule(slot: str, regex: str, confidence: float, value: str = "any", *,
         negated: bool = False, also: tuple[str, ...] = (), object_self: bool = False,
         fixed: str = "", when: str = "", unless: str = "", presumed: bool = False) -> Rule:
    """A :class:`Rule` from regex source text."""
    return Rule(slot, re.compile(regex), confidence, value, negated, also, object_self, fixed,
                re.compile(when) if when else None, re.compile(unless) if unless else None,
                presumed)
