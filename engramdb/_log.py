"""Named loggers under ``"engramdb"``; silent unless the application configures logging.

>>> import logging; logging.basicConfig(level=logging.INFO)  # doctest: +SKIP

shows what the engine does (opening files, writes, supersessions, archiving, deletions,
provider calls). Messages never quote stored text: ids, counts and timings only.
"""

from __future__ import annotations

import logging

__all__ = ["get_logger"]

logging.getLogger("engramdb").addHandler(logging.NullHandler())


def get_logger(name: str) -> logging.Logger:
    """The logger for module ``name`` (``__name__``), a child of ``"engramdb"``."""
    return logging.getLogger(name if name.startswith("engramdb") else f"engramdb.{name}")
