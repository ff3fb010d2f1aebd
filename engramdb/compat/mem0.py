"""mem0's ``Memory`` / ``AsyncMemory`` API, backed by engramdb: change one import.

>>> from engramdb.compat.mem0 import Memory      # was: from mem0 import Memory
>>> m = Memory.from_config({"engramdb": {"path": ":memory:", "embedder": "fake"}})
>>> _ = m.add([{"role": "user", "content": "I love sushi"}], user_id="bob")
>>> m.search("what food does bob like?", user_id="bob")["results"][0]["memory"]
'I love sushi'

Results have mem0's shape: ``{"results": [{"id", "memory", "hash", "metadata", "score",
"created_at", "updated_at", "user_id", "agent_id", "run_id", "role"}]}``. ``score`` is
engramdb's calibrated confidence (0..1, the estimated chance the hit is relevant), so
``threshold=0.5`` means what it says. What differs from mem0 is listed in
docs/mem0-migration.md; in short:

* every memory has one owner: ``user_id`` when given, else ``agent:<agent_id>``, else
  ``run:<run_id>``; ``agent_id`` and ``run_id`` (engramdb's session) narrow inside it.
* ``infer=True`` (the default) needs no LLM: a list of messages is stored as a
  conversation session, verbatim, and recalled turn by turn; a single string is stored
  as a fact, and a later fact on the same subject supersedes it (kept in ``history``).
  ``infer=False`` stores each message as its own memory, as mem0 does.
* ``get``/``update``/``delete``/``history`` by id alone look the owner up; pass
  ``user_id=`` to skip that.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import InvalidInputError, InvalidIdError, MissingScopeError, NotFoundError
from .._memory import Memory as _Engram
from .._models import Hit, Record, Scope, Version
from ._mem0_config import engram_options, llm_from_config

__all__ = ["Memory", "AsyncMemory"]

log = logging.getLogger(__name__)

_SCOPE_KEYS = ("user_id", "agent_id", "run_id")
_MESSAGE = {"update": "Memory updated successfully!", "delete": "Memory deleted successfully!",
            "delete_all": "Memories deleted successfully!", "reset": "Memory store reset."}


class Memory:
    """mem0's synchronous ``Memory`` on an engramdb database.

    ``config`` is a mem0 configuration dict (see :meth:`from_config`); ``engram`` an
    existing :class:`engramdb.Memory` to use instead (it stays the caller's to close).
    """

    def __init__(self, config: Mapping[str, Any] | None = None, *,
                 engram: _Engram | None = None) -> None:
        if config is not None and not isinstance(config, Mapping):  # dict("x"): ValueError
            raise InvalidInputError("config must be a dict (mem0's MemoryConfig as a dict), "
                                    f"not {type(config).__name__}")
        self.config = dict(config or {})
        self._owned = engram is None
        self.engram = engram if engram is not None else _Engram(**engram_options(self.config))
        #: the chat model of the config's ``llm`` section (for ``engram.consolidate(llm=...)``);
        #: adding and searching never call it
        self.llm = llm_from_config(self.config)
        self._owners: dict[str, str] = {}  # memory id -> engramdb user, learnt as we go

    @classmethod
    def from_config(cls, config_dict: Mapping[str, Any]) -> Memory:
        """Accepts mem0's keys (``vector_store``, ``embedder``, ``llm``, ``history_db_path``,
        ``version``...) and an ``engramdb`` section of :class:`engramdb.Memory` arguments."""
        return cls(config_dict)

    def close(self) -> None:
        if self._owned:
            self.engram.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- write
    def add(self, messages: str | Mapping[str, Any] | Sequence[Mapping[str, Any]], *,
            user_id: str | None = None, agent_id: str | None = None,
            run_id: str | None = None, metadata: Mapping[str, Any] | None = None,
            infer: bool = True, memory_type: str | None = None,
            prompt: str | None = None) -> dict[str, Any]:
        """Store ``messages``; returns ``{"results": [{"id", "memory", "event"}]}``."""
        owner, agent, run = _scope(user_id, agent_id, run_id)
        if memory_type not in (None, "procedural_memory"):
            raise InvalidInputError("memory_type must be None or 'procedural_memory'")
        items = _messages(messages)
        meta = {**(metadata or {}), **({"memory_type": memory_type} if memory_type else {})}
        if infer and len(items) > 1:  # a conversation: every turn, verbatim, as a session
            turns = [{**m, "metadata": {**meta, **m.get("metadata", {})}} for m in items]
            records = self.engram.add(turns, user_id=owner, agent_id=agent, session_id=run)
        else:
            records = [self.engram.add(m["content"], user_id=owner, agent_id=agent,
                                       session_id=run, metadata=_role_meta(meta, m, infer))
                       for m in items]
        for record in records:
            self._owners[record.id] = owner
        return {"results": [{"id": r.id, "memory": r.text,
                             "event": "UPDATE" if r.version > 1 else "ADD"} for r in records]}

    # ------------------------------------------------------------------ read
    def search(self, query: str, *, user_id: str | None = None, agent_id: str | None = None,
               run_id: str | None = None, limit: int = 100,
               filters: Mapping[str, Any] | None = None, threshold: float | None = None,
               top_k: int | None = None, rerank: bool = True) -> dict[str, Any]:
        """The memories relevant to ``query``, best first; ``threshold`` drops those whose
        score (calibrated confidence) is below it."""
        ids, rest = _split_filters(filters, user_id, agent_id, run_id)
        owner, agent, run = _scope(**ids)
        hits = self.engram.search(query, user_id=owner, agent_id=agent, session_id=run,
                                  limit=top_k or limit, metadata=rest or None,
                                  min_confidence=threshold)
        return {"results": [self._item(hit.record, hit) for hit in hits]}

    def get(self, memory_id: str, *, user_id: str | None = None) -> dict[str, Any] | None:
        """One memory by id, or None."""
        record = self._find(memory_id, user_id)
        return None if record is None else self._item(record)

    def get_all(self, *, user_id: str | None = None, agent_id: str | None = None,
                run_id: str | None = None, filters: Mapping[str, Any] | None = None,
                limit: int = 100, top_k: int | None = None) -> dict[str, Any]:
        """Every memory of the scope (oldest first), at most ``limit``."""
        ids, rest = _split_filters(filters, user_id, agent_id, run_id)
        owner, agent, run = _scope(**ids)
        records = self.engram.list(user_id=owner, agent_id=agent, session_id=run,
                                   metadata=rest or None, limit=top_k or limit,
                                   kinds=("turn", "memory", "document"))
        return {"results": [self._item(r) for r in records]}

    def history(self, memory_id: str, *, user_id: str | None = None
                ) -> builtins.list[dict[str, Any]]:
        """Every version of a memory, oldest first, in mem0's history shape."""
        owner = self._owner(memory_id, user_id)
        return _history(self.engram.history(memory_id, user_id=owner))

    # ---------------------------------------------------------- change/erase
    def update(self, memory_id: str, data: str, *, user_id: str | None = None,
               metadata: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Replace a memory's text (the old one stays in :meth:`history`)."""
        if metadata:
            raise InvalidInputError("update(metadata=...) is not supported: engramdb keeps "
                                    "a record's metadata as it was added")
        self.engram.update(memory_id, data, user_id=self._owner(memory_id, user_id))
        return {"message": _MESSAGE["update"]}

    def delete(self, memory_id: str, *, user_id: str | None = None) -> dict[str, str]:
        """Hard-delete one memory and every trace of it."""
        self.engram.delete(memory_id, user_id=self._owner(memory_id, user_id))
        self._owners.pop(memory_id, None)
        return {"message": _MESSAGE["delete"]}

    def delete_all(self, *, user_id: str | None = None, agent_id: str | None = None,
                   run_id: str | None = None) -> dict[str, str]:
        """Hard-delete every memory of a scope (one id at least: :meth:`reset` is all)."""
        owner, agent, run = _scope(user_id, agent_id, run_id)
        self.engram.delete_all(user_id=owner, agent_id=agent, session_id=run)
        return {"message": _MESSAGE["delete_all"]}

    def reset(self) -> dict[str, str]:
        """Delete everything in the database, every user's."""
        for owner in self.engram.users():
            self.engram.delete_all(user_id=owner)
        self._owners.clear()
        return {"message": _MESSAGE["reset"]}

    # ------------------------------------------------------------- internals
    def _item(self, record: Record, hit: Hit | None = None) -> dict[str, Any]:
        self._owners[record.id] = record.user_id
        return _item(record, hit)

    def _find(self, memory_id: str, user_id: str | None) -> Record | None:
        try:
            owner = self._owner(memory_id, user_id)
            return self.engram.get(memory_id, user_id=owner)
        except (NotFoundError, InvalidIdError):
            return None

    def _owner(self, memory_id: str, user_id: str | None) -> str:
        """The engramdb user holding ``memory_id``: given, remembered, or looked up."""
        if user_id is not None:
            return _scope(user_id, None, None)[0]
        if memory_id in self._owners:
            return self._owners[memory_id]
        for owner in self.engram.users():
            if self.engram.store.get(Scope(owner), [memory_id]):
                self._owners[memory_id] = owner
                return owner
        raise NotFoundError(f"no memory {memory_id}")


def _scope(user_id: str | None, agent_id: str | None, run_id: str | None
           ) -> tuple[str, str | None, str | None]:
    """mem0's three ids -> engramdb's (user, agent, session): one owner per memory."""
    if user_id:
        return user_id, agent_id, run_id
    if agent_id:
        return f"agent:{agent_id}", agent_id, run_id
    if run_id:
        return f"run:{run_id}", None, run_id
    raise MissingScopeError("one of 'user_id', 'agent_id' or 'run_id' must be provided")


def _split_filters(filters: Mapping[str, Any] | None, user_id: str | None,
                   agent_id: str | None, run_id: str | None
                   ) -> tuple[dict[str, str | None], dict[str, Any]]:
    """Scope ids from arguments or ``filters`` (mem0 1.x passes them there); the rest of
    ``filters`` are metadata equalities."""
    rest = dict(filters or {})
    given = {"user_id": user_id, "agent_id": agent_id, "run_id": run_id}
    ids = {k: given[k] if given[k] is not None else rest.pop(k, None) for k in _SCOPE_KEYS}
    for key in _SCOPE_KEYS:
        rest.pop(key, None)
    for key, value in rest.items():
        if key in ("AND", "OR", "NOT") or isinstance(value, (dict, list)):
            raise InvalidInputError(f"filter {key!r}: only equality on metadata keys is "
                                    "supported (e.g. filters={'category': 'food'})")
    return ids, rest


def _messages(messages: Any) -> builtins.list[dict[str, Any]]:
    """mem0 accepts a string, one message dict or a list of them."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    elif isinstance(messages, Mapping):
        messages = [messages]
    if not isinstance(messages, Sequence) or not messages:
        raise InvalidInputError("messages must be a string, a message dict or a non-empty "
                                "list of {'role', 'content'} dicts")
    out = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or not isinstance(message.get("content"), str):
            raise InvalidInputError(f"messages[{i}] must be a dict with a string 'content'")
        if message.get("role") != "system":  # instructions to the model, not memories
            out.append(dict(message))
    if not out:
        raise InvalidInputError("messages hold only system messages: nothing to remember")
    return out


def _role_meta(meta: Mapping[str, Any], message: Mapping[str, Any],
               infer: bool) -> dict[str, Any] | None:
    extra = {"role": message["role"]} if not infer and message.get("role") else {}
    out = {**meta, **extra, **(message.get("metadata") or {})}
    return out or None


def _item(record: Record, hit: Hit | None) -> dict[str, Any]:
    """mem0's MemoryItem shape."""
    owner = record.user_id
    item: dict[str, Any] = {
        "id": record.id, "memory": record.text, "hash": record.content_hash,
        "metadata": dict(record.metadata) or None,
        "created_at": _iso(record.created_at or record.timestamp),
        "updated_at": _iso(record.updated_at) if record.version > 1 else None,
        "user_id": None if owner.startswith(("agent:", "run:")) else owner,
    }
    if record.agent_id:
        item["agent_id"] = record.agent_id
    if record.session_id:  # the caller's run_id, or the id of the session a list became
        item["run_id"] = record.session_id
    if record.role or record.speaker:
        item["role"] = record.role or record.speaker
    if hit is not None:
        item["score"] = round(float(hit.confidence), 4)
    return item


def _history(versions: Sequence[Version]) -> builtins.list[dict[str, Any]]:
    out, previous = [], None
    for v in versions:
        out.append({"id": f"{v.record_id}:{v.version}", "memory_id": v.record_id,
                    "old_memory": previous, "new_memory": v.text,
                    "event": "ADD" if v.version == 1 else "UPDATE",
                    "created_at": _iso(v.changed_at), "updated_at": None,
                    "is_deleted": False, "reason": v.reason})
        previous = v.text
    return out


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def __getattr__(name: str) -> Any:
    if name == "AsyncMemory":  # built on the sync class, in its own module
        from ._mem0_async import AsyncMemory

        return AsyncMemory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

