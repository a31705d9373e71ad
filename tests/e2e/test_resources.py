"""No oversubscription: the cores, memory and GPUs handed out at any moment never exceed what
allot was given, and each task gets exactly its own devices."""

from conftest import yaml_str


def logging_command(log, seconds="0.3"):
    return (f'echo "start $ALLOT_TASK_ID $ALLOT_CORES $CUDA_VISIBLE_DEVICES" >> {log}; '
            f"sleep {seconds}; echo \"end $ALLOT_TASK_ID\" >> {log}")


def replay(log):
    """Replays the start/end lines; after each start yields the running tasks as
    {id: (cores, gpus)}."""
    running = {}
    for line in log.read_text().splitlines():
        parts = line.split()
        if parts[0] == "start":
            tid = parts[1]
            cores = [int(c) for c in parts[2].split(",")]
            gpus = [int(g) for g in parts[3].split(",")] if len(parts) > 3 and parts[3] else []
            running[tid] = (cores, gpus)
            yield dict(running)
        else:
            running.pop(parts[1])
    assert not running, f"tasks that never ended: {running}"


def test_cores_never_oversubscribed(allot, tmp_path):
    log = tmp_path / "log"
    lines = ["tasks:"]
    for i, cores in enumerate([2, 1, 1, 2, 1, 1, 1, 2]):
        lines += [f"  - id: t{i}", f"    command: {yaml_str(logging_command(log))}",
                  f"    cores: {cores}"]
    allot.write("tasks.yaml", "\n".join(lines) + "\n")
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 0, r.stderr
    started = set()
    for running in replay(log):
        used = [c for cores, _ in running.values() for c in cores]
        assert len(used) <= 2, running
        assert len(used) == len(set(used)), f"a core handed out twice: {running}"
        started |= set(running)
    assert started == {f"t{i}" for i in range(8)}


def test_memory_never_oversubscribed(allot, tmp_path):
    log = tmp_path / "log"
    lines = ["tasks:"]
    for i in range(3):
        lines += [f"  - id: m{i}", f"    command: {yaml_str(logging_command(log))}",
                  "    memory: 600M"]
    lines += ["  - id: small", f"    command: {yaml_str(logging_command(log))}",
              "    memory: 100M"]
    allot.write("tasks.yaml", "\n".join(lines) + "\n")
    r = allot.run("run", "tasks.yaml", "--cores", "2", "--memory", "1G")
    assert r.returncode == 0, r.stderr
    for running in replay(log):
        big = [t for t in running if t.startswith("m")]
        assert len(big) <= 1, f"two 600M tasks at once on 1G: {sorted(running)}"


def test_gpus_are_exclusive(allot, tmp_path, monkeypatch):
    # No real GPUs needed: CUDA_VISIBLE_DEVICES declares them, --gpus picks two of them.
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    log = tmp_path / "log"
    lines = ["tasks:"]
    for i in range(4):
        lines += [f"  - id: g{i}", f"    command: {yaml_str(logging_command(log))}",
                  "    gpus: 1"]
    lines += ["  - id: nogpu",
              f"    command: {yaml_str(allot.tt('--print-env', 'CUDA_VISIBLE_DEVICES'))}"]
    allot.write("tasks.yaml", "\n".join(lines) + "\n")
    r = allot.run("run", "tasks.yaml", "--cores", "2", "--gpus", "0,3")
    assert r.returncode == 0, r.stderr
    seen = {}
    for running in replay(log):
        gpus = [g for _, gs in running.values() for g in gs]
        assert len(gpus) == len(set(gpus)), f"a GPU handed out twice: {running}"
        seen.update(running)
    assert sorted(seen) == ["g0", "g1", "g2", "g3"]
    for tid, (_, gpus) in seen.items():
        assert len(gpus) == 1 and gpus[0] in (0, 3), (tid, gpus)
    # A task without GPUs sees none (an empty list hides them all).
    out = (tmp_path / "allot-work" / "nogpu" / "stdout").read_text()
    assert out == "CUDA_VISIBLE_DEVICES=\n"


def test_custom_resources_offered_with_the_resource_flag_are_never_oversubscribed(allot, tmp_path):
    log = tmp_path / "log"
    lines = ["tasks:"]
    for i in range(4):
        lines += [f"  - id: lic{i}", f"    command: {yaml_str(logging_command(log, '0.2'))}",
                  "    resources: {licenses: 1}"]
    allot.write("tasks.yaml", "\n".join(lines) + "\n")
    r = allot.run("run", "tasks.yaml", "--cores", "2", "--resource", "licenses=1")
    assert r.returncode == 0, r.stderr
    assert max(len(running) for running in replay(log)) == 1


def test_custom_resources_the_machine_lacks_are_bad_input(allot, tmp_path):
    allot.write("tasks.yaml", "tasks:\n  - id: a\n    command: 'true'\n"
                              "    resources: {licenses: 1}\n")
    r = allot.run("run", "tasks.yaml")
    assert r.returncode == 2
    assert "tasks.yaml:2: task 'a': asks for 1 of resource 'licenses'; this machine has none" \
        in r.stderr
    r = allot.run("run", "tasks.yaml", "--resource", "licenses")
    assert r.returncode == 2
    assert "--resource licenses: expected NAME=COUNT" in r.stderr


def test_a_single_gpu_is_chosen_by_id_with_a_trailing_comma(allot, tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    allot.write("tasks.yaml", "tasks:\n  - id: g\n    command: 'echo $CUDA_VISIBLE_DEVICES'\n"
                              "    gpus: 1\n")
    r = allot.run("run", "tasks.yaml", "--gpus", "3,")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "allot-work" / "g" / "stdout").read_text().strip() == "3"
