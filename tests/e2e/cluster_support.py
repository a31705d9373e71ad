"""A real cluster-mode setup for end-to-end tests: `allot server start` and `allot worker start`
processes on this machine, talked to through the real CLI and the real HTTP API."""

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from conftest import RUN_TIMEOUT, bin_dir, wait_for


class Cluster:
    def __init__(self, root: Path, worker_timeout="4s"):
        self.dir = root / "server"
        self.root = root
        self.worker_timeout = worker_timeout
        self.server = None
        self.workers = []
        self.env = dict(os.environ, ALLOT_SERVER_DIR=str(self.dir))

    # --- processes -------------------------------------------------------------------------
    def start_server(self):
        log = open(self.root / "server.log", "ab")
        self.server = subprocess.Popen(
            [str(bin_dir() / "allot"), "server", "start", "--dir", str(self.dir),
             "--worker-timeout", self.worker_timeout],
            stdout=log, stderr=subprocess.STDOUT, env=self.env)
        instance_before = getattr(self, "instance", None)

        def ready():
            try:
                access = self.access()
            except (FileNotFoundError, json.JSONDecodeError):
                return False
            if access["server"]["pid"] != self.server.pid:
                return False
            try:
                self.api("GET", "/api/v1/server")
                return True
            except OSError:
                return False
        wait_for(ready, what="the server to answer")
        self.instance = self.access()["server"]["instance"]
        assert self.instance != instance_before
        return self.server

    def kill9_server(self):
        self.server.send_signal(signal.SIGKILL)
        self.server.wait(timeout=RUN_TIMEOUT)

    def start_worker(self, *args, cpus=None):
        log = open(self.root / f"worker{len(self.workers)}.log", "ab")
        cmd = [str(bin_dir() / "allot"), "worker", "start", "--server-dir", str(self.dir), *args]
        if cpus is not None:
            cmd = ["taskset", "-c", cpus] + cmd
        before = {w["name"] for w in self.active_workers()} if self.server else set()
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.workers.append(p)
        wait_for(lambda: len({w["name"] for w in self.active_workers()} - before) == 1,
                 what="the worker to join")
        return p

    def active_workers(self):
        return [w for w in self.api("GET", "/api/v1/workers")["workers"]
                if w["state"] in ("active", "draining")]

    def close(self):
        for p in self.workers + ([self.server] if self.server else []):
            if p.poll() is None:
                p.kill()
                p.wait(timeout=RUN_TIMEOUT)

    # --- clients ---------------------------------------------------------------------------
    def access(self):
        return json.loads((self.dir / "access.json").read_text())

    def api(self, method, path, body=None, token=None):
        access = self.access()
        token = access["http"]["token"] if token is None else token
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(access["http"]["url"] + path, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=RUN_TIMEOUT) as r:
            return json.loads(r.read() or b"{}")

    def cli(self, *args, check=True, cwd=None):
        p = subprocess.run([str(bin_dir() / "allot"), *args, "--server-dir", str(self.dir)],
                           capture_output=True, text=True, env=self.env,
                           timeout=RUN_TIMEOUT, cwd=cwd or self.root)
        if check and p.returncode != 0:
            raise AssertionError(f"allot {' '.join(args)}: exit {p.returncode}\n"
                                 f"{p.stdout}\n{p.stderr}")
        return p

    def task(self, ref):
        return self.api("GET", "/api/v1/tasks/" + ref)

    def state(self, ref):
        return self.api("GET", "/api/v1/tasks?refs=" + ref)["tasks"][0]["state"]

    def wait_state(self, ref, state, timeout=30):
        wait_for(lambda: self.state(ref) == state, timeout=timeout,
                 what=f"task {ref} to be {state} (it is {self.state(ref)})")

    def events(self, sql_where="1"):
        import sqlite3
        db = sqlite3.connect(f"file:{self.dir / 'journal.db'}?mode=ro", uri=True)
        try:
            return db.execute(
                f"SELECT task_id, attempt, from_state, to_state, reason FROM task_events "
                f"WHERE {sql_where} ORDER BY seq").fetchall()
        finally:
            db.close()
