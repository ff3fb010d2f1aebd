"""A conversational knowledge-update benchmark the project builds itself.

:func:`generate` writes, deterministically from a seed, multi-session conversations
between personas and an assistant (``engramdb.bench._update_world``): a persona
states its home, employer, job, partner, pet, diet, hobby, plans, rent and salary in
early sessions, changes some of them later (sometimes twice, sometimes only by
implication), among chit-chat and distractors (a sister's city, a trip, a maybe).
Every change yields three questions — the current value, the value before, when it
changed — and every persona gets questions whose answer was never said.

:func:`run` ingests each persona with :meth:`Memory.add_session` and reports per
method (a search method with an extractor):

* ``current@1`` – the top hit holds the current value;
* ``history@5`` – one of the top 5 holds the previous value;
* ``when@5`` – one of the top 5 is the turn where the change was said (or its fact);
* ``profile`` – share of the persona's stated attributes whose current value the
  profile shows first;
* ``abstention_auroc`` – the search's confidence separates answerable current-value
  questions from unanswerable ones (0.5 = chance).

Seven sets with their own personas and phrasings: ``dev`` (the rules were tuned on
it), ``heldout`` (written at the same time, never tuned on), ``fresh`` (written
later without reading the extractor or the other sets' phrasings, with longer,
story-like turns, echoes of old values and slot-filled distractors: the honest
check; :mod:`engramdb.bench._update_world_fresh`), ``fresh2`` (a second blind
set, other lives, multi-sentence turns; :mod:`engramdb.bench._update_world_fresh2`),
``fresh3`` (a third, by another author; :mod:`engramdb.bench._update_world_fresh3`),
``fresh4`` (a fourth, typed like phone messages, with several phrasings of each
question; :mod:`engramdb.bench._update_world_fresh4`), ``fresh5`` (a fifth, the blind
one: non-native, voice-dictated, terse, in-passing, implied and third-person turns;
:mod:`engramdb.bench._update_world_fresh5`). All seven are reported.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import _update_world as w
from . import _update_world_fresh as w_fresh
from . import _update_world_fresh2 as w_fresh2
from . import _update_world_fresh3 as w_fresh3
from . import _update_world_fresh4 as w_fresh4
from . import _update_world_fresh5 as w_fresh5
from .abstain_report import auroc

__all__ = ["Change", "Persona", "UpdateQuestion", "generate", "run", "score_persona"]

#: the blind set(s): never fitted on (``current_fit``, ``slot_sense`` refuse them;
#: ``abstention_threshold`` and ``abstention_convs`` never collect them)
BLIND: tuple[str, ...] = ("fresh5",)

_PROFILE_ATTR = {"location": "location", "employer": "employer", "job": "job",
                 "partner": "person", "pet": "pet", "diet": "diet", "hobby": "hobby",
                 "plan": "plan", "rent": "rent", "salary": "salary"}


@dataclass(frozen=True, slots=True)
class Change:
    attribute: str
    old: str | None  # None: the first value
    new: str
    session: int
    turn_id: str


@dataclass(frozen=True, slots=True)
class UpdateQuestion:
    kind: str  # current | history | when | unanswerable
    question: str
    attribute: str | None = None
    expect: str | None = None  # the value a hit must hold (current, history)
    turn_id: str | None = None  # the turn a hit must be (when)


@dataclass
class Persona:
    name: str
    split: str
    sessions: list[tuple[datetime, list[dict[str, Any]]]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    questions: list[UpdateQuestion] = field(default_factory=list)

    def current(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for c in self.changes:
            out[c.attribute] = c.new
        return out


def generate(split: str = "dev", *, seed: int = 0, sessions: int = 6) -> list[Persona]:
    """The personas of one set (``dev``, ``heldout`` or ``fresh``), each with its conversation."""
    rng = random.Random(f"{split}:{seed}")
    return [_persona(name, split, rng, sessions) for name in _world(split).PERSONAS[split]]


def _world(split: str) -> Any:
    """The module holding a set's personas and phrasings (the ``fresh*`` sets have their own)."""
    worlds = (w_fresh, w_fresh2, w_fresh3, w_fresh4, w_fresh5)
    return next((m for m in worlds if split in m.PERSONAS), w)


def _persona(name: str, split: str, rng: random.Random, n_sessions: int) -> Persona:
    p, world = Persona(name, split), _world(split)
    attrs = rng.sample(world.ATTRS, 7)
    own = getattr(world, "PERSONA_VALUES", {}).get(name, {})  # values that fit a life
    values = {a: rng.sample(own.get(a, world.VALUES[a]), 3) for a in attrs}
    start = datetime(2024, 1, 8, 18, 0, tzinfo=UTC) + timedelta(days=rng.randrange(60))
    plan: list[list[tuple[str, int]]] = [[] for _ in range(n_sessions)]
    for a in attrs:  # the first value early, a change later for most, a second for some
        plan[rng.randrange(2)].append((a, 0))
        if rng.random() < 0.75:
            first = rng.randrange(2, n_sessions)
            plan[first].append((a, 1))
            if first < n_sessions - 1 and rng.random() < 0.3:
                plan[rng.randrange(first + 1, n_sessions)].append((a, 2))
    for s in range(n_sessions):
        when = start + timedelta(days=45 * s + rng.randrange(10))
        p.sessions.append((when, _session(p, s, plan[s], values, rng)))
    _questions(p, rng, attrs)
    return p


def _session(p: Persona, s: int, said: list[tuple[str, int]], values: dict[str, list[str]],
             rng: random.Random) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []

    def say(speaker: str, text: str) -> str:
        tid = f"{p.name}:S{s + 1}:{len(turns) + 1}"
        turns.append({"speaker": speaker, "role": "user" if speaker == p.name else "assistant",
                      "text": text, "metadata": {"turn_id": tid}})
        return tid

    world = _world(p.split)
    lines: list[tuple[str, int] | str | None] = [*said, *([None] * rng.randint(2, 4))]
    lines += _echoes(p, world, rng)
    rng.shuffle(lines)
    for line in lines:
        if line is None:
            say(p.name, _filler(rng, world, values, p.name))
        elif isinstance(line, str):
            say(p.name, line)
        else:
            attr, step = line
            intro, change = world.PHRASES[p.split][attr]
            new, old = values[attr][step], values[attr][step - 1] if step else None
            text = _article(rng.choice(change if step else intro).format(v=new, old=old,
                                                                         n=p.name))
            p.changes.append(Change(attr, old, new, s, say(p.name, text)))
        say("assistant", rng.choice(world.REPLIES))
    return turns


def _article(text: str) -> str:
    return re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", text)  # "a accountant"


def _echoes(p: Persona, world: Any, rng: random.Random) -> list[str]:
    """At most one passing mention of a value changed in an earlier session (fresh only)."""
    echoes = getattr(world, "ECHOES", None)
    past = [c for c in p.changes if c.old is not None] if echoes else []
    if not past or rng.random() < 0.5:
        return []
    c = rng.choice(past)
    return [rng.choice(echoes[c.attribute]).format(old=c.old, n=p.name)]


def _filler(rng: random.Random, world: Any, own: dict[str, list[str]], name: str) -> str:
    if rng.random() < getattr(world, "DISTRACTOR_SHARE", 0.35):
        template = rng.choice(world.DISTRACTORS)
        if not getattr(world, "SLOTTED", False):
            return template.format(city=rng.choice(world.VALUES["location"]),
                                   company=rng.choice(world.VALUES["employer"]))
        picks = {a: rng.choice([v for v in vs if v not in own.get(a, ())])
                 for a, vs in world.VALUES.items()}  # never one of the persona's own values
        return _article(template.format(**picks))
    return rng.choice(world.FILLER + getattr(world, "LIVES", {}).get(name, ()))


def _questions(p: Persona, rng: random.Random, attrs: Sequence[str]) -> None:
    latest: dict[str, Change] = {}
    for c in p.changes:
        latest[c.attribute] = c
    world = _world(p.split)
    for attr, c in latest.items():
        cur, hist, when = (_phrasing(q, rng) for q in world.QUESTIONS[attr])
        p.questions.append(UpdateQuestion("current", cur.format(n=p.name), attr, c.new))
        if c.old is not None:
            p.questions.append(UpdateQuestion("history", hist.format(n=p.name, new=c.new),
                                              attr, c.old))
            p.questions.append(UpdateQuestion("when", when.format(n=p.name, new=c.new), attr,
                                              turn_id=c.turn_id))
    for q in rng.sample(world.UNANSWERABLE, 3):
        p.questions.append(UpdateQuestion("unanswerable", q.format(n=p.name)))


def _phrasing(question: str | Sequence[str], rng: random.Random) -> str:
    """One question: a set may give several phrasings of it (fresh4), picked per question;
    a single string draws nothing from ``rng``, so the other sets are generated as before."""
    return question if isinstance(question, str) else rng.choice(question)


# ------------------------------------------------------------------ scoring
def _holds(hit: Any, value: str) -> bool:
    return value.lower() in hit.record.text.lower()


def score_persona(memory: Any, p: Persona, method: str) -> list[dict[str, Any]]:
    """One row per question: whether the search got it, and its confidence."""
    user = f"{p.split}-{p.name.lower()}"
    rows = []
    for q in p.questions:
        hits = memory.search(q.question, user_id=user, limit=5, method=method)
        row = {"persona": p.name, "kind": q.kind, "attribute": q.attribute,
               "question": q.question, "confidence": float(getattr(hits, "confidence", 0.0))}
        if q.kind == "current":
            row["ok"] = bool(hits) and _holds(hits[0], q.expect or "")
        elif q.kind == "history":
            row["ok"] = any(_holds(h, q.expect or "") for h in hits[:5])
        elif q.kind == "when":
            row["ok"] = any(_when_hit(memory, user, h, q.turn_id or "") for h in hits[:5])
        rows.append(row)
    return rows


def _when_hit(memory: Any, user: str, hit: Any, turn_id: str) -> bool:
    if hit.record.metadata.get("turn_id") == turn_id:
        return True
    sources = hit.record.metadata.get("source_turns") or []
    if not sources:
        return False
    return any(r.metadata.get("turn_id") == turn_id for r in
               memory.store.get(hit.record.scope, list(sources)))


def profile_accuracy(memory: Any, p: Persona) -> tuple[int, int]:
    """(right, asked): the profile's first value of each stated attribute is current."""
    profile = memory.profile(user_id=f"{p.split}-{p.name.lower()}")
    right = 0
    current = p.current()
    for attr, value in current.items():
        shown = profile.values(_PROFILE_ATTR[attr])
        if attr == "partner":
            shown = [v for v in shown if v.startswith("partner ")] or shown
        right += bool(shown) and value.lower() in shown[0].lower()
    return right, len(current)


def ingest(memory: Any, p: Persona) -> int:
    user = f"{p.split}-{p.name.lower()}"
    for i, (when, turns) in enumerate(p.sessions):
        memory.add_session(turns, user_id=user, session_id=f"{p.name}-S{i + 1}",
                           started_at=when)
    return sum(len(t) for _, t in p.sessions)


def run(*, embedder: str = "minilm",
        splits: Sequence[str] = ("dev", "heldout", "fresh", "fresh2", "fresh3", "fresh4",
                                 "fresh5"),
        methods: Sequence[str] = ("bm25", "dense", "engram"),
        extractors: Sequence[str] = ("rules", "none"), seed: int = 0,
        llm: Any = None) -> dict[str, Any]:
    """The benchmark: per set, per extractor, per search method."""
    from .._memory import Memory

    report: dict[str, Any] = {"embedder": embedder, "seed": seed, "sets": {}}
    for split in splits:
        personas = generate(split, seed=seed)
        out = report["sets"][split] = {"personas": len(personas), "questions": sum(
            len(p.questions) for p in personas), "runs": {}}
        for name in extractors:
            extractor = _extractor(name, llm)
            with tempfile.TemporaryDirectory(prefix="engram-updates-") as tmp, \
                    Memory(Path(tmp) / "u.db", embedder=embedder, extractor=extractor) as m:
                started = time.perf_counter()
                turns = sum(ingest(m, p) for p in personas)
                seconds = time.perf_counter() - started
                prof = [profile_accuracy(m, p) for p in personas]
                for method in methods:
                    rows = [r for p in personas for r in score_persona(m, p, method)]
                    out["runs"][f"{method}+{name}"] = {
                        **summarize(rows), "profile": _ratio(sum(r for r, _ in prof),
                                                             sum(n for _, n in prof)),
                        "turns": turns, "ingest_turns_per_s": round(turns / seconds, 1)}
                stats = getattr(extractor, "stats", None)
                if stats is not None and getattr(stats, "calls", 0):
                    out["runs"][f"engram+{name}"]["llm"] = _llm_cost(stats, turns)
    return report


def _extractor(name: str, llm: Any) -> Any:
    if name == "llm":
        from ..write.llm_extract import LLMExtractor

        return LLMExtractor(llm)
    return None if name == "none" else name


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    def share(kind: str) -> float | None:
        got = [r["ok"] for r in rows if r["kind"] == kind]
        return _ratio(sum(got), len(got))

    scored = [(r["confidence"], r["kind"] == "current") for r in rows
              if r["kind"] in ("current", "unanswerable")]
    return {"current@1": share("current"), "history@5": share("history"),
            "when@5": share("when"), "abstention_auroc": _round(auroc(
                [s for s, _ in scored], [y for _, y in scored])),
            "n": {k: sum(r["kind"] == k for r in rows)
                  for k in ("current", "history", "when", "unanswerable")}}


def _llm_cost(stats: Any, turns: int) -> dict[str, Any]:
    per = 1000 / max(turns, 1)
    return {"calls_per_1000_turns": round(stats.calls * per, 1),
            "tokens_per_1000_turns": round((stats.prompt_tokens + stats.completion_tokens) * per),
            "skipped": dict(stats.skipped)}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
