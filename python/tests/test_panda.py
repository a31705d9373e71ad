"""allot.panda against the REAL panda-client (scripts/panda-venv.sh), with no PanDA server.

panda-client's HTTP layer (httpx, its envelope handling, its return conventions) talks to a local
HTTP stub that plays the server's side of /api/v1: task/submit, task/get_status, task/kill,
task/get_job_ids, job/get_description. The stub's answers follow panda-client 2.2.0's own
contract (http_request_decorator: {"success", "message", "data"}); they were never compared with
a real server's. SKIPPED where panda-client cannot be imported (e.g. Debian's python3).
"""

import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

# panda-client reads its server URLs when pandaclient.Client is first imported.
_sock = socket.socket()
_sock.bind(("127.0.0.1", 0))
PORT = _sock.getsockname()[1]
_sock.close()
os.environ["PANDA_URL_SSL"] = f"http://127.0.0.1:{PORT}/server/panda"
os.environ["PANDA_URL"] = f"http://127.0.0.1:{PORT}/server/panda"
os.environ["PANDACACHE_URL"] = f"http://127.0.0.1:{PORT}/server/panda"
os.environ["PANDA_BEHIND_REAL_LB"] = "1"       # no DNS look-up of the cache server
os.environ.setdefault("X509_USER_PROXY", "/nonexistent")

Client = pytest.importorskip("pandaclient.Client",
                             reason="panda-client not installed (scripts/panda-venv.sh)")
from pandaclient import MiscUtils, PsubUtils  # noqa: E402

import allot  # noqa: E402
from allot import panda  # noqa: E402


class Stub:
    """The server side: records every request, answers from ``routes``."""

    def __init__(self):
        self.requests = []
        self.routes = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _answer(self, method, body):
                url = urlparse(self.path)
                endpoint = url.path.removeprefix("/api/v1/")
                stub.requests.append({"method": method, "endpoint": endpoint,
                                      "query": parse_qs(url.query), "body": body,
                                      "headers": dict(self.headers)})
                route = stub.routes.get(endpoint)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    self.wfile.write(b"no such endpoint")
                    return
                code, payload = route(body, parse_qs(url.query)) if callable(route) else route
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET", None)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
                self._answer("POST", body)

        self.server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    s = Stub()
    yield s
    s.close()


@pytest.fixture
def backend():
    return panda.PandaBackend(site="ANALY_TEST", cloud="US", vo="wlcg",
                              prod_source_label="user", task_name_prefix="user.alice.allot.")


def ok(data=None, message=""):
    return 200, {"success": True, "message": message, "data": data}


def refused(message, data=None):
    return 200, {"success": False, "message": message, "data": data}


# The translation ---------------------------------------------------------------------------------

def test_task_params_resources_and_identity(backend):
    t = allot.Task("sim-3", "./simulate --energy 5 --out hits.root", cores=4, memory="8G",
                   time_limit="1h30m", priority=7, max_retries=2)
    p = backend.task_params(t, outputs=["hits.root"])
    assert p["taskName"] == "user.alice.allot.sim-3/"
    assert p["uniqueTaskName"] is True
    assert (p["vo"], p["prodSourceLabel"], p["site"], p["cloud"]) == ("wlcg", "user", "ANALY_TEST", "US")
    assert "transPath" not in p                       # prun sets none either
    assert p["sourceURL"] == f"http://127.0.0.1:{PORT}"
    assert p["coreCount"] == 4
    assert (p["ramCount"], p["ramCountUnit"]) == (2048, "MBPerCoreFixed")   # 8 GiB over 4 cores
    assert p["walltime"] == 5400
    assert p["currentPriority"] == 7 and p["maxAttempt"] == 3
    assert p["noInput"] is True and p["cliParams"] == t.command
    json.dumps(p)                     # what insertTaskParams sends must be JSON


def test_exec_string_is_what_prun_builds(backend):
    """The -p "..." part is panda-client's own convertParamStrToJediParam of the exec string
    (as prun calls it: encode=True, no padding, includeIO=False), between prun's constants."""
    cmd = "./sim --seed %RNDM=100 --n 10 'a b'"
    p = backend.task_params(allot.Task("s", cmd))
    jp = p["jobParameters"]
    i = jp.index({"type": "constant", "value": '-p "', "padding": False})
    expected = PsubUtils.convertParamStrToJediParam(cmd, {}, "", True, False, includeIO=False)
    assert jp[i + 1:i + 1 + len(expected)] == expected
    assert jp[i + 1 + len(expected)] == {"type": "constant", "value": '"'}
    # %RNDM becomes a pseudo-input template JEDI fills with the job's sequence number
    assert any(x.get("param_type") == "pseudo_input" for x in expected)
    assert expected[0] == {"type": "constant", "value": "./sim%20--seed%20", "padding": False}
    assert jp[0]["value"] == '-j "" --sourceURL ${SURL}'
    assert {"type": "constant", "value": "__delimiter__", "hidden": True} in jp


def test_outputs_are_prun_style_datasets(backend):
    p = backend.task_params(allot.Task("fit", "./fit", tags={"panda_outputs": ["model.json"]}))
    lfn = "user.alice.$JEDITASKID._${SN/P}.model.json"
    assert MiscUtils.makeJediJobParam(lfn, "user.alice.allot.fit_model.json/", "output",
                                      hidden=True)[0] in p["jobParameters"]
    assert {"type": "constant", "value": f'-o "{ {"model.json": lfn} }"'} in p["jobParameters"]
    assert p["log"]["param_type"] == "log" and "$JEDITASKID" in p["log"]["value"]


PRUN = r"""
import json, os, sys
from pandaclient import PrunScript
print("PARAMS=" + json.dumps(PrunScript.main(get_taskparams=True, dry_mode=True,
                                             ext_args=json.loads(sys.argv[1]))))
"""


def prun_params(args):
    """What panda-client's own prun builds for these arguments (dry mode: no upload, no
    submission; PANDA_AUTH=x509_no_grid with PANDA_NICKNAME stands in for a grid proxy)."""
    import subprocess
    import sys
    env = {**os.environ, "PANDA_AUTH": "x509_no_grid", "PANDA_NICKNAME": "alice"}
    out = subprocess.run([sys.executable, "-c", PRUN, json.dumps(args)], capture_output=True,
                         text=True, env=env, timeout=120)
    line = [x for x in out.stdout.splitlines() if x.startswith("PARAMS=")]
    assert line, out.stdout + out.stderr
    return json.loads(line[0][len("PARAMS="):])


COMPARED = ("taskName", "uniqueTaskName", "vo", "architecture", "transUses", "transHome",
            "processingType", "prodSourceLabel", "site", "nEvents", "nEventsPerJob", "coreCount",
            "ramCount", "ramCountUnit", "respectSplitRule", "sourceURL", "container_name",
            "multiStepExec", "log", "noInput")


@pytest.mark.parametrize("container", [None, "docker://alpine:3"])
def test_task_params_match_what_prun_builds(container):
    """The same job through prun --exec ... --nJobs 1 (panda-client's PrunScript, run for real up
    to the point where it would upload its sandbox and submit) and through allot.panda."""
    cmd = "./sim --seed %RNDM=100 --n 10 --out hits.root"
    args = ["--exec", cmd, "--outDS", "user.alice.allot.sim-3", "--nJobs", "1", "--vo", "wlcg",
            "--site", "ANALY_TEST", "--nCore", "8", "--memory", "2048", "--fixedRamCount",
            "--outputs", "hits.root,summary.json"]
    if container:
        args += ["--containerImage", container]
    want = prun_params(args)
    b = panda.PandaBackend(site="ANALY_TEST", vo="wlcg", task_name_prefix="user.alice.allot.",
                           container_image=container, sandbox="sandbox.tar.gz")
    got = b.task_params(allot.Task("sim-3", cmd, cores=8, memory="16G"),
                        outputs=["hits.root", "summary.json"])
    for key in COMPARED:
        assert got.get(key) == want.get(key), key
    # prun in dry mode has no archive name: "-a None" (container) or "-l ${LIB}" with a build
    # step (no container); allot.panda never builds and names its archive.
    sandbox = [i for i, x in enumerate(want["jobParameters"])
               if x.get("value") in ("-a None", "-l ${LIB}")]
    assert len(sandbox) == 1
    want["jobParameters"][sandbox[0]] = {"type": "constant", "value": "-a sandbox.tar.gz"}
    assert got["jobParameters"] == want["jobParameters"]


def test_container_task_and_dict_from_an_optimizer(backend):
    d = {"id": "trial-4", "container": {"image": "docker://alpine:3", "command": ["sh", "-c", "echo 1"]},
         "params": {"x": 0.5}, "cores": {"min": 2, "max": 8}, "memory": 1 << 30}
    p = backend.task_params(d)
    assert p["container_name"] == "docker://alpine:3"
    assert p["cliParams"].endswith("JOB_PARAMS_FILE=$PWD/params.json && sh -c 'echo 1'")
    assert p["multiStepExec"]["containerOptions"]["containerImage"] == "docker://alpine:3"
    assert (p["coreCount"], p["maxCoreCount"], p["ramCount"]) == (2, 8, 512)


def test_optimizer_trial_tasks(stub, backend):
    """A trial builder as allot.ax takes them (allot.ax.container_tasks's shape: a container
    task whose parameters go to $JOB_PARAMS_FILE), through the id/tag logic allot.ax uses."""
    def build(parameters, index):
        return {"container": {"image": "docker://python:3.12", "command": "python3 /opt/obj.py"},
                "params": parameters, "cores": 2}
    t = backend.trial_task(build, {"x": 0.25, "y": 3}, 7)
    assert t["id"] == "panda-trial-7" and t["tags"] == {"trial": "7", "scenario": "panda-trial-7"}
    p = backend.task_params(t)
    assert p["taskName"] == "user.alice.allot.panda-trial-7/"
    assert p["cliParams"] == ("printf '%s' '{\"x\":0.25,\"y\":3}' > params.json && "
                              "export JOB_PARAMS_FILE=$PWD/params.json && python3 /opt/obj.py")
    stub.routes["task/submit"] = ok(None, "succeeded. new jediTaskID=700")
    assert backend.submit_trial(build, {"x": 0.25, "y": 3}, 7).jedi_task_id == 700
    with pytest.raises(ValueError, match="2 tasks"):
        backend.trial_task(lambda p, i: [allot.Task("a", "x"), allot.Task("b", "y")], {}, 1)


def test_untranslated_tasks_are_refused(backend):
    with pytest.raises(ValueError, match="python task"):
        backend.task_params(allot.Task("p", python=("m", "f")))
    with pytest.raises(ValueError, match="sweep"):
        backend.task_params(allot.sweep(allot.Task("s-{e}", "./s {e}"), grid={"e": [1, 2]}))
    with pytest.raises(ValueError, match="gpus"):
        backend.task_params(allot.Task("g", "./g", gpus=1))


def test_units():
    assert panda.memory_mb("512M") == 512 and panda.memory_mb(1) == 1 and panda.memory_mb("2G") == 2048
    assert [panda.duration_seconds(v) for v in (90, "90s", "10min", "1h30m", "01:30:00", 1.5)] == \
        [90, 90, 600, 5400, 5400, 2]


# The state mapping -------------------------------------------------------------------------------

def test_state_tables():
    assert set(panda.TASK_STATES.values()) == {"queued", "running", "succeeded", "failed", "canceled"}
    assert set(panda.JOB_STATES.values()) == {"queued", "running", "succeeded", "failed", "canceled"}
    # panda-client's own lists of task super-statuses are all mapped, the final ones to final states
    from pandaclient import localSpecs
    for s in localSpecs.task_active_superstatus_list:
        assert panda.task_state(s) in ("queued", "running")
    for s in localSpecs.task_final_superstatus_list:
        assert panda.task_state(s) in ("succeeded", "failed", "canceled")
    assert panda.task_state("done") == "succeeded"
    assert panda.task_state("finished") == "failed"          # partly done
    assert panda.task_state("aborted") == "canceled"
    assert panda.job_state("finished") == "succeeded" and panda.job_state("cancelled") == "canceled"
    with pytest.raises(panda.PandaError, match="unknown PanDA task status"):
        panda.task_state("nonsense")


# Talking to the (stub) server through the real client ----------------------------------------------

def test_submit_sends_the_task_params(stub, backend):
    stub.routes["task/submit"] = ok(None, "succeeded. new jediTaskID=4242")
    t = allot.Task("sim-1", "./sim 1", cores=2)
    sub = backend.submit(t, parent_tid=17)
    assert (sub.task_id, sub.jedi_task_id, sub.incremental) == ("sim-1", 4242, False)
    [req] = stub.requests
    assert (req["method"], req["endpoint"]) == ("POST", "task/submit")
    assert req["body"] == {"task_parameters": backend.task_params(t), "parent_tid": 17}


def test_submit_refused_and_unreachable(stub, backend):
    stub.routes["task/submit"] = refused("duplicated task name", data=2)
    with pytest.raises(panda.PandaError, match="refused the task \\(code 2\\): duplicated") as e:
        backend.submit(allot.Task("a", "true"))
    assert e.value.code == 2
    stub.routes["task/submit"] = (500, b"internal error")
    with pytest.raises(panda.PandaError, match="submission failed \\(panda-client status 255\\)"):
        backend.submit(allot.Task("a", "true"))
    stub.routes["task/submit"] = ok(None, "accepted, but no id here")
    with pytest.raises(panda.PandaError, match="names no jediTaskID"):
        backend.submit(allot.Task("a", "true"))
    stub.routes["task/submit"] = refused("accepted for incremental execution. jediTaskID=9", data=3)
    assert backend.submit(allot.Task("a", "true")).incremental


def test_status_polls_get_status(stub, backend):
    seen = iter(["registered", "running", "done"])
    stub.routes["task/get_status"] = lambda body, q: ok(next(seen))
    assert [backend.status(77) for _ in range(3)] == ["queued", "running", "succeeded"]
    assert all(r["method"] == "GET" and r["endpoint"] == "task/get_status"
               and r["query"] == {"task_id": ["77"]} for r in stub.requests)
    stub.routes["task/get_status"] = refused("task not found")
    with pytest.raises(panda.PandaError, match="no status from PanDA \\(panda-client status 255\\)"):
        backend.status(78)


def test_wait_until_final(stub, backend):
    answers = iter([(500, b"busy"), ok("running"), ok("aborting"), ok("aborted")])
    stub.routes["task/get_status"] = lambda body, q: next(answers)
    assert backend.wait(3, interval=0.01, timeout=30) == "canceled"
    stub.routes["task/get_status"] = ok("running")
    with pytest.raises(TimeoutError):
        backend.wait(3, interval=0.01, timeout=0.05)


def test_jobs_poll_job_ids_and_descriptions(stub, backend):
    stub.routes["task/get_job_ids"] = ok([1001, 1002])
    stub.routes["job/get_description"] = lambda body, q: ok(
        [{"PandaID": i, "jobStatus": s, "jediTaskID": 77}
         for i, s in zip(body["job_ids"], ["running", "failed"])])
    assert backend.jobs(77) == {1001: "running", 1002: "failed"}
    assert stub.requests[1]["body"] == {"job_ids": [1001, 1002]}
    stub.routes["task/get_job_ids"] = ok([])
    assert backend.jobs(77) == {}


def test_kill_calls_kill_task(stub, backend):
    stub.routes["task/kill"] = ok([0, "command is accepted"])
    assert backend.kill(55) == "command is accepted"
    assert stub.requests[-1]["body"] == {"task_id": 55}
    stub.routes["task/kill"] = ok([4, "irrelevant task status: done"])
    with pytest.raises(panda.PandaError, match="code 4") as e:
        backend.kill(55)
    assert e.value.code == 4
    stub.routes["task/kill"] = refused("permission denied")
    with pytest.raises(panda.PandaError, match="refused the kill: permission denied"):
        backend.kill(55)


def test_sandbox_is_packed_and_uploaded_once(stub, tmp_path):
    import tarfile
    (tmp_path / "sim.sh").write_text("echo hi\n")
    uploads = []

    def upload(body, q):
        uploads.append(body)
        return ok(None, "")
    stub.routes["file_server/validate_cache_file"] = ok(None, "")     # nothing to reuse
    stub.routes["file_server/upload_cache_file"] = upload
    stub.routes["task/submit"] = ok(None, "succeeded. new jediTaskID=5")
    b = panda.PandaBackend(sandbox=tmp_path)
    b.submit(allot.Task("a", "sh sim.sh"))
    b.submit(allot.Task("b", "sh sim.sh"))
    assert len(uploads) == 1
    # the multipart body carries a gzipped tar of the sandbox directory
    import io
    boundary = uploads[0].split(b"\r\n", 1)[0]
    part = uploads[0].split(boundary)[1]
    archive = part.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[0]
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        assert tar.getnames() == ["sim.sh"]
    name = b.upload_sandbox()
    assert name.startswith("sources.") and name.endswith(".tar.gz")
    submits = [r["body"] for r in stub.requests if r["endpoint"] == "task/submit"]
    assert {"type": "constant", "value": f"-a {name}"} in submits[0]["task_parameters"]["jobParameters"]
    # the server already has the same archive: its name is reused, nothing is uploaded
    stub.routes["file_server/validate_cache_file"] = ok(None, "FOUND:127.0.0.1:sources.old.tar.gz")  # host name, no port
    b2 = panda.PandaBackend(sandbox=tmp_path)
    assert b2.upload_sandbox() == "sources.old.tar.gz" and len(uploads) == 1
    # a refused upload
    stub.routes["file_server/validate_cache_file"] = ok(None, "")
    stub.routes["file_server/upload_cache_file"] = refused("quota exceeded")
    with pytest.raises(panda.PandaError, match="sandbox upload .* quota exceeded"):
        panda.PandaBackend(sandbox=tmp_path).submit(allot.Task("c", "true"))


def test_server_down(backend):
    # nothing listens on PORT: panda-client's (255, None)
    with pytest.raises(panda.PandaError, match="255"):
        backend.status(1)
    with pytest.raises(panda.PandaError, match="255"):
        backend.kill(1)


def test_allot_imports_without_panda():
    import subprocess
    import sys
    code = ("import sys; sys.modules['pandaclient'] = None; import allot; "
            "assert 'allot.panda' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(allot.__file__))})
    assert out.stdout.strip() == "ok", out.stderr
