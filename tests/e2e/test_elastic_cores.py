"""Elastic tasks (cores: {min, max}) get as many cores as are free, up to max."""

import pytest

from conftest import yaml_str


def env_of(path):
    out = {}
    for line in path.read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def cores(text):
    return sorted(int(c) for c in text.split(","))


ARGS = ["--print-env", "ALLOT_CORES", "--print-env", "OMP_NUM_THREADS", "--print-affinity"]


def test_elastic_gets_all_free_cores(allot, tmp_path):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: elastic
    command: {yaml_str(allot.tt(*ARGS))}
    cores: {{min: 1, max: 2}}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 0, r.stderr
    env = env_of(tmp_path / "allot-work" / "elastic" / "stdout")
    assert len(cores(env["ALLOT_CORES"])) == 2, env
    assert len(set(cores(env["ALLOT_CORES"]))) == 2
    assert env["OMP_NUM_THREADS"] == "2"
    assert cores(env["affinity"]) == cores(env["ALLOT_CORES"])


def test_elastic_takes_what_is_left(allot, tmp_path):
    """A fixed 1-core task of higher priority starts first; the elastic one gets the other
    core, and never the one in use."""
    allot.write("tasks.yaml", f"""\
tasks:
  - id: fixed
    command: {yaml_str(allot.tt("--print-env", "ALLOT_CORES", "--sleep", "2"))}
    cores: 1
    priority: 10
  - id: elastic
    command: {yaml_str(allot.tt(*ARGS))}
    cores: {{min: 1, max: 2}}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 0, r.stderr
    work = tmp_path / "allot-work"
    fixed = cores(env_of(work / "fixed" / "stdout")["ALLOT_CORES"])
    env = env_of(work / "elastic" / "stdout")
    elastic = cores(env["ALLOT_CORES"])
    assert len(fixed) == 1
    assert len(elastic) == 1, (fixed, elastic)
    assert set(fixed).isdisjoint(elastic)
    assert env["OMP_NUM_THREADS"] == "1"
    assert cores(env["affinity"]) == elastic


@pytest.mark.parametrize("n", [1, 2])
def test_fixed_cores_affinity(allot, tmp_path, n):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: t
    command: {yaml_str(allot.tt(*ARGS))}
    cores: {n}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 0, r.stderr
    env = env_of(tmp_path / "allot-work" / "t" / "stdout")
    assert len(cores(env["ALLOT_CORES"])) == n
    assert cores(env["affinity"]) == cores(env["ALLOT_CORES"])
    assert env["OMP_NUM_THREADS"] == str(n)
