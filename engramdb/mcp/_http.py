"""The streamable-HTTP MCP endpoint of ``engram serve``, behind the same API keys.

Stateless JSON mode: each POST is one self-contained exchange, so no session state
outlives a request and any replica can answer. A request without a valid key is
refused before the MCP layer sees it; each tool call then resolves the caller's
tenant from the same headers, exactly as the ``/v1`` routes do.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._models import Scope
from ..server._errors import ApiError, error_body

if TYPE_CHECKING:
    from .._memory import Memory
    from ..server._service import Service

__all__ = ["McpHttp", "HttpBinding"]


class HttpBinding:
    def __init__(self, svc: Service) -> None:
        self.svc = svc

    def memory(self, ctx: Any, user_id: str | None, mode: str) -> tuple[Memory, str]:
        from ..client._wire import AuthError, ForbiddenError

        try:
            who = self.svc.principal(ctx.headers or {})
            user = user_id or _only_user(who)
            Scope(user)
            if mode == "read":
                return self.svc.reader(who, user), user
            if mode == "change":
                return self.svc.changer(who, user), user
            return self.svc.writer(who, user), user
        except ApiError as exc:  # as the library's errors, for the tool error message
            raise (AuthError if exc.status == 401 else ForbiddenError)(exc.message) from None

    def writing(self) -> Any:
        return self.svc.writing()


def _only_user(who: Any) -> str:
    from .._errors import MissingScopeError

    if len(who.users) == 1 and who.prefix is None:
        return next(iter(who.users))
    raise MissingScopeError("user_id is required: this API key serves more than one user")


class McpHttp:
    """The ASGI app mounted at ``/mcp`` and the session manager its lifespan runs."""

    def __init__(self, svc: Service) -> None:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
        from mcp.server.transport_security import TransportSecuritySettings

        from . import build_server

        self.svc = svc
        server = build_server(HttpBinding(svc))
        security = None
        if svc.keys is None:  # no keys: loopback only, so guard against DNS rebinding
            security = TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"])
        self.session_manager = StreamableHTTPSessionManager(
            app=server._lowlevel_server, json_response=True, stateless=True,
            security_settings=security, max_request_body_size=svc.max_body_bytes)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.svc.keys is not None:
            from starlette.datastructures import Headers

            try:
                self.svc.principal(Headers(scope=scope))
            except ApiError as exc:
                body = json.dumps(error_body(exc.code, exc.message)).encode()
                self.svc.metrics.error(exc.code)
                await send({"type": "http.response.start", "status": exc.status,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.session_manager.asgi_app(scope, receive, send)
