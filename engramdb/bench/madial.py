"""MADial-Bench memory recall (He et al., NAACL 2025): recall from the live conversation.

An assistant is in a dialogue with a user and must bring up, at the test turn, the
memories worth recalling from the user's archive. Every memory of the archive is
added as ``"<scene>: <event>"`` with its date; the query is the dialogue before the
first test turn (that turn is the assistant's reply bringing a memory up, so it is
never shown). Gold is ``relevant-id``. The benchmark's own measures: recall@k =
|gold ∩ top k| / |gold| and the reciprocal rank of the first gold hit (MRR), at
k = 1, 3, 5, 10, averaged over dialogues, in percent.

The plain methods get the dialogue as one long query string, as a caller without
context recall would send it; ``context`` sends the turns as chat messages
(``Memory.search(messages=...)``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import ImportFormatError
from .metrics import percentiles

__all__ = ["MadialData", "Dialogue", "load_madial", "run_madial", "KS", "MADIAL_METHODS",
           "ingest_archive", "context_latency"]

KS = (1, 3, 5, 10)
MADIAL_METHODS = ("bm25", "dense", "hybrid", "engram", "context")
MEMORIES = "madial-memories.jsonl"
DIALOGUES = "madial-dev-dialogues.jsonl"
#: the scope the archive is written into (one archive, as the benchmark ships it)
USER = "madial"

_LINE = re.compile(r'^<([^<>]{1,40})>:\s*(.*)$', re.S)


@dataclass(frozen=True, slots=True)
class Dialogue:
    index: int
    user_id: int
    lines: tuple[str, ...]  # the raw lines before the test turn, as the file has them
    messages: tuple[dict[str, str], ...]  # the same as chat messages
    gold: tuple[str, ...]
    full: tuple[str, ...] = ()  # every line of the dialogue (for the latency run)


@dataclass(frozen=True, slots=True)
class MadialData:
    memories: dict[str, dict[str, Any]]
    dialogues: tuple[Dialogue, ...]


def load_madial(path: str | Path, dialogues: str | None = None) -> MadialData:
    """The archive and the dialogues from the benchmark's directory (or a dialogues
    file inside it: the archive is read from beside it)."""
    path = Path(path)
    folder, name = (path.parent, path.name) if path.is_file() else (path, dialogues or DIALOGUES)
    try:
        memories: dict[str, dict[str, Any]] = {}
        for line in _lines(folder / MEMORIES):
            memories.update({str(k): v for k, v in json.loads(line).items()})
        items = [json.loads(line) for line in _lines(folder / name)]
        parsed = tuple(_dialogue(i, item) for i, item in enumerate(items))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ImportFormatError(f"{folder}: not a MADial-Bench directory ({exc})") from exc
    return MadialData(memories, parsed)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _dialogue(index: int, item: dict[str, Any]) -> Dialogue:
    lines = tuple(item["dialogue"][1:int(item["test-turn"][0])])
    full = tuple(x for x in item["dialogue"] if x.strip() not in ("<BOD>", "<EOD>"))
    return Dialogue(index, int(item.get("user-id", 0)), lines, tuple(to_messages(lines)),
                    tuple(str(g) for g in item["relevant-id"]), full)


def to_messages(lines: Sequence[str]) -> list[dict[str, str]]:
    """``<Name>: "text"`` lines as chat messages; ``Assistant`` is the assistant, any
    other name the user (kept as the message's ``name``). A line without a speaker tag
    (a few in the data) alternates with the line before it."""
    out: list[dict[str, str]] = []
    for raw in lines:
        match = _LINE.match(raw.strip())
        if match:
            who, text = match.group(1).strip(), match.group(2)
            role = "assistant" if who.lower() == "assistant" else "user"
        else:
            who, text = "", raw
            role = "assistant" if out and out[-1]["role"] == "user" else "user"
        message = {"role": role, "content": text.strip().strip('"<>').strip()}
        if role == "user" and who:
            message["name"] = who
        out.append(message)
    return out


def ingest_archive(memory: Any, data: MadialData, user_id: str = USER) -> dict[str, str]:
    """Add every memory as ``"<scene>: <event>"`` dated ``time``; record id -> memory id."""
    items = [{"text": f"{m['scene']}: {m['event']}", "timestamp": m.get("time"),
              "metadata": {"madial_id": mid}} for mid, m in data.memories.items()]
    records = memory.add_many(items, user_id=user_id)
    return {r.id: str(r.metadata["madial_id"]) for r in records}


def score(ranked: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    """recall@k and the reciprocal rank, as MADial-Bench's script computes them."""
    out = {f"recall@{k}": len(set(gold) & set(ranked[:k])) / len(gold) for k in KS}
    out["mrr"] = next((1.0 / (i + 1) for i, doc in enumerate(ranked) if doc in set(gold)), 0.0)
    return out


def _search(memory: Any, method: str, dialogue: Dialogue, limit: int) -> list[Any]:
    if method == "context":
        return list(memory.search(messages=list(dialogue.messages), user_id=USER, limit=limit))
    return list(memory.search("".join(dialogue.lines), user_id=USER, limit=limit,
                              method=method))


def run_madial(memory: Any, data: MadialData, methods: Sequence[str] = MADIAL_METHODS, *,
               limit: int = 10, progress: Callable[[str, int, int], None] | None = None
               ) -> dict[str, Any]:
    """Ingest the archive into ``memory`` and ask every dialogue with every method."""
    started = time.perf_counter()
    ids = ingest_archive(memory, data)
    ingest_s = time.perf_counter() - started
    report: dict[str, Any] = {"benchmark": "madial", "dialogues": len(data.dialogues),
                              "memories": len(data.memories), "ingest_s": round(ingest_s, 3),
                              "methods": {}, "per_dialogue": []}
    for method in methods:
        rows, latency = [], []
        for i, dialogue in enumerate(data.dialogues):
            t0 = time.perf_counter()
            hits = _search(memory, method, dialogue, limit)
            latency.append((time.perf_counter() - t0) * 1000)
            ranked = [ids.get(h.id, "") for h in hits]
            rows.append(score(ranked, dialogue.gold))
            report["per_dialogue"].append({"method": method, "dialogue": dialogue.index,
                                           "ranked": ranked, "gold": list(dialogue.gold)})
            if progress is not None:
                progress(method, i + 1, len(data.dialogues))
        report["methods"][method] = _summary(rows, latency)
    if "context" in methods:
        report["context_latency"] = context_latency(memory, data)
    return report


def context_latency(memory: Any, data: MadialData, turns: int = 20) -> dict[str, Any]:
    """Latency of context recall on a ``turns``-message conversation: each dialogue after
    the whole dialogues before it (the archive has no longer ones). ``cold``: no query
    vector cached; ``live``: the assistant searched before each earlier reply too, as it
    would in a conversation, so only the messages new since then are embedded;
    ``dense_whole``: the plain dense method on the same conversation as one string.
    Beside wall-clock milliseconds, the CPU milliseconds of the process (every thread):
    on a shared machine the wall clock also counts waiting for a core."""
    runs: dict[str, list[tuple[float, float]]] = {"cold": [], "live": [], "dense_whole": []}
    for i, cur in enumerate(data.dialogues):
        messages = _longer(data.dialogues[:i], list(cur.messages), turns)
        if len(messages) < turns:
            continue
        memory._queries.clear()  # the recall run before embedded these very turns
        runs["cold"].append(_timed(lambda: memory.search(messages=messages, user_id=USER)))
        memory._queries.clear()
        for end in range(1, len(messages)):
            if messages[end - 1]["role"] == "user":
                memory.search(messages=messages[:end], user_id=USER)
        runs["live"].append(_timed(lambda: memory.search(messages=messages, user_id=USER)))
        text = "\n".join(m["content"] for m in messages)
        runs["dense_whole"].append(
            _timed(lambda: memory.search(text, user_id=USER, method="dense")))
    out: dict[str, Any] = {"messages": turns, "conversations": len(runs["cold"])}
    for name, values in runs.items():
        wall, cpu = percentiles(v[0] for v in values), percentiles(v[1] for v in values)
        out.update({f"{name}_p50_ms": round(wall[50], 2), f"{name}_p95_ms": round(wall[95], 2),
                    f"{name}_cpu_p50_ms": round(cpu[50], 2)})
    return out


def _longer(before: Sequence[Dialogue], messages: list[dict[str, str]],
            turns: int) -> list[dict[str, str]]:
    for earlier in reversed(before):
        if len(messages) >= turns:
            break
        messages = [*to_messages(earlier.full), *messages]
    return messages[-turns:]


def _timed(run: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and process CPU milliseconds of ``run()``."""
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def _summary(rows: Sequence[dict[str, float]], latency: Sequence[float]) -> dict[str, Any]:
    means = {key: round(100 * sum(r[key] for r in rows) / len(rows), 1) for key in rows[0]}
    pct = percentiles(latency)
    return {**means, "p50_ms": round(pct[50], 2), "p95_ms": round(pct[95], 2)}
