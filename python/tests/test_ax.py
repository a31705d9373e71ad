"""allot.ax against a real Ax (the venv of scripts/optimizer-venv.sh: Ax 1.3 on Debian's torch):
scheduler_epic's AxScheduler with an import change (20 trials, 4 in flight, a failure told as
FAILED with its reason, the driver killed with SIGKILL and its saved experiment continued), and
AllotRunner/AllotMetric under Ax's own orchestration."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ax")

import allot  # noqa: E402
from allot import ax as allot_ax  # noqa: E402
from ax.core.base_trial import TrialStatus  # noqa: E402
from ax_objectives import bowl  # noqa: E402

HERE = Path(__file__).parent
DRIVER = HERE / "ax_driver.py"


def trials_in(snapshot_file):
    try:
        data = json.loads(Path(snapshot_file).read_text())
    except (OSError, ValueError):
        return {}
    trials = data["ax_client"]["experiment"]["trials"]
    return {int(k): v for k, v in trials.items()}


def status_name(t):
    return t["status"]["name"] if isinstance(t["status"], dict) else str(t["status"])


def driver(out):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, str(DRIVER), str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_ax_scheduler_runs_20_trials_4_in_flight_fails_one_and_continues_after_a_kill_9(
        tmp_path):
    out = tmp_path / "out"
    snapshot = out / "experiment.json"
    first = driver(out)
    in_flight = []
    deadline = time.monotonic() + 300
    while True:
        trials = trials_in(snapshot)
        in_flight.append(sum(status_name(t) == "RUNNING" for t in trials.values()))
        if sum(status_name(t) in ("COMPLETED", "FAILED") for t in trials.values()) >= 8 and \
                in_flight[-1] > 0:
            break
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()[0]
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    running_at_kill = [i for i, t in trials_in(snapshot).items() if status_name(t) == "RUNNING"]
    assert running_at_kill, "the kill came while trials ran"

    second = driver(out)
    log, _ = second.communicate(timeout=600)
    assert second.returncode == 0, log
    assert "BEST {" in log

    from ax.service.ax_client import AxClient
    ax_client = AxClient.from_json_snapshot(json.loads(snapshot.read_text())["ax_client"])
    trials = ax_client.experiment.trials
    assert len(trials) == 20, "the second driver asked no trial again"
    failed = [i for i, t in trials.items() if t.status == TrialStatus.FAILED]
    assert failed == [3]
    reason = trials[3].run_metadata["allot_reason"]
    assert reason.startswith("detector-trial-3 failed: exit code 1"), reason
    assert "geometry overlap" in reason
    assert getattr(trials[3], "status_reason", reason) == reason
    data = ax_client.experiment.fetch_data().df
    for i, t in trials.items():
        if i == 3:
            continue
        assert t.status == TrialStatus.COMPLETED
        p = t.arm.parameters
        import math
        want = 0.1 / p["field"] * (1 + math.exp(-p["length"])) + 0.01 * (p["field"] - 2.2) ** 2
        [got] = data[data.trial_index == i]["mean"].tolist()
        assert got == pytest.approx(want)
    assert max(in_flight) == 4, in_flight


def test_allot_runner_and_metric_under_axs_own_orchestration(tmp_path):
    api = pytest.importorskip("ax.api.client", reason="Ax 1.x's Client API")
    from ax.api.configs import RangeParameterConfig

    with allot.LocalServer(tmp_path / "server") as client:
        build = allot_ax.function_tasks(bowl, workdir=tmp_path)

        def maybe_broken(parameters, index):
            if index == 2:
                return {"command": "echo 'no license' >&2; exit 4", "workdir": str(tmp_path)}
            return build(parameters, index)

        runner = allot_ax.AllotRunner(client, maybe_broken, prefix="orch")
        c = api.Client(random_seed=1)
        c.configure_experiment(parameters=[
            RangeParameterConfig(name="x", parameter_type="float", bounds=(0, 1)),
            RangeParameterConfig(name="y", parameter_type="float", bounds=(0, 1))])
        c.configure_optimization(objective="-loss")
        c.configure_runner(runner)
        c.configure_metrics([allot_ax.AllotMetric(name="loss")])
        c.run_trials(max_trials=6, parallelism=2)
        trials = c._experiment.trials
        assert trials[2].status == TrialStatus.FAILED
        assert trials[2].status_reason.startswith("orch-2 failed: exit code 4")
        for i, t in trials.items():
            if i != 2:
                assert t.status == TrialStatus.COMPLETED, (i, t.status)
                assert client.task(f"orch-{i}").result == bowl(**t.arm.parameters)
        assert runner.poll_available_capacity() >= 1

        # Early stopping: stop() cancels a running trial's task.
        gate = tmp_path / "never"
        runner2 = allot_ax.AllotRunner(
            client, lambda p, i: {"command": f"while [ ! -e {gate} ]; do sleep 0.1; done"},
            prefix="stop")
        trial = c._experiment.new_trial()
        trial.add_arm(trials[0].arm.clone(clear_name=True))
        trial.update_run_metadata(runner2.run(trial))
        assert runner2.stop(trial, reason="ASHA")["allot_stop_reason"] == "ASHA"
        deadline = time.monotonic() + 30
        while client.status(f"stop-{trial.index}")[0].state != "canceled":
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_ax_scheduler_on_a_server_batches_synchronous_mode_and_save_load(tmp_path):
    from ax.service.ax_client import AxClient, ObjectiveProperties

    def new_client():
        c = AxClient(random_seed=3, verbose_logging=False)
        c.create_experiment(name="bowl", parameters=[
            {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "y", "type": "range", "bounds": [0.0, 1.0]}],
            objectives={"loss": ObjectiveProperties(minimize=True)})
        return c

    with allot.LocalServer(tmp_path / "server") as client:
        config = {"monitoring_interval": 0.1, "job_output_dir": str(tmp_path / "out")}
        s = allot_ax.AxScheduler(new_client(), allot_ax.ServerRunner(client, n_parallel=2),
                                 config)
        s.set_objective_function(bowl)
        with s.batch_trial_context() as batch:  # run together, completed on leaving
            batch.add_trial({"x": 0.1, "y": 0.1})
            batch.add_trial({"x": 0.3, "y": 0.6})
        trials = s.experiment.trials
        assert [t.status for t in trials.values()] == [TrialStatus.COMPLETED] * 2
        saved = str(tmp_path / "saved.json")
        s.save_experiment(saved)

        again = allot_ax.AxScheduler(new_client(), client, dict(config, synchronous=True))
        again.set_objective_function(bowl)
        again.load_experiment(saved)
        assert len(again.experiment.trials) == 2
        index = again.get_next_trial()
        again.run_trial(index)  # synchronous: done when it returns
        assert again.experiment.trials[index].status == TrialStatus.COMPLETED
        best = again.run_optimization(max_trials=5)
        assert len(again.experiment.trials) == 5
        assert set(best) == {"x", "y"}
        data = again.experiment.fetch_data().df
        assert data[data.trial_index == 1]["mean"].tolist() == [pytest.approx(0.0)]
