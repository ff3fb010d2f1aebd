"""Named loggers under ``"engramdb"``; silent unless the application configures logging.

>>> import logging; logging.basicConfig(level=logging.INFO)  # doctest: +SKIP

shows what the engine does (opening files, writes, supersessions, archiving, deletions,
provider calls). Messages never quote stored text: ids, counts and timings only.
"""

from __future__ import annotations

import logging

__all__: list[str] = []

# Modules log to logging.getLogger(__name__); this handler keeps the "engramdb" tree
# silent (no "last resort" printing of warnings) until the application configures logging.
logging.getLogger("engramdb").addHandler(logging.NullHandler())
