"""An extractor over any OpenAI-compatible chat model (:class:`engramdb.llm.LLM`).

Many turns go in one call (``batch_turns``), each under a short local id (``t1``,
``t2``...) so the model never sees, and cannot invent, a stored record id. The reply
must be one JSON object ``{"facts": [...]}``, each fact ``{"turn", "about", "attribute",
"value", "polarity", "confidence"}`` (:data:`SCHEMA`). The reply is untrusted input:

* not JSON, or cut off (truncated) -> the call is retried, then the batch skipped;
* a fact with a wrong type, an unknown attribute or a turn id that was not sent ->
  that fact is skipped;
* a provider failure (timeout, HTTP 429 after the client's own retries, 5xx) -> the
  call is retried, then the batch skipped.

Every skip is counted by reason in :attr:`LLMExtractor.stats`; the turns themselves
are always stored and searchable (the pipeline stores them whatever comes back).
Token counts are estimates (characters / 4): the chat protocol's usage field is
not read through :class:`~engramdb.llm.LLM`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._errors import ProviderError
from .extract import ATTRIBUTES, ExtractedFact, ExtractionStats, TurnInput

__all__ = ["SCHEMA", "LLMExtractor"]

SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["facts"],
    "properties": {"facts": {"type": "array", "items": {
        "type": "object", "required": ["turn", "about", "attribute", "value", "polarity"],
        "properties": {
            "turn": {"type": "string", "description": "the id of the turn that says it"},
            "about": {"type": "string", "description": "'self' (the speaker) or a relation "
                                                       "such as 'sister'"},
            "attribute": {"enum": list(ATTRIBUTES)},
            "value": {"type": ["string", "null"]},
            "polarity": {"enum": ["holds", "ended"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1}}}}}}

_SYSTEM = (
    "You extract durable personal facts from a conversation. For each turn, list the "
    "facts its speaker states about themselves (about='self') or about a relative or "
    "friend (about='sister', 'partner'...): where they live, employer, job title, "
    "partner, pets, diet, hobby, plans, rent, salary and similar attributes. Only facts "
    "stated as true now or as just ended (polarity 'ended'): no wishes, maybes, "
    "questions or other people's guesses. Use the turn ids given. Answer with JSON only, "
    "matching this schema: " + json.dumps(SCHEMA, separators=(",", ":")))


class LLMExtractor:
    """Facts from turns by a chat model, batched, with untrusted output checked."""

    name = "llm"

    def __init__(self, llm: Any, *, batch_turns: int = 20, retries: int = 1,
                 max_tokens: int = 1500) -> None:
        if not callable(getattr(llm, "complete", None)):
            raise TypeError("llm must have a complete(messages, **opts) method")
        self.llm = llm
        self.batch_turns = max(1, batch_turns)
        self.retries = max(0, retries)
        self.max_tokens = max_tokens
        self.stats = ExtractionStats()

    def extract(self, turns: Sequence[TurnInput]) -> list[ExtractedFact]:
        out: list[ExtractedFact] = []
        for start in range(0, len(turns), self.batch_turns):
            batch = list(turns[start:start + self.batch_turns])
            self.stats.turns += len(batch)
            out.extend(self._batch(batch))
        self.stats.facts += len(out)
        return out

    def _batch(self, batch: list[TurnInput]) -> list[ExtractedFact]:
        local = {f"t{i + 1}": t for i, t in enumerate(batch)}
        speaking = {k: t for k, t in local.items() if t.owner is not None}
        if not speaking:
            return []
        messages = [{"role": "system", "content": _SYSTEM},
                    {"role": "user", "content": _prompt(local)}]
        for attempt in range(self.retries + 1):
            reply = self._call(messages)
            if reply is None:
                continue
            parsed = _parse(reply)
            if isinstance(parsed, str):  # the reason it is not usable
                self.stats.skip(parsed)
                continue
            return [f for item in parsed if (f := self._fact(item, speaking)) is not None]
        self.stats.skip("batch given up", len(batch))
        return []

    def _call(self, messages: list[dict[str, Any]]) -> str | None:
        self.stats.calls += 1
        self.stats.prompt_tokens += sum(len(m["content"]) for m in messages) // 4
        try:
            reply = self.llm.complete(messages, max_tokens=self.max_tokens, temperature=0)
        except ProviderError as exc:
            self.stats.skip("timeout" if "timed out" in str(exc) else
                            "rate limited" if "429" in str(exc) else "provider error")
            return None
        except Exception:  # a client bug: the batch is skipped, the turns are stored
            self.stats.skip("client error")
            return None
        if not isinstance(reply, str):
            self.stats.skip("not text")
            return None
        self.stats.completion_tokens += len(reply) // 4
        return reply

    def _fact(self, item: Any, turns: dict[str, TurnInput]) -> ExtractedFact | None:
        reason = _invalid(item, turns)
        if reason is not None:
            self.stats.skip(reason)
            return None
        turn = turns[item["turn"]]
        about = " ".join(item["about"].replace("/", " ").lower().split()).removeprefix("my ")
        assert turn.owner is not None
        subject = turn.owner if about in ("self", "speaker", "me", "") else \
            f"{turn.owner}/{about}"
        conf = item.get("confidence", 0.8)
        value = item["value"].strip() if isinstance(item["value"], str) else None
        return ExtractedFact(subject, item["attribute"], value or None, (turn.id,),
                             round(min(max(float(conf), 0.0), 1.0), 3),
                             item["polarity"] == "holds", turn.timestamp)


def _prompt(turns: dict[str, TurnInput]) -> str:
    lines = [f"[{k}] ({t.timestamp.date().isoformat()}) {t.speaker or t.role or 'someone'}: "
             f"{t.text}" for k, t in turns.items()]
    return "Turns:\n" + "\n".join(lines) + "\n\nJSON:"


def _parse(reply: str) -> list[Any] | str:
    """The list of facts, or why the reply is not usable."""
    text = reply.strip()
    if text.startswith("```"):  # a fenced block: the JSON inside
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        opened = text.count("{") + text.count("[")
        closed = text.count("}") + text.count("]")
        return "truncated json" if text[:1] in "{[" and opened > closed else "malformed json"
    if not isinstance(data, dict) or not isinstance(data.get("facts"), list):
        return "schema mismatch"
    return data["facts"]


def _invalid(item: Any, turns: dict[str, TurnInput]) -> str | None:
    if not isinstance(item, dict):
        return "wrong type"
    types = {"turn": str, "about": str, "attribute": str, "polarity": str}
    if any(not isinstance(item.get(k), t) for k, t in types.items()):
        return "wrong type"
    if item["value"] is not None and not isinstance(item["value"], str):
        return "wrong type"
    conf = item.get("confidence", 0.8)
    if isinstance(conf, bool) or not isinstance(conf, (int, float)) or conf != conf:
        return "wrong type"
    if item["turn"] not in turns:
        return "invented id"
    family = item["attribute"].partition(":")[0]
    if family not in ATTRIBUTES or item["polarity"] not in ("holds", "ended"):
        return "outside the schema"
    if len(item["about"]) > 40 or (item["value"] or "") and len(item["value"]) > 80:
        return "too long"
    return None
