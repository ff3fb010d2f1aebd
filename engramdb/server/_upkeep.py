"""Maintenance over HTTP: refresh derived records, re-embed, and download a backup.

``refresh-derived`` and a one-user ``reembed`` or ``rekey`` act on existing records of
the caller's tenant (outside it they find nothing, like every change); an all-users
``reembed`` or ``rekey`` and ``backup`` need an admin key of every user.
"""


import shutil
import tempfile
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from ._keys import Principal
from ._schemas import ERRORS
from ._service import Service

if TYPE_CHECKING:
    from .._memory import Memory

__all__ = ["upkeep_router", "RefreshIn", "ReembedIn", "Reembedded", "RekeyIn"]

_SQLITE = "application/vnd.sqlite3"


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str
    record_ids: list[str] = Field(description="records changed behind the facade: the "
                                  "summaries and profile built from them are rebuilt")


class ReembedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(None, description="one user; omitted: every user (admin key "
                                "of every user), and the file then records the server's "
                                "embedder as its own")


class Reembedded(BaseModel):
    records: int


class RekeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(None, description="one user; omitted: every user (admin key "
                                "of every user)")


def upkeep_router(svc: Service) -> APIRouter:
    async def caller(request: Request) -> Principal:
        return svc.principal(request.headers)

    Who = Annotated[Principal, Depends(caller)]

    def rebuilt(who: Principal, user_id: str | None) -> "Memory":
        """The memory a reembed or rekey rebuilds records in: one user's (as any change),
        or, with no user, every user's (admin key of every user)."""
        if user_id is None:
            svc.admin(who, everyone=True)
            return svc.memory
        return svc.changer(who, user_id)
    router = APIRouter(prefix="/v1", responses=ERRORS, tags=["admin"])

    @router.post("/refresh-derived", status_code=204, response_class=Response,
                 response_model=None,
                 tags=["write"], summary="Rebuild the summaries and profile built from "
                 "these records")
    def refresh_derived(body: RefreshIn, who: Who) -> Response:
        memory = svc.changer(who, body.user_id)
        with svc.writing():
            memory.refresh_derived(body.record_ids, user_id=body.user_id)
        return Response(status_code=204)

    @router.post("/reembed", response_model=Reembedded, summary="New vectors for every "
                 "record from its text, with the server's embedder (after an upgrade)")
    def reembed(body: ReembedIn, who: Who) -> Any:
        memory = rebuilt(who, body.user_id)
        with svc.writing():
            return {"records": memory.reembed(user_id=body.user_id)}

    @router.post("/rekey", response_model=Reembedded, summary="New index keys and entity "
                 "edges for every record from its text, with the server's key expansion")
    def rekey(body: RekeyIn, who: Who) -> Any:
        memory = rebuilt(who, body.user_id)
        with svc.writing():
            return {"records": memory.rekey(user_id=body.user_id)}

    @router.get("/backup", response_class=FileResponse, summary="Download a consistent "
                "copy of the whole SQLite database (admin key of every user)",
                responses={200: {"content": {_SQLITE: {"schema": {"type": "string",
                                                                  "format": "binary"}}}}})
    def backup(who: Who) -> Any:
        svc.admin(who, everyone=True)
        folder = tempfile.mkdtemp(prefix="engram-backup-")
        try:
            made = svc.memory.backup(f"{folder}/memory.db")  # a snapshot; writers go on
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        headers = {f"x-engram-{k}": str(made[k]) for k in ("records", "sessions", "users")}
        return FileResponse(made["path"], media_type=_SQLITE, headers=headers,
                            filename="memory.db",
                            background=BackgroundTask(shutil.rmtree, folder, True))

    return router
