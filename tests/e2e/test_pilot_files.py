"""Files written by the allocation scheduler's example generators (pilot.py's Task.to_dict, as
json.dump(..., indent=2) writes them: "workdir": null, "retries": 0, float tags) run in
`allot run --cores 4` on a machine with fewer CPUs, every task in its own task directory, so
that files written by relative path survive; fields allot does not know are warnings naming
line and field; PILOT_TASK_ID and PILOT_TASK_DIR are set. pilot.py itself is not needed: the
files are built here the way its generators build them."""

import itertools
import json
import os
from pathlib import Path

import pytest

from cluster_support import Cluster


def pilot_task(id, command, cores=1, timeout=None, priority=0, tags=None):
    """What pilot.py's Task(...).to_dict() gives, fields in its dataclass order."""
    return {"id": id, "command": command, "cores": cores, "timeout": timeout,
            "priority": priority, "workdir": None, "env": {}, "tags": tags or {},
            "max_retries": 0, "retries": 0}


def write_pilot_file(path, tasks):
    path.write_text(json.dumps(tasks, indent=2))
    return path


def cores_warnings(stderr):
    return [line for line in stderr.splitlines() if "warning: --cores" in line]


def test_simple_tasks_file_runs_with_more_slots_than_cpus(allot, tmp_path):
    # examples/simple_tasks.py, 6 tasks; its command verbatim (dash has no $RANDOM: sleep 1).
    tasks = [pilot_task(f"task_{i:03d}",
                        f'\necho "Task {i} starting"\necho "Hostname: $(hostname)"\n'
                        f'echo "PID: $$"\nsleep $(( (RANDOM % 3) + 1 ))\n'
                        f'echo "Task {i} completed"\n',
                        timeout=60, priority=i, tags={"index": i}) for i in range(6)]
    write_pilot_file(tmp_path / "tasks.json", tasks)
    r = allot.run("run", "tasks.json", "--cores", "4")
    assert r.returncode == 0, r.stderr
    assert "6 tasks: 6 succeeded" in r.stdout
    if (os.cpu_count() or 1) < 4 and len(os.sched_getaffinity(0)) < 4:
        [warning] = cores_warnings(r.stderr)
        assert "running 4 task slots" in warning, warning
    assert "field" not in r.stderr, "a generated file has nothing to warn about: " + r.stderr
    work = tmp_path / "allot-work"
    for i in range(6):
        out = (work / f"task_{i:03d}" / "stdout").read_text()
        assert f"Task {i} completed" in out


def test_parameter_sweep_keeps_every_tasks_result_file(allot, tmp_path):
    # examples/parameter_sweep.py: 27 tasks, each writing result.txt by relative path (the
    # 2 s of simulated work shortened to 0.1 s).
    params = {"alpha": [0.1, 0.5, 1.0], "beta": [10, 50, 100], "seed": [42, 123, 456]}
    template = ('\necho "Running with alpha={alpha}, beta={beta}, seed={seed}"\n'
                'echo "alpha={alpha}" > result.txt\necho "beta={beta}" >> result.txt\n'
                'echo "seed={seed}" >> result.txt\n\n# Simulate work\nsleep 0.1\n\n'
                '# Fake output\nresult=$(echo "scale=4; {alpha} * {beta} / 100" | bc)\n'
                'echo "result=$result" >> result.txt\necho "Completed: result=$result"\n'
                'echo "PILOT_TASK_ID=$PILOT_TASK_ID" >> result.txt\n'
                'echo "PILOT_TASK_DIR=$PILOT_TASK_DIR" >> result.txt\n'
                'echo "PWD=$(pwd)" >> result.txt\n')
    tasks, expected = [], {}
    for combo in itertools.product(*params.values()):
        p = dict(zip(params, combo))
        tid = "_".join(f"{k}{v}" for k, v in p.items()).replace(".", "p")
        tasks.append(pilot_task(tid, template.format(**p), timeout=300, tags=p))
        expected[tid] = p
    assert len(tasks) == 27
    write_pilot_file(tmp_path / "tasks.json", tasks)

    r = allot.run("run", "tasks.json", "--cores", "4")
    assert r.returncode == 0, r.stderr
    assert "27 tasks: 27 succeeded" in r.stdout
    work = (tmp_path / "allot-work").resolve()
    assert not (tmp_path / "result.txt").exists(), "a task wrote into allot's directory"
    for tid, p in expected.items():
        lines = (work / tid / "result.txt").read_text().splitlines()
        values = dict(line.split("=", 1) for line in lines)
        assert (values["alpha"], values["beta"], values["seed"]) == tuple(
            str(v) for v in p.values()), lines
        assert values["PILOT_TASK_ID"] == tid
        assert Path(values["PILOT_TASK_DIR"]).resolve() == work / tid
        assert Path(values["PWD"]).resolve() == work / tid
    assert len(list(work.glob("*/result.txt"))) == 27


STAND_IN_LMP = """#!/bin/sh
# A stand-in for LAMMPS: reads the input deck, writes its log and msd.dat, prints the lines
# the adaptive callback parses.
while [ $# -gt 0 ]; do
  case "$1" in -in) input=$2; shift 2;; -log) log=$2; shift 2;; *) shift;; esac
done
t=$(sed -n 's/^# Liquid Argon MD - Temperature \\(.*\\)K$/\\1/p' "$input")
echo "temperature $t" > "$log"
echo "0 $t" > msd.dat
echo "FINAL_MSD: $t"
echo "TEMPERATURE: $t"
echo "SIMULATION_COMPLETE"
"""


def lammps_task(temperature, lmp):
    """examples/lammps_adaptive_sweep.py's create_task, with `mpirun -np 2 lmp` replaced."""
    deck = (f"# Liquid Argon MD - Temperature {temperature}K\n"
            f"# For allocation scheduler adaptive sweep demo\n\nunits           real\n"
            f"velocity        all create {temperature} {12345 + int(temperature * 100)} "
            f"dist gaussian\n"
            'print           "FINAL_MSD: ${final_msd}"\n')
    command = (f"\n# Create input file\ncat > input.lmp << 'LAMMPS_EOF'\n{deck}\nLAMMPS_EOF\n\n"
               f"# Run LAMMPS (mpirun from conda env)\n{lmp} -in input.lmp -log log.lammps\n")
    tid = f"exploration_T{temperature:.1f}".replace(".", "p")
    return pilot_task(tid, command, cores=2, timeout=300, priority=0,
                      tags={"temperature": temperature, "phase": "exploration"})


def test_lammps_adaptive_sweep_with_a_stand_in_lmp(allot, tmp_path):
    lmp = tmp_path / "bin" / "lmp"
    lmp.parent.mkdir()
    lmp.write_text(STAND_IN_LMP)
    lmp.chmod(0o755)
    temperatures = [80.0, 90.0, 100.0, 110.0, 120.0]
    write_pilot_file(tmp_path / "tasks.json", [lammps_task(t, lmp) for t in temperatures])

    r = allot.run("run", "tasks.json", "--cores", "4")
    assert r.returncode == 0, r.stderr
    assert "5 tasks: 5 succeeded" in r.stdout
    work = tmp_path / "allot-work"
    for t in temperatures:
        d = work / f"exploration_T{t:.1f}".replace(".", "p")
        assert f"Temperature {t}K" in (d / "input.lmp").read_text()
        assert (d / "log.lammps").read_text() == f"temperature {t}\n"
        assert (d / "msd.dat").exists()
        assert f"FINAL_MSD: {t}" in (d / "stdout").read_text()


def test_fields_allot_does_not_know_are_warnings_naming_line_and_field(allot, tmp_path):
    tasks = [pilot_task("a", "echo $PILOT_TASK_ID > id.txt"),
             dict(pilot_task("b", "true"), walltime=60, retries=1, max_retries=2)]
    text = "[\n" + ",\n".join("  " + json.dumps(t) for t in tasks) + "\n]\n"
    (tmp_path / "tasks.json").write_text(text)  # task i on line i + 2

    r = allot.run("run", "tasks.json", "--cores", "2")
    assert r.returncode == 0, r.stderr
    assert ("warning: tasks.json:3: task 'b': field 'walltime': unknown field, ignored "
            "(did you mean 'time_limit'?)") in r.stderr, r.stderr
    assert ("warning: tasks.json:3: task 'b': field 'retries': counted as retries already "
            "spent, as pilot.py does: 1 of max_retries 2 left") in r.stderr, r.stderr
    assert (tmp_path / "allot-work" / "a" / "id.txt").read_text() == "a\n"
    # The workflow format stays strict: the same field there is an error; nothing runs.
    allot.write("wf.json", {"tasks": [{"id": "c", "command": "true", "walltime": 60}]})
    r = allot.run("run", "wf.json", "--workdir", "wf-work")
    assert r.returncode == 2
    assert "task 'c': field 'walltime': unknown field (did you mean 'time_limit'?)" in (
        r.stderr), r.stderr
    assert "warning" not in r.stderr, r.stderr
    assert not (tmp_path / "wf-work" / "allot.db").exists()


def test_resume_runs_the_task_in_its_task_directory_again(allot, tmp_path):
    # The first attempt fails; --resume --retry-failed reruns it from the journal's spec.
    cmd = 'echo "$(pwd)" >> attempts.txt; [ -e "$PILOT_TASK_DIR/seen" ] || { touch seen; exit 1; }'
    write_pilot_file(tmp_path / "tasks.json", [pilot_task("flaky", cmd)])
    r = allot.run("run", "tasks.json", "--cores", "1")
    assert r.returncode == 1, r.stderr
    r = allot.run("run", "--resume", "--retry-failed", "--cores", "1")
    assert r.returncode == 0, r.stderr
    task_dir = (tmp_path / "allot-work" / "flaky").resolve()
    cwds = (task_dir / "attempts.txt").read_text().splitlines()
    assert [Path(c).resolve() for c in cwds] == [task_dir, task_dir]


def test_submit_of_a_pilot_file_warns_and_runs_in_the_task_directory(tmp_path):
    c = Cluster(tmp_path)
    try:
        c.start_server()
        c.start_worker()
        tasks = [dict(pilot_task("pf-1", "echo $PILOT_TASK_ID > result.txt; pwd >> result.txt"),
                      note="x")]
        write_pilot_file(tmp_path / "pilot.json", tasks)
        p = c.cli("submit", "pilot.json")
        assert "pf-1" in p.stdout
        assert "warning: pilot.json:" in p.stderr and "field 'note': unknown field, ignored" in (
            p.stderr), p.stderr
        c.wait_state("pf-1", "succeeded")
        [result] = list(tmp_path.rglob("pf-1/result.txt"))
        tid, cwd = result.read_text().splitlines()
        assert tid == "pf-1"
        assert Path(cwd).resolve() == result.parent.resolve()
    finally:
        c.close()
