"""``Memory``: the one facade of engramdb. Every call is scoped by ``user_id``."""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any, overload

from ._embedding import MemoryVectors
from ._errors import InvalidInputError
from ._validate import checked
from ._intake import Intake, bounded, index_text, seconds, when
from ._models import (
    AuditEntry,
    ExportedRecord,
    Filters,
    Hit,
    Record,
    RecordKind,
    Scope,
    Session,
    Stats,
    Turn,
    Version,
    check_id,
    check_text,
    utcnow,
)
from .embed import Embedder
from .embed._deferred import for_database
from .recall.confidence import Calibrator, Recall
from .lifecycle.consolidate import ConsolidationReport, Consolidator
from .lifecycle.decay import ArchivePlan, DecayPolicy
from .lifecycle.archive import archive_faded, check_archived, check_capacity, reinforce
from .lifecycle.erasure import Deleted, Erasure, Forgotten
from .lifecycle.profile import Profile
from .lifecycle.updates import DEFAULT_THRESHOLD, UpdateJudge, UpdateTracker
from .recall.context import ContextRetriever
from .recall.current import LatestModel
from .recall.expand import ExpandOptions
from .recall.pipeline import PLAIN_CANDIDATES, RecallConfig, Retriever
from .recall.signals import ingest_kinds
from .store import Store, open_store
from .recall.nlp import get_analyzer
from .write import Extractor, WriteBatch, WritePipeline, extractor_for
from .write.pipeline import session_batch, session_batches

__all__ = ["Memory", "default_path"]

def default_path() -> Path:
    """Where ``Memory()`` keeps its file when no path is given."""
    return Path.home() / ".engramdb" / "memory.db"


@checked
class Memory:
    """Long-term memory for assistants and agents, in one SQLite file by default.

    >>> m = Memory(":memory:", embedder="fake")
    >>> rec = m.add("I moved to Berlin last May.", user_id="ana")
    >>> m.search("where does Ana live?", user_id="ana")[0].text
    'I moved to Berlin last May.'

    ``embedder`` None (the default) opens an existing file with the embedder it records
    (built on the first text embedded; if it cannot run here, that call names the extra
    it needs) and gives a new file ``embed.default_embedder()``: ``minilm-int8`` where
    onnxruntime is installed, else ``minilm``. ``reembed()`` moves a file to another.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 embedder: str | Embedder | None = None, store: Store | None = None,
                 recall: RecallConfig | None = None, busy_timeout: float = 5.0,
                 max_text_chars: int = 100_000, max_metadata_bytes: int = 65_536,
                 redact: bool | Sequence[str] | None = None, merge: bool = True,
                 reinforce: bool = True, update_threshold: float = DEFAULT_THRESHOLD,
                 update_judge: UpdateJudge | None = None, decay: DecayPolicy | None = None,
                 capacity: int | None = None, expand: ExpandOptions | None = None,
                 synchronous: str = "normal",
                 extractor: Extractor | str | None = "rules",
                 nlp: str | None = None) -> None:
        from .lifecycle.merge import cosine_threshold
        from .lifecycle.privacy import resolve_kinds

        self._intake = Intake(max_text_chars, max_metadata_bytes, resolve_kinds(redact))
        seconds("busy_timeout", busy_timeout)
        self.store = store if store is not None else open_store(
            default_path() if path is None else path, busy_timeout=busy_timeout,
            synchronous=synchronous)
        try:  # None: the embedder the file records (built on first use), else the default
            self.embedder: Embedder = for_database(embedder, self.store.meta("embedder"))
        except BaseException:
            if store is None:
                self.store.close()
            raise
        #: dense cosine for a near-duplicate memory merge; None disables merging
        self.merge_threshold = cosine_threshold(self.embedder.name) if merge else None
        #: which expanded keys each ingested turn is indexed under (recall.expand)
        self.expand = expand or ExpandOptions()
        if nlp is not None:  # "auto", "spacy" or "rules" (engramdb.text.nlp)
            self.expand = replace(self.expand, nlp=nlp)
        self.nlp = get_analyzer(self.expand.nlp)
        self.expand = replace(self.expand, nlp="spacy" if self.nlp.name != "rules" else "rules")
        self._vectors = MemoryVectors(self.embedder, self.store, pooled=self.expand.pooled)
        self._queries = self._vectors.queries  # a dialogue query re-sends its turns
        self._embed, self._embed_query = self._vectors.embed, self._vectors.embed_query
        self._embed_records, self._check_embedder = (self._vectors.embed_records,
                                                     self._vectors.check)
        self._retriever = Retriever(self.store, self._embed_query, recall)
        if self.expand.kinds is None:  # ingest builds only the keys of the signals that are on
            self.expand = replace(self.expand,
                                  kinds=ingest_kinds(self._retriever.config.weights))
        self._context = ContextRetriever(self.store, self._embed)
        self._retriever._graphs.analyzer = self.nlp
        turn_vectors = self._retriever.turn_vectors  # recall.multivec: off by default
        turn_vectors.embed, turn_vectors.split = self._vectors.embed_parts, self._vectors.parts
        self._retriever.calibrator = Calibrator.for_embedder(self.embedder.name)
        self._retriever.latest = LatestModel.for_embedder(self.embedder.name)
        self._consolidator = Consolidator(self.store, self._embed_records, self.expand,
                                          max_chars=max_text_chars)
        #: recall strengthens the records it returns (MemoryBank); one UPDATE per search
        self.reinforce = reinforce
        self.decay_policy = decay or DecayPolicy()
        #: most active records a user keeps; beyond it the weakest are archived on write
        self.capacity = check_capacity(capacity)
        self._updates = UpdateTracker(self.store, threshold=update_threshold, judge=update_judge)
        self._retriever.adjust = self._lifecycle_rank
        #: finds facts in conversation turns (engramdb.write.extract); None: turns only
        self.extractor = extractor_for(extractor, self._vectors.passages)
        self._pipeline = WritePipeline(
            self.store, self._intake, self._updates, embed=self._embed_records,
            check_embedder=self._check_embedder, expand=self.expand,
            merge_threshold=self.merge_threshold, extractor=self.extractor,
            refresh=lambda ids, user: self.refresh_derived(ids, user_id=user),
            enforce_capacity=self._enforce_capacity)

    @property
    def max_text_chars(self) -> int:
        return self._intake.max_text_chars

    @property
    def max_metadata_bytes(self) -> int:
        return self._intake.max_metadata_bytes

    @property
    def redact(self) -> tuple[str, ...]:
        """PII kinds replaced by placeholders at ingest (engramdb.lifecycle.privacy)."""
        return self._intake.redact

    # ------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- write
    @overload
    def add(self, text: str, *, user_id: str, agent_id: str | None = None,
            session_id: str | None = None, timestamp: datetime | str | None = None,
            metadata: Mapping[str, Any] | None = None, importance: float | None = None,
            kind: RecordKind = "memory", redact: bool | Sequence[str] | None = None,
            merge: bool | None = None) -> Record: ...

    @overload
    def add(self, text: Sequence[Mapping[str, Any] | Turn], *, user_id: str,
            agent_id: str | None = None, session_id: str | None = None,
            timestamp: datetime | str | None = None,
            metadata: Mapping[str, Any] | None = None, importance: float | None = None,
            kind: RecordKind = "memory", redact: bool | Sequence[str] | None = None,
            merge: bool | None = None) -> builtins.list[Record]: ...

    def add(self, text: str | Sequence[Mapping[str, Any] | Turn], *, user_id: str,
            agent_id: str | None = None, session_id: str | None = None,
            timestamp: datetime | str | None = None,
            metadata: Mapping[str, Any] | None = None, importance: float | None = None,
            kind: RecordKind = "memory", redact: bool | Sequence[str] | None = None,
            merge: bool | None = None) -> Record | builtins.list[Record]:
        """Store a stand-alone memory (fact, note). The same text twice is stored once, and
        a near-duplicate memory is merged into the one it repeats (``merge=False`` to keep
        both); ``redact`` overrides the instance's PII redaction for this call.

        A list of chat messages (``[{"role": "user", "content": "..."}, ...]``, the shape
        chat APIs and mem0 use) is stored as a conversation session instead, every
        message a turn (:meth:`add_session`; ``timestamp`` is its start, ``metadata`` is
        kept on every turn), and the turns' records are returned."""
        if isinstance(text, (list, tuple)):
            if kind != "memory" or importance is not None or merge is not None:
                raise InvalidInputError("kind, importance and merge apply to one memory, "
                                        "not to a list of messages")
            return self.add_session(_with_metadata(text, metadata), user_id=user_id,
                                    session_id=session_id, agent_id=agent_id,
                                    started_at=timestamp, metadata=metadata, redact=redact)
        item = {"text": text, "timestamp": timestamp, "metadata": metadata,
                "importance": importance}
        return self.add_many([item], user_id=user_id, agent_id=agent_id, session_id=session_id,
                             kind=kind, redact=redact, merge=merge)[0]

    def add_many(self, items: Iterable[str | Mapping[str, Any]], *, user_id: str,
                 agent_id: str | None = None, session_id: str | None = None,
                 kind: RecordKind = "memory", redact: bool | Sequence[str] | None = None,
                 merge: bool | None = None) -> builtins.list[Record]:
        """Store many stand-alone memories: each item a text or a mapping with ``text`` and
        optional ``timestamp``, ``metadata``, ``importance``. All are validated before any
        is written and embedded in batches (several times faster than :meth:`add` in a
        loop); they are then written in order, one by one, exactly as :meth:`add` would
        (a near-duplicate later in the batch merges into an earlier one)."""
        batch = WriteBatch(Scope(user_id, agent_id, session_id), "memory", list(items),
                           kind=kind, redact=redact, merge=merge)
        return self._pipeline.run(batch) if batch.given else []

    def add_session(self, turns: Iterable[Turn | Mapping[str, Any]], *, user_id: str,
                    session_id: str | None = None, agent_id: str | None = None,
                    started_at: datetime | str | None = None,
                    metadata: Mapping[str, Any] | None = None,
                    redact: bool | Sequence[str] | None = None) -> list[Record]:
        """Store a conversation session: every turn verbatim (less redacted PII), in order,
        atomically, with the facts the extractor finds in it (``kind="fact"`` records
        linked to their turns; a newer fact closes the older one). Returns the turns."""
        return self._pipeline.run(session_batch(
            list(turns), user_id=user_id, session_id=session_id, agent_id=agent_id,
            started_at=started_at, metadata=metadata, redact=redact))

    def add_sessions(self, sessions: Iterable[Mapping[str, Any]], *, user_id: str,
                     agent_id: str | None = None, redact: bool | Sequence[str] | None = None
                     ) -> builtins.list[builtins.list[Record]]:
        """Store many conversation sessions of one user (a history, an import): each a
        mapping ``{"turns": [...], "session_id"?, "started_at"?, "metadata"?}``, written
        as :meth:`add_session` writes it (atomically, in order, with its facts), but with
        the turns of many sessions embedded together: about 1.4x the rate of
        :meth:`add_session` in a loop (BENCHMARKS.md). All are validated before any is
        written. Returns each session's turns."""
        batches = session_batches(sessions, user_id=user_id, agent_id=agent_id, redact=redact)
        return self._pipeline.run_many(batches) if batches else []

    def add_exported(self, items: Sequence[ExportedRecord], *,
                     session: Session | None = None) -> builtins.list[Record]:
        """Write records exactly as :meth:`export` wrote them: the import side of a
        lossless backup (``engram import`` of a version-2 export).

        Ids, scope, text, timestamps, metadata, version and history, validity
        (``valid_from``/``valid_to``/``superseded_by``), archived state, importance,
        strength, last recall and links are kept as given. Only the indexes are rebuilt
        from the text: full text, expanded keys, vectors (embedder-specific, never
        exported) and slot facts (so that a later write can supersede a restored fact).
        Nothing else runs — no redaction, extraction, merge, supersession or capacity
        check: the file holds their outcome already. With ``session``, ``items`` are its
        turns in order (the session is stored even when there are none). A record whose
        content is already stored is left as it is. One atomic write.
        """
        if not items and session is None:
            return []
        scope = Scope(session.user_id if session is not None else items[0].record.user_id)
        batch = WriteBatch(scope, "restore", list(items), session=session)
        return self._pipeline.run(batch)

    # ------------------------------------------------------------------ read
    def search(self, query: str | None = None, *, user_id: str, limit: int = 10,
               messages: Sequence[Mapping[str, Any]] | None = None, agent_id: str | None = None,
               session_id: str | None = None, since: datetime | str | None = None,
               until: datetime | str | None = None, metadata: Mapping[str, Any] | None = None,
               kinds: Sequence[str] | None = None, speaker: str | None = None,
               context: int = 0, method: str = "engram",
               min_confidence: float | None = None, as_of: datetime | str | None = None,
               include_superseded: bool = False, unit: str = "turn") -> Recall:
        """Recall what is relevant to ``query`` in this user's memory, best first.

        Current facts only by default: a memory superseded by a later one (a knowledge
        update) is left out, a superseded conversation turn ranks lower.
        ``include_superseded=True`` shows history too (superseded hits rank below current
        ones; ``hit.record.superseded`` marks them); ``as_of`` answers what was true then.

        Every hit carries a calibrated ``confidence``; the result is a list of hits that
        also tells whether the engine abstains (``.abstained``, ``.confidence``). With
        ``min_confidence`` hits below it are dropped: "nothing relevant" is then ``[]``.

        ``unit`` sets the granularity: ``"turn"`` (default), ``"window"`` (one hit per
        neighbourhood, with ``context`` turns around it, at least 1) or ``"session"``
        (one hit per session, its best turn, the other turns in ``hit.context``).

        ``messages`` instead of ``query`` recalls from a live conversation (chat messages
        ``{"role", "content"[, "name"]}``, oldest first): what to bring up before the
        next reply (:mod:`engramdb.recall.context`). ``method`` and ``unit`` do not apply.
        """
        scope = Scope(user_id)
        if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
            raise InvalidInputError("min_confidence must be between 0 and 1")
        if messages is not None:
            return self._search_context(scope, messages, query, limit, context,
                                        min_confidence, Filters(
                agent_id=agent_id, session_id=session_id, since=when(since),
                until=when(until), metadata=metadata, kinds=tuple(kinds) if kinds else None,
                speaker=speaker, include_superseded=include_superseded, as_of=when(as_of)))
        check_text(query, what="query", limit=self.max_text_chars)
        bounded("limit", limit, 1, 1000)
        bounded("context", context, 0, 20)
        filters = Filters(agent_id=agent_id, session_id=session_id, since=when(since),
                          until=when(until), metadata=metadata,
                          kinds=tuple(kinds) if kinds else None, speaker=speaker,
                          include_superseded=include_superseded, as_of=when(as_of))
        self._check_embedder()
        hits = self._retriever.search(scope, query, limit=limit, filters=filters,
                                      method=method, context=context, unit=unit)
        if self.reinforce and hits and filters.as_of is None:
            self._reinforce(scope, hits)
        return Recall.of(hits, min_confidence, self._retriever.calibrator.abstain_below)

    def _search_context(self, scope: Scope, messages: Any, query: str | None, limit: int,
                        context: int, min_confidence: float | None, filters: Filters) -> Recall:
        from .recall.context import parse_messages

        if query is not None:
            raise InvalidInputError("give either query or messages, not both")
        parsed = parse_messages(messages)
        for m in parsed:
            check_text(m.content, what="message content", limit=self.max_text_chars)
        bounded("limit", limit, 1, 1000)
        bounded("context", context, 0, 20)
        self._check_embedder()
        hits, q, dense = self._context.search(scope, parsed, limit=limit, filters=filters)
        # the confidence reads the recent-turns text, the text its dense ranking is of
        # (the latest turn alone: MADial vs off-topic AUROC 0.61; this 0.75)
        self._retriever.calibrator.annotate(
            q.recent_text, hits, [(m.record_id, m.score) for m in dense[:PLAIN_CANDIDATES]])
        for hit in hits:
            if context:
                hit.context = self.store.neighbours(scope, hit.record, context, context)
        if self.reinforce and hits and filters.as_of is None:
            self._reinforce(scope, hits)
        return Recall.of(hits, min_confidence, self._retriever.calibrator.abstain_below)

    def get(self, record_id: str, *, user_id: str) -> Record:
        """One record by id; :class:`NotFoundError` if it is not this user's."""
        from ._errors import NotFoundError

        found = self.store.get(Scope(user_id), [check_id(record_id)])
        if not found:
            raise NotFoundError(f"no record {record_id} for user {user_id!r}")
        return found[0]

    def list(self, *, user_id: str, agent_id: str | None = None, session_id: str | None = None,
             kinds: Sequence[str] | None = None, limit: int | None = None, offset: int = 0,
             newest_first: bool = False, include_superseded: bool = False,
             since: datetime | str | None = None, until: datetime | str | None = None,
             metadata: Mapping[str, Any] | None = None,
             include_archived: bool = False) -> list[Record]:
        """A user's records in time order (``newest_first`` reverses it), narrowed like
        :meth:`search`; ``include_archived`` adds archived and superseded records."""
        if (limit is not None and limit < 0) or offset < 0:  # SQL reads LIMIT -1 as "all"
            raise InvalidInputError(f"limit and offset must not be negative: {limit}, {offset}")
        filters = Filters(agent_id=agent_id, session_id=session_id,
                          kinds=tuple(kinds) if kinds else None, since=when(since),
                          until=when(until), metadata=metadata,
                          include_superseded=include_superseded,
                          include_archived=include_archived)
        return self.store.find(Scope(user_id), filters, limit=limit, offset=offset,
                               newest_first=newest_first)

    def history(self, record_id: str, *, user_id: str) -> builtins.list[Version]:
        """Every version of a record, oldest first, with when and why it changed."""
        return self.store.history(Scope(user_id), record_id)

    def sessions(self, *, user_id: str) -> builtins.list[Session]:
        return self.store.sessions(Scope(user_id))

    def users(self) -> builtins.list[str]:
        return self.store.users()

    def stats(self) -> Stats:
        """Counts and sizes of the store, and which language analyser ingest uses."""
        return replace(self.store.stats(), nlp=self.nlp.name)

    # ---------------------------------------------------------- change/erase
    def update(self, record_id: str, text: str, *, user_id: str,
               reason: str | None = None, redact: bool | Sequence[str] | None = None) -> Record:
        """Replace a record's text; the previous text stays in :meth:`history`, and the
        summaries and profile built from it are rebuilt."""
        scope = Scope(user_id)
        text, _ = self._intake.redacted(check_text(text, limit=self.max_text_chars), None, redact)
        with self.store.user_lock(scope):  # its rebuild of summaries: one at a time per user
            old = self.get(record_id, user_id=user_id)
            return self._pipeline.update(scope, old, text, reason)

    def refresh_derived(self, record_ids: Sequence[str], *, user_id: str) -> None:
        """Rebuild the summaries and profile built from these records (call after changing
        them behind the facade, e.g. superseding one)."""
        scope = Scope(user_id)
        ids = [check_id(i) for i in record_ids]
        with self.store.user_lock(scope):
            dependents = self._consolidator.dependents(scope, ids)
            if dependents:
                self._consolidator.refresh(scope, dependents)

    def delete(self, record_id: str, *, user_id: str, reason: str | None = None,
               purge: bool = False, wait: float = 0.0) -> Erasure:
        """Hard-delete one record and every trace of it (history, indexes, vectors, graph,
        audit reasons); summaries and the profile built from it are rebuilt without it.

        ``purge=True`` also compacts the file (see :meth:`compact`) so that the bytes are
        gone from disk at once; by default that waits for the next compaction. Returns
        the :class:`~engramdb.lifecycle.erasure.Erasure` verdict (``.verified``).
        """
        from .lifecycle.forget import delete_records

        scope = Scope(user_id)
        with self.store.user_lock(scope):
            return delete_records(self.store, self._consolidator, scope, [check_id(record_id)],
                                  reason=reason, purge=purge, expand=self.expand,
                                  wait=seconds("wait", wait)).erasure

    def delete_all(self, *, user_id: str, agent_id: str | None = None,
                   session_id: str | None = None, reason: str | None = None,
                   purge: bool = True, wait: float = 0.0) -> Deleted:
        """Hard-delete everything in a scope, compacting the file by default; returns how
        many records went (an ``int``) carrying the erasure verdict (``.erasure``): whether
        the bytes are provably gone from the file and its WAL. A reader holding the WAL
        keeps them there: ``wait`` seconds for it, or :meth:`compact` later."""
        from .lifecycle.forget import delete_scope

        scope = Scope(user_id, agent_id, session_id)
        with self.store.user_lock(scope):
            return delete_scope(self.store, self._consolidator, scope, reason=reason,
                                purge=purge, wait=seconds("wait", wait))

    def forget(self, query: str, *, user_id: str, min_confidence: float | None = None,
               limit: int = 20, dry_run: bool = False, purge: bool = True,
               kinds: Sequence[str] | None = None, wait: float = 0.0) -> Forgotten:
        """Delete what matches ``query`` (conservatively) and return it; ``dry_run`` only
        returns what would go. The result is a list carrying the erasure verdict
        (``.erasure``). See :func:`engramdb.lifecycle.forget.forget`."""
        from .lifecycle.forget import FORGET_MIN_CONFIDENCE, forget

        check_text(query, what="query", limit=self.max_text_chars)
        if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
            raise InvalidInputError("min_confidence must be between 0 and 1")
        bounded("limit", limit, 1, 1000)
        threshold = FORGET_MIN_CONFIDENCE if min_confidence is None else min_confidence

        def everything(q: str, *, user_id: str, limit: int, kinds: Sequence[str]) -> list[Hit]:
            # archived and superseded records too: forgetting must reach what search hides;
            # the plain lexical ranking too, so every literal mention is a candidate
            self._check_embedder()
            filters = Filters(kinds=tuple(kinds), include_archived=True,
                              include_superseded=True)
            hits = self._retriever.search(Scope(user_id), q, limit=limit, filters=filters)
            seen = {h.id for h in hits}
            literal = self._retriever.search(Scope(user_id), q, limit=limit, filters=filters,
                                             method="bm25")
            return hits + [h for h in literal if h.id not in seen]

        scope = Scope(user_id)
        with self.store.user_lock(scope):
            return forget(everything, self.store, self._consolidator, query, scope,
                          min_confidence=threshold, limit=limit, dry_run=dry_run, purge=purge,
                          kinds=kinds, expand=self.expand, wait=seconds("wait", wait))

    def backup(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Copy the database to ``path`` with SQLite's online backup: a consistent snapshot
        even while other threads and processes write, checked by reopening the copy.
        Returns what was copied (see :func:`engramdb._backup.backup`)."""
        from ._backup import backup

        return backup(self.store, path)

    def compact(self, *, wait: float = 0.0) -> dict[str, Any]:
        """Make deleted content unrecoverable from the file: merge the full-text index,
        VACUUM, truncate the WAL. Takes time proportional to the file's size. Another
        connection reading an old snapshot stops the WAL truncation (``wal_truncated``
        False): ``wait`` seconds retries it meanwhile."""
        return self.store.compact(wait=seconds("wait", wait))

    def reembed(self, *, user_id: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> int:
        """Give every record new vectors from its text, with this memory's embedder and
        pooling (``lifecycle.reembed``): after an upgrade, or to switch embedders. Without
        ``user_id`` all users, and the file then records this embedder as its own."""
        from .lifecycle.reembed import reembed

        users = [Scope(user_id).user_id] if user_id is not None else self.store.users()
        if user_id is not None:
            self._check_embedder()  # one user cannot switch a shared file's embedder
        done = reembed(self.store, users, lambda records: self._embed_records(
            [index_text(r) for r in records], [r.speaker for r in records]), progress)
        if user_id is None:
            self._vectors.claim()
        return done

    def rekey(self, *, user_id: str | None = None, expand: ExpandOptions | None = None,
              progress: Callable[[int, int], None] | None = None) -> int:
        """Build every record's keys and entity edges again from its text, with this
        memory's key expansion or ``expand`` (``lifecycle.rekey``): e.g. after switching
        the graph signal on for a file written without it. Without ``user_id`` all users."""
        from .lifecycle.rekey import rekey

        users = [Scope(user_id).user_id] if user_id is not None else self.store.users()
        return rekey(self.store, users, expand or self.expand, progress)

    # --------------------------------------------------------- consolidation
    def consolidate(self, *, user_id: str, llm: Any = None,
                    session_id: str | None = None) -> ConsolidationReport:
        """Build or refresh session summaries, the user summary and the profile.

        Extractive without ``llm``; with one (an :class:`engramdb.llm.LLM`, or a callable
        ``prompt -> str``) summaries are abstractive. Unchanged inputs keep their summaries.
        """
        self._check_embedder()
        scope = Scope(user_id)
        with self.store.user_lock(scope):
            return self._consolidator.run(scope, llm=llm, session_id=session_id)

    def profile(self, *, user_id: str) -> Profile:
        """The user's profile (name, places, people, preferences...), refreshed and stored
        as the user's ``kind="profile"`` record."""
        self._check_embedder()
        scope = Scope(user_id)
        with self.store.user_lock(scope):
            profile, _ = self._consolidator.profile(scope)
        return profile

    # ------------------------------------------- knowledge updates, decay, audit
    def _lifecycle_rank(self, hits: builtins.list[Hit], filters: Filters
                        ) -> builtins.list[Hit]:
        from .lifecycle.decay import rescore

        return rescore(hits, utcnow(), self.decay_policy, historical=filters.as_of is not None)

    def _reinforce(self, scope: Scope, hits: Sequence[Hit]) -> None:
        reinforce(self.store, scope, hits, self.decay_policy)

    def _enforce_capacity(self, scope: Scope) -> None:
        if self.capacity is not None and self.store.count(scope, Filters(
                include_superseded=True), at_most=self.capacity) > self.capacity:
            self.decay(user_id=scope.user_id, threshold=0.0, capacity=self.capacity)

    def decay(self, *, user_id: str, now: datetime | str | None = None,
              threshold: float | None = None, capacity: int | None = None,
              kinds: Sequence[str] | None = None, dry_run: bool = False) -> ArchivePlan:
        """Archive what has faded: retention ``exp(-t/S)`` below ``threshold`` (default
        ``decay.threshold``), then the weakest beyond ``capacity`` active records.

        Archived records are kept (``list``/``get``/``export`` still see them, ``restore``
        brings one back) but leave default search. Nothing is deleted. Returns the plan,
        carried out unless ``dry_run``. See :mod:`engramdb.lifecycle.decay`.
        """
        return archive_faded(self.store, Scope(user_id), now=when(now), threshold=threshold,
                             capacity=capacity, kinds=kinds, dry_run=dry_run,
                             policy=self.decay_policy)

    def restore(self, record_id: str, *, user_id: str) -> Record:
        """Bring an archived record back into default search (one that is not archived is
        an InvalidInputError: nothing to restore)."""
        check_archived(self.get(record_id, user_id=user_id))
        self.store.archive(Scope(user_id), [check_id(record_id)], reason="restored",
                           archived=False)
        return self.get(record_id, user_id=user_id)

    def audit(self, *, user_id: str, limit: int = 100, record_id: str | None = None,
              actions: str | Sequence[str] | None = None) -> builtins.list[AuditEntry]:
        """The lifecycle log of a user's memory, newest first: supersede, archive,
        merge, update, delete... with when, on which record and why (never the text)."""
        from .lifecycle.audit import read_audit

        return read_audit(self.store, Scope(user_id), limit=limit, record_id=record_id,
                          actions=actions)

    # --------------------------------------------------------- import/export
    def export(self, fp: IO[str], *, user_id: str | None = None) -> int:
        """Write the memory (one user, or all) as JSONL; returns records written.

        Lossless (:mod:`engramdb.formats.jsonl`): every session, and every record —
        archived and superseded ones, summaries and the profile too — with its id, edit
        history and links; :meth:`add_exported` (``engram import``) writes it back as it was.
        Derived records are kept rather than rebuilt: an LLM-written summary cannot be
        remade without the LLM, and their ``derived_from`` links keep them refreshable.
        """
        from .formats.jsonl import write_jsonl

        with self.store.snapshot():  # one consistent state, whatever is written meanwhile
            items = list(self.store.iter_export(Scope(user_id) if user_id else None))
        sessions = [i for i in items if isinstance(i, Session)]
        records = [i for i in items if isinstance(i, ExportedRecord)]
        write_jsonl(fp, sessions, records)
        return len(records)


def _with_metadata(messages: Sequence[Mapping[str, Any] | Turn],
                   metadata: Mapping[str, Any] | None) -> builtins.list[Mapping[str, Any] | Turn]:
    """Each message with ``metadata`` under its own (a message's own keys win), so that
    metadata filters find the turns."""
    if not metadata:
        return list(messages)
    return [{**m, "metadata": {**metadata, **(m.get("metadata") or {})}}
            if isinstance(m, Mapping) else m for m in messages]

