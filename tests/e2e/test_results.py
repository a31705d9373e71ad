"""Task results (issue 13, point 2): what a step leaves in $ALLOT_RESULT_FILE is its result,
journaled and shown by `allot status`; its dependents get $ALLOT_DEP_RESULTS and
{dep.result.KEY}, after a --resume and on a server's workers too. A result that is not JSON, or
over the cap, fails the attempt saying so; a key no dependency returned fails the launch."""


from cluster_support import Cluster
from conftest import event_json_column

DAG = """
tasks:
  - id: sim
    command: >-
      python3 -c 'import json, os; json.dump({"events": 1000, "file": "hits a.dat"},
      open(os.environ["ALLOT_RESULT_FILE"], "w"), indent=2)'
  - id: reco
    depends_on: [sim]
    command: >-
      echo '{"progress": 0.5}' >> "$ALLOT_RESULT_FILE" &&
      python3 -c 'import json, os, sys; d = json.load(open(os.environ["ALLOT_DEP_RESULTS"]));
      print(json.dumps({"efficiency": d["sim"]["events"] / 1250, "src": sys.argv[1]}),
      file=open(os.environ["ALLOT_RESULT_FILE"], "a"))' {dep.result.file}
  - id: ana
    depends_on: [reco]
    command: >-
      test -f go && echo "{\\"score\\": $(python3 -c 'print({dep.result.efficiency} * 100)')}"
      > "$ALLOT_RESULT_FILE"
"""


def results_in(db_path):
    return event_json_column(db_path, "result")


def test_results_flow_down_a_three_step_dag_also_after_resume(allot, tmp_path):
    f = allot.write("dag.yaml", DAG)
    r = allot.run("run", f)
    assert r.returncode == 1, r.stderr  # ana: no ./go yet
    assert results_in(tmp_path / "allot-work/allot.db") == {
        "sim": {"events": 1000, "file": "hits a.dat"},
        "reco": {"efficiency": 0.8, "src": "hits a.dat"}}
    (tmp_path / "go").write_text("")
    r = allot.run("run", f, "--resume", "--retry-failed")
    assert r.returncode == 0, r.stderr
    ana = allot.status_json("allot-work", "ana")["tasks"][0]
    assert ana["result"] == {"score": 80.0}
    assert "result: {\"score\":80.0}" in allot.run("status", "ana").stdout


def test_bad_results_and_missing_keys_fail_with_the_reason(allot, tmp_path):
    f = allot.write("bad.yaml", """
tasks:
  - id: not-json
    command: "echo 'done!' > $ALLOT_RESULT_FILE"
  - id: huge
    command: "head -c 5000000 /dev/zero | tr '\\\\0' 1 > $ALLOT_RESULT_FILE"
  - id: plain
    command: "echo '{\\"a\\": 1}' > $ALLOT_RESULT_FILE"
  - id: wants-b
    depends_on: [plain]
    command: "echo {dep.result.b}"
""")
    r = allot.run("run", f)
    assert r.returncode == 1
    states = allot.task_states()
    assert states["not-json"]["reason"] == "its result is not JSON (last line: 'done!')"
    assert "over the cap of 1048576" in states["huge"]["reason"], states["huge"]
    assert states["plain"]["state"] == "succeeded"
    assert states["wants-b"]["reason"].startswith(
        "could not start: {dep.result.b}: no result of its dependencies has 'b' (results of "
        "plain)"), states["wants-b"]


def test_a_servers_workers_pass_results_on(allot, tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "2")
    try:
        (tmp_path / "go").write_text("")
        c.cli("submit", allot.write("dag.yaml", DAG))
        c.wait_state("ana", "succeeded", timeout=60)
        assert c.task("ana")["result"] == {"score": 80.0}
        assert c.task("reco")["result"] == {"efficiency": 0.8, "src": "hits a.dat"}
    finally:
        c.close()
