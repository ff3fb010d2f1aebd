"""Many processes on one database, on both backends: N processes add, update and search
at once; no write is lost, no lock error reaches a caller, and near-duplicates added at
the same moment by different processes are stored once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

from engramdb import Memory

PROCESSES = 4
FACTS = 6  # per process

# Each worker: waits for a common start time, adds one of two near-duplicate wordings
# (with the duplicate check slowed down so the processes' checks overlap), then adds,
# updates and searches its own facts. It prints what it wrote, or the error it met.
_WORKER = textwrap.dedent("""
    import json, pathlib, sys, time
    import engramdb.lifecycle.merge as merge
    from engramdb import Memory

    target, me, gate, facts = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3]), int(sys.argv[4])
    real = merge.find_duplicate

    def slow(*args, **kwargs):  # widen the window between the check and the write
        found = real(*args, **kwargs)
        time.sleep(0.3)
        return found

    merge.find_duplicate = slow
    out = {"ids": [], "updated": []}
    try:
        with Memory(target, embedder="fake") as m:
            (gate / f"ready{me}").touch()  # then wait for the others (bounded)
            deadline = time.time() + 120
            while not (gate / "go").exists() and time.time() < deadline:
                time.sleep(0.01)
            wording = ["My sister Ana lives in Porto.", "My sister Ana lives in Porto now."]
            m.add(wording[me % 2], user_id="shared")
            for j in range(facts):
                user = "shared" if j % 2 else f"own{me}"
                r = m.add(f"process {me} wrote fact {j}: code {me * 1000 + j}", user_id=user,
                          merge=False)
                out["ids"].append([user, r.id])
                if j % 3 == 0:
                    m.update(r.id, f"process {me} rewrote fact {j}: code {me * 1000 + j + 500}",
                             user_id=user)
                    out["updated"].append([user, r.id])
                m.search(f"code {me * 1000 + j}", user_id=user, limit=3)
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out))
""")


def _start_together(gate, procs) -> None:
    """Go once every worker is up (imports, pool): a barrier, not a fixed sleep that is
    too long on a quiet machine and too short on a loaded one."""
    deadline = time.time() + 120
    while len(list(gate.glob("ready*"))) < len(procs) and time.time() < deadline:
        if any(p.poll() is not None for p in procs):
            break  # a worker died: its stderr says why below
        time.sleep(0.01)
    (gate / "go").touch()


def test_processes_adding_updating_and_searching_at_once(db_target, tmp_path):
    with Memory(db_target, embedder="fake") as m:  # created (and migrated) once, up front
        m.add("seed", user_id="seed")
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, db_target, str(i), str(tmp_path),
                               str(FACTS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(PROCESSES)]
    _start_together(tmp_path, procs)
    results = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [r.get("error") for r in results] == [None] * PROCESSES  # no lock error, nothing
    with Memory(db_target, embedder="fake") as m:
        for r in results:  # no lost write, no lost update
            for user, rid in r["ids"]:
                assert m.get(rid, user_id=user) is not None
            for user, rid in r["updated"]:
                assert "rewrote" in m.get(rid, user_id=user).text
                assert len(m.history(rid, user_id=user)) == 2
        porto = [x for x in m.list(user_id="shared", limit=1000) if "Porto" in x.text]
        assert len(porto) == 1, [x.text for x in porto]  # simultaneous near-duplicates: one
        shared = [x for x in m.list(user_id="shared", limit=1000) if x.text.startswith("process")]
        assert len(shared) == PROCESSES * (FACTS // 2)
