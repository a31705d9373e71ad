"""EASY backfilling (README, Scheduling): when the first task in line does not fit, it holds a
reservation; smaller tasks behind it start only if they end (by time_estimate or time_limit)
before the reservation, so they never starve it."""

import pytest

from conftest import yaml_str


def campaign(allot, tmp_path, small_estimate, gate):
    """long (1 core, ~3 s) holds one of 2 cores; big (2 cores) must wait for it; four small
    1-core tasks come after big in priority. With `gate`, big and the small ones become ready
    only after a quick task, i.e. once long is already running."""
    log = tmp_path / "order.log"
    dep = "    depends_on: gate\n" if gate else ""
    text = "tasks:\n"
    if gate:
        text += (f"  - id: gate\n    command: {yaml_str(f'echo gate >> {log}')}\n"
                 "    priority: 100\n")
    text += f"""\
  - id: long
    command: {yaml_str(f"echo long >> {log}; sleep 3")}
    priority: 10
    time_estimate: 3s
  - id: big
    command: {yaml_str(f"echo big >> {log}")}
    cores: 2
    priority: 5
{dep}  - id: "small-{{n}}"
    command: {yaml_str(f"echo small-{{n}} >> {log}; sleep 0.1")}
    time_estimate: {small_estimate}
{dep}    sweep: {{grid: {{n: [1, 2, 3, 4]}}}}
"""
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 0, r.stderr
    return log.read_text().split()


@pytest.mark.parametrize("gate", [False, True], ids=["from-the-start", "after-a-gate"])
def test_long_small_tasks_do_not_starve_the_big_one(allot, tmp_path, gate):
    order = campaign(allot, tmp_path, "10min", gate)
    assert order.index("big") < min(order.index(f"small-{n}") for n in range(1, 5)), order


@pytest.mark.parametrize("gate", [False, True], ids=["from-the-start", "after-a-gate"])
def test_short_small_tasks_backfill_beside_the_reservation(allot, tmp_path, gate):
    order = campaign(allot, tmp_path, "0.3s", gate)
    # small-1 ends (by its estimate) long before long does: it must not wait behind big.
    assert order.index("small-1") < order.index("big"), order
