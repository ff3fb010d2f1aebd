"""Streamed JSONL export and import (the formats ``engram export|import`` use)."""


import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from .._errors import EngramError
from ._errors import ApiError
from ._keys import Principal
from ._schemas import ERRORS, Imported
from ._service import Service

__all__ = ["data_router"]

_CHUNK = 1 << 16
_NDJSON = "application/x-ndjson"


def data_router(svc: Service) -> APIRouter:
    async def caller(request: Request) -> Principal:
        return svc.principal(request.headers)

    Who = Annotated[Principal, Depends(caller)]
    router = APIRouter(prefix="/v1", responses=ERRORS, tags=["data"])

    @router.get("/export", summary="Stream a user's memory (or, for an admin key of every "
                "user, all of it) as lossless JSONL",
                responses={200: {"content": {_NDJSON: {"schema": {"type": "string"}}}}},
                response_class=StreamingResponse)
    def export(who: Who, user_id: str | None = None) -> Any:
        if user_id is None:
            svc.admin(who, everyone=True)
            memory = svc.memory
        else:
            memory = svc.reader(who, user_id)
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")
        try:
            memory.export(spool, user_id=user_id)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return StreamingResponse(_chunks(spool), media_type=_NDJSON)

    @router.post("/import", response_model=Imported, summary="Import a JSONL export, LoCoMo "
                 "or LongMemEval file sent as the request body",
                 openapi_extra={"requestBody": {"required": True, "content": {
                     _NDJSON: {"schema": {"type": "string"}}}}})
    async def import_(request: Request, who: Who, user_id: str | None = None,
                      format: str | None = None, skip_bad: bool = False) -> Any:
        if user_id is None:
            svc.admin(who, everyone=True)
        else:
            svc.writer(who, user_id)
        folder = tempfile.mkdtemp(prefix="engram-import-")
        try:
            path = os.path.join(folder, "body")
            await _receive(request, path, svc.max_import_bytes)
            return await run_in_threadpool(_import, svc, path, user_id, format, skip_bad)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return router


def _chunks(spool: Any) -> Iterator[bytes]:
    try:
        while chunk := spool.read(_CHUNK):
            yield chunk.encode("utf-8")
    finally:
        spool.close()


async def _receive(request: Request, path: str, limit: int) -> None:
    size = 0
    with open(path, "wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, "payload_too_large",
                               f"import body is over the limit of {limit} bytes")
            out.write(chunk)


def _import(svc: Service, path: str, user_id: str | None, fmt: str | None,
            skip_bad: bool) -> dict[str, Any]:
    from .._importer import import_file

    try:
        with svc.writing():
            report = import_file(svc.memory, path, format=fmt, user_id=user_id,
                                 skip_bad=skip_bad)
    except EngramError as exc:  # name the body, not the server's temporary file
        exc.args = tuple(a.replace(path, "body") if isinstance(a, str) else a
                         for a in exc.args)
        raise
    return {"format": report.format, "sessions": report.sessions, "records": report.records,
            "created": report.created, "users": report.users,
            "skipped": [s.replace(path, "body") for s in report.skipped]}
