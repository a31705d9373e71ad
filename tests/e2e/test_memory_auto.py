"""`memory: auto`: once a profile has history, its tasks are placed with the learned memory
(P95 of the peaks x 1.2, in 64 MiB steps) and limited to it; a task without time_estimate gets
the learned P90 for backfilling. Seen in the journal of a real `allot run`."""

import json
import sqlite3
import subprocess

from conftest import RUN_TIMEOUT, bin_dir


def test_memory_auto_tasks_get_the_profiles_learned_memory(tmp_path):
    tt = bin_dir() / "allot-test-task"
    first = [{"id": f"sim-{i}", "command": f"{tt} --alloc-mib 80 --sleep 0.3",
              "memory": "auto", "tags": {"profile": "sim"}} for i in range(3)]
    later = {"id": "sim-9", "command": f"{tt} --alloc-mib 80 --sleep 0.1", "memory": "auto",
             "tags": {"profile": "sim"}, "depends_on": [t["id"] for t in first]}
    (tmp_path / "t.json").write_text(json.dumps({"tasks": first + [later]}))
    subprocess.run([str(bin_dir() / "allot"), "run", str(tmp_path / "t.json"), "--workdir",
                    str(tmp_path / "w"), "-q", "--cores", "2"], check=True, timeout=RUN_TIMEOUT)
    db = sqlite3.connect(tmp_path / "w" / "allot.db")
    held = dict(db.execute("SELECT task_id, memory FROM task_events WHERE to_state = 'running'"))
    assert held["sim-0"] is None, "no history yet: no memory accounting"
    # ~80 MiB peaks (plus the binary) x 1.2 -> 128 MiB.
    assert held["sim-9"] is not None and 96 << 20 <= held["sim-9"] <= 192 << 20, held
    assert db.execute("SELECT COUNT(*) FROM task_events WHERE to_state = 'succeeded'"
                      ).fetchone()[0] == 4
