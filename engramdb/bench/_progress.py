"""Progress bars on stderr (stdout stays clean for ``--json``)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["progress_bar"]


def progress_bar(console: Console | None = None) -> Progress:
    """A rich progress display on stderr: ``with progress_bar() as p: p.add_task(...)``."""
    return Progress(TextColumn("[bold]{task.description:<16}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console or Console(file=sys.stderr), transient=False)
