"""``-v`` and ``ENGRAM_LOG``: the CLI is the one place that turns engramdb's logs on.

The library only creates named loggers under ``"engramdb"`` with a ``NullHandler``
(``engramdb/_log.py``): an application decides where its logs go.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

__all__ = ["configure_logging"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR}
_handler: logging.Handler | None = None  # ours, replaced when main() runs again in-process


def configure_logging(verbose: int | None, env: Mapping[str, str]) -> None:
    """``-v`` logs INFO, ``-vv`` DEBUG, on stderr; without it ``ENGRAM_LOG`` (a level name)
    decides; neither: nothing is printed."""
    global _handler
    logger = logging.getLogger("engramdb")
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler = None
    level = _level(verbose, env.get("ENGRAM_LOG", ""))
    if level is None:
        return
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                            "%H:%M:%S"))
    logger.addHandler(_handler)
    logger.setLevel(level)


def _level(verbose: int | None, variable: str) -> int | None:
    if verbose:
        return logging.DEBUG if verbose > 1 else logging.INFO
    return _LEVELS.get(variable.strip().lower())
