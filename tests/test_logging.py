"""engramdb logs through named loggers under "engramdb", silent unless configured, and
never quotes stored text."""

from __future__ import annotations

import logging
import subprocess
import sys

from engramdb import Memory


def test_silent_by_default() -> None:
    code = ("import engramdb, logging, sys\n"
            "m = engramdb.Memory(':memory:', embedder='fake')\n"
            "m.add('Ana lives in Porto.', user_id='ana')\n"
            "m.delete_all(user_id='ana')\n"
            "logging.getLogger('engramdb').warning('would show only if configured')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout == "" and out.stderr == ""  # NullHandler: no lastResort printing
    assert any(isinstance(h, logging.NullHandler)
               for h in logging.getLogger("engramdb").handlers)


def test_named_loggers_report_lifecycle_without_text(tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="engramdb")
    with Memory(tmp_path / "log.db", embedder="fake") as m:
        m.add("I live in Berlin.", user_id="ana")
        m.add("I moved to Paris last month.", user_id="ana")
        m.decay(user_id="ana", threshold=1.0)
        m.delete_all(user_id="ana")
        m.backup(tmp_path / "copy.db")
    names = {r.name for r in caplog.records}
    assert {"engramdb.lifecycle.archive", "engramdb.lifecycle.forget", "engramdb._backup"} <= names
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "superseded" in messages and "archiving" in messages and "deleted" in messages
    assert "Berlin" not in messages and "Paris" not in messages
