"""engramdb: long-term memory for LLM assistants and agents.

>>> from engramdb import Memory
"""

from ._errors import (EmptyTextError, EngramError, ImportConflictError, ImportFormatError,
                      InvalidIdError, InvalidInputError, MissingExtraError, MissingScopeError,
                      NotAnEngramDatabaseError, NotFoundError, PayloadTooLargeError,
                      ProviderError, SchemaTooNewError, StoreBusyError, StoreError)
from . import _log  # noqa: F401  (the "engramdb" logger gets its NullHandler)
from ._memory import Memory, default_path
from ._async import AsyncMemory
from ._models import Filters, Hit, Record, Scope, Session, Stats, Turn, Version
from .recall.confidence import Recall, abstention_curve
from .lifecycle.consolidate import ConsolidationReport
from .lifecycle.profile import Fact, Profile
from .lifecycle.decay import ArchivePlan, DecayPolicy
from .lifecycle.updates import Proposal, UpdateJudge
from ._models import AuditEntry
from .recall.pipeline import METHODS, RecallConfig

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # the remote clients need httpx (extra "server"): imported only when asked for
    if name in ("Client", "AsyncClient"):
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module 'engramdb' has no attribute {name!r}")

__all__ = [
    "Memory", "AsyncMemory", "default_path", "RecallConfig", "METHODS",
    "Record", "Turn", "Session", "Hit", "Version", "Scope", "Filters", "Stats",
    "EngramError", "InvalidInputError", "EmptyTextError", "MissingScopeError",
    "PayloadTooLargeError", "InvalidIdError", "NotFoundError", "ImportFormatError",
    "ImportConflictError",
    "StoreError", "NotAnEngramDatabaseError", "SchemaTooNewError", "StoreBusyError",
    "ProviderError", "MissingExtraError",
    "Recall", "abstention_curve", "Profile", "Fact", "ConsolidationReport",
    "AuditEntry", "UpdateJudge", "Proposal", "DecayPolicy", "ArchivePlan",
]
