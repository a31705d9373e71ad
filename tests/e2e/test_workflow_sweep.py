"""A workflow YAML with a sweep and an aggregation step that depends on every simulation."""

import json

from conftest import summary_of, yaml_str

ENERGIES = [1, 5]
SEEDS = [1, 2, 3]
SIM_IDS = [f"sim-{e}-{s}" for e in ENERGIES for s in SEEDS]


def test_sweep_then_aggregate(allot, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    # Each simulation sleeps, then leaves a "done" file; aggregation records when it started
    # and which simulations were done at that moment.
    sim = (allot.tt("--sleep", "0.3", "--print-env", "ENERGY", "--print-env", "SEED",
                    "--print-env", "ALLOT_TASK_ID")
           + " && " + allot.tt("--touch", f"{marks}/sim-{{energy}}-{{seed}}.done"))
    aggregate = (allot.tt("--touch", f"{marks}/aggregate.start")
                 + f" && ls {marks} > {tmp_path}/aggregate.listing")
    allot.write("workflow.yaml", f"""\
# a sweep of 6 simulations and an aggregation step
defaults:
  cores: 1
  time_limit: 10min
  grace_period: 2s
  env:
    CAMPAIGN: demo
tasks:
  - id: "sim-{{energy}}-{{seed}}"
    command: {yaml_str(sim)}
    env:
      ENERGY: "{{energy}}"
      SEED: "{{seed}}"
    tags: {{energy: "{{energy}}"}}
    sweep:
      grid:
        energy: [1, 5]
        seed: [1, 2, 3]
  - id: aggregate
    depends_on: ["sim-*"]
    time_limit: 1h30m
    command: {yaml_str(aggregate)}
""")
    r = allot.run("run", "workflow.yaml", "--cores", "2")
    assert r.returncode == 0, r.stderr
    assert "7 tasks: 7 succeeded" in r.stdout

    work = tmp_path / "allot-work"
    summary = summary_of(work)
    assert (summary["tasks"], summary["succeeded"], summary["failed"], summary["skipped"],
            summary["canceled"], summary["unfinished"]) == (7, 7, 0, 0, 0, 0)

    # Sweep expansion: ids, substituted env.
    status = allot.status_json()
    assert sorted(t["id"] for t in status["tasks"]) == sorted(SIM_IDS + ["aggregate"])
    assert status["total"] == 7
    assert status["counts"]["succeeded"] == 7
    for e in ENERGIES:
        for s in SEEDS:
            out = (work / f"sim-{e}-{s}" / "stdout").read_text()
            assert f"ENERGY={e}\n" in out
            assert f"SEED={s}\n" in out
            assert f"ALLOT_TASK_ID=sim-{e}-{s}\n" in out

    # The aggregation started only after every simulation was done.
    listing = (tmp_path / "aggregate.listing").read_text().split()
    for sim_id in SIM_IDS:
        assert f"{sim_id}.done" in listing, f"aggregate started before {sim_id} finished"
    start = (marks / "aggregate.start").stat().st_mtime_ns
    for sim_id in SIM_IDS:
        assert (marks / f"{sim_id}.done").stat().st_mtime_ns <= start


def test_zip_sweep_and_defaults(allot, tmp_path):
    allot.write("workflow.json", json.dumps({
        "defaults": {"env": {"FROM_DEFAULTS": "yes"}, "max_retries": 0},
        "tasks": [
            {"id": "z-{a}-{b}", "command": allot.tt("--print-env", "A", "--print-env", "B",
                                                     "--print-env", "FROM_DEFAULTS"),
             "env": {"A": "{a}", "B": "{b}"},
             "sweep": {"zip": {"a": [1, 2, 3], "b": ["x", "y", "z"]}}},
            {"id": "after", "depends_on": ["z-1-x", "z-3-z"], "command": allot.tt()},
        ],
    }, indent=2))
    r = allot.run("run", "workflow.json", "--cores", "2")
    assert r.returncode == 0, r.stderr
    ids = sorted(t["id"] for t in allot.status_json()["tasks"])
    assert ids == ["after", "z-1-x", "z-2-y", "z-3-z"]
    out = (tmp_path / "allot-work" / "z-2-y" / "stdout").read_text()
    assert out == "A=2\nB=y\nFROM_DEFAULTS=yes\n"


def test_failed_sim_skips_aggregation(allot, tmp_path):
    allot.write("workflow.yaml", f"""\
tasks:
  - id: "sim-{{n}}"
    command: {yaml_str(allot.tt("--exit", "{n}"))}
    sweep: {{grid: {{n: [0, 3, 4]}}}}
  - id: aggregate
    depends_on: "sim-*"
    command: {yaml_str(allot.tt("--touch", str(tmp_path / "aggregate-ran")))}
""")
    r = allot.run("run", "workflow.yaml", "--cores", "2")
    assert r.returncode == 1, r.stderr
    assert not (tmp_path / "aggregate-ran").exists()
    states = allot.task_states()
    assert states["sim-0"]["state"] == "succeeded"
    assert states["sim-3"]["state"] == "failed"
    assert states["sim-3"]["exit_code"] == 3
    assert states["sim-4"]["state"] == "failed"
    assert states["aggregate"]["state"] == "skipped"
    assert "sim-3" in states["aggregate"]["reason"] or "sim-4" in states["aggregate"]["reason"]
    summary = summary_of(tmp_path / "allot-work")
    assert (summary["succeeded"], summary["failed"], summary["skipped"]) == (1, 2, 1)


def test_a_sweeps_per_task_workdir_is_created_and_keeps_each_tasks_files(allot, tmp_path):
    """What the README advises for a sweep whose tasks write relative files: a workdir per
    task. The directories need not exist; each task's out.txt survives."""
    allot.write("workflow.yaml", """\
tasks:
  - id: "sim-{n}"
    command: "echo {n} > out.txt"
    workdir: "runs/{n}"
    sweep:
      grid:
        n: [1, 2, 3]
  - id: merge
    command: "cat runs/*/out.txt | sort -n | tr '\\\\n' ' ' > merged.txt"
    depends_on: ["sim-*"]
""")
    r = allot.run("run", "workflow.yaml", "--cores", "2", "-q")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "merged.txt").read_text().split() == ["1", "2", "3"]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["1", "2", "3"]
