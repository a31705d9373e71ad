"""examples/detector/ as a user runs it: the toy detector-design optimization (two objectives,
each trial a 3-step DAG) with Optuna and with Ax, each on a private allot server; run again on
the same work directory, each continues its study instead of starting over."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import allot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "detector"


def run_example(script, *args, cwd):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    p = subprocess.run([sys.executable, str(EXAMPLE / script), *args], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    m = re.search(r"^(\d+) trials, (\d+) on the Pareto front:$", p.stdout, re.M)
    assert m, p.stdout
    front = [tuple(map(float, re.findall(r"resolution ([\d.]+)  cost +([\d.]+)", line)[0]))
             for line in p.stdout.splitlines() if "resolution" in line]
    assert len(front) == int(m.group(2)) >= 3
    for a in front:  # nobody on the front is beaten on both objectives by another
        assert not any(b[0] <= a[0] and b[1] <= a[1] and b != a for b in front), (a, front)
    return int(m.group(1)), front


def test_the_detector_example_with_optuna_runs_and_continues(tmp_path):
    pytest.importorskip("optuna")
    n, _ = run_example("optuna_study.py", "--trials", "12", "--workdir", "w", cwd=tmp_path)
    assert n == 12
    n, _ = run_example("optuna_study.py", "--trials", "16", "--workdir", "w", cwd=tmp_path)
    assert n == 16, "the second run added 4 trials to the study"


def test_the_detector_example_with_ax_runs_and_continues(tmp_path):
    pytest.importorskip("ax")
    n, _ = run_example("ax_study.py", "--trials", "10", "--workdir", "w", cwd=tmp_path)
    assert n == 10
    n, _ = run_example("ax_study.py", "--trials", "12", "--workdir", "w", cwd=tmp_path)
    assert n == 12, "the second run continued the saved experiment"


def test_the_detector_example_with_allot_study_finds_a_pareto_front(tmp_path):
    import json
    allot_bin = allot.find_binary()
    work = tmp_path / "w"
    p = subprocess.run([allot_bin, "study", "run", str(EXAMPLE / "study.yaml"), "--workdir",
                        str(work), "-q"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    s = json.loads(subprocess.run([allot_bin, "study", "status", "--workdir", str(work),
                                   "--json"], capture_output=True, text=True, check=True).stdout)
    assert s["counts"]["done"] == s["counts"]["total"] == 24
    front = [(t["objectives"]["resolution"], t["objectives"]["cost"]) for t in s["pareto_front"]]
    assert len(front) >= 3
    for a in front:
        assert not any(b[0] <= a[0] and b[1] <= a[1] and b != a for b in front), (a, front)
    done = [(t["objectives"]["resolution"], t["objectives"]["cost"]) for t in s["trials"]]
    for a in done:  # every trial off the front is beaten by one on it
        assert a in front or any(b[0] <= a[0] and b[1] <= a[1] for b in front)
