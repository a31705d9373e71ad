"""The trial of this example as three Allot tasks (simulate -> reconstruct -> analyse), shared
by optuna_study.py and ax_study.py. Results flow down with {dep.result.KEY}."""

from pathlib import Path

MODULE = str(Path(__file__).resolve().parent / "detector.py")


def trial_tasks(prefix, thickness, layers):
    def step(function):
        return {"module": MODULE, "function": function}
    return [
        {"id": f"{prefix}-simulate", "python": step("simulate"),
         "params": {"thickness": thickness, "layers": layers}, "tags": {"profile": "simulate"}},
        {"id": f"{prefix}-reconstruct", "depends_on": [f"{prefix}-simulate"],
         "python": step("reconstruct"), "params": {"hits": "{dep.result.hits}", "layers": layers}},
        {"id": f"{prefix}-analyse", "depends_on": [f"{prefix}-reconstruct"],
         "python": step("analyse"),
         "params": {"thickness": thickness, "layers": layers,
                    "efficiency": "{dep.result.efficiency}"}},
    ]
