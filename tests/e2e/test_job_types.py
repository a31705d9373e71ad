"""Job types beside `command` (issue 13, point 1) and `params`: a python function run in a fresh
interpreter, a script with params.json in and result.json out, a podman container; results flow
from one type to the next; bad input for each new field is exit 2 and runs nothing; a python
failure's reason names its cause. Real processes, real interpreters, a real podman where it
can run (else skipped with podman's own words)."""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cluster_support import Cluster
from conftest import bin_dir

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
import allot as allot_client  # noqa: E402  (the Python client of this checkout)

TRIAL = """
import os


def simulate(energy, seed=0, scale=1):
    return {"events": energy * 100 + seed, "scale": scale,
            "cpus": sorted(os.sched_getaffinity(0)), "cores": os.environ["ALLOT_CORES"]}


def explode(**params):
    raise ValueError(f"energy {params['energy']} is out of range")


def unserializable():
    return {"hits": {1, 2}}


def huge():
    return "x" * (2 << 20)


def nothing():
    pass


def hog(mb, seconds):
    import time
    block = bytearray(mb << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(seconds)
    return len(block)


class Model:
    @staticmethod
    def run(a, b, factor):
        return a * factor + b
"""

RECO_SH = """#!/bin/sh
# params.json in (both names), result.json out.
test "$ALLOT_PARAMS_FILE" = "$JOB_PARAMS_FILE" || exit 3
exec python3 - <<'EOF'
import json, os
p = json.load(open(os.environ["JOB_PARAMS_FILE"]))
deps = json.load(open(os.environ["ALLOT_DEP_RESULTS"]))
json.dump({"efficiency": p["events"] * p["scale"] / 1000, "events": p["events"],
           "label": p["label"], "from_deps": deps["sim"]["events"]},
          open(os.environ["ALLOT_RESULT_FILE"], "w"))
EOF
"""


def write_trial(allot):
    allot.write("trial.py", TRIAL)
    reco = allot.write("reco.sh", RECO_SH)
    reco.chmod(0o755)


def test_a_python_function_gets_params_as_keyword_arguments_and_its_cores(allot, tmp_path):
    write_trial(allot)
    f = allot.write("py.yaml", """
tasks:
  - id: sim
    python: {module: trial, function: simulate}
    params: {energy: 4, seed: 2, scale: 0.5}
    cores: 1
  - id: method
    python: {module: trial.py, function: Model.run, args: [3, 4]}
    params: {factor: 10}
  - id: none
    python: {module: trial, function: nothing}
""")
    r = allot.run("run", f)
    assert r.returncode == 0, r.stderr
    sim = allot.status_json("allot-work", "sim")["tasks"][0]
    assert sim["result"]["events"] == 402 and sim["result"]["scale"] == 0.5
    # cores: 1 pins the interpreter to the one CPU in ALLOT_CORES.
    assert len(sim["result"]["cpus"]) == 1
    assert str(sim["result"]["cpus"][0]) == sim["result"]["cores"]
    assert sim["type"] == "python" and sim["job"] == "python: trial.simulate"
    assert sim["params"] == {"energy": 4, "seed": 2, "scale": 0.5}
    assert json.loads((tmp_path / "allot-work/sim/params.json").read_text()) == sim["params"]
    method = allot.status_json("allot-work", "method")["tasks"][0]
    assert method["result"] == 34
    assert method["job"] == f"python: {tmp_path}/trial.py:Model.run"
    assert "result" not in allot.status_json("allot-work", "none")["tasks"][0]
    text = allot.run("status", "sim").stdout
    assert "sim: python: trial.simulate params: {" in text, text


def test_a_python_functions_memory_and_time_limits_apply(allot, tmp_path):
    write_trial(allot)
    f = allot.write("limits.yaml", """
tasks:
  - id: fat
    python: {module: trial, function: hog}
    params: {mb: 400, seconds: 30}
    memory: 128M
  - id: slow
    python: {module: trial, function: hog}
    params: {mb: 1, seconds: 60}
    time_limit: 2s
  - id: fine
    python: {module: trial, function: hog}
    params: {mb: 16, seconds: 0}
    memory: 256M
""")
    r = allot.run("run", f, timeout=120)
    assert r.returncode == 1, r.stderr
    s = allot.task_states()
    assert s["fat"]["reason"].startswith("killed at its memory limit of 128 MiB"), s["fat"]
    assert s["slow"]["reason"] == "exceeded its time limit", s["slow"]
    assert s["slow"]["wall_seconds"] < 30
    assert s["fine"]["state"] == "succeeded"
    assert allot.status_json("allot-work", "fine")["tasks"][0]["result"] == 16 << 20


def test_python_failures_name_their_cause_and_only_the_exception_is_retried(allot, tmp_path):
    write_trial(allot)
    f = allot.write("bad.yaml", """
defaults:
  max_retries: 1
  retry_backoff: 0s
tasks:
  - id: explode
    python: {module: trial, function: explode}
    params: {energy: 99}
  - id: unserializable
    python: {module: trial, function: unserializable}
  - id: huge
    python: {module: trial, function: huge}
  - id: no-module
    python: {module: nosuch.sim, function: run}
  - id: no-function
    python: {module: trial, function: simulat}
  - id: bad-kwargs
    python: {module: trial, function: simulate}
    params: {energy: 1, colour: red}
""")
    r = allot.run("run", f)
    assert r.returncode == 1, r.stderr
    s = allot.task_states()
    assert s["explode"]["reason"] == (
        "exit code 1: ValueError: energy 99 is out of range (after 2 attempts)"), s["explode"]
    assert s["explode"]["attempts"] == 2
    stderr = (tmp_path / "allot-work/explode/stderr").read_text()
    assert stderr.startswith("Traceback (most recent call last):"), stderr
    assert 'trial.py", line 11, in explode' in stderr and "allot_runner.py" not in stderr
    assert s["unserializable"]["reason"] == (
        "exit code 126: allot: result of trial.unserializable is not JSON-serializable: Object "
        "of type set is not JSON serializable (not retried)"), s["unserializable"]
    assert s["unserializable"]["attempts"] == 1
    assert s["huge"]["reason"].startswith(
        "exit code 126: allot: result of trial.huge is 2097154 bytes of JSON, over the cap of "
        "1 MiB"), s["huge"]
    assert s["no-module"]["reason"] == (
        f"exit code 127: allot: no module named 'nosuch.sim' (looked in {tmp_path} and "
        "sys.path; set PYTHONPATH in the task's env) (not retried)"), s["no-module"]
    assert s["no-function"]["reason"] == (
        "exit code 127: allot: module 'trial' has no function 'simulat' (not retried)")
    assert s["bad-kwargs"]["reason"].startswith(
        "exit code 1: TypeError: simulate() got an unexpected keyword argument 'colour'")
    assert not (tmp_path / "allot-work/huge/result.json").exists()


def test_a_script_reads_params_under_both_names_and_writes_its_result(allot, tmp_path):
    write_trial(allot)
    (tmp_path / "sub").mkdir()
    f = allot.write("sub/s.yaml", """
tasks:
  - id: reco
    script: ../reco.sh          # the task file's neighbour
    params: {events: 200, scale: 2, label: plain}
    env: {ALLOT_DEP_RESULTS: /dev/null}
""")
    (tmp_path / "deps.json").write_text('{"sim": {"events": 1}}')
    f.write_text(f.read_text().replace("/dev/null", str(tmp_path / "deps.json")))
    r = allot.run("run", f)
    assert r.returncode == 0, r.stderr
    reco = allot.status_json("allot-work", "reco")["tasks"][0]
    assert reco["result"] == {"efficiency": 0.4, "events": 200, "label": "plain",
                              "from_deps": 1}
    assert reco["job"] == f"script: {tmp_path}/reco.sh"


DAG = """
tasks:
  - id: sim
    python: {module: trial, function: simulate}
    params: {energy: 5, seed: 7, scale: 0.5}
  - id: reco
    depends_on: [sim]
    script: reco.sh
    params: {events: "{dep.result.events}", scale: "{dep.result.scale}",
             label: "run-{dep.result.events}"}
  - id: score
    depends_on: [reco]
    command: >-
      python3 -c 'import json, os, sys; d = json.load(open(os.environ["ALLOT_DEP_RESULTS"]));
      json.dump({"score": float(sys.argv[1]) * 100, "events": d["reco"]["events"],
      "label": sys.argv[2]}, open(os.environ["ALLOT_RESULT_FILE"], "w"))'
      {dep.result.efficiency} {dep.result.label}
"""


def test_a_three_step_trial_passes_results_from_function_to_script_to_command(allot, tmp_path):
    write_trial(allot)
    r = allot.run("run", allot.write("dag.yaml", DAG))
    assert r.returncode == 0, r.stderr
    # A whole "{dep.result.KEY}" keeps its JSON type (507 stays a number); inside a longer
    # string it is text.
    assert json.loads((tmp_path / "allot-work/reco/params.json").read_text()) == {
        "events": 507, "scale": 0.5, "label": "run-507"}
    final = {"score": 25.35, "events": 507, "label": "run-507"}
    assert allot.status_json("allot-work", "score")["tasks"][0]["result"] == final
    st = allot_client.status(workdir=tmp_path / "allot-work", ids=["sim", "reco", "score"],
                             binary=bin_dir() / "allot")
    assert st["score"].result == final
    assert st["reco"].result["from_deps"] == 507
    assert st["sim"].extra["type"] == "python"


@pytest.mark.parametrize("task, field, message", [
    ("{id: a, container: {image: x, engine: podmn}}", "container.engine",
     "unknown engine 'podmn'; expected podman, docker, apptainer or singularity (did you mean "
     "'podman'?)"),
    ("{id: a, python: {module: trial}}", "python.function", "missing; the function to call"),
    ("{id: a, python: {module: [trial], function: f}}", "python.module",
     "must be a module name like 'pkg.sim' or a path to a .py file (got a list)"),
    ("{id: a, python: {module: nosuch.py, function: f}}", "python", "nosuch.py does not exist"),
    ("{id: a, command: x, python: {module: trial, function: f}}", "python",
     "a task runs one thing: only one of command, python, script and container may be set "
     "(this task has 'command', 'python')"),
    ("{id: a, script: missing.sh}", "script", "missing.sh does not exist"),
    ("{id: a, script: trial.py}", "script", "trial.py is not executable"),
    ("{id: a, command: x, params: [1, 2]}", "params",
     "must be a mapping of names to values, like {energy: 5, geometry: \"v2\"} (got a list)"),
    ("{id: a, container: {image: x, mounts: [data]}}", "container.mounts",
     "'data' must be \"HOST:CONTAINER\" or \"HOST:CONTAINER:ro\""),
])
def test_bad_input_for_every_new_field_is_exit_2_and_runs_nothing(allot, tmp_path, task, field,
                                                                  message):
    write_trial(allot)
    allot.write("t.yaml", f"tasks:\n  - id: ok\n    command: touch ran\n  - {task}\n")
    for command in (("run", "t.yaml"), ("plan", "t.yaml")):
        r = allot.run(*command)
        assert r.returncode == 2, (command, r.stdout, r.stderr)
        line = [x for x in r.stderr.splitlines() if x.startswith("t.yaml:4:")]
        assert len(line) == 1, r.stderr
        assert line[0].startswith(f"t.yaml:4: task 'a': field '{field}': "), r.stderr
        assert message in line[0], r.stderr
    assert not (tmp_path / "allot-work").exists()
    assert not (tmp_path / "ran").exists()


# Podman, for real: an image imported from busybox-static, in a storage root of the test's own.

def podman_config(tmp_path, run_root):
    """Environment for podman with storage and configuration under tmp_path and its state under
    run_root (short: conmon's attach socket path must fit in a socket address)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    conf = tmp_path / "containers.conf"
    # This machine is itself a container: no networks to set up, cgroups through cgroupfs,
    # events to a file, and rlimits podman may set (its defaults are above the hard limits here).
    # crun refuses cgroups in hybrid mode; runc, where installed, does not.
    runtime = 'runtime = "runc"\n' if shutil.which("runc") else ""
    conf.write_text(f"""[containers]
netns = "none"
default_ulimits = ["nofile={hard}:{hard}", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{tmp_path}/podman-events.log"
{runtime}""")
    storage = tmp_path / "storage.conf"
    storage.write_text(f"""[storage]
driver = "vfs"
runroot = "{run_root}"
graphroot = "{tmp_path}/podman-graph"
""")
    return {"CONTAINERS_CONF": str(conf), "CONTAINERS_STORAGE_CONF": str(storage)}


@pytest.fixture
def podman_image(tmp_path, monkeypatch):
    """A local image with busybox, in a test-local podman storage; skips, with podman's reason,
    where podman cannot run a container."""
    podman = shutil.which("podman")
    busybox = shutil.which("busybox")
    if podman is None or busybox is None:
        pytest.skip("podman or busybox-static is not installed "
                    "(apt-get install podman busybox-static runc)")
    run_root = tempfile.mkdtemp(prefix="allot-podman-")
    for name, value in podman_config(tmp_path, run_root).items():
        monkeypatch.setenv(name, value)
    rootfs = tmp_path / "rootfs"
    (rootfs / "bin").mkdir(parents=True)
    shutil.copy(busybox, rootfs / "bin/busybox")
    for applet in ("sh", "cat", "echo", "sleep", "nproc", "pwd", "grep", "true", "dd"):
        (rootfs / "bin" / applet).symlink_to("busybox")
    image = "localhost/allot-test-busybox"
    tar = tmp_path / "rootfs.tar"
    subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tar), "."], check=True)
    imported = subprocess.run([podman, "import", str(tar), image], capture_output=True, text=True,
                              timeout=120)
    if imported.returncode != 0:
        pytest.skip(f"podman cannot import an image here: {imported.stderr.strip()}")
    probe = subprocess.run([podman, "run", "--rm", image, "true"], capture_output=True, text=True,
                           timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"podman cannot run a container here: {probe.stderr.strip()}")
    yield image
    subprocess.run([podman, "rm", "--all", "--force"], capture_output=True, timeout=120)
    subprocess.run([podman, "rmi", "--all", "--force"], capture_output=True, timeout=120)
    shutil.rmtree(run_root, ignore_errors=True)


def test_a_podman_container_task_gets_params_pinning_and_returns_a_result(allot, tmp_path,
                                                                          podman_image):
    f = allot.write("c.yaml", f"""
tasks:
  - id: box
    cores: 1
    params: {{n: 7}}
    env: {{GREETING: hello}}
    container:
      image: {podman_image}
      command: >-
        sh -c 'grep -q "\\"n\\":7" $JOB_PARAMS_FILE &&
        echo "{{\\"nproc\\": $(nproc), \\"greeting\\": \\"$GREETING\\", \\"pwd\\": \\"$(pwd)\\"}}"
        > $ALLOT_RESULT_FILE'
  - id: after
    depends_on: [box]
    container:
      image: {podman_image}
      command: >-
        sh -c 'echo "{{\\"twice\\": $(({{dep.result.nproc}} * 2))}}" > $ALLOT_RESULT_FILE'
""")
    r = allot.run("run", f, timeout=120)
    assert r.returncode == 0, r.stderr
    box = allot.status_json("allot-work", "box")["tasks"][0]
    # cores: 1 is the container's cpuset; the task's env and allot's variables are inside;
    # it runs in the same directory, mounted at its own path.
    assert box["result"] == {"nproc": 1, "greeting": "hello", "pwd": str(tmp_path)}
    assert box["job"].startswith(f"container: {podman_image} (podman) sh -c ")
    after = allot.status_json("allot-work", "after")["tasks"][0]
    assert after["result"] == {"twice": 2}
    ps = subprocess.run(["podman", "ps", "--all", "--quiet"], capture_output=True, text=True)
    assert ps.stdout.strip() == "", "--rm: no container is left"


def test_an_engine_failure_is_named_by_the_engines_words(allot, tmp_path, podman_image):
    f = allot.write("e.yaml", """
tasks:
  - id: missing-image
    container: {image: localhost/allot-no-such-image, command: "true"}
""")
    r = allot.run("run", f, timeout=120)
    assert r.returncode == 1
    reason = allot.task_states()["missing-image"]["reason"]
    # podman's exit 125 (its own error), with the end of what it said.
    assert reason.startswith("exit code 125: "), reason
    assert "allot-no-such-image" in reason, reason


def test_a_podman_containers_memory_is_the_engines_limit(allot, tmp_path, podman_image):
    # dd's 200 MiB buffer: over 64 MiB the kernel kills it in the container's cgroup (exit
    # 137); with 512 MiB it passes.
    hold = "dd if=/dev/zero of=/dev/null bs=200M count=1"
    f = allot.write("m.yaml", f"""
tasks:
  - id: small
    memory: 64M
    container: {{image: {podman_image}, command: "{hold}"}}
  - id: large
    memory: 512M
    container: {{image: {podman_image}, command: "{hold}"}}
""")
    r = allot.run("run", f, timeout=120)
    assert r.returncode == 1, r.stderr
    s = allot.task_states()
    assert s["small"]["state"] == "failed" and s["small"]["exit_code"] == 137, s["small"]
    assert s["large"]["state"] == "succeeded", s["large"]


def test_a_podman_containers_time_limit_stops_it(allot, tmp_path, podman_image):
    f = allot.write("t.yaml", f"""
tasks:
  - id: slow
    time_limit: 4s
    grace_period: 60s
    container: {{image: {podman_image}, command: sleep 120}}
""")
    r = allot.run("run", f, timeout=120)
    assert r.returncode == 1
    slow = allot.task_states()["slow"]
    assert slow["reason"] == "exceeded its time limit", slow
    # The SIGTERM reached the container (sig-proxy, --init), long before the SIGKILL.
    assert slow["wall_seconds"] < 30, slow
    ps = subprocess.run(["podman", "ps", "--all", "--quiet"], capture_output=True, text=True)
    assert ps.stdout.strip() == ""


def test_a_servers_workers_run_the_trial_too(allot, tmp_path):
    write_trial(allot)
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "2")
    try:
        # A bad new field is refused by the server as by `allot run`: exit 2, nothing submitted.
        bad = c.cli("submit", allot.write("bad.yaml", "tasks:\n  - id: x\n    container: "
                                          "{image: i, engine: dockr}\n"), check=False)
        assert bad.returncode == 2, bad.stderr
        assert "field 'container.engine': unknown engine 'dockr'" in bad.stderr, bad.stderr
        assert "(did you mean 'docker'?)" in bad.stderr
        c.cli("submit", allot.write("dag.yaml", DAG))
        c.wait_state("score", "succeeded", timeout=60)
        assert c.task("score")["result"] == {"score": 25.35, "events": 507, "label": "run-507"}
        sim = c.task("sim")
        assert sim["type"] == "python" and sim["job"] == "python: trial.simulate"
        assert sim["params"] == {"energy": 5, "seed": 7, "scale": 0.5}
        assert c.task("reco")["job"] == f"script: {tmp_path}/reco.sh"
        assert sorted(t["id"] for t in c.api("GET", "/api/v1/tasks")["tasks"]) == [
            "reco", "score", "sim"]
    finally:
        c.close()


def test_the_trial_example_runs_as_written(allot, tmp_path):
    example = Path(__file__).resolve().parents[2] / "examples/trial/workflow.yaml"
    r = allot.run("run", example, "--workdir", "trial-run")
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr, r.stderr
    st = allot.status_json("trial-run", "simulate-5", "reconstruct-5", "analyse-5")
    sim, reco, ana = st["tasks"]
    # "{energy}" alone in params is the sweep's number; the script got the simulation's numbers.
    assert sim["params"] == {"energy": 5, "seed": 7}
    assert reco["result"]["efficiency"] == round(sim["result"]["hits"] / 1500, 4)
    assert ana["result"] == {"energy": 5.0, "score": reco["result"]["efficiency"] * 100}
    assert not list(example.parent.glob("__pycache__")), "the example directory stays clean"
