"""Running the `engram` CLI in-process for tests: exit code and captured output."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest

from engramdb.cli import main


class Result(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Result:
    """``engram *argv``, with what it printed (and only that) captured."""
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
