"""The routes under ``/v1``: one per :class:`~engramdb.Memory` method.

Handlers are plain ``def``: FastAPI runs them on its thread pool, so a slow call
does not stall the event loop and readers run side by side; writes queue on the
service's write lock. Search, the hot path, runs on the loop itself when it is the only
request in flight (:meth:`Service.read`).
"""


from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, TypeAdapter

from .. import AuditEntry, ConsolidationReport, Fact, Hit, Recall, Record, Session, Stats, Version
from ..lifecycle.decay import ArchivePlan
from ..lifecycle.erasure import Erasure
from ._keys import Principal
from ._schemas import (ERRORS, AddIn, AddManyIn, ConsolidateIn, DecayIn, ForgetIn, SearchIn, SessionIn,
                       SessionsIn,
                       UpdateIn)
from ._service import Service

__all__ = ["build_router", "SearchOut", "ProfileOut"]


class SearchOut(BaseModel):
    """A search: hits best first, and whether the engine abstains."""

    hits: list[Any]
    confidence: float
    abstained: bool
    threshold: float


class DeletedOut(BaseModel):
    """How many records went, and whether their bytes are provably gone from disk."""

    deleted: int
    erasure: Erasure | None = None


class ForgottenOut(BaseModel):
    records: list[Record]
    erasure: Erasure | None = None


class ProfileOut(BaseModel):
    user_id: str
    facts: list[Fact]
    updated_at: Any = None
    record_id: str | None = None
    name: str | None = None
    location: str | None = None
    places: list[str] = []
    people: list[str] = []
    preferences: list[str] = []


def _search_out(recall: Recall) -> Response:
    return _json(_SearchWire, _SearchWire(list(recall), recall.confidence, recall.abstained,
                                          recall.threshold))


@dataclass(slots=True)
class _SearchWire:
    hits: list[Hit]
    confidence: float
    abstained: bool
    threshold: float


def _object_param(name: str, text: str | None) -> dict[str, Any] | None:
    """A query parameter carrying a JSON object (GET has no body); bad JSON is a 400."""
    import json

    from .._errors import InvalidInputError
    from .._validate import loads_json

    if text is None:
        return None
    try:
        value = loads_json(text)
    except json.JSONDecodeError:
        raise InvalidInputError(f"{name} must be a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidInputError(f"{name} must be a JSON object")
    return value


@lru_cache(maxsize=None)
def _adapter(tp: Any) -> TypeAdapter[Any]:
    """Built once per type: building one costs more than serializing ten hits."""
    return TypeAdapter(tp)


def _json(tp: Any, value: Any, status: int = 200) -> Response:
    """The answer serialized straight from the dataclasses: FastAPI would validate the
    returned objects against ``response_model`` first, which costs more than the search
    on a small memory (``response_model`` still documents the shape)."""
    return Response(_adapter(tp).dump_json(value), status_code=status,
                    media_type="application/json")


#: seconds a delete may wait for readers to let the WAL be truncated (erasure proof)
Wait = Annotated[float, Query(ge=0, le=30)]


def build_router(svc: Service) -> APIRouter:
    async def caller(request: Request) -> Principal:  # async: no thread-pool hop
        return svc.principal(request.headers)

    Who = Annotated[Principal, Depends(caller)]
    router = APIRouter(prefix="/v1", responses=ERRORS)
    _reads(router, svc, Who)  # first: routes match in order, and search is the hot path
    _writes(router, svc, Who)
    _lifecycle(router, svc, Who)
    _upkeep(router, svc, Who)
    _admin(router, svc, Who)
    return router


def _writes(router: APIRouter, svc: Service, Who: Any) -> None:
    @router.post("/memories", response_model=Record | list[Record], status_code=201,
                 tags=["write"], summary="Add one memory (fact or note), or chat messages "
                 "as a session")
    def add(body: AddIn, who: Who) -> Any:
        memory = svc.writer(who, body.user_id)
        with svc.writing():
            return _json(Record | list[Record], memory.add(**body.model_dump()), 201)

    @router.post("/memories/batch", response_model=list[Record], status_code=201,
                 tags=["write"], summary="Add many memories, embedded in batches")
    def add_many(body: AddManyIn, who: Who) -> Any:
        memory = svc.writer(who, body.user_id)
        args = body.model_dump()
        with svc.writing():
            return _json(list[Record], memory.add_many(args.pop("items"), **args), 201)

    @router.post("/sessions", response_model=list[Record], status_code=201, tags=["write"],
                 summary="Add a conversation session: every turn, in order, atomically")
    def add_session(body: SessionIn, who: Who) -> Any:
        memory = svc.writer(who, body.user_id)
        args = body.model_dump()
        with svc.writing():
            return _json(list[Record], memory.add_session(args.pop("turns"), **args), 201)

    @router.post("/sessions/batch", response_model=list[list[Record]], status_code=201,
                 tags=["write"], summary="Add many sessions of one user, embedded together")
    def add_sessions(body: SessionsIn, who: Who) -> Any:
        memory = svc.writer(who, body.user_id)
        args = body.model_dump()
        with svc.writing():
            return _json(list[list[Record]], memory.add_sessions(args.pop("sessions"), **args),
                         201)

    @router.patch("/memories/{record_id}", response_model=Record, tags=["write"],
                  summary="Replace a record's text (the old text stays in its history)")
    def update(record_id: str, body: UpdateIn, who: Who) -> Any:
        memory = svc.changer(who, body.user_id)
        with svc.writing():
            return memory.update(record_id, **body.model_dump())

    @router.delete("/memories/{record_id}", response_model=DeletedOut, tags=["write"],
                   summary="Hard-delete one record and every trace of it")
    def delete(record_id: str, who: Who, user_id: str, reason: str | None = None,
               purge: bool = False, wait: Wait = 0.0) -> Any:
        memory = svc.changer(who, user_id)
        with svc.writing():
            memory.get(record_id, user_id=user_id)  # 404 when it is not this user's
            erasure = memory.delete(record_id, user_id=user_id, reason=reason, purge=purge,
                                    wait=wait)
        return {"deleted": 1, "erasure": erasure}

    @router.delete("/memories", response_model=DeletedOut, tags=["write"],
                   summary="Hard-delete everything of a user (or of one agent/session)")
    def delete_all(who: Who, user_id: str, agent_id: str | None = None,
                   session_id: str | None = None, reason: str | None = None,
                   purge: bool = True, wait: Wait = 0.0) -> Any:
        memory = svc.changer(who, user_id)
        with svc.writing():
            gone = memory.delete_all(user_id=user_id, agent_id=agent_id,
                                     session_id=session_id, reason=reason, purge=purge,
                                     wait=wait)
        return {"deleted": int(gone), "erasure": getattr(gone, "erasure", None)}

    @router.post("/forget", response_model=ForgottenOut, tags=["write"],
                 summary="Delete what matches a query (conservatively); dry_run previews")
    def forget(body: ForgetIn, who: Who) -> Any:
        memory = svc.changer(who, body.user_id)
        args = body.model_dump()
        with svc.writing():
            gone = memory.forget(args.pop("query"), **args)
        return {"records": list(gone), "erasure": getattr(gone, "erasure", None)}

    @router.post("/memories/{record_id}/restore", response_model=Record, tags=["write"],
                 summary="Bring an archived record back into default search")
    def restore(record_id: str, who: Who, user_id: str) -> Any:
        memory = svc.changer(who, user_id)
        with svc.writing():
            return memory.restore(record_id, user_id=user_id)


def _reads(router: APIRouter, svc: Service, Who: Any) -> None:
    @router.post("/search", response_model=SearchOut, tags=["read"],
                 summary="Recall what is relevant to a query, best first, with confidence")
    async def search(body: SearchIn, who: Who) -> Any:
        memory = svc.reader(who, body.user_id)
        args = body.model_dump()
        return await svc.read(lambda: _search_out(memory.search(args.pop("query"), **args)))

    @router.get("/memories/{record_id}", response_model=Record, tags=["read"],
                summary="One record by id")
    def get(record_id: str, who: Who, user_id: str) -> Any:
        return _json(Record, svc.reader(who, user_id).get(record_id, user_id=user_id))

    @router.get("/memories", response_model=list[Record], tags=["read"],
                summary="List a user's records, oldest first")
    def list_(who: Who, user_id: str, agent_id: str | None = None,
              session_id: str | None = None, kinds: Annotated[list[str] | None, Query()] = None,
              limit: int | None = None, offset: int = 0, newest_first: bool = False,
              include_superseded: bool = False, since: str | None = None,
              until: str | None = None,
              metadata: Annotated[str | None, Query(description="a JSON object")] = None,
              include_archived: bool = False) -> Any:
        return _json(list[Record], svc.reader(who, user_id).list(
            user_id=user_id, agent_id=agent_id, session_id=session_id, kinds=kinds,
            limit=limit, offset=offset, newest_first=newest_first,
            include_superseded=include_superseded, since=since, until=until,
            metadata=_object_param("metadata", metadata), include_archived=include_archived))

    @router.get("/memories/{record_id}/history", response_model=list[Version], tags=["read"],
                summary="Every version of a record, oldest first")
    def history(record_id: str, who: Who, user_id: str) -> Any:
        memory = svc.reader(who, user_id)
        memory.get(record_id, user_id=user_id)
        return memory.history(record_id, user_id=user_id)

    @router.get("/sessions", response_model=list[Session], tags=["read"],
                summary="A user's sessions")
    def sessions(who: Who, user_id: str) -> Any:
        return svc.reader(who, user_id).sessions(user_id=user_id)


def _lifecycle(router: APIRouter, svc: Service, Who: Any) -> None:
    @router.get("/profile", response_model=ProfileOut, tags=["read"],
                summary="What the engine knows about a user (name, places, people...)")
    def profile(who: Who, user_id: str) -> Any:
        memory = svc.reader(who, user_id)
        with svc.writing():  # the profile is stored as the user's kind="profile" record
            p = memory.profile(user_id=user_id)
        return {"user_id": p.user_id, "facts": p.facts, "updated_at": p.updated_at,
                "record_id": p.record_id, "name": p.name, "location": p.location,
                "places": p.places, "people": p.people, "preferences": p.preferences}

    @router.get("/audit", response_model=list[AuditEntry], tags=["read"],
                summary="The lifecycle log of a user's memory, newest first")
    def audit(who: Who, user_id: str, limit: int = 100, record_id: str | None = None,
              actions: Annotated[list[str] | None, Query()] = None) -> Any:
        return svc.reader(who, user_id).audit(user_id=user_id, limit=limit,
                                              record_id=record_id, actions=actions)

    @router.post("/consolidate", response_model=ConsolidationReport, tags=["write"],
                 summary="Build or refresh session summaries, the user summary, the profile")
    def consolidate(body: ConsolidateIn, who: Who) -> Any:
        memory = svc.writer(who, body.user_id)
        with svc.writing():
            return memory.consolidate(**body.model_dump())


def _upkeep(router: APIRouter, svc: Service, Who: Any) -> None:
    @router.post("/decay", response_model=ArchivePlan, tags=["write"],
                 summary="Archive what has faded (retention, capacity); dry_run only plans")
    def decay(body: DecayIn, who: Who) -> Any:
        memory = svc.changer(who, body.user_id)
        with svc.writing():
            return memory.decay(**body.model_dump())

    @router.post("/compact", response_model=dict[str, Any], tags=["admin"],
                 summary="Make deleted content unrecoverable from the file (admin of every "
                 "user)")
    def compact(who: Who, wait: Wait = 0.0) -> Any:
        svc.admin(who, everyone=True)
        with svc.writing():
            return svc.memory.compact(wait=wait)


def _admin(router: APIRouter, svc: Service, Who: Any) -> None:
    @router.get("/users", response_model=list[str], tags=["admin"],
                summary="Users of the key's tenant that have data (admin scope)")
    def users(who: Who) -> Any:
        svc.admin(who)
        return [u for u in svc.memory.users() if who.owns(u)]

    @router.get("/stats", response_model=Stats, tags=["admin"],
                summary="Global counts of the database (admin key of every user)")
    def stats(who: Who) -> Any:
        svc.admin(who, everyone=True)
        return svc.memory.stats()
