"""A remote ``Memory``: the same methods, arguments and return types, over HTTP.

>>> from engramdb.client import Client
>>> memory = Client("http://127.0.0.1:8765", api_key="egk_...")  # doctest: +SKIP
>>> memory.search("where does Ana live?", user_id="ana")[0].text  # doctest: +SKIP

Errors come back as the same exception classes (``NotFoundError``...), plus
:class:`AuthError`/:class:`ForbiddenError` for keys and :class:`RemoteError` when the
server cannot be reached. ``httpx`` is imported on first use (extra ``server``).
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

from .._errors import InvalidInputError, MissingExtraError
from ._calls import Call, Calls
from ._wire import AuthError, ForbiddenError, RemoteError, raise_for

__all__ = ["Client", "AsyncClient", "AuthError", "ForbiddenError", "RemoteError"]


def _httpx() -> Any:
    try:
        import httpx
    except ImportError as exc:
        raise MissingExtraError.for_package("httpx", "server") from exc
    return httpx


def _headers(api_key: str | None) -> dict[str, str]:
    from .. import __version__

    out = {"user-agent": f"engramdb-client/{__version__}"}
    if api_key:
        out["authorization"] = f"Bearer {api_key}"
    return out


def _answer(response: Any, call: Call) -> Any:
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if response.status_code >= 400:
        raise_for(response.status_code, body)
    return call.decode(body)


def _build(http: Any, call: Call) -> Any:
    """The request for ``call``; an argument no JSON or URL can carry is the caller's error
    (httpx raises a bare TypeError for bytes or objects)."""
    try:
        return http.build_request(call.method, call.path, params=call.params, json=call.json)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"an argument cannot be sent to the server: {exc}") from None


def _count_records(line: str) -> int:
    try:
        return int(json.loads(line).get("type") == "record")
    except (ValueError, AttributeError):
        return 0


def _import_params(user_id: str | None, format: str | None, skip_bad: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"skip_bad": str(skip_bad).lower()}
    if user_id is not None:
        params["user_id"] = user_id
    if format is not None:
        params["format"] = format
    return params


def _report(data: dict[str, Any]) -> Any:
    from .._importer import ImportReport

    return ImportReport(data["format"], sessions=data["sessions"], records=data["records"],
                        skipped=list(data["skipped"]), users=list(data["users"]),
                        created=data["created"])


class Client(Calls):
    """``Memory`` served by ``engram serve`` at ``base_url``."""

    def __init__(self, base_url: str = "http://127.0.0.1:8765", *, api_key: str | None = None,
                 timeout: float = 60.0, transport: Any = None) -> None:
        httpx = _httpx()
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, headers=_headers(api_key),
                                  timeout=timeout, transport=transport)

    def _call(self, call: Call) -> Any:
        httpx = _httpx()
        try:
            response = self._http.send(_build(self._http, call))
        except httpx.TransportError as exc:
            raise RemoteError(f"cannot reach the engramdb server at {self.base_url}: "
                              f"{type(exc).__name__}") from exc
        return _answer(response, call)

    def export(self, fp: IO[str], *, user_id: str | None = None) -> int:
        """Stream the export into ``fp``; returns the records written."""
        params = {"user_id": user_id} if user_id is not None else {}
        count = 0
        with self._http.stream("GET", "/v1/export", params=params) as response:
            if response.status_code >= 400:
                response.read()
                _answer(response, Call("GET", "/v1/export"))
            for line in response.iter_lines():
                fp.write(line + "\n")
                count += _count_records(line)
        return count

    def backup(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Download a consistent copy of the served database to ``path`` (checked before
        it replaces ``path``, like :meth:`Memory.backup`); needs an admin key of every user."""
        from .._backup import install

        def write(tmp: Any) -> None:
            with self._http.stream("GET", "/v1/backup") as response:
                if response.status_code >= 400:
                    response.read()
                    _answer(response, Call("GET", "/v1/backup"))
                with open(tmp, "wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)

        return install(path, write)

    def import_file(self, path: str | os.PathLike[str], *, format: str | None = None,
                    user_id: str | None = None, skip_bad: bool = False) -> Any:
        """Upload a file for the server to import (:func:`engramdb._importer.import_file`)."""
        with open(path, "rb") as fp:
            response = self._http.post("/v1/import", content=fp,
                                       params=_import_params(user_id, format, skip_bad),
                                       headers={"content-type": "application/x-ndjson"})
        return _answer(response, Call("POST", "/v1/import", decode=_report))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(Calls):
    """The same calls as :class:`Client`, each a coroutine (``await memory.search(...)``)."""

    def __init__(self, base_url: str = "http://127.0.0.1:8765", *, api_key: str | None = None,
                 timeout: float = 60.0, transport: Any = None) -> None:
        httpx = _httpx()
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, headers=_headers(api_key),
                                       timeout=timeout, transport=transport)

    async def _call(self, call: Call) -> Any:  # type: ignore[override]
        httpx = _httpx()
        try:
            response = await self._http.send(_build(self._http, call))
        except httpx.TransportError as exc:
            raise RemoteError(f"cannot reach the engramdb server at {self.base_url}: "
                              f"{type(exc).__name__}") from exc
        return _answer(response, call)

    async def export(self, fp: IO[str], *, user_id: str | None = None) -> int:
        params = {"user_id": user_id} if user_id is not None else {}
        count = 0
        async with self._http.stream("GET", "/v1/export", params=params) as response:
            if response.status_code >= 400:
                await response.aread()
                _answer(response, Call("GET", "/v1/export"))
            async for line in response.aiter_lines():
                fp.write(line + "\n")
                count += _count_records(line)
        return count

    async def backup(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        import shutil
        import tempfile

        from .._backup import install

        with tempfile.TemporaryDirectory(prefix="engram-backup-") as folder:
            download = os.path.join(folder, "memory.db")
            async with self._http.stream("GET", "/v1/backup") as response:
                if response.status_code >= 400:
                    await response.aread()
                    _answer(response, Call("GET", "/v1/backup"))
                with open(download, "wb") as out:
                    async for chunk in response.aiter_bytes():
                        out.write(chunk)
            return install(path, lambda tmp: shutil.move(download, tmp))

    async def import_file(self, path: str | os.PathLike[str], *, format: str | None = None,
                          user_id: str | None = None, skip_bad: bool = False) -> Any:
        with open(path, "rb") as fp:
            data = fp.read()
        response = await self._http.post("/v1/import", content=data,
                                         params=_import_params(user_id, format, skip_bad),
                                         headers={"content-type": "application/x-ndjson"})
        return _answer(response, Call("POST", "/v1/import", decode=_report))

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
