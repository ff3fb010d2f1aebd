"""Decay carried out on a store: archive what has faded, strengthen what recall returns.

The arithmetic (retention, gains, which records to archive) is pure and lives in
:mod:`engramdb.lifecycle.decay`; this module writes its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from .._errors import InvalidInputError, StoreBusyError
from .._models import Filters, Hit, Record, Scope, utcnow
from ..store import Store
from .decay import ArchivePlan, DecayPolicy, plan_archive, reinforcement_gain

__all__ = ["archive_faded", "check_archived", "check_capacity", "reinforce"]

log = logging.getLogger(__name__)


def reinforce(store: Store, scope: Scope, hits: Sequence[Hit], policy: DecayPolicy) -> None:
    """Recall strengthens what it returns; best effort (a busy file skips it)."""
    now = utcnow()
    top = hits[:policy.reinforce_top]
    gains = [reinforcement_gain(h.record, now, policy) for h in top]
    try:
        store.touch(scope, [h.id for h in top], now, gains)
    except StoreBusyError:
        pass


def archive_faded(store: Store, scope: Scope, *, now: datetime | None,
                  threshold: float | None, capacity: int | None,
                  kinds: Sequence[str] | None, dry_run: bool,
                  policy: DecayPolicy) -> ArchivePlan:
    """``Memory.decay``: plan (:func:`~.decay.plan_archive`) and, unless ``dry_run``,
    archive with the reason of each group."""
    limit = policy.threshold if threshold is None else float(threshold)
    if not 0.0 <= limit <= 1.0:
        raise InvalidInputError("threshold must be between 0 and 1")
    records = store.find(scope, Filters(kinds=tuple(kinds) if kinds else None,
                                        include_superseded=True))
    plan = plan_archive(records, now or utcnow(), threshold=limit,
                        capacity=check_capacity(capacity), policy=policy)
    if dry_run:
        return plan
    if plan.faded or plan.over_capacity:
        log.info("archiving %d faded and %d over-capacity record(s) of user %s",
                 len(plan.faded), len(plan.over_capacity), scope.user_id)
    for ids, why in ((plan.faded, f"retention below {limit:g}"),
                     (plan.over_capacity, f"over capacity {capacity}")):
        if ids:
            detail = {i: {"retention": round(plan.retention[i], 4)} for i in ids}
            store.archive(scope, ids, reason=why, detail=detail)
    return plan


def check_archived(record: Record) -> Record:
    """``record`` if it is archived; restoring one that is not was a silent success, so
    a wrong id (a superseded record, a typo'd copy) looked restored."""
    if not record.archived:
        raise InvalidInputError(f"record {record.id} is not archived: nothing to restore")
    return record


def check_capacity(value: int | None) -> int | None:
    """``value`` if it is None or a positive integer, else an InvalidInputError."""
    if value is not None and (not isinstance(value, int) or value < 1):
        raise InvalidInputError("capacity must be a positive integer")
    return value
