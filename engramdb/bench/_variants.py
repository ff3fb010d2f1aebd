"""The rows of the ablation (``bench/ablation.py``): the defaults with one thing changed.

Signal rows follow from the registry of recall signals
(:data:`engramdb.recall.signals.SIGNALS`): each signal that is on by default is
measured off (``no-<name>``), each that is off is measured on (``plus-<name>``, at
the smallest weight in use), and ``no-speaker`` switches off every signal that runs
narrowed to the named speaker (when more than one does). A signal that needs key kinds the defaults do not
build gets a database of its own (``stage="ingest"``). The other rows change a
fusion knob of :class:`~engramdb.recall.pipeline.RecallConfig` or an ingest knob of
:class:`~engramdb.recall.expand.ExpandOptions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from .._errors import InvalidInputError
from ..recall.expand import ExpandOptions
from ..recall.pipeline import PLAIN_CANDIDATES, RecallConfig
from ..recall.signals import SIGNALS, SPEAKER, Signal, ingest_kinds

__all__ = ["Stage", "Variant", "default_variants", "select_variants", "signal_variants",
           "tuning_variants"]

Stage = Literal["search", "ingest"]


@dataclass(frozen=True)
class Variant:
    """One row of the ablation: the defaults with one thing changed."""

    name: str  # short id, a JSON key: "no-speaker"
    label: str  # "engram minus speaker signals"
    what: str  # one sentence: what changes
    stage: Stage
    recall: RecallConfig | None = None  # None: the defaults
    expand: ExpandOptions | None = None  # None: the defaults

    def settings(self) -> dict[str, Any]:
        """What differs from the defaults, flattened: ``{"weights.time": 0.0}``."""
        out: dict[str, Any] = {}
        if self.recall is not None:
            out.update(_diff(_flat(asdict(RecallConfig())), _flat(asdict(self.recall))))
        if self.expand is not None:
            out.update(_diff(_flat(asdict(ExpandOptions()), "expand."),
                             _flat(asdict(self.expand), "expand.")))
        return out


def _flat(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _diff(base: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    return {k: other.get(k) for k in sorted(set(base) | set(other)) if base.get(k) != other.get(k)}


def default_variants() -> tuple[Variant, ...]:
    """The rows of the ablation, derived from today's defaults and signal registry."""
    base = RecallConfig()
    return (*signal_variants(base), *_fusion_variants(base), *_ingest_variants(ExpandOptions()))


def signal_variants(base: RecallConfig) -> list[Variant]:
    """``no-speaker`` (when several signals run narrowed), then one row per registered
    signal, in registry order."""
    out: list[Variant] = []
    narrowed = [s.name for s in SIGNALS if s.narrow and base.weights.get(s.name, 0.0) > 0]
    if len(narrowed) > 1:  # with one, its own row says the same
        out.append(Variant(
            f"no-{SPEAKER}", "engram minus speaker signals",
            f"no ranking restricted to the one person the question names "
            f"({', '.join(narrowed)})", "search", recall=base.without(SPEAKER)))
    out.extend(_signal_row(base, s) for s in SIGNALS)
    return out


def _signal_row(base: RecallConfig, s: Signal) -> Variant:
    if base.weights.get(s.name, 0.0) > 0:
        return Variant(f"no-{s.name}", f"engram minus {s.name}", f"no {s.about}", "search",
                       recall=base.without(s.name))
    recall = base.with_signal(s.name)
    weight = recall.weights[s.name]
    built = ingest_kinds(base.weights)
    stage: Stage = "search" if {k.name for k in s.needs} <= built else "ingest"
    return Variant(f"plus-{s.name}", f"engram plus {s.name}", f"{s.about}, at weight {weight:g}",
                   stage, recall=recall)


def _fusion_variants(base: RecallConfig) -> list[Variant]:
    """The fusion and rerank knobs changed."""
    out: list[Variant] = []
    w = dict(base.weights)
    if w.get("keys", 0) > 0 or w.get("keys@speaker", 0) > 0:
        out.append(Variant(
            "keys-as-text", "engram minus keys, plain text instead",
            "the lexical signals rank each turn's own text (FTS5 BM25, bm25/bm25@speaker) at "
            "the weights of keys/keys@speaker, instead of the stemmed expanded keys",
            "search", recall=replace(base, weights={
                **w, "bm25": w.get("keys", 0.0), "bm25@speaker": w.get("keys@speaker", 0.0),
                "keys": 0.0, "keys@speaker": 0.0})))
    if base.session_cap:
        out.append(Variant(
            "no-session-cap", "engram minus session diversity",
            "no cap on hits per session", "search", recall=replace(base, session_cap=0)))
    else:
        out.append(Variant(
            "plus-session-cap", "engram plus session diversity",
            "at most 2 hits per session before the overflow (diversity across sessions)",
            "search", recall=replace(base, session_cap=2)))
    if not base.session_prior:
        out.append(Variant(
            "plus-session-prior", "engram plus session prior",
            "each hit lifted by its session's summed fused score (sessions that match well "
            "lift their turns), weight 0.1", "search", recall=replace(base, session_prior=0.1)))
    if base.aggregate_every:
        out.append(Variant(
            "no-aggregate-slots", "engram minus aggregation slots",
            "no slots for the named person's own dense matches on list questions "
            "(recall.aggregate)", "search", recall=replace(base, aggregate_every=0)))
    if base.latest_first:
        out.append(Variant(
            "no-latest-first", "engram minus latest-first",
            "no reordering by the question's tense (recall.current: the subject's latest "
            "on-topic statement first for a current question)", "search",
            recall=replace(base, latest_first=False)))
    if base.candidates > PLAIN_CANDIDATES:  # as many as the plain hybrid fuses
        n = PLAIN_CANDIDATES
        out.append(Variant(
            f"candidates-{n}", f"engram with {n} candidates per signal",
            f"each signal's ranking cut to {n} before fusion (default {base.candidates})",
            "search", recall=replace(base, candidates=n)))
    used = [s for s, x in w.items() if x > 0]
    if any(w[s] != 1.0 for s in used):
        out.append(Variant(
            "equal-weights", "engram minus tuned weights",
            "every signal the defaults use at weight 1 (plain RRF over them)", "search",
            recall=replace(base, weights={**w, **{s: 1.0 for s in used}})))
    return out


def _ingest_variants(exp: ExpandOptions) -> list[Variant]:
    """Other expansion or embedding at ingest: a database per variant."""
    out: list[Variant] = []
    if exp.pooled:
        out.append(Variant(
            "no-pooling", "engram minus sentence-pooled vectors",
            "each record is embedded whole instead of as the mean of its sentences' vectors",
            "ingest", expand=replace(exp, pooled=False)))
    if exp.window:
        out.append(Variant(
            "no-window", "engram minus window keys",
            "turns are not indexed under their neighbour window (previous turns + the turn)",
            "ingest", expand=replace(exp, window=False)))
    if exp.dates:
        out.append(Variant(
            "no-dates", "engram minus date keys",
            "turns are not indexed under the absolute dates resolved from what they say",
            "ingest", expand=replace(exp, dates=False)))
    if exp.window and exp.dates:
        out.append(Variant(
            "no-expansion", "engram minus all key expansion",
            "the turn key only: no window keys, no date keys (the lexical keys)", "ingest",
            expand=replace(exp, window=False, dates=False)))
    if exp.turn and exp.window:
        out.append(Variant(
            "merged-key", "engram minus separate keys (expansion merged into the key)",
            "one text key per turn, the window (previous turns + the turn), instead of a "
            "turn key and a window key ranked apart (a turn's best key wins); date keys "
            "stay apart", "ingest", expand=replace(exp, turn=False)))
    if exp.window:
        out.extend(_window_variants(exp))
    return out


def _window_variants(exp: ExpandOptions) -> list[Variant]:
    before = 1 if exp.window_before != 1 else 2
    out = [Variant(
        f"window-before-{before}", f"engram with a {before}-turn window",
        f"the window key holds {before} previous turn{'s' if before > 1 else ''} "
        f"(default {exp.window_before})", "ingest",
        expand=replace(exp, window_before=before))]
    if not exp.window_after:
        out.append(Variant(
            "window-after-1", "engram plus the next turn in the window",
            "the window key also holds the turn after (an answer's question and its "
            "follow-up)", "ingest", expand=replace(exp, window_after=1)))
    return out


def tuning_variants(base: RecallConfig | None = None) -> list[Variant]:
    """Other values of a fitted knob, asked for by name only (not ablation rows): their
    rows, with the defaults', are what ``bench.loco`` picks from leave-one-conversation-
    out (``--variant aggregate-every-5,...``)."""
    base = base or RecallConfig()
    return [*_slot_variants(base), *_weight_variants(base)]


#: other weights a signal that is off by default is measured at (``plus-<name>-<w>``)
OTHER_WEIGHTS = (0.3, 1.0)


def _weight_variants(base: RecallConfig) -> list[Variant]:
    return [Variant(f"plus-{s.name}-{w:g}", f"engram plus {s.name} at {w:g}",
                    f"{s.about}, at weight {w:g}", _signal_row(base, s).stage,
                    recall=base.with_signal(s.name, w))
            for s in SIGNALS if not base.weights.get(s.name, 0.0) for w in OTHER_WEIGHTS]


def _slot_variants(base: RecallConfig) -> list[Variant]:
    return [Variant(f"aggregate-every-{n}", f"engram, aggregation slot every {n}",
                    f"every {n}th hit of a list question is the named person's own best "
                    f"dense match (default {base.aggregate_every})", "search",
                    recall=replace(base, aggregate_every=n))
            for n in (3, 4, 5, 6, 10) if n != base.aggregate_every]


def select_variants(names: Iterable[str] | str | None,
                    variants: Sequence[Variant] | None = None) -> tuple[Variant, ...]:
    """``["no-speaker,no-dates"]`` -> those variants, in table order; None or ``all`` ->
    the ablation's rows (a tuning variant is chosen by name only)."""
    rows = tuple(variants if variants is not None else default_variants())
    if names is None:
        return rows
    if isinstance(names, str):
        names = [names]
    wanted = {n.strip().lower() for value in names for n in value.split(",") if n.strip()}
    if not wanted or "all" in wanted:
        return rows
    if variants is None:
        rows = (*rows, *tuning_variants())
    known = {v.name for v in rows}
    unknown = sorted(wanted - known)
    if unknown:
        raise InvalidInputError(f"unknown ablation variant {', '.join(unknown)}; choose from "
                                f"{', '.join(v.name for v in rows)} (or 'all')")
    return tuple(v for v in rows if v.name in wanted)
