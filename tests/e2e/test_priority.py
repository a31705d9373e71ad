"""With one core, tasks run one at a time: higher priority first, file order among equals."""

import pytest

from conftest import yaml_str

# (id, priority) in file order, and the order they must run in.
TASKS = [("a0", 0), ("b5", 5), ("c0", 0), ("d10", 10), ("e5", 5), ("f0", 0), ("g-1", -1),
         ("h10", 10)]
EXPECTED = ["d10", "h10", "b5", "e5", "a0", "c0", "f0", "g-1"]


@pytest.mark.parametrize("fmt", ["allocation-json", "workflow-yaml"])
def test_priority_then_fifo(allot, tmp_path, fmt):
    log = tmp_path / "order.log"
    if fmt == "allocation-json":
        allot.write("tasks.json", [{"id": tid, "command": f"echo {tid} >> {log}",
                                    "priority": p, "cores": 1} for tid, p in TASKS])
        name = "tasks.json"
    else:
        lines = ["tasks:"]
        for tid, p in TASKS:
            lines += [f"  - id: {yaml_str(tid)}",
                      f"    command: {yaml_str(f'echo {tid} >> {log}')}",
                      f"    priority: {p}"]
        allot.write("tasks.yaml", "\n".join(lines) + "\n")
        name = "tasks.yaml"
    r = allot.run("run", name, "--cores", "1")
    assert r.returncode == 0, r.stderr
    assert log.read_text().split() == EXPECTED


def test_max_workers_one_serializes(allot, tmp_path):
    log = tmp_path / "order.log"
    allot.write("tasks.json", [{"id": tid, "command": f"echo {tid} >> {log}", "priority": p}
                               for tid, p in TASKS])
    r = allot.run("run", "tasks.json", "--cores", "2", "--max-workers", "1")
    assert r.returncode == 0, r.stderr
    assert log.read_text().split() == EXPECTED


def test_dependency_beats_priority(allot, tmp_path):
    """A high-priority task waits for its dependency; lower ones run meanwhile."""
    log = tmp_path / "order.log"
    allot.write("tasks.yaml", f"""\
tasks:
  - id: base
    command: {yaml_str(f"echo base >> {log}")}
    priority: 0
  - id: top
    depends_on: base
    command: {yaml_str(f"echo top >> {log}")}
    priority: 100
  - id: mid
    command: {yaml_str(f"echo mid >> {log}")}
    priority: 50
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1")
    assert r.returncode == 0, r.stderr
    order = log.read_text().split()
    assert order.index("base") < order.index("top")
    assert order[0] == "mid"
