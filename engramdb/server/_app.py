"""The ASGI application: ``create_app(memory)`` and its middleware.

Middleware is plain ASGI (no per-request objects): metrics outermost, so that every
answer is counted, then the body size limit.
"""


import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ._errors import error_body, install_handlers
from ._keys import KeyStore
from ._service import Service

if TYPE_CHECKING:
    from .._memory import Memory

__all__ = ["create_app", "DEFAULT_MAX_BODY", "DEFAULT_MAX_IMPORT"]

log = logging.getLogger("engramdb.server")

DEFAULT_MAX_BODY = 8 << 20  # 8 MiB: far above any sane batch of memories
DEFAULT_MAX_IMPORT = 1 << 30  # imports stream to a temporary file


def create_app(memory: "Memory", *, auth: bool = True, max_body_bytes: int = DEFAULT_MAX_BODY,
               max_import_bytes: int = DEFAULT_MAX_IMPORT, mcp: bool = True,
               close_memory: bool = False, key_usage_seconds: float = 60.0) -> Any:
    """A FastAPI app serving ``memory`` under ``/v1``.

    ``auth=True`` requires an API key (see :class:`engramdb.server.KeyStore`) on every
    ``/v1`` and ``/mcp`` request; ``auth=False`` serves everyone as an admin of every
    user (``engram serve`` allows that only on a loopback address).
    ``close_memory`` closes it at shutdown, after the write in flight.
    ``key_usage_seconds``: how often the keys' last-use times are written (and at exit).
    """
    from fastapi import FastAPI

    from .. import __version__
    from ._data import data_router
    from ._routes import build_router
    from ._upkeep import upkeep_router

    svc = Service(memory, keys=KeyStore(memory.store) if auth else None,
                  max_body_bytes=max_body_bytes, max_import_bytes=max_import_bytes)
    mcp_app = _mcp_app(svc) if mcp else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if mcp_app is not None:
                await stack.enter_async_context(mcp_app.session_manager.run())
            stack.enter_context(_every(key_usage_seconds, svc.flush_key_usage))
            try:
                yield
            finally:
                svc.close()
                if close_memory:
                    memory.close()

    app = FastAPI(title="engramdb", version=__version__, lifespan=lifespan,
                  description="Long-term memory for assistants and agents. Every call is "
                  "scoped by user_id; send your API key as 'Authorization: Bearer <key>'.")
    app.state.service = svc
    install_handlers(app, svc.metrics.error)
    app.include_router(build_router(svc))
    app.include_router(data_router(svc))
    app.include_router(upkeep_router(svc))
    _health_routes(app, svc)
    if mcp_app is not None:  # exactly /mcp (a Mount would redirect it to /mcp/)
        from starlette.routing import Route

        app.router.routes.append(Route("/mcp", mcp_app, methods=["GET", "POST", "DELETE"],
                                       include_in_schema=False))
    app.add_middleware(BodyLimit, limit=max_body_bytes, metrics=svc.metrics,
                       exempt=("/v1/import",))
    app.add_middleware(Timing, metrics=svc.metrics, service=svc)
    return app


@contextlib.contextmanager
def _every(seconds: float, job: Any) -> Any:
    """Run ``job(seconds)`` every ``seconds`` on a worker thread while the app runs."""
    import asyncio

    from starlette.concurrency import run_in_threadpool

    async def loop() -> None:
        while True:
            await asyncio.sleep(seconds)
            await run_in_threadpool(job, seconds)

    task = asyncio.get_running_loop().create_task(loop())
    try:
        yield
    finally:
        task.cancel()


def _mcp_app(svc: Service) -> Any:
    from ..mcp._http import McpHttp

    return McpHttp(svc)


def _health_routes(app: Any, svc: Service) -> None:
    from fastapi import Request
    from fastapi.responses import JSONResponse, PlainTextResponse

    from ._schemas import Health

    @app.get("/healthz", response_model=Health, tags=["ops"], summary="The process is up")
    def healthz() -> Any:
        return {"status": "ok"}

    @app.get("/readyz", response_model=Health, tags=["ops"],
             responses={503: {"model": Health}}, summary="The store answers; not shutting down")
    def readyz() -> Any:
        if svc.closing:
            return JSONResponse({"status": "shutting down"}, status_code=503)
        svc.memory.store.meta("embedder")  # a read: raises if the file is gone or broken
        return {"status": "ready"}

    @app.get("/metrics", response_class=PlainTextResponse, tags=["ops"],
             summary="Prometheus metrics (admin key when keys are on)")
    def metrics(request: Request) -> Any:
        if svc.keys is not None:
            svc.admin(svc.principal(request.headers))
        text = svc.metrics.render(lambda: _records(svc))
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")


def _records(svc: Service) -> dict[str, int]:
    backend = type(svc.memory.store).__name__.replace("Store", "").lower() or "store"
    return {backend: svc.memory.store.count_all() if hasattr(svc.memory.store, "count_all")
            else svc.memory.stats().records}


# ------------------------------------------------------------------ middleware
async def _send_error(send: Any, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a request body over ``limit`` bytes, declared or streamed."""

    def __init__(self, app: Any, *, limit: int, metrics: Any, exempt: tuple[str, ...]) -> None:
        self.app, self.limit, self.metrics, self.exempt = app, limit, metrics, exempt

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send)
        messages, size = [], 0
        while True:  # bodies are small: read them here, then replay them
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                return await self._refuse(send)
            if not message.get("more_body"):
                break

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any) -> None:
        self.metrics.error("payload_too_large")
        await _send_error(send, 413, "payload_too_large",
                          f"request body is over the limit of {self.limit} bytes")


class Timing:
    """Counts every request and its latency under its route template, and the requests
    in flight (``service.inflight``: read by :meth:`Service.read`)."""

    def __init__(self, app: Any, *, metrics: Any, service: Any = None) -> None:
        self.app, self.metrics, self.service = app, metrics, service

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [500]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                # Server-Timing: the time spent in the server, for clients and benchmarks
                took = (time.perf_counter() - start) * 1000
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"server-timing", f"app;dur={took:.2f}"
                                                   .encode())]}
            await send(message)

        svc = self.service
        if svc is not None:
            svc.inflight += 1  # only the event loop's thread changes it: no lock
        try:
            await self.app(scope, receive, sending)
        finally:
            if svc is not None:
                svc.inflight -= 1
            route = scope.get("route")
            path = getattr(route, "path", None) or (
                "/mcp" if scope["path"].startswith("/mcp") else "unmatched")
            self.metrics.observe(scope["method"], path, status[0],
                                 time.perf_counter() - start)
