"""Consolidation: session summaries, a user summary and the profile, as derived records.

Recursive summarisation in the manner of MemoryBank (Zhong et al., 2023,
arXiv:2305.10250: daily summaries, then a global summary and a user portrait)
and of Wang et al. 2023 ("Recursively summarizing enables long-term dialogue
memory", arXiv:2308.15022): level 1 summarises each session, level 2 the
sessions' summaries, and the profile (:mod:`.profile`) keeps stable facts.

Without an LLM every summary is *extractive*: the turns of a session are scored
by LexRank degree centrality over TF-IDF cosine (Erkan & Radev, "LexRank:
graph-based lexical centrality as salience in text summarization", JAIR 22,
2004) plus bonuses for first-person facts, informative content and named
things, and the best few are quoted verbatim in their original order. With an
LLM (an :class:`engramdb.llm.LLM`: ``complete(messages) -> str``, or a plain
callable ``prompt -> str``) the summaries are abstractive; the profile stays
extractive.

Derived records are ordinary records (kind ``summary`` / ``profile``) whose
metadata says what they are (``derived``), how they were made (``method``),
which records they quote (``sources``) and a ``fingerprint`` of their inputs;
``links`` rows of kind ``derived_from`` point from them to every input, so a
deleted, updated or superseded input finds the derived records to rebuild.
A derived record is never edited in place (that would keep the old text in its
history): it is deleted and written anew.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from .._errors import EngramError, InvalidInputError, ProviderError
from .._models import Filters, Link, Record, Scope, content_hash, new_id, utcnow
from ..text.tokens import STOPWORDS, words
from ..recall.expand import ExpandOptions, expand_record
from ..store import NewRecord, Store
from ..text.tokens import stem
from .profile import ASSISTANT_NAMES, Profile, build_profile, extract_facts

__all__ = [
    "DERIVED_FROM",
    "RAW_KINDS",
    "ConsolidationReport",
    "Consolidator",
    "select_salient",
]

DERIVED_FROM = "derived_from"
RAW_KINDS: tuple[str, ...] = ("turn", "memory", "document")
_TURN_CHARS = 300  # a quoted turn is cut (at a word) beyond this
_VERSION = 1  # bump when the extractive method changes: every summary is rebuilt

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(slots=True)
class ConsolidationReport:
    user_id: str
    sessions: int = 0
    written: list[str] = field(default_factory=list)  # ids of new summaries
    unchanged: int = 0
    removed: int = 0
    user_summary_id: str | None = None
    profile: Profile | None = None
    profile_changed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "sessions": self.sessions, "written": self.written,
                "unchanged": self.unchanged, "removed": self.removed,
                "user_summary_id": self.user_summary_id,
                "profile_id": self.profile.record_id if self.profile else None,
                "profile_changed": self.profile_changed,
                "profile": self.profile.to_dict() if self.profile else None}


# ------------------------------------------------------------ extractive core
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|my|me|we|our|we're|we've)\b")
_NAMED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|\b\d+")


def _is_assistant(record: Record) -> bool:
    return ((record.role or "").lower() == "assistant"
            or (record.speaker or "").strip().lower() in ASSISTANT_NAMES)


def select_salient(records: Sequence[Record], k: int) -> list[int]:
    """Indices of the ``k`` most informative records, in their original order.

    score = 0.4 * LexRank degree centrality (TF-IDF cosine, normalised to the max)
          + 0.3 * first-person fact (a profile pattern matches: 1; "I/my/we": 0.5)
          + 0.2 * informativeness (content words / 10, at most 1)
          + 0.1 * named things (capitalised words not opening a sentence, numbers / 3)
          - 0.3 for a question, - 0.5 for an assistant turn, - 0.5 under 3 content words.
    """
    n = len(records)
    if n == 0 or k <= 0:
        return []
    bags = [[stem(w) for w in words(r.text) if w not in STOPWORDS] for r in records]
    vocab = {t: i for i, t in enumerate(sorted({t for bag in bags for t in bag}))}
    matrix = np.zeros((n, max(len(vocab), 1)))
    for row, bag in enumerate(bags):
        for t in bag:
            matrix[row, vocab[t]] += 1.0
    df = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + n) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    sim = matrix @ matrix.T
    centrality = (sim.sum(axis=1) - np.diag(sim)) / max(n - 1, 1)
    top = float(centrality.max()) if n else 0.0
    scores = []
    for i, record in enumerate(records):
        fact = 1.0 if extract_facts(record) else (0.5 if _FIRST_PERSON.search(record.text)
                                                   else 0.0)
        info = min(1.0, len(set(bags[i])) / 10)
        named = min(1.0, len(_NAMED.findall(record.text)) / 3)
        score = (0.4 * (centrality[i] / top if top > 0 else 0.0) + 0.3 * fact + 0.2 * info
                 + 0.1 * named)
        if record.text.rstrip().endswith("?"):
            score -= 0.3
        if _is_assistant(record):
            score -= 0.5
        if len(set(bags[i])) < 3:
            score -= 0.5
        scores.append(score)
    best = sorted(range(n), key=lambda i: (-scores[i], i))[:k]
    return sorted(best)


def _quote(record: Record) -> str:
    text = " ".join(record.text.split())
    if len(text) > _TURN_CHARS:
        text = text[:_TURN_CHARS].rsplit(" ", 1)[0] + " …"
    return f"{record.speaker}: {text}" if record.speaker else text


def _date(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else "unknown date"


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([_VERSION, *parts], default=str).encode()).hexdigest()[:24]


def _complete(llm: Any, prompt: str, limit: int) -> str:
    """One user message to an :class:`engramdb.llm.LLM`, or the prompt to a callable."""
    try:
        if callable(getattr(llm, "complete", None)):
            text = llm.complete([{"role": "user", "content": prompt}])
        else:
            text = llm(prompt)
    except EngramError:
        raise
    except Exception as exc:  # noqa: BLE001 - the caller's model failing is a provider error
        raise ProviderError(f"the LLM failed: {type(exc).__name__}: {exc}"[:300]) from exc
    if not isinstance(text, str) or not text.strip():  # LLM output is untrusted
        raise ProviderError("the LLM returned no summary")
    if len(text.strip()) > limit:  # was stored whole (3 MB), past what add() would take
        raise ProviderError(f"the LLM returned a summary of {len(text.strip())} characters; "
                            f"the limit is {limit} (max_text_chars)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # was an InvalidInputError, as if the caller's input
        raise ProviderError("the LLM returned a summary that is not valid Unicode (a lone "
                            "surrogate)") from None
    return text.strip()


_SESSION_PROMPT = """Summarise this conversation for a long-term memory. Keep every fact about \
the people in it (names, places, dates, plans, preferences, events) and drop small talk. \
Write at most {n} sentences, third person, no preamble.

Conversation on {date}:
{turns}
"""

_USER_PROMPT = """These are summaries of past conversations with {user}, oldest first. Write \
one summary of at most {n} sentences that keeps the facts that still matter (names, places, \
relationships, preferences, ongoing plans). No preamble.

{summaries}
"""


def _is_current(record: Record, now: datetime) -> bool:
    return not record.superseded_by and (record.valid_to is None or record.valid_to > now)


class Consolidator:
    """Builds and refreshes one user's derived records through the Store protocol."""

    def __init__(self, store: Store, embed: Embed, expand: ExpandOptions | None = None, *,
                 max_chars: int = 100_000) -> None:
        self.store = store
        #: the longest summary an LLM may write (the memory's max_text_chars)
        self.max_chars = max_chars
        self.embed = embed
        #: the memory's key expansion: derived records get the kinds its signals read
        self.expand = expand

    # ------------------------------------------------------------------ runs
    def run(self, scope: Scope, *, llm: Any = None,
            session_id: str | None = None) -> ConsolidationReport:
        """Bring every derived record of ``scope.user_id`` up to date."""
        if llm is not None and not callable(llm) and not callable(getattr(llm, "complete", None)):
            raise InvalidInputError(f"llm must be an engramdb.llm.LLM or a callable prompt -> "
                                    f"str, not {type(llm).__name__}")
        user = Scope(scope.user_id)
        report = ConsolidationReport(user.user_id)
        report.removed += self._drop_orphans(user)
        summaries = self._derived(user, "session")
        sessions = [s.session_id for s in self.store.sessions(user)]
        if session_id is not None:
            sessions = [s for s in sessions if s == session_id]
        report.sessions = len(sessions)
        for sid in sessions:
            self._session(user, sid, llm, summaries.get(sid, []), report)
        if session_id is None:  # summaries of sessions that no longer exist
            for of_session, stale in summaries.items():
                if of_session not in sessions:
                    report.removed += self._drop(user, stale)
        self._user_summary(user, llm, report)
        report.profile, report.profile_changed = self.profile(user)
        return report

    def dependents(self, scope: Scope, ids: Sequence[str]) -> list[str]:
        """Derived records built from any of ``ids`` (excluding ``ids`` themselves)."""
        mine = set(ids)
        found = self.store.links(Scope(scope.user_id), list(ids), kind=DERIVED_FROM,
                                 incoming=True)
        return list(dict.fromkeys(src for src, _, _ in found if src not in mine))

    def refresh(self, scope: Scope, derived_ids: Iterable[str]) -> None:
        """Rebuild these derived records from what their inputs are now (after a delete,
        an update or a supersession). An LLM-made summary is rebuilt extractively."""
        user = Scope(scope.user_id)
        records = self.store.get(user, list(dict.fromkeys(derived_ids)))
        kinds = {r.metadata.get("derived") for r in records}
        report = ConsolidationReport(user.user_id)
        for record in records:
            if record.metadata.get("derived") == "session":
                sid = record.metadata.get("of_session") or record.session_id or ""
                self._session(user, sid, None, [record], report)
        if "user" in kinds or "session" in kinds:
            self._user_summary(user, None, report, only_if_exists=True, force="user" in kinds)
        if "profile" in kinds:
            self.profile(user)

    def _drop_orphans(self, user: Scope) -> int:
        """Derived records with no ``derived_from`` links (copied in by an import, whose
        ids no longer match) cannot be refreshed when a source goes: rebuild them."""
        found = [r for what in ("session", "user", "profile")
                 for rs in self._derived(user, what).values() for r in rs]
        if not found:
            return 0
        linked = {src for src, _, _ in self.store.links(user, [r.id for r in found],
                                                        kind=DERIVED_FROM)}
        return self._drop(user, [r for r in found if r.id not in linked])

    # ------------------------------------------------------------- summaries
    def _derived(self, user: Scope, what: str) -> dict[str | None, list[Record]]:
        kind = "profile" if what == "profile" else "summary"
        out: dict[str | None, list[Record]] = {}
        for record in self.store.find(user, Filters(kinds=(kind,), include_archived=True)):
            if record.metadata.get("derived") == what:
                out.setdefault(record.metadata.get("of_session"), []).append(record)
        return out

    def _session(self, user: Scope, sid: str, llm: Any, existing: list[Record],
                 report: ConsolidationReport) -> None:
        now = utcnow()
        turns = [r for r in self.store.find(user, Filters(session_id=sid, kinds=("turn",),
                                                          include_archived=True))
                 if _is_current(r, now)]
        if not turns:
            report.removed += self._drop(user, existing)
            return
        method = "llm" if llm is not None else "extractive"
        fingerprint = _fingerprint("session", sid, method,
                                   [(t.id, t.content_hash) for t in turns])
        if len(existing) == 1 and existing[0].metadata.get("fingerprint") == fingerprint:
            report.unchanged += 1
            return
        k = min(6, math.ceil(len(turns) / 4))  # one quoted turn per four, at most six
        if llm is not None:
            body = "\n".join(_quote(t) for t in turns)
            text = _complete(llm, _SESSION_PROMPT.format(n=k, date=_date(turns[0].timestamp),
                                                         turns=body), self.max_chars)
            quoted = [t.id for t in turns]
        else:
            chosen = [turns[i] for i in select_salient(turns, k)]
            text = f"Conversation on {_date(turns[0].timestamp)}. " + " ".join(
                _quote(t) for t in chosen)
            quoted = [t.id for t in chosen]
        meta = {"derived": "session", "method": method, "of_session": sid, "sources": quoted,
                "inputs": len(turns), "fingerprint": fingerprint}
        report.removed += self._drop(user, existing)
        record = self._write(user, "summary", text, meta, [t.id for t in turns],
                             session_id=sid, agent_id=turns[0].agent_id,
                             timestamp=turns[-1].timestamp)
        report.written.append(record.id)

    def _user_summary(self, user: Scope, llm: Any, report: ConsolidationReport, *,
                      only_if_exists: bool = False, force: bool = False) -> None:
        existing = [r for rs in self._derived(user, "user").values() for r in rs]
        if only_if_exists and not existing:
            return
        sessions = sorted((r for rs in self._derived(user, "session").values() for r in rs),
                          key=lambda r: (r.timestamp or utcnow(), r.id))
        if len(sessions) < 2:  # one session: its own summary says it all
            report.removed += self._drop(user, existing)
            return
        method = "llm" if llm is not None else "extractive"
        fingerprint = _fingerprint("user", method,
                                   [s.metadata.get("fingerprint") for s in sessions])
        if (not force and len(existing) == 1
                and existing[0].metadata.get("fingerprint") == fingerprint):
            report.unchanged += 1
            report.user_summary_id = existing[0].id
            return
        now = utcnow()
        if llm is not None:
            text = _complete(llm, _USER_PROMPT.format(
                user=user.user_id, n=min(10, 2 * len(sessions)),
                summaries="\n".join(f"- {s.text}" for s in sessions)), self.max_chars)
            inputs = list(dict.fromkeys(dst for _, dst, _ in self.store.links(
                user, [s.id for s in sessions], kind=DERIVED_FROM)))
            quoted = inputs
        else:
            wanted = [i for s in sessions for i in s.metadata.get("sources", [])]
            turns = [r for r in self.store.get(user, wanted) if _is_current(r, now)]
            chosen = [turns[i] for i in select_salient(turns, min(10, max(3, len(sessions))))]
            text = f"Summary of {user.user_id}'s conversations. " + " ".join(
                f"({_date(t.timestamp)}) {_quote(t)}" for t in chosen)
            quoted = inputs = [t.id for t in chosen]
        meta = {"derived": "user", "method": method, "sources": quoted,
                "inputs": len(sessions), "fingerprint": fingerprint}
        report.removed += self._drop(user, existing)
        record = self._write(user, "summary", text, meta, inputs,
                             timestamp=sessions[-1].timestamp)
        report.written.append(record.id)
        report.user_summary_id = record.id

    # --------------------------------------------------------------- profile
    def profile(self, scope: Scope) -> tuple[Profile, bool]:
        """The user's profile, rebuilt from the current records; (profile, changed)."""
        user = Scope(scope.user_id)
        # archived (faded) records still hold stable facts; superseded ones do not
        records = self.store.find(user, Filters(kinds=(*RAW_KINDS, "fact"),
                                                include_archived=True))
        profile = build_profile(user.user_id, records)
        existing = [r for rs in self._derived(user, "profile").values() for r in rs]
        facts = [(f.attribute, f.relation, f.value, f.source_id) for f in profile.facts]
        fingerprint = _fingerprint("profile", facts)
        if len(existing) == 1 and existing[0].metadata.get("fingerprint") == fingerprint:
            profile.record_id = existing[0].id
            profile.updated_at = existing[0].created_at
            return profile, False
        self._drop(user, existing)
        if not profile.facts:
            return profile, bool(existing)
        meta = {"derived": "profile", "method": "extractive", "sources": profile.sources,
                "fingerprint": fingerprint, "profile": profile.to_dict()["facts"]}
        record = self._write(user, "profile", profile.text(), meta, profile.sources)
        profile.record_id = record.id
        profile.updated_at = record.created_at
        return profile, True

    # ------------------------------------------------------------ plumbing
    def _write(self, user: Scope, kind: str, text: str, metadata: dict[str, Any],
               sources: Sequence[str], *, session_id: str | None = None,
               agent_id: str | None = None, timestamp: datetime | None = None) -> Record:
        now = utcnow()
        unique = f"{metadata['derived']}\x00{metadata.get('of_session') or ''}\x00{text}"
        record = Record(id=new_id(), kind=kind, text=text,  # type: ignore[arg-type]
                        user_id=user.user_id, agent_id=agent_id, session_id=session_id,
                        timestamp=timestamp or now, created_at=now, updated_at=now,
                        metadata=metadata, content_hash=content_hash(kind, unique),
                        valid_from=timestamp or now)
        vectors = self.embed([text])
        links = [Link(DERIVED_FROM, s) for s in dict.fromkeys(sources)]
        keys = expand_record(record, self.expand)  # searchable like any other record
        (stored, _), = self.store.add([NewRecord(record, text, keys, links=links)], vectors)
        return stored

    def _drop(self, user: Scope, records: Sequence[Record]) -> int:
        if not records:
            return 0
        return self.store.delete(user, [r.id for r in records],
                                 reason="derived record rebuilt from its sources")
