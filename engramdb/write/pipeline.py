"""One write pipeline: every way into the memory runs the same ordered, named steps.

``add``, ``add_many``, ``add_session`` and ``import`` (``add_exported``) each build a
:class:`WriteBatch` and hand it to :meth:`WritePipeline.run`, which runs

1. ``validate``  – refuse bad input before anything is written (texts, fields, turns);
2. ``redact``    – replace PII spans by placeholders (texts and metadata);
3. ``expand``    – build the records and the index keys they are found by;
4. ``extract``   – the facts the records state: slot facts for knowledge updates, and
   for conversation turns ``kind="fact"`` records from the :class:`Extractor`;
5. ``embed``     – vectors for every record, in batches;
6. ``merge``     – a near-duplicate memory is merged into the one it repeats;
7. ``store``     – one atomic write (a repeat of a superseded memory is reasserted);
8. ``supersede`` – newer facts close the older ones; capacity is enforced.

Steps 1-5 run over the whole batch; 6-8 over each *unit* of it: the whole batch,
except for memories that may merge, which are written one by one so that a
near-duplicate later in a batch merges into an earlier one. A restore (import of
an export) skips what the file already holds the outcome of: redaction, fact
extraction, merge and supersession.

:meth:`WritePipeline.run_many` is the one way through: it writes many batches (a bulk
import, ``Memory.add_sessions``) each as it would be written alone, but embeds runs of
them together: the model then gets long, length-sorted batches instead of one short
batch per session (BENCHMARKS.md, write speed). ``run`` is ``run_many`` of one.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, wait
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import numpy as np

from .._errors import InvalidInputError
from .._intake import Intake, coerce_turn, index_text, memory_fields, when
from .._models import (ExportedRecord, Filters, Record, Scope, Session, Turn, check_text, new_id,
                       utcnow)
from ..lifecycle.updates import UpdateTracker, owner_of
from ..recall.expand import ExpandOptions, expand_record, expand_session, rekey_followers
from ..store import NewRecord, Store
from ..text.slots import Statement, norm_value, refines, same_value
from .extract import ExtractedFact, Extractor, TurnInput
from .facts import FACT_KIND, fact_items, malformed, statement_of

__all__ = ["COMMIT_STEPS", "PREPARE_STEPS", "STEPS", "WriteBatch", "WritePipeline",
           "session_batch", "session_batches"]

PREPARE_STEPS = ("validate", "redact", "expand", "extract", "embed")
COMMIT_STEPS = ("merge", "store", "supersede")
STEPS = PREPARE_STEPS + COMMIT_STEPS

Mode = Literal["memory", "session", "restore"]

#: turns prepared and embedded together by run_many: ~1,800 sentence parts, a few
#: embedder calls of BATCH_SIZE (more gains nothing and delays the first write)
_MANY_TURNS = 1000

log = logging.getLogger(__name__)


@dataclass
class WriteBatch:
    """What one call writes, as it goes through the steps."""

    scope: Scope
    mode: Mode
    given: Sequence[Any]  # texts/mappings, turns, or exported records, as the caller gave
    kind: str = "memory"
    redact: bool | Sequence[str] | None = None
    merge: bool | None = None
    started_at: datetime | str | None = None
    metadata: Mapping[str, Any] | None = None
    append: bool = False  # a session id was given: a batch may continue a stored session
    session: Session | None = None
    fields: list[dict[str, Any]] = field(default_factory=list)  # memory mode
    turns: list[Turn] = field(default_factory=list)  # session mode
    items: list[NewRecord] = field(default_factory=list)
    facts: list[NewRecord] = field(default_factory=list)  # derived fact records
    meta: list[dict[str, Any] | None] = field(default_factory=list)  # redacted, per item
    vectors: np.ndarray | None = None
    pending: dict[str, list[Statement]] = field(default_factory=dict)
    written: list[tuple[Record, bool]] = field(default_factory=list)

    def unit(self, i: int) -> WriteBatch:
        """Item ``i`` alone (a memory written on its own)."""
        rid = self.items[i].record.id
        return replace(self, items=[self.items[i]], meta=[self.meta[i]], facts=[],
                       vectors=None if self.vectors is None else self.vectors[i:i + 1],
                       pending={rid: self.pending[rid]} if rid in self.pending else {},
                       written=[])


class WritePipeline:
    """The steps of :mod:`engramdb.write.pipeline`, for one :class:`~engramdb.Memory`."""

    def __init__(self, store: Store, intake: Intake, updates: UpdateTracker, *,
                 embed: Callable[[Sequence[str], Sequence[str | None] | None], np.ndarray],
                 check_embedder: Callable[[], None], expand: ExpandOptions,
                 merge_threshold: float | None, extractor: Extractor | None,
                 refresh: Callable[[Sequence[str], str], None],
                 enforce_capacity: Callable[[Scope], None]) -> None:
        self.store = store
        self.intake = intake
        self.updates = updates
        self.embed_records = embed
        self.check_embedder = check_embedder
        self.expand_options = expand
        self.merge_threshold = merge_threshold
        self.extractor = extractor
        self.refresh = refresh
        self.enforce_capacity = enforce_capacity
        self._merge_lock = threading.Lock()

    # ------------------------------------------------------------------ run
    def steps(self) -> dict[str, Callable[[WriteBatch], None]]:
        """The steps by name, in order."""
        return {"validate": self.validate, "redact": self.redact, "expand": self.expand,
                "extract": self.extract, "embed": self.embed, "merge": self.merge,
                "store": self.write, "supersede": self.supersede}

    def run(self, batch: WriteBatch) -> list[Record]:
        """One call's batch: :meth:`run_many` of one."""
        return self.run_many([batch])[0]

    def run_many(self, batches: Sequence[WriteBatch]) -> list[list[Record]]:
        """Batches written one after the other, each as if it came alone (a session
        atomically, memories one by one where they may merge), with the records of runs
        of them embedded together: the model then gets long, length-sorted calls rather
        than one short call per session. All are validated before any is written; a
        session continued later in the same call is prepared after its start is stored."""
        steps = self.steps()
        for batch in batches:
            steps["validate"](batch)
        out: list[list[Record]] = []
        for group in _groups(batches):
            for batch in group:
                steps["redact"](batch)
                self._records(batch)  # all the embedder needs: it starts on them now
            records = self._embed_records_in_background(group)
            try:  # keys (the language analyser) meanwhile, on the other core
                for batch in group:
                    steps["expand"](batch)
            except BaseException:
                if records is not None:
                    wait([records])  # nothing of this call runs on after it failed
                raise
            vectors = records.result() if records is not None else None
            # facts once the records' vectors are there: the rules' general path reads by
            # meaning the passages the embedder just cached (write.extract), not again
            for batch in group:
                steps["extract"](batch)
            self._embed_together(group, vectors)
            for batch in group:
                steps["embed"](batch)  # the vectors are there: nothing left to embed
            out.extend(self._committed(batch) for batch in group)
        return out

    def _committed(self, batch: WriteBatch) -> list[Record]:
        if batch.mode == "memory" and self._merging(batch):
            # check-then-write as one step for this process's threads and, through the
            # store's lock, for every process: two near-duplicates added at once must not
            # both miss each other
            with self._merge_lock, self.store.user_lock(batch.scope, "merge"):
                return [r for i in range(len(batch.items)) for r in self._commit(batch.unit(i))]
        return self._commit(batch)

    def _embed_records_in_background(self, group: Sequence[WriteBatch]
                                     ) -> Future[np.ndarray] | None:
        """The vectors of the group's records (not their facts, found later), computed on
        another thread while this one builds keys and facts: the embedder's workers
        leave part of the cores idle on a session's few texts, the analyser fills it."""
        news = [n for b in group if b.vectors is None for n in b.items]
        if not news:
            return None
        self.check_embedder()
        done: Future[np.ndarray] = Future()

        def work() -> None:
            try:
                done.set_result(self.embed_records([n.index_text for n in news],
                                                   [n.record.speaker for n in news]))
            except BaseException as exc:  # handed to the caller by result()
                done.set_exception(exc)

        threading.Thread(target=work, name="engramdb-embed", daemon=True).start()
        return done

    def _embed_together(self, group: Sequence[WriteBatch],
                        records: np.ndarray | None) -> None:
        """Each batch's vectors: its records' (embedded in the background) then its
        facts', all the group's facts in one call."""
        facts = [n for b in group if b.vectors is None for n in b.facts]
        found = np.zeros((0, 0), dtype=np.float32)
        if facts:
            self.check_embedder()
            found = self.embed_records([n.index_text for n in facts],
                                       [n.record.speaker for n in facts])
        at_record = at_fact = 0
        for batch in group:
            if batch.vectors is not None or not (batch.items or batch.facts):
                continue
            parts = []
            if batch.items:
                assert records is not None
                parts.append(records[at_record:at_record + len(batch.items)])
                at_record += len(batch.items)
            if batch.facts:
                parts.append(found[at_fact:at_fact + len(batch.facts)])
                at_fact += len(batch.facts)
            batch.vectors = np.concatenate(parts) if len(parts) > 1 else parts[0]

    def _commit(self, unit: WriteBatch) -> list[Record]:
        steps = self.steps()
        for step in COMMIT_STEPS:
            steps[step](unit)
        return [record for record, _ in unit.written if record.kind != "fact"]

    def _merging(self, batch: WriteBatch) -> bool:
        return batch.kind == "memory" and self.merge_threshold is not None \
            and batch.merge is not False

    def rederive(self, scope: Scope, turn: Record) -> list[str]:
        """A turn's text changed: drop the facts read from it and read it again (the
        extract, embed, store and supersede steps on its facts alone). Returns the ids of
        the facts dropped."""
        linked = self.store.links(scope, [turn.id], kind="derived_from", incoming=True)
        old = [r.id for r in self.store.get(scope, [src for src, _, _ in linked])
               if r.kind == "fact"]
        if old:  # a fact it closed is reinstated by the store, then closed again below
            self.store.delete(scope, old, reason="its source turn changed")
        if self.extractor is None or turn.kind != "turn":
            return old
        batch = WriteBatch(Scope(turn.user_id, turn.agent_id, turn.session_id), "session", [])
        batch.items = [NewRecord(turn, turn.text)]
        self.extract(batch)
        batch.items = []  # the turn is stored already: only its facts are written
        for step in (self.embed, self.write, self.supersede):
            step(batch)
        return old

    def update(self, scope: Scope, old: Record, text: str, reason: str | None) -> Record:
        """``Memory.update``: ``old`` gets ``text`` (already checked and redacted) with new
        vectors and keys; the keys of the turns quoting it, its slot facts, the facts read
        from it and what was derived from them follow."""
        index = index_text(replace(old, text=text))
        self.check_embedder()
        vector = self.embed_records([index], [old.speaker])[0]
        before = self.store.neighbours(scope, old, self.expand_options.window_before, 0)
        keys = expand_session([*before, replace(old, text=text)], None, self.expand_options)[-1]
        new = self.store.update(scope, old.id, text=text, index_text=index, vector=vector,
                                reason=reason, keys=keys)
        rekey_followers(self.store, scope, new, self.expand_options)
        closed = self.updates.refresh(scope, new)  # its slot facts changed with its text
        self.rederive(scope, new)  # and so did the facts read from it
        self.refresh([old.id, *(c.old_id for c in closed)], scope.user_id)
        return new

    # ------------------------------------------------------------- 1 validate
    def validate(self, batch: WriteBatch) -> None:
        if batch.mode == "memory":
            empty = {"timestamp": None, "metadata": None, "importance": None}
            batch.fields = [{**empty, **memory_fields(item, i)}
                            for i, item in enumerate(batch.given)]
            for f in batch.fields:
                f["text"] = check_text(f["text"], limit=self.intake.max_text_chars)
        elif batch.mode == "session":
            batch.turns = [coerce_turn(i, t) for i, t in enumerate(batch.given)]
            if not batch.turns:
                raise InvalidInputError("a session needs at least one turn")
            for i, turn in enumerate(batch.turns):
                check_text(turn.text, what=f"turn {i} text", limit=self.intake.max_text_chars)
        else:
            batch.items = [self.intake.restored(item) for item in batch.given]

    # --------------------------------------------------------------- 2 redact
    def redact(self, batch: WriteBatch) -> None:
        if batch.mode == "memory":
            for f in batch.fields:
                f["text"], f["metadata"] = self.intake.redacted(f["text"], f["metadata"],
                                                                batch.redact)
        elif batch.mode == "session" and batch.redact is not False \
                and (self.intake.redact or batch.redact):
            batch.turns = [self.intake.redacted_turn(t, batch.redact) for t in batch.turns]
            _, batch.metadata = self.intake.redacted(".", batch.metadata, batch.redact)

    # --------------------------------------------------------------- 3 expand
    def _records(self, batch: WriteBatch) -> None:
        """The records a batch writes, before their keys (the first half of ``expand``)."""
        if batch.items or batch.mode == "restore":
            return
        if batch.mode == "memory":
            for f in batch.fields:
                record = self.intake.record(batch.scope, f["text"], kind=batch.kind,
                                            timestamp=when(f["timestamp"]),
                                            metadata=f["metadata"], importance=f["importance"])
                batch.items.append(NewRecord(record, record.text))
                batch.meta.append(f["metadata"])
        else:
            self._session_items(batch)

    def expand(self, batch: WriteBatch) -> None:
        self._records(batch)
        if batch.mode == "session" or batch.session is not None:
            # a turn's keys quote the turns before it
            start = batch.session.started_at if batch.session is not None else None
            keys = expand_session([n.record for n in batch.items], start, self.expand_options)
            for new, its_keys in zip(batch.items, keys):
                new.keys.extend(its_keys)
        else:  # stand-alone and derived records (keyed as the consolidator keys them)
            for new in batch.items:
                new.keys.extend(expand_record(new.record, self.expand_options))

    def _session_items(self, batch: WriteBatch) -> None:
        scope, turns = batch.scope, batch.turns
        start = when(batch.started_at) or turns[0].timestamp or utcnow()
        batch.items = [self.intake.turn_item(scope, i, t, start) for i, t in enumerate(turns)]
        first = self._append_position(scope, batch.items) if batch.append else 0
        if first:
            batch.items = [self.intake.turn_item(scope, i, t, start, first)
                           for i, t in enumerate(turns)]
        batch.session = Session(scope.session_id or "", scope.user_id, scope.agent_id, start,
                                tuple(dict.fromkeys(t.speaker for t in turns)),
                                self.intake.metadata(batch.metadata))

    def _append_position(self, scope: Scope, items: Sequence[NewRecord]) -> int:
        """Where a batch for a stored session starts: 0 when it repeats the session's
        first turns (a re-import is idempotent), else after the last stored turn (an
        appended batch continues: "yes" said in two batches is two turns)."""
        stored = self.store.find(scope, Filters(session_id=scope.session_id, kinds=("turn",),
                                                include_archived=True))
        if not stored or {i.record.content_hash for i in items} <= {
                r.content_hash for r in stored}:
            return 0
        return max(r.position or 0 for r in stored) + 1

    # -------------------------------------------------------------- 4 extract
    def extract(self, batch: WriteBatch) -> None:
        if batch.mode == "restore":  # slot facts only: the file says what is superseded
            self.updates.prepare(batch.items)
            return
        if batch.mode == "memory":
            batch.pending = self.updates.prepare(batch.items)
            return
        if self.extractor is None:
            return
        turns = {item.record.id: item.record for item in batch.items}
        inputs = [_turn_input(r) for r in turns.values()]
        facts = self._new(batch.scope, [f for f in self._extracted(inputs) if self._keep(f, turns)])
        speakers = _speakers(inputs)
        for item, fact in fact_items(batch.scope, facts, turns, self.extractor.name, speakers):
            item.keys.extend(expand_record(item.record, self.expand_options))
            batch.facts.append(item)  # it holds its statement, for supersession
            self.updates.attach(item, [statement_of(fact)], batch.pending)

    def _extracted(self, inputs: list[TurnInput]) -> list[ExtractedFact]:
        assert self.extractor is not None
        stats = getattr(self.extractor, "stats", None)
        try:
            found = list(self.extractor.extract(inputs))
        except Exception:  # an extractor bug must never lose the turns themselves
            if stats is not None:
                stats.skip("extractor error", len(inputs))
            return []
        kept = []
        for fact in found:  # nor can a fact that cannot be stored
            if (reason := malformed(fact)) is None:
                kept.append(fact)
            elif stats is not None:
                stats.skip(reason)
        return kept

    def _new(self, scope: Scope, facts: list[ExtractedFact]) -> list[ExtractedFact]:
        """Less what is already current: a value said again ("Biscuit is ..." after "my
        beagle Biscuit") is no second fact competing with the first for the same
        questions; a more precise one stays (it refines the old one)."""
        if not facts:
            return facts
        held = [(r.metadata.get("subject"), r.metadata.get("family"), r.metadata.get("attribute"),
                 r.metadata.get("value")) for r in self.store.find(
                     Scope(scope.user_id), Filters(kinds=(FACT_KIND,)))
                if r.metadata.get("polarity", True) and r.metadata.get("value")]
        return [f for f in facts if not (f.polarity and f.value is not None and any(
            subject == f.subject and family == f.family and _said(attribute, value, f)
            for subject, family, attribute, value in held))]

    def _keep(self, fact: ExtractedFact, turns: Mapping[str, Record]) -> bool:
        """Facts sure enough to state (a plan or a maybe is not a fact)."""
        return fact.confidence >= self.updates.threshold and \
            any(t in turns for t in fact.source_turns)

    # ---------------------------------------------------------------- 5 embed
    def embed(self, batch: WriteBatch) -> None:
        news = batch.items + batch.facts
        if not news or batch.vectors is not None:
            return
        self.check_embedder()
        batch.vectors = self.embed_records([n.index_text for n in news],
                                           [n.record.speaker for n in news])

    # ---------------------------------------------------------------- 6 merge
    def merge(self, unit: WriteBatch) -> None:
        if unit.mode != "memory" or not self._merging(unit):
            return
        from ..lifecycle.merge import find_duplicate, merge_into

        record, vectors = unit.items[0].record, unit.vectors
        assert vectors is not None
        dup = find_duplicate(self.store, unit.scope, record.text, vectors[0],
                             self.merge_threshold or 1.0)
        if dup is not None and dup.record.content_hash != record.content_hash:
            merged = merge_into(self.store, unit.scope, dup, record.text, unit.meta[0],
                                record.importance)
            unit.written = [(merged, False)]
            unit.items = []

    # ---------------------------------------------------------------- 7 store
    def write(self, unit: WriteBatch) -> None:
        news = unit.items + unit.facts
        if not news and unit.session is None:
            return
        written = self.store.add(news, unit.vectors if news else None, unit.session)
        if unit.mode != "restore":
            # a repeat of a superseded fact makes it current again (then supersedes in turn)
            written = self.updates.reassert(news, written, unit.pending)
        log.debug("wrote %d record(s), %d new, for user %s", len(written),
                  sum(created for _, created in written), unit.scope.user_id)
        unit.written = written

    # ------------------------------------------------------------ 8 supersede
    def supersede(self, unit: WriteBatch) -> None:
        if unit.mode == "restore":
            return
        written = unit.written
        for user in dict.fromkeys(r.user_id for r, created in written if created):
            mine = [(r, c) for r, c in written if r.user_id == user]
            closed = self.updates.apply(Scope(user), mine, unit.pending) if unit.pending else []
            if closed:
                log.info("%d fact(s) of user %s superseded by newer ones", len(closed), user)
                self.refresh([c.old_id for c in closed], user)
            self.enforce_capacity(Scope(user))


def _said(attribute: str, value: str, fact: ExtractedFact) -> bool:
    """``fact`` says the held value again, or less of it ("Headingley" of "Headingley,
    Leeds"); a pet is its name, whatever kind it is called ("dog Biscuit", "beagle Biscuit")."""
    if fact.family == "pet":
        value, said = _pet_name(value), _pet_name(fact.value or "")
    else:
        said = fact.value or ""
    old, new = norm_value(attribute, value), norm_value(fact.attribute, said)
    return same_value(old, new) or refines(new, old)


def _pet_name(value: str) -> str:
    """"beagle Biscuit" -> "Biscuit": the kind as said is lower case, the name is not."""
    words = value.split()
    while len(words) > 1 and words[0].islower():
        words.pop(0)
    return " ".join(words)


def session_batch(turns: Sequence[Any], *, user_id: str, session_id: str | None = None,
                  agent_id: str | None = None, started_at: datetime | str | None = None,
                  metadata: Mapping[str, Any] | None = None,
                  redact: bool | Sequence[str] | None = None) -> WriteBatch:
    """The batch :meth:`Memory.add_session` writes for these arguments."""
    scope = Scope(user_id, agent_id, session_id or new_id())
    return WriteBatch(scope, "session", list(turns), started_at=started_at, metadata=metadata,
                      redact=redact, append=session_id is not None)


_SESSION_FIELDS = frozenset({"turns", "session_id", "started_at", "metadata"})


def session_batches(sessions: Iterable[Any], *, user_id: str, agent_id: str | None = None,
                    redact: bool | Sequence[str] | None = None) -> list[WriteBatch]:
    """The batches :meth:`Memory.add_sessions` writes: each session a mapping with
    ``turns`` and optional ``session_id``, ``started_at``, ``metadata``."""
    if isinstance(sessions, (str, bytes, Mapping)):
        raise InvalidInputError("sessions must be a list of {'turns': [...], ...} mappings")
    out = []
    for i, session in enumerate(sessions):
        if not isinstance(session, Mapping) or "turns" not in session:
            raise InvalidInputError(f"session {i} must be a mapping with 'turns' (and "
                                    "optional session_id, started_at, metadata)")
        unknown = sorted(set(session) - _SESSION_FIELDS)
        if unknown:
            raise InvalidInputError(f"session {i} has unknown fields {unknown}; allowed: "
                                    f"{sorted(_SESSION_FIELDS)}")
        turns = session["turns"]
        if isinstance(turns, (str, bytes, Mapping)) or not isinstance(turns, Iterable):
            raise InvalidInputError(f"session {i}: 'turns' must be a list of turns")
        out.append(session_batch(list(turns), user_id=user_id, agent_id=agent_id,
                                 session_id=session.get("session_id"),
                                 started_at=session.get("started_at"),
                                 metadata=session.get("metadata"), redact=redact))
    return out


def _groups(batches: Sequence[WriteBatch]) -> list[list[WriteBatch]]:
    """Consecutive runs of about _MANY_TURNS turns (or records) in which no scope repeats
    (a continued session finds where it goes on from the stored turns; a memory may
    merge into one written by an earlier batch)."""
    groups: list[list[WriteBatch]] = [[]]
    seen: set[tuple[str, str | None, str | None]] = set()
    turns = 0
    for batch in batches:
        key = (batch.scope.user_id, batch.scope.agent_id, batch.scope.session_id)
        if groups[-1] and (key in seen or turns >= _MANY_TURNS):
            groups.append([])
            seen, turns = set(), 0
        groups[-1].append(batch)
        seen.add(key)
        turns += len(batch.turns) or len(batch.given)
    return groups


def _turn_input(record: Record) -> TurnInput:
    return TurnInput(record.id, record.text, record.speaker,
                     record.timestamp or record.created_at or utcnow(), owner_of(record),
                     record.role)


def _speakers(turns: Sequence[TurnInput]) -> dict[str, str]:
    """Display names of the owners ("user" -> "Maya")."""
    out: dict[str, str] = {}
    for t in turns:
        if t.owner and t.speaker and t.speaker.lower() not in ("user", "me"):
            out.setdefault(t.owner, t.speaker)
    return out


def exported_batch(scope: Scope, items: Sequence[ExportedRecord],
                   session: Session | None) -> WriteBatch:
    return WriteBatch(scope, "restore", items, session=session)
