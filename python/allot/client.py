"""A client of a long-lived allot server (cluster mode, docs/CLUSTER.md), over its HTTP API.

    import allot

    client = allot.Client()                      # $ALLOT_SERVER_DIR, else ~/.allot/server
    ids = client.submit([allot.Task("sim-1", "./sim --seed 1", cores=2)])
    client.wait(ids).check()
    print(client.log("sim-1"))

It mirrors the command line (``allot submit/status/wait/cancel/pause/resume/skip/hold/release/
requeue/log/workers/server stop``) and adds what a campaign driven from Python needs:
:meth:`Client.events`, the
server's event stream, and :meth:`Client.run`, which submits tasks, calls back as each one
ends and submits (and follows) whatever the callback returns: adaptive sweeps, active learning.

Standard library only. Every request carries ``Authorization: Bearer <token>`` with the token
of ``<server_dir>/access.json``; proxies (``http_proxy``) are never used, so the token goes to
the server and nowhere else. Errors are the package's exceptions: :class:`BadInputError` (400,
with the server's ``problems``), :class:`NotFoundError` (404), :class:`ConflictError` (409),
:class:`AuthenticationError` (401), :class:`ServerUnavailableError` (no answer, 503),
:class:`InternalError` (500).
"""

from __future__ import annotations

import codecs
import http.client
import json
import os
import re
import secrets
import shlex
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Callable, Optional, Union

from .errors import (EXIT_BAD_INPUT, EXIT_INTERNAL, AllotError, AuthenticationError,
                     BadInputError, ConflictError, Diagnostic, InternalError, NotFoundError,
                     ServerUnavailableError, WaitTimeoutError)
from ._client_submit import (_array_command_line, _array_indices, _chunks, _cores_field,
                             _default_task_name, _document, _escape_braces, _ref_list,
                             _remaining, _seconds, _segment)
from .client_types import (Attempt, Event, LogChunk, Metric, RunSummary, TaskDetail, TaskInfo,
                           TaskList, TaskResult, Unsuccessful, WaitResult, WorkerInfo)
from ._origin import GeneratedFile, caller_origin, generated_file
from .results import FINAL_STATES
from .task import Task, _duration, _plain, dumps

#: Seconds one long poll (``/wait``, ``/events``) lasts at most before it is asked again.
LONG_POLL_S = 30.0
# What a long poll's read may take beyond its own timeout before the client gives up.
_LONG_POLL_SLACK_S = 30.0
# Refs are sent in the query string; the server takes URIs of up to 8 KiB, so longer lists go
# in several requests.
_MAX_REFS_CHARS = 6000
_EVENTS_PAGE = 1000

PathLike = Union[str, "os.PathLike[str]"]
#: What :meth:`Client.submit` takes: a task file, a workflow document, one Task or task dict,
#: or a list of Tasks and task dicts.
Submittable = Union[PathLike, Task, Mapping[str, Any], Iterable[Union[Task, Mapping[str, Any]]]]
Refs = Union[str, Iterable[str], None]


# The client ------------------------------------------------------------------------------------

def default_server_dir() -> Path:
    """``$ALLOT_SERVER_DIR``, else ``~/.allot/server`` (as the command line finds it)."""
    env = os.environ.get("ALLOT_SERVER_DIR")
    if env:
        return Path(env)
    return Path(os.path.expanduser("~")) / ".allot" / "server"


Callback = Callable[[TaskResult], Any]


class Client:
    """A connection to the allot server whose directory is ``server_dir`` (default:
    ``$ALLOT_SERVER_DIR``, else ``~/.allot/server``), read from its ``access.json``.

    ``timeout``: seconds an ordinary request may take (long polls take their own time plus
    30 s). ``reconnect``: seconds the waiting methods (:meth:`wait`, :meth:`run`,
    :meth:`watch`, :meth:`events`, :meth:`follow_log`) keep trying when the server cannot be
    reached, as while it restarts; single requests fail at once with ServerUnavailableError.

    The access file is read here (ServerUnavailableError when there is none) and read again
    when the server refuses the token or cannot be reached and the file has changed since, so a
    client outlives a server restart.
    """

    def __init__(self, server_dir: Optional[PathLike] = None, *, timeout: float = 60.0,
                 reconnect: float = 60.0):
        self.server_dir = Path(os.path.abspath(server_dir if server_dir is not None
                                               else default_server_dir()))
        self.access_file = self.server_dir / "access.json"
        self.timeout = float(timeout)
        self.reconnect = float(reconnect)
        # Never through a proxy: the server is on this machine or the cluster's network, and
        # the bearer token must not go anywhere else.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.url = ""
        self._token = ""
        self._access_key: Optional[tuple] = None
        self._load_access()

    def __repr__(self) -> str:
        return f"Client(server_dir='{self.server_dir}', url='{self.url}')"

    # Server --------------------------------------------------------------------------------

    def server_info(self) -> dict[str, Any]:
        """``GET /api/v1/server``: version, instance, started_us, counts, workers, ..."""
        return self._json("GET", "/api/v1/server")

    def stop_server(self, kill: bool = False) -> None:
        """Stops the server (``allot server stop``): its workers stop their tasks (SIGTERM, and
        SIGKILL after the grace period; at once with ``kill``), which become preempted, and the
        server exits."""
        self._json("POST", "/api/v1/server/stop", body={"kill": bool(kill)})

    # Submitting ----------------------------------------------------------------------------

    def submit(self, tasks: Submittable, name: Optional[str] = None, *,
               base_dir: Optional[PathLike] = None) -> list[str]:
        """Adds tasks to the server (``allot submit``) and returns their ids (sweeps expanded),
        once they are durable.

        ``tasks``: a list of :class:`Task` objects and task dicts, one Task or task dict, a
        workflow document (``allot.workflow(...)``, a dict with ``"tasks"`` and maybe
        ``"defaults"``), or the path of a task file (JSON or YAML). Dependencies may name tasks
        submitted earlier. ``name`` is the file name the server's messages cite (default
        ``submit.json``, or the path). Tasks that name no workdir run in ``base_dir`` (default:
        this process's current directory); relative paths written in a task file (workdirs,
        programs like ``./sim``) resolve against the file's directory, those of tasks given as
        objects against ``base_dir``.

        BadInputError when the server refuses them: every problem in ``problems`` (the lines
        ``name:line: task 'x': field 'y': ...``) and in ``diagnostics`` (the same as
        :class:`Diagnostic` objects with file, line, column, task and field, as the server sent
        them); nothing is submitted.
        """
        call = caller_origin()
        generated: Optional[GeneratedFile] = None
        file_dir = None
        if isinstance(tasks, (str, os.PathLike)):
            path = os.fspath(tasks)
            file_dir = os.path.dirname(os.path.abspath(path))
            try:
                text = Path(path).read_text()
            except OSError as e:
                raise BadInputError(f"cannot read task file {path}: {e.strerror}",
                                    exit_code=EXIT_BAD_INPUT) from None
            name = name or path
        else:
            if isinstance(tasks, Iterable) and not isinstance(tasks, (Mapping, Task, str, bytes)):
                tasks = list(tasks)  # read once: for the document and the origins
            text = dumps(_document(tasks))
            name = name or "submit.json"
            generated = generated_file(name, text, tasks, call)
        base = os.path.abspath(base_dir) if base_dir is not None else os.getcwd()
        body = {"name": name, "text": text, "base_dir": base}
        if file_dir is not None:
            body["file_dir"] = file_dir
        try:
            answer = self._json("POST", "/api/v1/submit", body=body)
        except BadInputError as e:
            if generated is None:
                raise
            raise generated.relocate_error(e) from None
        return [str(i) for i in answer.get("ids", [])]

    def submit_command(self, command: Union[str, Sequence[Any]], *, name: Optional[str] = None,
                       cores: Union[int, str, tuple[int, int], None] = None,
                       memory: Union[int, str, None] = None, gpus: Optional[int] = None,
                       time_limit: Any = None, time_estimate: Any = None,
                       priority: Optional[int] = None, max_retries: Optional[int] = None,
                       array: Union[str, Iterable[int], None] = None,
                       after: Union[str, Task, Iterable[Union[str, Task]]] = (),
                       tags: Optional[Mapping[str, Any]] = None,
                       env: Optional[Mapping[str, Any]] = None,
                       workdir: Optional[PathLike] = None,
                       nodes: Optional[int] = None) -> list[str]:
        """Submits one command, or an array of them (``allot submit [options] -- COMMAND``);
        returns the ids.

        ``command``: a shell command line, or a list of arguments (quoted for the shell).
        ``name``: the task id (default: the program's name and a random suffix); with
        ``array`` (``"1-1000"``, ``"1-100:2"``, ``"1,5,7"``, or a list/range of indices) the
        ids are ``NAME-INDEX`` and ``{index}`` in the command, env, tags, workdir and ``after``
        is the index (also in ``$ALLOT_ARRAY_INDEX``). ``cores``: N, ``"MIN-MAX"`` or
        ``(min, max)``; ``after``: ids or glob patterns this depends on; ``nodes``: workers the
        task spans at once, each giving it ``cores``, ``memory`` and ``gpus`` (MPI).
        """
        words = [command] if isinstance(command, str) else [str(os.fspath(w)) if
                                                              isinstance(w, os.PathLike) else
                                                              str(w) for w in command]
        if not words or not words[0].strip():
            raise ValueError("submit_command: no command")
        indices = _array_indices(array) if array is not None else None
        is_array = indices is not None
        text = _escape_braces if is_array else (lambda s: s)
        if name is None:
            first = words[0]
            if isinstance(command, str):
                try:
                    first = (shlex.split(command) or [command])[0]
                except ValueError:  # unbalanced quotes: the server will say more
                    first = command.split()[0]
            name = _default_task_name(first, secrets.token_hex(3))
        if not name:
            raise ValueError("submit_command: name is empty")
        task: dict[str, Any] = {"id": _escape_braces(name) + "-{index}" if is_array else name}
        if isinstance(command, str):
            task["command"] = text(command)
        else:
            task["command"] = _array_command_line(words) if is_array else shlex.join(words)
        if cores is not None:
            task["cores"] = _cores_field(cores)
        if memory is not None:
            task["memory"] = memory
        if gpus is not None:
            if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 0:
                raise ValueError(f"submit_command: gpus must be a count >= 0, got {gpus!r}")
            task["gpus"] = gpus
        if nodes is not None:
            if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1:
                raise ValueError(f"submit_command: nodes must be a count >= 1, got {nodes!r}")
            task["nodes"] = nodes
        if time_limit is not None:
            task["time_limit"] = _duration(time_limit)
        if time_estimate is not None:
            task["time_estimate"] = _duration(time_estimate)
        if priority is not None:
            task["priority"] = int(priority)
        if max_retries is not None:
            task["max_retries"] = int(max_retries)
        deps = [after] if isinstance(after, (str, Task)) else list(after or ())
        if deps:
            task["depends_on"] = [text(d.id if isinstance(d, Task) else str(d)) for d in deps]
        if tags:
            task["tags"] = {text(str(k)): text(str(v)) if isinstance(v, str) else _plain(v)
                            for k, v in tags.items()}
        env_list = []
        for key, value in (env or {}).items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)):
                raise ValueError(f"submit_command: env name {key!r} is not a variable name")
            env_list.append(f"{key}={text(str(value))}")
        if is_array:
            env_list.append("ALLOT_ARRAY_INDEX={index}")
        if env_list:
            task["env"] = env_list
        if workdir is not None:
            task["workdir"] = text(os.fspath(workdir))
        if is_array:
            task["sweep"] = {"grid": {"index": indices}}
        submission = (shlex.join(words) if not isinstance(command, str) else command).strip()
        if os.path.splitext(submission)[1].lower() in (".json", ".yaml", ".yml"):
            submission += " (command)"
        return self.submit({"tasks": [task]}, name=submission)

    # Reading -------------------------------------------------------------------------------

    def status(self, refs: Refs = None, states: Union[str, Iterable[str], None] = None,
               limit: Optional[int] = None) -> TaskList:
        """The tasks (``allot status``): all, or those named by ``refs`` (task ids, execution
        ids ``id@attempt`` or ``depends_on`` patterns like ``"sim-*"``), in ``states`` only if
        given, at most ``limit``. NotFoundError for an unknown ref or a pattern matching none."""
        ref_list = _ref_list(refs)
        params: dict[str, Any] = {}
        if states:
            params["states"] = ",".join([states] if isinstance(states, str) else list(states))
        out = TaskList()
        for chunk in (_chunks(ref_list) if ref_list else [None]):
            p = dict(params)
            if chunk:
                p["refs"] = ",".join(chunk)
            if limit is not None:
                p["limit"] = max(limit - len(out), 0)
                if p["limit"] == 0:
                    break
            answer = self._json("GET", "/api/v1/tasks", params=p)
            out.extend(TaskInfo.from_json(t) for t in answer.get("tasks", []))
            out.counts = dict(answer.get("counts", {}))
        return out

    def task(self, ref: str) -> TaskDetail:
        """One task with its command, tags, dependencies, attempts and events."""
        return TaskDetail.from_json(self._json("GET", "/api/v1/tasks/" + _segment(ref)))

    def workers(self) -> list[WorkerInfo]:
        """The server's workers (``allot workers``), connected ones and those gone."""
        answer = self._json("GET", "/api/v1/workers")
        return [WorkerInfo.from_json(w) for w in answer.get("workers", [])]

    def drain_worker(self, worker: Union[int, str]) -> dict[str, Any]:
        """Lets the worker (its id or name) finish what it runs, then leave."""
        return self._json("POST", f"/api/v1/workers/{_segment(str(worker))}/drain")["worker"]

    def stop_worker(self, worker: Union[int, str]) -> dict[str, Any]:
        """Stops the worker now; its tasks run again elsewhere."""
        return self._json("POST", f"/api/v1/workers/{_segment(str(worker))}/stop")["worker"]

    # Waiting -------------------------------------------------------------------------------

    def wait(self, refs: Refs = None, timeout: Optional[float] = None, *,
             poll: float = LONG_POLL_S) -> WaitResult:
        """Waits until the tasks are finished (``allot wait``): those named by ``refs`` (ids,
        execution ids, patterns), else those not finished when the wait began (tasks that ended
        earlier, or are submitted later, do not count), by long polls of ``poll`` seconds.
        Returns a :class:`WaitResult` (``.ok``, ``.unsuccessful``, ``.check()``; ``counts`` of the
        tasks waited for); raises WaitTimeoutError (a TimeoutError) after ``timeout`` seconds,
        the tasks going on."""
        deadline = None if timeout is None else time.monotonic() + timeout
        ref_list = _ref_list(refs)
        unsuccessful: list[Unsuccessful] = []
        counts: dict[str, int] = {}
        done_counts: dict[str, int] = {}  # of the chunks already finished
        since: Optional[str] = None       # without refs: where the wait began
        for chunk in (_chunks(ref_list) if ref_list else [None]):
            while True:
                wait_s = _remaining(deadline, poll)
                params: dict[str, Any] = {"timeout_s": _seconds(wait_s)}
                if chunk:
                    params["refs"] = ",".join(chunk)
                elif since:
                    params["since"] = since
                answer = self._json("GET", "/api/v1/wait", params=params,
                                    timeout=wait_s + _LONG_POLL_SLACK_S, retry=True)
                since = since or answer.get("since")
                counts = dict(done_counts)
                for state, n in answer.get("counts", {}).items():
                    counts[state] = counts.get(state, 0) + n
                if answer.get("done"):
                    unsuccessful += [Unsuccessful.from_json(u)
                                     for u in answer.get("unsuccessful", [])]
                    done_counts = counts
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    open_counts = {s: n for s, n in counts.items()
                                   if n and s not in FINAL_STATES}
                    raise WaitTimeoutError(
                        f"tasks not finished after {timeout:g} s (server: " +
                        ", ".join(f"{s} {n}" for s, n in open_counts.items()) + ")",
                        result=WaitResult(False, counts, unsuccessful))
        return WaitResult(True, counts, unsuccessful)

    # Control -------------------------------------------------------------------------------

    def cancel(self, *refs: Union[str, Iterable[str]]) -> TaskList:
        """Cancels tasks (ids, execution ids, or patterns like ``"sim-*"`` matched by the server
        as ``depends_on`` matches them; every control method takes these): waiting/ready ones at
        once; running/paused ones get SIGTERM (SIGKILL after their grace period), then become canceled; their
        dependents are skipped. All or nothing: NotFoundError / ConflictError name the ref
        that cannot be canceled and nothing changes. Returns the tasks as they are now."""
        return self._control("cancel", refs)

    def pause(self, *refs: Union[str, Iterable[str]]) -> TaskList:
        """Pauses running tasks (SIGSTOP to the process group; they keep their resources)."""
        return self._control("pause", refs)

    def resume(self, *refs: Union[str, Iterable[str]]) -> TaskList:
        """Resumes paused tasks (SIGCONT)."""
        return self._control("resume", refs)

    def skip(self, *refs: Union[str, Iterable[str]]) -> TaskList:
        """Skips waiting/ready/held tasks: their dependents proceed as if they had succeeded."""
        return self._control("skip", refs)

    def hold(self, *refs: Union[str, Iterable[str]]) -> TaskList:
        """Holds waiting/ready tasks (``allot hold``): they stay ``held`` and do not start until
        :meth:`release`; a restarted server keeps them held."""
        return self._control("hold", refs)

    def release(self, *refs: Union[str, Iterable[str]]) -> TaskList:
        """Releases held tasks: ready again, or waiting while their dependencies run."""
        return self._control("release", refs)

    def checkpoint(self, *refs: Union[str, Iterable[str]]) -> TaskList:
        """Asks running tasks that declare a ``checkpoint`` for one now (``allot checkpoint``):
        their checkpoint signal goes to the whole process group; one that exits with its
        checkpoint exit code runs again from the checkpoint it wrote."""
        return self._control("checkpoint", refs)

    def requeue(self, *refs: Union[str, Iterable[str]], failed: bool = False) -> TaskList:
        """Runs failed or canceled tasks again (ids, or patterns like ``"sim-*"``; or every
        failed task with ``failed=True``), like Slurm's ``scontrol requeue``: a fresh retry
        budget, attempts numbered on from the last, and the dependents skipped because of
        them wait for them again. All or nothing: NotFoundError / ConflictError name the task
        and nothing changes. Returns the tasks that came back."""
        ref_list = _ref_list(list(refs))
        if bool(ref_list) == failed:
            raise ValueError("requeue: give task refs or failed=True, not both")
        body = {"failed": True} if failed else {"refs": ref_list}
        answer = self._json("POST", "/api/v1/requeue", body=body)
        return TaskList(TaskInfo.from_json(t) for t in answer.get("tasks", []))

    def _control(self, action: str, refs: tuple) -> TaskList:
        ref_list = _ref_list(list(refs))
        if not ref_list:
            raise ValueError(f"{action}: no task refs given")
        answer = self._json("POST", "/api/v1/control", body={"action": action, "refs": ref_list})
        return TaskList(TaskInfo.from_json(t) for t in answer.get("tasks", []))

    # Output --------------------------------------------------------------------------------

    def read_log(self, ref: str, stream: str = "stdout", offset: int = 0) -> LogChunk:
        """One ``GET /api/v1/log/{ref}``: the bytes from ``offset`` (up to 4 MiB)."""
        if stream not in ("stdout", "stderr"):
            raise ValueError(f"stream must be 'stdout' or 'stderr', got {stream!r}")
        data, headers = self._request("GET", "/api/v1/log/" + _segment(ref),
                                      params={"stream": stream, "offset": int(offset)})
        try:
            next_offset = int(headers.get("X-Allot-Next-Offset", offset + len(data)))
        except ValueError:
            next_offset = offset + len(data)
        return LogChunk(data, next_offset, headers.get("X-Allot-Task-State", ""))

    def log(self, ref: str, stream: str = "stdout") -> str:
        """What the task wrote so far on ``stream`` (``allot log``): its current attempt's
        output, or an earlier attempt's with ``ref`` = ``id@attempt``. Empty before it
        starts. Decoded as UTF-8 (undecodable bytes replaced)."""
        parts, offset = [], 0
        while True:
            chunk = self.read_log(ref, stream, offset)
            if not chunk.data:
                break
            parts.append(chunk.data)
            offset = chunk.next_offset
        return b"".join(parts).decode("utf-8", errors="replace")

    def follow_log(self, ref: str, stream: str = "stdout", *, interval: float = 0.25,
                   timeout: Optional[float] = None) -> Iterator[str]:
        """Yields the task's output as it is written (``allot log --follow``), until the task
        is finished and everything is read. WaitTimeoutError after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        offset = 0
        while True:
            chunk = self._retrying(lambda: self.read_log(ref, stream, offset))
            if chunk.data:
                offset = chunk.next_offset
                text = decoder.decode(chunk.data)
                if text:
                    yield text
                continue  # there may be more at once
            # Everything written so far is read; the state was read before the bytes.
            if chunk.state in FINAL_STATES:
                tail = decoder.decode(b"", final=True)
                if tail:
                    yield tail
                return
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeoutError(f"task '{ref}' not finished after {timeout:g} s")
            time.sleep(interval)

    # Events --------------------------------------------------------------------------------

    def events(self, after: int = 0, timeout: float = LONG_POLL_S, *, follow: bool = True,
               limit: int = _EVENTS_PAGE) -> Iterator[Event]:
        """The server's event stream: every state change with ``seq`` > ``after``, in order.

        With ``follow`` (the default) it never ends: it long-polls ``timeout`` seconds at a
        time for new events (break out of the loop to stop). With ``follow=False`` it ends
        once the events so far are read. To see only what happens from now on, start at
        ``after=client.last_event()``; to resume, pass the last ``seq`` seen."""
        cursor = int(after)
        while True:
            wait_s = float(timeout) if follow else 0.0
            asked = time.monotonic()
            answer = self._json("GET", "/api/v1/events",
                                params={"after": cursor, "timeout_s": _seconds(wait_s),
                                        "limit": limit},
                                timeout=wait_s + _LONG_POLL_SLACK_S, retry=follow)
            batch = answer.get("events", [])
            if not batch and follow and time.monotonic() - asked < wait_s / 2:
                time.sleep(min(0.2, wait_s))  # an early empty answer (a stopping server)
            for obj in batch:
                event = Event.from_json(obj)
                if event.seq <= cursor:
                    continue
                cursor = event.seq
                yield event
            if not batch and not follow:
                return

    def metrics(self, after: int = 0, timeout: float = LONG_POLL_S, *, follow: bool = True,
                task: Optional[str] = None, limit: int = _EVENTS_PAGE) -> Iterator[Metric]:
        """The running tasks' intermediate metrics with ``metric_seq`` > ``after``, in order,
        as the server journals them (within a turn of the worker reading them).

        With ``follow`` (the default) it never ends: it long-polls for new ones (break out of
        the loop to stop); with ``follow=False`` it ends once those so far are read. ``task``:
        only that task's."""
        cursor = int(after)
        while True:
            wait_s = float(timeout) if follow else 0.0
            asked = time.monotonic()
            # after=2**62: no events in the answer, and the wait ends on a metric only.
            answer = self._json("GET", "/api/v1/events",
                                params={"after": 2 ** 62, "after_metric": cursor,
                                        "timeout_s": _seconds(wait_s), "limit": limit},
                                timeout=wait_s + _LONG_POLL_SLACK_S, retry=follow)
            batch = answer.get("metrics", [])
            if not batch and follow and time.monotonic() - asked < wait_s / 2:
                time.sleep(min(0.2, wait_s))
            for obj in batch:
                m = Metric.from_json(obj)
                if m.metric_seq <= cursor:
                    continue
                cursor = m.metric_seq
                if task is None or m.task == task:
                    yield m
            if not batch and not follow:
                return

    def last_event(self) -> int:
        """The ``seq`` of the newest event: :meth:`events` after it sees only what comes."""
        info = self.server_info()
        last = info.get("last_event")
        if isinstance(last, int) and not isinstance(last, bool):
            return last
        # An older server: page through the history.
        cursor = 0
        while True:
            answer = self._json("GET", "/api/v1/events",
                                params={"after": cursor, "timeout_s": 0, "limit": 100000})
            batch = answer.get("events", [])
            if not batch:
                return cursor
            cursor = max(cursor, int(answer.get("last", batch[-1]["seq"])))

    # Dynamic campaigns ---------------------------------------------------------------------

    def run(self, tasks: Submittable, on_complete: Optional[Callback] = None,
            on_failure: Optional[Callback] = None, *, name: Optional[str] = None,
            timeout: Optional[float] = None, poll: float = LONG_POLL_S) -> RunSummary:
        """Submits ``tasks``, then follows them on the event stream until every task it
        follows is finished, and returns a :class:`RunSummary`.

        Each time a followed task ends, its :class:`TaskResult` (``id``, ``state``,
        ``exit_code``, ``stdout()``, ...) goes to a callback: to ``on_failure`` when it did
        not succeed and ``on_failure`` is given, else to ``on_complete`` (which then sees every
        end: check ``result.ok``). Whatever the callback returns -- None, a Task, a task dict,
        a workflow dict, or a list of Tasks and dicts -- is submitted and followed too: this is
        how an adaptive sweep refines where results say so.

        Each task is handed over exactly once, in the order the tasks ended; no end is missed
        (the stream is read from before the first submission). An exception from a callback
        or a refused submission propagates; the tasks on the server go on (``cancel`` them if
        need be). WaitTimeoutError after ``timeout`` seconds (``.result``: the summary so
        far).
        """
        follower = _Follower(self, on_complete, on_failure)
        cursor = self.last_event()
        follower.track(self.submit(tasks, name=name))
        return follower.follow(cursor, timeout, poll)

    def watch(self, refs: Refs, on_complete: Optional[Callback] = None,
              on_failure: Optional[Callback] = None, *, timeout: Optional[float] = None,
              poll: float = LONG_POLL_S) -> RunSummary:
        """:meth:`run` for tasks already submitted (ids or execution ids): those already
        finished are handed to the callbacks at once, the others as they end; what the
        callbacks return is submitted and followed."""
        ref_list = _ref_list(refs)
        if not ref_list:
            raise ValueError("watch: no task refs given")
        follower = _Follower(self, on_complete, on_failure)
        cursor = self.last_event()
        listed = self.status(ref_list)  # after the cursor: an end is in one or the other
        follower.track([t.id for t in listed])
        for t in listed:
            if t.finished:
                follower.finish(TaskResult(id=t.id, state=t.state, exit_code=t.exit_code,
                                           attempt=t.attempt, execution=t.execution,
                                           client=self))
        return follower.follow(cursor, timeout, poll)

    # HTTP ----------------------------------------------------------------------------------

    def _load_access(self) -> None:
        path = self.access_file
        try:
            st = path.stat()
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            raise ServerUnavailableError(
                f"no allot server in {self.server_dir}: {path} does not exist (start one with "
                f"`allot server start --dir {self.server_dir}`, or give the server's "
                f"directory: Client(server_dir) or $ALLOT_SERVER_DIR)") from None
        except PermissionError:
            raise AuthenticationError(
                f"cannot read {path}: permission denied (only the server's owner may)") from None
        except OSError as e:
            raise AllotError(f"cannot read {path}: {e.strerror}") from None
        try:
            data = json.loads(text)
            url = str(data["http"]["url"]).rstrip("/")
            token = str(data["http"]["token"])
        except (ValueError, KeyError, TypeError):
            raise AllotError(f"{path} is not an allot access file (no http.url and "
                             f"http.token)") from None
        if not url.startswith(("http://", "https://")) or not token:
            raise AllotError(f"{path}: bad http.url {url!r} or empty token")
        self.url, self._token = url, token
        self._access_key = (st.st_ino, st.st_mtime_ns, st.st_size)

    def _access_changed(self) -> bool:
        try:
            st = self.access_file.stat()
        except OSError:
            return False
        return (st.st_ino, st.st_mtime_ns, st.st_size) != self._access_key

    def _request(self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None,
                 body: Any = None, timeout: Optional[float] = None,
                 retry: bool = False) -> tuple[bytes, Mapping[str, str]]:
        """One request; the answer's body and headers. Reloads the access file and tries again
        once when the token is refused or the server cannot be reached and the file changed.
        With ``retry``, keeps trying an unreachable server for ``self.reconnect`` seconds."""
        if retry:
            return self._retrying(lambda: self._request(method, path, params=params, body=body,
                                                        timeout=timeout))
        try:
            return self._send(method, path, params, body, timeout)
        except (AuthenticationError, ServerUnavailableError):
            if not self._access_changed():
                raise
            self._load_access()
            return self._send(method, path, params, body, timeout)

    def _retrying(self, call: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + self.reconnect
        delay = 0.25
        while True:
            try:
                return call()
            except ServerUnavailableError:
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
                if self._access_changed():
                    try:
                        self._load_access()
                    except AllotError:
                        pass

    def _send(self, method: str, path: str, params: Optional[Mapping[str, Any]], body: Any,
              timeout: Optional[float]) -> tuple[bytes, Mapping[str, str]]:
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params, safe=",", quote_via=urllib.parse.quote)
        data = None
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if method == "POST":
            data = json.dumps({} if body is None else body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        wait = self.timeout if timeout is None else timeout
        where = f"the allot server at {self.url} (access file {self.access_file})"
        try:
            with self._opener.open(request, timeout=wait) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as e:
            try:
                payload = e.read()
            except OSError:
                payload = b""
            raise self._error(e.code, payload, method, path) from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, ConnectionRefusedError):
                raise ServerUnavailableError(
                    f"cannot reach {where}: connection refused; is it running?") from None
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise ServerUnavailableError(
                    f"cannot reach {where}: no connection within {wait:g} s") from None
            raise ServerUnavailableError(f"cannot reach {where}: {reason}") from None
        except (socket.timeout, TimeoutError):
            raise ServerUnavailableError(
                f"{where} did not answer {method} {path} within {wait:g} s") from None
        except (http.client.HTTPException, ConnectionError) as e:
            raise ServerUnavailableError(
                f"{where} dropped {method} {path}: {type(e).__name__}: {e}") from None

    def _json(self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None,
              body: Any = None, timeout: Optional[float] = None, retry: bool = False) -> Any:
        data, _ = self._request(method, path, params=params, body=body, timeout=timeout,
                                retry=retry)
        try:
            return json.loads(data)
        except ValueError:
            raise InternalError(f"{method} {path}: the server's answer is not JSON: "
                                f"{data[:200]!r}", exit_code=EXIT_INTERNAL) from None

    def _error(self, status: int, payload: bytes, method: str, path: str) -> AllotError:
        message, problems, diagnostics = "", [], []
        try:
            obj = json.loads(payload)
            if isinstance(obj, dict) and isinstance(obj.get("error"), str):
                message = obj["error"]
                problems = [p if isinstance(p, str) else json.dumps(p)
                            for p in obj.get("problems") or []]
                diagnostics = [Diagnostic.from_json(d) for d in obj.get("diagnostics") or []]
        except ValueError:
            pass
        if not message:
            message = (f"HTTP {status} from {self.url} for {method} {path}: "
                       f"{payload[:200].decode('utf-8', 'replace')}")
        full = "\n".join([message] + problems)
        kwargs = dict(http_status=status, problems=problems)
        if status == 401:
            return AuthenticationError(
                f"the allot server at {self.url} refused the token in {self.access_file} "
                f"(an access file of another server, or of an earlier one in that directory?): "
                f"{message}", **kwargs)
        if status == 400:
            return BadInputError(full, exit_code=EXIT_BAD_INPUT, diagnostics=diagnostics,
                                 **kwargs)
        if status == 404:
            return NotFoundError(full, exit_code=EXIT_BAD_INPUT, diagnostics=diagnostics,
                                 **kwargs)
        if status == 409:
            return ConflictError(full, exit_code=EXIT_BAD_INPUT, diagnostics=diagnostics,
                                 **kwargs)
        if status == 503:
            return ServerUnavailableError(f"the allot server at {self.url}: {full}", **kwargs)
        return InternalError(f"the allot server at {self.url} failed {method} {path}: {full}",
                             exit_code=EXIT_INTERNAL, **kwargs)


class _Follower:
    """The state of :meth:`Client.run`: the tasks followed, those finished, the callbacks."""

    def __init__(self, client: Client, on_complete: Optional[Callback],
                 on_failure: Optional[Callback]):
        self.client = client
        self.on_complete = on_complete
        self.on_failure = on_failure
        self.pending: set[str] = set()
        self.summary = RunSummary()

    def track(self, ids: Iterable[str]) -> None:
        for task_id in ids:
            if task_id not in self.summary.results and task_id not in self.pending:
                self.pending.add(task_id)
                self.summary.submitted.append(task_id)

    def finish(self, result: TaskResult) -> None:
        """Records an end (once per task) and hands it to its callback; submits and follows
        what the callback returns."""
        if result.id not in self.pending:
            return
        self.pending.discard(result.id)
        self.summary.results[result.id] = result
        callback = self.on_complete
        if not result.ok and self.on_failure is not None:
            callback = self.on_failure
        if callback is None:
            return
        self.summary.callbacks += 1
        more = callback(result)
        if more is None or (isinstance(more, (list, tuple)) and not more):
            return
        self.track(self.client.submit(more))

    def follow(self, cursor: int, timeout: Optional[float], poll: float) -> RunSummary:
        client = self.client
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.pending:
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeoutError(
                    f"{len(self.pending)} task(s) not finished after {timeout:g} s: " +
                    ", ".join(sorted(self.pending)[:5]) +
                    (" ..." if len(self.pending) > 5 else ""), result=self.summary)
            wait_s = _remaining(deadline, poll)
            asked = time.monotonic()
            answer = client._json("GET", "/api/v1/events",
                                  params={"after": cursor, "timeout_s": _seconds(wait_s),
                                          "limit": _EVENTS_PAGE},
                                  timeout=wait_s + _LONG_POLL_SLACK_S, retry=True)
            batch = answer.get("events", [])
            if not batch and time.monotonic() - asked < wait_s / 2:
                time.sleep(min(0.2, wait_s))  # an early empty answer (a stopping server)
            for obj in batch:
                event = Event.from_json(obj)
                if event.seq <= cursor:
                    continue  # already seen
                cursor = event.seq
                if event.to in FINAL_STATES and event.task in self.pending:
                    self.finish(_result_of(event, client))
            if not batch and self.pending:
                cursor = self._reconcile(cursor)
        return self.summary

    def _reconcile(self, cursor: int) -> int:
        """After a quiet poll: a followed task the server says is finished, but whose end the
        stream did not show, would be waited for forever. Reads the stream once more (the end
        may have become durable meanwhile), then hands over what is still missing, with a
        warning (a server bug)."""
        client = self.client
        finished = [t for t in client.status(sorted(self.pending)) if t.finished]
        if not finished:
            return cursor
        answer = client._json("GET", "/api/v1/events",
                              params={"after": cursor, "timeout_s": 1, "limit": _EVENTS_PAGE},
                              timeout=1 + _LONG_POLL_SLACK_S, retry=True)
        for obj in answer.get("events", []):
            event = Event.from_json(obj)
            if event.seq <= cursor:
                continue
            cursor = event.seq
            if event.to in FINAL_STATES and event.task in self.pending:
                self.finish(_result_of(event, client))
        for t in finished:
            if t.id in self.pending:
                warnings.warn(f"allot: task '{t.id}' is {t.state} but the event stream did not "
                              f"show it (after seq {cursor}); taken from its status",
                              RuntimeWarning, stacklevel=3)
                self.finish(TaskResult(id=t.id, state=t.state, exit_code=t.exit_code,
                                       attempt=t.attempt, execution=t.execution,
                                       client=client))
        return cursor


def _result_of(event: Event, client: Client) -> TaskResult:
    exit_code = event.exit_code
    if event.signal:
        exit_code = -int(event.signal)  # as /tasks reports it, and subprocess does
    return TaskResult(id=event.task, state=event.to, exit_code=exit_code,
                      signal=event.signal or None, attempt=event.attempt,
                      execution=event.execution, reason=event.reason or "", seq=event.seq,
                      client=client)


__all__ = ["Attempt", "Client", "Event", "LogChunk", "RunSummary", "TaskDetail", "TaskInfo",
           "TaskList", "TaskResult", "Unsuccessful", "WaitResult", "WorkerInfo",
           "default_server_dir"]
