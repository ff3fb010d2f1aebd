"""OpenAIEmbedder against a stub server on 127.0.0.1 (no network leaves the machine)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from engramdb._errors import InvalidInputError, ProviderError
from engramdb.embed import OpenAIEmbedder, embed_texts, get_embedder

DIM = 4


class Stub:
    """What the server answers next, and what it was sent."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []


def _vector(text: str) -> list[float]:
    # Unnormalised on purpose: the client must normalise.
    return [float(len(text)), 1.0, 2.0 * (len(text) % 3), 0.5]


def _answer(stub: Stub, body: dict[str, Any]) -> tuple[int, bytes]:
    texts = body["input"]
    # Reversed order: the client must sort by "index".
    data = [{"object": "embedding", "index": i, "embedding": _vector(t)}
            for i, t in reversed(list(enumerate(texts)))]
    if stub.mode == "bad-json":
        return 200, b"<html>surprise</html>"
    if stub.mode == "http-500":
        return 500, b'{"error": "model not loaded"}'
    if stub.mode == "too-few":
        data = data[1:]
    if stub.mode == "ragged":
        data[0]["embedding"] = [1.0]
    if stub.mode == "wrong-dim":
        data = [{**item, "embedding": item["embedding"] + [0.0]} for item in data]
    return 200, json.dumps({"object": "list", "data": data, "model": body["model"]}).encode()


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.requests.append({"path": self.path, **body})
            stub.headers.append(dict(self.headers))
            status, payload = _answer(stub, body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Stub]]:
    stub = Stub()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1/", stub
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def stub(server: tuple[str, Stub]) -> Stub:
    server[1].reset()
    return server[1]


def _embedder(server: tuple[str, Stub], **options: Any) -> OpenAIEmbedder:
    return OpenAIEmbedder("nomic-embed-text", base_url=server[0], **options)


def test_embeds_in_index_order_and_normalises(server: tuple[str, Stub], stub: Stub) -> None:
    texts = ["a", "bbbb", "cc"]
    out = _embedder(server, api_key="sk-test").embed_batch(texts)
    expected = np.array([_vector(t) for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert out.dtype == np.float32
    sent = {"path": "/v1/embeddings", "model": "nomic-embed-text", "input": texts}
    assert stub.requests == [sent]
    assert stub.headers[0]["Authorization"] == "Bearer sk-test"


def test_dim_is_learnt_from_the_first_response(server: tuple[str, Stub], stub: Stub) -> None:
    embedder = _embedder(server)
    embedder.embed_batch(["hello"])
    assert embedder.dim == DIM and len(stub.requests) == 1
    assert "Authorization" not in stub.headers[0]


def test_reading_dim_first_sends_one_probe(server: tuple[str, Stub], stub: Stub) -> None:
    embedder = _embedder(server)
    assert embedder.dim == DIM and embedder.dim == DIM
    assert len(stub.requests) == 1


def test_batches_and_blank_texts(server: tuple[str, Stub], stub: Stub) -> None:
    embedder = _embedder(server, batch_size=2, dim=DIM)
    out = embedder.embed_batch(["one", "", "three", "  ", "five", "six"])
    assert [r["input"] for r in stub.requests] == [["one", "three"], ["five", "six"]]
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), [1, 0, 1, 0, 1, 1], atol=1e-6)
    assert embed_texts(embedder, []).shape == (0, DIM)


def test_registry_name(server: tuple[str, Stub], stub: Stub) -> None:
    embedder = get_embedder("openai", model="m", base_url=server[0], dim=DIM)
    assert isinstance(embedder, OpenAIEmbedder) and embedder.name == "openai:m"


@pytest.mark.parametrize(("mode", "message"), [
    ("bad-json", "did not answer JSON"),
    ("http-500", "HTTP 500.*model not loaded"),
    ("too-few", "returned 1 embeddings for 2 inputs"),
    ("ragged", "malformed"),
    ("wrong-dim", "5-dimensional vectors, expected 4"),
])
def test_bad_responses_are_provider_errors(server: tuple[str, Stub], stub: Stub,
                                           mode: str, message: str) -> None:
    stub.mode = mode
    with pytest.raises(ProviderError, match=message):
        _embedder(server, dim=DIM).embed_batch(["x", "yy"])


def test_unreachable_server_is_a_provider_error() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    embedder = OpenAIEmbedder("m", base_url=f"http://127.0.0.1:{port}/v1", timeout=2)
    with pytest.raises(ProviderError, match="cannot reach"):
        embedder.embed_batch(["x"])


@pytest.mark.parametrize("options", [
    {"model": ""}, {"model": "m", "base_url": "localhost:11434"}, {"model": "m", "dim": 0},
    {"model": "m", "timeout": 0}, {"model": "m", "batch_size": 0},
])
def test_bad_arguments(options: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        OpenAIEmbedder(**options)
