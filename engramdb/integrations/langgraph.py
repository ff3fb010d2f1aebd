"""LangGraph long-term memory on engramdb: a ``BaseStore`` (``pip install
'engramdb[frameworks]'``).

>>> from engramdb import Memory
>>> from engramdb.integrations.langgraph import EngramStore
>>> store = EngramStore(Memory("memory.db"))                       # doctest: +SKIP
>>> graph = builder.compile(store=store)                           # doctest: +SKIP
>>> store.put(("memories", "ana"), "m1", {"text": "Ana keeps bees"})  # doctest: +SKIP
>>> store.search(("memories", "ana"), query="hobbies?")[0].value   # doctest: +SKIP

Each namespace is one engramdb user (isolated from the others); each item one
conversation turn in its own session (the key), its value kept whole in the turn's
metadata and its text — the ``index`` fields, else every string in the value — indexed
for search. ``search`` with a query ranks with engramdb's recall pipeline; ``score`` is
its calibrated confidence (0..1). Filters compare value fields: plain values, or
``{"$eq"|"$ne"|"$gt"|"$gte"|"$lt"|"$lte": x}``. TTLs are not supported.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._errors import InvalidInputError
from .._models import utcnow
from ._lazy import need

if TYPE_CHECKING:
    from .._memory import Memory
    from .._models import Record

_base = need("langgraph.store.base", "langgraph")
BaseStore, Item, SearchItem = _base.BaseStore, _base.Item, _base.SearchItem
GetOp, PutOp, SearchOp, ListNamespacesOp = (_base.GetOp, _base.PutOp, _base.SearchOp,
                                            _base.ListNamespacesOp)

__all__ = ["EngramStore"]

_PREFIX = "lg:"  # engramdb users that hold a namespace
_OPS = {"$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b,
        "$gt": lambda a, b: a > b, "$gte": lambda a, b: a >= b,
        "$lt": lambda a, b: a < b, "$lte": lambda a, b: a <= b}


class EngramStore(BaseStore):  # type: ignore[misc,valid-type]
    """A LangGraph ``BaseStore`` over an :class:`engramdb.Memory` (the caller's to close)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    # --------------------------------------------------------------- batches
    def batch(self, ops: Iterable[Any]) -> list[Any]:
        return [self._one(op) for op in ops]

    async def abatch(self, ops: Iterable[Any]) -> list[Any]:
        return await asyncio.to_thread(self.batch, list(ops))

    def _one(self, op: Any) -> Any:
        if isinstance(op, GetOp):
            record = self._record(op.namespace, op.key)
            return None if record is None else _item(record)
        if isinstance(op, PutOp):
            return self._put(op)
        if isinstance(op, SearchOp):
            return self._search(op)
        if isinstance(op, ListNamespacesOp):
            return self._namespaces(op)
        raise InvalidInputError(f"unknown store operation {type(op).__name__}")

    # ------------------------------------------------------------ operations
    def _record(self, namespace: tuple[str, ...], key: str) -> Record | None:
        found = self.memory.list(user_id=_user(namespace), session_id=_session(key),
                                 kinds=("turn",), limit=1)
        return found[0] if found else None

    def _put(self, op: Any) -> None:
        old = self._record(op.namespace, op.key)
        if old is not None:  # an overwrite keeps the first creation time
            self.memory.delete_all(user_id=_user(op.namespace), session_id=_session(op.key),
                                   purge=False)
        if op.value is None:
            return None
        now = utcnow().isoformat()
        created = old.metadata.get("lg_created_at", now) if old is not None else now
        meta = {"lg_namespace": list(op.namespace), "lg_key": op.key,
                "lg_value": dict(op.value), "lg_created_at": created, "lg_updated_at": now}
        self.memory.add_session([{"speaker": "store", "text": _text(op.value, op.index),
                                  "metadata": meta}],
                                user_id=_user(op.namespace), session_id=_session(op.key))
        return None

    def _search(self, op: Any) -> list[Any]:
        found: list[tuple[Record, float | None]] = []
        for namespace in self._all_namespaces():
            if namespace[:len(op.namespace_prefix)] != tuple(op.namespace_prefix):
                continue
            found.extend(self._in(namespace, op))
        if op.query:
            found.sort(key=lambda pair: -(pair[1] or 0.0))
        kept = [(r, s) for r, s in found if _matches(r.metadata["lg_value"], op.filter)]
        return [_item(r, s, searched=True) for r, s in kept[op.offset:op.offset + op.limit]]

    def _in(self, namespace: tuple[str, ...], op: Any) -> list[tuple[Record, float | None]]:
        want = op.offset + op.limit if not op.filter else 1000  # filters apply afterwards
        user = _user(namespace)
        if op.query:
            hits = self.memory.search(op.query, user_id=user, limit=min(1000, want),
                                      kinds=("turn",))
            return [(h.record, float(h.confidence)) for h in hits if "lg_key" in h.record.metadata]
        return [(r, None) for r in self.memory.list(user_id=user, kinds=("turn",), limit=want)]

    def _all_namespaces(self) -> list[tuple[str, ...]]:
        out = []
        for user in self.memory.users():
            if user.startswith(_PREFIX):
                first = self.memory.list(user_id=user, kinds=("turn",), limit=1)
                if first and "lg_namespace" in first[0].metadata:
                    out.append(tuple(first[0].metadata["lg_namespace"]))
        return sorted(out)

    def _namespaces(self, op: Any) -> list[tuple[str, ...]]:
        names = [ns for ns in self._all_namespaces()
                 if all(_condition(c, ns) for c in op.match_conditions or ())]
        if op.max_depth is not None:
            names = sorted({ns[:op.max_depth] for ns in names})
        return names[op.offset:op.offset + op.limit]


def _condition(condition: Any, namespace: tuple[str, ...]) -> bool:
    path = tuple(condition.path)
    part = namespace[:len(path)] if condition.match_type == "prefix" else \
        namespace[len(namespace) - len(path):]
    return len(part) == len(path) and all(p in ("*", n) for p, n in zip(path, part))


def _user(namespace: Sequence[str]) -> str:
    """A namespace's engramdb user: readable when it fits the id rules, else hashed."""
    readable = _PREFIX + "/".join(namespace)
    if len(readable) <= 200 and readable.isprintable():
        return readable
    return _PREFIX + "#" + hashlib.sha256(json.dumps(list(namespace)).encode()).hexdigest()


def _session(key: str) -> str:
    readable = f"k:{key}"
    if len(readable) <= 200 and readable.isprintable():
        return readable
    return "k#" + hashlib.sha256(key.encode()).hexdigest()


def _text(value: Mapping[str, Any], index: Any) -> str:
    """What search sees: the ``index`` fields, else every string in the value."""
    fields = index if isinstance(index, list) else None
    picked = [value.get(f) for f in fields] if fields else list(value.values())
    strings = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
               for v in picked if v is not None and v != ""]
    text = ". ".join(strings).strip()
    return text or json.dumps(dict(value), ensure_ascii=False) or "{}"


def _matches(value: Mapping[str, Any], conditions: Mapping[str, Any] | None) -> bool:
    for field, wanted in (conditions or {}).items():
        have = value.get(field)
        tests = wanted.items() if isinstance(wanted, Mapping) else [("$eq", wanted)]
        for name, operand in tests:
            if name not in _OPS:
                raise InvalidInputError(f"filter operator {name!r}: use {', '.join(_OPS)}")
            try:
                if not _OPS[name](have, operand):
                    return False
            except TypeError:  # None < 3: not a match rather than an error
                return False
    return True


def _item(record: Record, score: float | None = None, *, searched: bool = False) -> Any:
    meta = record.metadata
    fields = dict(namespace=tuple(meta["lg_namespace"]), key=meta["lg_key"],
                  value=meta["lg_value"],
                  created_at=datetime.fromisoformat(meta["lg_created_at"]),
                  updated_at=datetime.fromisoformat(meta["lg_updated_at"]))
    return SearchItem(score=score, **fields) if score is not None or searched else Item(**fields)
