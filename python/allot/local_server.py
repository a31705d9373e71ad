"""A private allot server with one worker on this machine, for drivers that talk to a server
(:mod:`allot.optuna`, :mod:`allot.ax`) when there is no cluster::

    with allot.LocalServer("study-server", cores=4) as client:
        optimize(study, trial_task, client=client, n_trials=40, n_parallel=4)

The server (``allot server start --dir DIR``) keeps its journal in ``DIR``; started again on
the same directory it resumes: finished tasks stay finished, tasks that were running run again.
Server and worker end with the process that started them (SIGTERM, also when it is killed).
The worker (``allot worker start``) offers ``cores`` cores (default: all of this machine's);
``workers=N`` starts N such workers. Logs: ``DIR/server.log``, ``DIR/local*.log``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Optional, Union

from . import _binary
from .client import Client
from .errors import AllotError, ServerUnavailableError

PathLike = Union[str, "os.PathLike[str]"]


class LocalServer:
    def __init__(self, directory: PathLike, *, cores: Optional[int] = None,
                 memory: Optional[str] = None, workers: int = 1,
                 binary: Optional[PathLike] = None,
                 start_timeout: float = 60.0, worker_timeout: str = "10s"):
        self.directory = Path(directory).absolute()
        self.cores = cores
        self.memory = memory
        self.workers = workers
        self.start_timeout = start_timeout
        self.worker_timeout = worker_timeout
        self._binary = _binary.find_binary(binary)
        self._server: Optional[subprocess.Popen] = None
        self._workers: list[subprocess.Popen] = []
        self._client: Optional[Client] = None

    @property
    def client(self) -> Client:
        if self._client is None:
            raise AllotError("the local server is not started", exit_code=1)
        return self._client

    @property
    def server_pid(self) -> Optional[int]:
        return self._server.pid if self._server else None

    def start(self) -> Client:
        """Starts the server and its worker; returns a Client once the worker has joined.
        When that fails, whatever it started is stopped before the error is raised."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Client:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.start_server()
        for i in range(self.workers):
            name = "local" if self.workers == 1 else f"local-{i}"
            worker = [self._binary, "worker", "start", "--server-dir", str(self.directory),
                      "--name", name]
            if self.cores is not None:
                worker += ["--cores", str(self.cores)]
            if self.memory is not None:
                worker += ["--memory", str(self.memory)]
            self._workers.append(_spawn(worker, self.directory / f"{name}.log"))
        deadline = time.monotonic() + self.start_timeout
        while len([w for w in self._client.workers() if w.state == "active"]) < self.workers:
            for i, w in enumerate(self._workers):
                if w.poll() is not None:
                    log = self.directory / ("local.log" if self.workers == 1 else f"local-{i}.log")
                    raise AllotError(f"allot worker exited with {w.returncode}: {_tail(log)}",
                                     exit_code=1)
            if time.monotonic() > deadline:
                raise ServerUnavailableError(
                    f"the local workers did not join within {self.start_timeout:g} s; their "
                    f"logs are in {self.directory}")
            time.sleep(0.05)
        return self._client

    def start_server(self) -> Client:
        """Starts (or restarts) the server alone; a running worker reconnects by itself."""
        self._server = _spawn([self._binary, "server", "start", "--dir", str(self.directory),
                               "--worker-timeout", self.worker_timeout],
                              self.directory / "server.log")
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._server.poll() is not None:
                raise AllotError(f"allot server exited with {self._server.returncode}: "
                                 f"{_tail(self.directory / 'server.log')}", exit_code=1)
            try:
                client = Client(self.directory, timeout=20)
                client.server_info()
                self._client = client
                return client
            except (ServerUnavailableError, AllotError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill_server(self) -> None:
        """SIGKILLs the server (as a crash would); the worker keeps its tasks running."""
        if self._server and self._server.poll() is None:
            self._server.send_signal(signal.SIGKILL)
            self._server.wait()

    def stop(self) -> None:
        """Stops the server and the worker; running tasks are stopped with them."""
        if self._server and self._server.poll() is None:
            try:
                Client(self.directory, timeout=5).stop_server(kill=True)
            except AllotError:
                self._server.terminate()
        for p in self._workers + [self._server]:
            if p is None:
                continue
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self._workers = []

    def __enter__(self) -> Client:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalServer({str(self.directory)!r}, cores={self.cores})"


def _spawn(command: list, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """In the child: SIGTERM when the driver dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG), so that no private server outlives it; a restarted driver resumes."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {log})"
