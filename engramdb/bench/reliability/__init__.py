"""engramdb's own reliability campaign (``engram bench reliability``).

Parts, each a function returning counts:

* :mod:`.crash` — ``kill -9`` trials of writers, imports and compactions, against an
  fsynced log of acknowledged ids: lost and corrupt;
* :mod:`.concurrent` — N processes writing and reading one file: raw errors, lost;
* :mod:`.canary` — cross-user canary fuzz (leaks) and deletion canaries over every
  API, every table (FTS shadow tables too), the raw main and WAL files and exports
  (leaks after erasure, unreported erasure gaps);
* :mod:`.fuzz` — property-based fuzzing of every public method and CLI command
  (raw errors).

Every API-level part drives a :class:`~._target.Target`, so an HTTP or MCP client
runs the same checks by implementing one ``call`` method.
"""

from ._target import PythonTarget, Target

__all__ = ["PythonTarget", "Target"]
