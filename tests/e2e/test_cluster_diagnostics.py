"""A cluster-mode server refuses a submission whose depends_on names no task — of the file or
submitted earlier — with a 400 whose `diagnostics` say file, line, task and field as objects
(no client parses the `problems` strings back), and `allot submit --diagnostics-json` writes
them out the same way."""

import json
import urllib.error

import pytest

from cluster_support import Cluster


@pytest.fixture
def server(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()  # no worker: nothing needs to run
    yield c
    c.close()


def submit_error(c, name, text):
    """The HTTP status and JSON body of a refused POST /api/v1/submit."""
    with pytest.raises(urllib.error.HTTPError) as e:
        c.api("POST", "/api/v1/submit", {"name": name, "text": text, "base_dir": str(c.root)})
    return e.value.code, json.loads(e.value.read())


def test_dependencies_on_earlier_tasks_and_patterns_over_them_resolve(server):
    c = server
    c.api("POST", "/api/v1/submit", {"name": "first.yaml", "base_dir": str(c.root), "text":
          "tasks:\n  - {id: sim-1, command: 'true'}\n  - {id: sim-2, command: 'true'}\n"})
    answer = c.api("POST", "/api/v1/submit", {"name": "second.yaml", "base_dir": str(c.root),
                   "text": "tasks:\n"
                           "  - {id: sim-3, command: 'true'}\n"
                           "  - {id: merge, command: 'true', depends_on: ['sim-*', sim-1]}\n"})
    assert answer["ids"] == ["sim-3", "merge"]
    # A pattern matches the file's tasks and the server's alike.
    assert sorted(c.task("merge")["depends_on"]) == ["sim-1", "sim-2", "sim-3"]


def test_unknown_earlier_task_is_a_400_with_structured_diagnostics(server):
    c = server
    c.api("POST", "/api/v1/submit", {"name": "first.yaml", "base_dir": str(c.root),
                                     "text": "tasks:\n  - {id: prep, command: 'true'}\n"})
    code, body = submit_error(c, "second.yaml", "tasks:\n"
                                                "  - id: analyse\n"
                                                "    command: 'true'\n"
                                                "    depends_on:\n"
                                                "      - prep\n"
                                                "      - perp-2\n")
    assert code == 400
    assert body["error"] == "second.yaml: 1 problem"
    [d] = body["diagnostics"]
    assert (d["file"], d["line"], d["task"], d["field"]) == ("second.yaml", 6, "analyse",
                                                             "depends_on")
    assert d["message"].startswith("unknown task 'perp-2'")
    # Old clients still get the lines.
    assert body["problems"] == [d["text"]]
    assert d["text"].startswith("second.yaml:6: task 'analyse': field 'depends_on': unknown task")
    # Nothing was submitted.
    assert c.api("GET", "/api/v1/server")["tasks"] == 1


def test_pattern_matching_no_task_is_a_400_with_structured_diagnostics(server):
    c = server
    c.api("POST", "/api/v1/submit", {"name": "first.yaml", "base_dir": str(c.root),
                                     "text": "tasks:\n  - {id: sim-1, command: 'true'}\n"})
    code, body = submit_error(c, "second.json", json.dumps(
        {"tasks": [{"id": "reco", "command": "true", "depends_on": ["sims-*"]}]}, indent=1))
    assert code == 400
    [d] = body["diagnostics"]
    assert (d["file"], d["task"], d["field"]) == ("second.json", "reco", "depends_on")
    assert d["line"] > 0 and d["message"] == "pattern 'sims-*' matches no task"


def test_id_the_server_already_has_is_a_400_at_its_line(server):
    c = server
    c.api("POST", "/api/v1/submit", {"name": "first.yaml", "base_dir": str(c.root),
                                     "text": "tasks:\n  - {id: a, command: 'true'}\n"})
    code, body = submit_error(c, "again.yaml", "tasks:\n"
                                               "  - {id: b, command: 'true'}\n"
                                               "  - id: a\n"
                                               "    command: 'true'\n")
    assert code == 400
    [d] = body["diagnostics"]
    assert (d["file"], d["line"], d["task"], d["field"]) == ("again.yaml", 3, "a", "id")


def test_submit_prints_diagnostics_as_before_and_writes_them_as_json(server):
    c = server
    (c.root / "t.yaml").write_text("tasks:\n  - {id: x, command: 'true', depends_on: [nope]}\n")
    p = c.cli("submit", "t.yaml", check=False)
    assert p.returncode == 2
    assert "t.yaml:2: task 'x': field 'depends_on': unknown task 'nope'" in p.stderr

    out = c.root / "diagnostics.jsonl"
    p = c.cli("submit", "--diagnostics-json", str(out), "t.yaml", check=False)
    assert p.returncode == 2
    assert "t.yaml:2: task 'x': field 'depends_on': unknown task 'nope'" in p.stderr
    [d] = [json.loads(line) for line in out.read_text().splitlines()]
    assert (d["file"], d["line"], d["column"], d["task"], d["field"]) == ("t.yaml", 2, None,
                                                                           "x", "depends_on")


def test_concurrent_submissions_of_one_id_one_wins_the_rest_name_the_place(server):
    """Whichever check catches it (the resolver, or the loop's re-check when another submission
    landed in between), a taken id is a 400 whose diagnostic has file, line, task and field."""
    import threading
    c = server
    outcomes = []

    # Large files: parsing them takes long next to the loop's turns, so they are checked
    # against the server's tasks at about the same time, before any of them is added.
    filler = "".join(f"  - {{id: f{{k}}-{i}, command: 'true'}}\n" for i in range(20000))

    def submit(k):
        text = (f"# submission {k}\ntasks:\n  - id: same\n    command: 'true'\n" +
                filler.replace("{k}", str(k)))
        try:
            c.api("POST", "/api/v1/submit", {"name": f"s{k}.yaml", "text": text,
                                             "base_dir": str(c.root)})
            outcomes.append(("ok", k, None))
        except urllib.error.HTTPError as e:
            outcomes.append((e.code, k, json.loads(e.read())))

    threads = [threading.Thread(target=submit, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[0] for o in outcomes if o[0] == "ok") == ["ok"]
    for code, k, body in outcomes:
        if code == "ok":
            continue
        assert code == 400, body
        [d] = body["diagnostics"]
        assert (d["file"], d["task"], d["field"]) == (f"s{k}.yaml", "same", "id"), d
        assert d["line"] in (3, 4) and "submitted before" in d["message"]
