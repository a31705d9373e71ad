"""Allot tasks as PanDA tasks, through the real ``panda-client`` (opt-in; untested against a
real PanDA server).

``import allot`` never imports this module, and this module imports ``pandaclient`` only when a
:class:`PandaBackend` is made, so allot works without panda-client installed.

What it does:

- :meth:`PandaBackend.task_params` turns an :class:`allot.Task` (or a task dict, e.g. one an
  optimizer's trial builder returned) into the JEDI ``taskParamMap`` that ``prun --exec ...
  --nJobs 1`` builds (the tests compare the two): ``jobParameters`` whose exec string is made
  by panda-client's own ``PsubUtils.convertParamStrToJediParam`` and whose outputs are made by
  ``MiscUtils.makeJediJobParam``, ``coreCount``/``ramCount``/``walltime`` from the task's
  ``cores``/``memory``/``time_limit``, and ``site``/``cloud``/``vo``/``prodSourceLabel``/
  ``taskName``; ``transPath`` only when given (prun sets none: JEDI's default runGen).
  :meth:`PandaBackend.trial_task` and :meth:`~PandaBackend.submit_trial` take an optimizer's
  trial builder (``build(parameters, index)``).
- :meth:`PandaBackend.submit` calls ``Client.insertTaskParams``, :meth:`~PandaBackend.status`
  ``Client.getTaskStatus``, :meth:`~PandaBackend.jobs` ``Client.getPandaIDsWithTaskID`` and
  ``Client.getJobStatus``, :meth:`~PandaBackend.kill` ``Client.killTask`` (and a sandbox
  directory goes up with ``Client.putFile``), and each turns
  panda-client's return conventions ((status, output) pairs, 255 for a failed exchange) into a
  value or a :class:`PandaError`.
- :data:`TASK_STATES` and :data:`JOB_STATES` map JEDI task and PanDA job states onto Allot's
  ``queued``/``running``/``succeeded``/``failed``/``canceled``.

panda-client reads ``PANDA_URL_SSL``/``PANDA_URL``/``PANDACACHE_URL`` when ``pandaclient.Client``
is first imported, and (unless ``PANDA_BEHIND_REAL_LB`` is set) resolves the cache server's name
then: set them before making a backend. Authentication (grid proxy or ``PANDA_AUTH=oidc``) is
panda-client's business.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import shlex
import tarfile
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional, Union

from ._trials import trial_tasks
from .task import Task

__all__ = ["PandaBackend", "PandaError", "PandaSubmission", "TASK_STATES", "JOB_STATES",
           "task_state", "job_state", "DEFAULT_TRANS_PATH"]

#: prun's --trf example (the generic runGen wrapper). Not set by default: prun sets no
#: transPath either, and JEDI then uses its own default for the task's VO.
DEFAULT_TRANS_PATH = "http://pandaserver.cern.ch:25085/trf/user/runGen-00-00-02"

#: JEDI task status -> Allot state. ``finished`` is JEDI's "partly done" (some inputs failed):
#: for an Allot task that is one job, it is a failure. ``exhausted`` (retries used up),
#: ``broken`` and ``tobroken`` are failures; ``aborting``/``aborted`` (after a kill) canceled.
#: ``paused``/``throttled`` and everything before ``running`` are queued.
TASK_STATES: dict[str, str] = {
    "registered": "queued", "defined": "queued", "assigning": "queued", "ready": "queued",
    "pending": "queued", "submitting": "queued", "topreprocess": "queued",
    "preprocessing": "queued", "toretry": "queued", "toincexec": "queued", "rerefine": "queued",
    "paused": "queued", "throttled": "queued", "prepared": "queued",
    "scouting": "running", "scouted": "running", "running": "running", "finishing": "running",
    "passed": "running",
    "done": "succeeded",
    "finished": "failed", "failed": "failed", "broken": "failed", "tobroken": "failed",
    "exhausted": "failed",
    "aborting": "canceled", "aborted": "canceled",
}

#: PanDA job status -> Allot state (``closed`` is a job the server ended without running it to
#: completion, e.g. superseded by a retry or killed with its task: canceled).
JOB_STATES: dict[str, str] = {
    "pending": "queued", "defined": "queued", "assigned": "queued", "waiting": "queued",
    "activated": "queued", "throttled": "queued",
    "sent": "running", "starting": "running", "running": "running", "holding": "running",
    "transferring": "running", "merging": "running",
    "finished": "succeeded",
    "failed": "failed",
    "cancelled": "canceled", "closed": "canceled",
}

_FINAL = ("succeeded", "failed", "canceled")


def task_state(panda_status: str) -> str:
    """Allot's state for a JEDI task status; an unknown status raises :class:`PandaError`."""
    try:
        return TASK_STATES[panda_status]
    except KeyError:
        raise PandaError(f"unknown PanDA task status {panda_status!r}") from None


def job_state(panda_status: str) -> str:
    """Allot's state for a PanDA job status; an unknown status raises :class:`PandaError`."""
    try:
        return JOB_STATES[panda_status]
    except KeyError:
        raise PandaError(f"unknown PanDA job status {panda_status!r}") from None


class PandaError(RuntimeError):
    """PanDA refused a request, or panda-client could not talk to the server.

    ``code`` is panda-client's status (255: the exchange failed) or the server's return code,
    ``message`` the server's message where there is one.
    """

    def __init__(self, text: str, code: Any = None, message: Any = None):
        super().__init__(text)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PandaSubmission:
    """What :meth:`PandaBackend.submit` got back: the JEDI task id and the server's message."""

    task_id: str            # the Allot task's id
    jedi_task_id: int
    message: str
    incremental: bool = False   # return code 3: accepted for incremental execution


_JEDI_ID = re.compile(r"jediTaskID=(\d+)")


class PandaBackend:
    """Submits Allot tasks to PanDA as one-job JEDI tasks and follows them.

    ``client`` is ``pandaclient.Client`` (imported on first use) unless given. Fields of the
    task map that are set for every task (``site``, ``cloud``, ``vo``, ``prod_source_label``,
    ``working_group``, ``trans_path``, ``container_image``) are arguments here;
    ``extra_params`` is merged last, as is, for anything else JEDI takes.

    The task's command runs in the job's working directory, through runGen as prun runs an
    ``--exec`` string. Files it needs come in a sandbox: ``sandbox`` is a directory, packed
    into ``sources.<uuid>.tar.gz`` and uploaded with ``Client.putFile`` on the first submit (as
    prun uploads its sandbox), or the name of an archive already on the cache server. Without
    one the job gets no ``-a`` argument: the command must find everything at the site (e.g. on
    CVMFS or in ``container_image``).
    """

    def __init__(self, *, vo: str = "wlcg", prod_source_label: str = "user",
                 site: Optional[str] = None, cloud: Optional[str] = None,
                 task_name_prefix: str = "allot.", working_group: Optional[str] = None,
                 trans_path: Optional[str] = None, container_image: Optional[str] = None,
                 sandbox: Union[str, os.PathLike, None] = None,
                 outputs: Optional[list[str]] = None,
                 extra_params: Optional[Mapping[str, Any]] = None, client: Any = None,
                 verbose: bool = False):
        self.vo = vo
        self.prod_source_label = prod_source_label
        self.site = site
        self.cloud = cloud
        self.task_name_prefix = task_name_prefix
        self.working_group = working_group
        self.trans_path = trans_path
        self.container_image = container_image
        self.sandbox = os.fspath(sandbox) if sandbox is not None else None
        self._archive: Optional[str] = (None if self.sandbox is None or os.path.isdir(self.sandbox)
                                        else os.path.basename(self.sandbox))
        self.outputs = list(outputs or [])
        self.extra_params = dict(extra_params or {})
        self.verbose = verbose
        if client is None:
            from pandaclient import Client as client  # noqa: N813 (panda-client's module name)
        self.client = client
        from pandaclient import MiscUtils, PandaToolsPkgInfo, PsubUtils
        self._misc, self._psub = MiscUtils, PsubUtils
        self._client_version = PandaToolsPkgInfo.release_version

    # The translation ---------------------------------------------------------------------------

    def task_name(self, task_id: str) -> str:
        """The JEDI task name, which is also the output container's: ends with '/', as prun's."""
        return f"{self.task_name_prefix}{task_id}/"

    def task_params(self, task: Union[Task, Mapping[str, Any]],
                    outputs: Optional[list[str]] = None) -> dict[str, Any]:
        """The JEDI taskParamMap for one Allot task (a :class:`Task` or a task dict).

        ``outputs`` (else the backend's, else the task's ``tags["panda_outputs"]``) are file
        names the job leaves in its working directory; each becomes an output dataset
        ``<taskName>_<name>/``, as prun's ``--outputs`` makes them.
        """
        t = task.to_dict() if isinstance(task, Task) else dict(task)
        tid = t.get("id")
        if not tid:
            raise ValueError(f"task without an id: {t!r}")
        if t.get("sweep"):
            raise ValueError(f"task '{tid}': a sweep template; expand it first (one PanDA task "
                             f"per Allot task)")
        exec_str, container = self._exec(tid, t)
        name = self.task_name(tid)
        params: dict[str, Any] = {
            "taskName": name,
            "uniqueTaskName": True,
            "vo": self.vo,
            "architecture": "" if container else None,
            "transUses": "",
            "transHome": None,
            "processingType": f"panda-client-{self._client_version}-jedi-run",
            "prodSourceLabel": self.prod_source_label,
            "site": self.site,
            "nEvents": 1,            # one job: prun --nJobs 1 without input
            "nEventsPerJob": 1,
            "cliParams": exec_str,
            "respectSplitRule": True,
            "sourceURL": self._source_url(),
            "log": self._log_param(name),
            "noInput": True,
        }
        if self.trans_path:
            params["transPath"] = self.trans_path
        if self.cloud:
            params["cloud"] = self.cloud
        if self.working_group:
            params["workingGroup"] = self.working_group
        if container:
            params["container_name"] = container
            params["multiStepExec"] = {
                "preprocess": {"command": "${TRF}", "args": "--preprocess ${TRF_ARGS}"},
                "postprocess": {"command": "${TRF}", "args": "--postprocess ${TRF_ARGS}"},
                "containerOptions": {
                    "containerExec": 'echo "=== cat exec script ==="; cat __run_main_exec.sh; '
                                     'echo; echo "=== exec script ==="; /bin/sh __run_main_exec.sh',
                    "containerImage": container},
            }
        if t.get("priority") is not None:
            params["currentPriority"] = int(t["priority"])
        if t.get("max_retries") is not None:
            params["maxAttempt"] = int(t["max_retries"]) + 1
        params.update(self._resources(tid, t))
        params["jobParameters"] = self._job_parameters(name, exec_str, outputs, t)
        params.update(self.extra_params)
        return params

    def _source_url(self) -> Optional[str]:
        # JEDI fills ${SURL} with this: the cache server's scheme://host[:port], as prun sets it.
        m = re.search("(http.*://[^/]+)/", getattr(self.client, "baseURLCSRVSSL", "") or "")
        return m.group(1) if m else None

    def _exec(self, tid: str, t: Mapping[str, Any]) -> tuple[str, Optional[str]]:
        container = self.container_image
        if t.get("command") is not None:
            cmd = t["command"]
        elif t.get("container") is not None:
            c = t["container"]
            container = c.get("image")
            cmd = c.get("command")
            if not container or cmd is None:
                raise ValueError(f"task '{tid}': container needs image and command")
            if not isinstance(cmd, str):
                cmd = shlex.join(str(a) for a in cmd)
        else:
            kind = next((k for k in ("python", "script") if t.get(k) is not None), None)
            raise ValueError(f"task '{tid}': only command and container tasks are translated to "
                             f"PanDA" + (f" (this one is a {kind} task)" if kind else ""))
        if t.get("env"):
            cmd = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in t["env"].items()) + " " + cmd
        if t.get("params") is not None:
            # As allot does for script and container tasks: the parameters in params.json,
            # named by $JOB_PARAMS_FILE, in the job's working directory.
            doc = json.dumps(t["params"], sort_keys=True, separators=(",", ":"))
            cmd = (f"printf '%s' {shlex.quote(doc)} > params.json && "
                   f"export JOB_PARAMS_FILE=$PWD/params.json && {cmd}")
        return cmd, container

    def _resources(self, tid: str, t: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        cores = t.get("cores")
        n = 1
        if isinstance(cores, Mapping):
            n = int(cores.get("min", 1))
            out["coreCount"] = n
            if cores.get("max") is not None:
                out["maxCoreCount"] = int(cores["max"])
        elif cores is not None:
            n = int(cores)
            out["coreCount"] = n
        memory = t.get("memory")
        if memory is not None and memory != "auto":
            # JEDI's ramCount is MB per core (prun --memory); Fixed: not re-estimated by the
            # scout jobs (prun --fixedRamCount), since Allot's memory is a limit.
            out["ramCount"] = math.ceil(memory_mb(memory) / max(n, 1))
            out["ramCountUnit"] = "MBPerCoreFixed"
        if t.get("time_limit") is not None:
            # Seconds. prun sets no walltime for a task without input (its --maxWalltime, in
            # hours, needs the input's event counts); how JEDI uses this one is unverified.
            out["walltime"] = duration_seconds(t["time_limit"])
        if t.get("gpus"):
            raise ValueError(f"task '{tid}': gpus are not translated to PanDA (choose a GPU "
                             f"site or queue with site=)")
        return out

    def _log_param(self, name: str) -> dict[str, Any]:
        ds = f"{name[:-1]}.log/"
        return {"dataset": ds, "container": ds, "type": "template", "param_type": "log",
                "value": f"{ds[:-1]}.$JEDITASKID.${{SN}}.log.tgz"}

    def _job_parameters(self, name: str, exec_str: str, outputs: Optional[list[str]],
                        t: Mapping[str, Any]) -> list[dict[str, Any]]:
        # prun's layout for a task without input: runGen's options, the sandbox (-a), the
        # outputs (templates, then -o "{file: lfn}"), then the exec string inside -p "...",
        # made by panda-client's convertParamStrToJediParam (which URL-quotes the constant parts
        # and turns %RNDM=N and the like into JEDI templates).
        params: list[dict[str, Any]] = [
            {"type": "constant", "value": '-j "" --sourceURL ${SURL}'},
            {"type": "constant", "value": "-r ."},
            {"type": "constant", "value": "__delimiter__", "hidden": True},
        ]
        if self.sandbox is not None:
            params.append({"type": "constant", "value": f"-a {self._archive or '%SANDBOX%'}"})
        names = outputs if outputs is not None else (
            self.outputs or list((t.get("tags") or {}).get("panda_outputs", [])))
        if names:
            parts = name.split(".")
            prefix = ".".join(parts[:2]) if len(parts) > 2 else name[:-1]
            out_map = {}
            for fname in names:
                if "/" in fname or "*" in fname or ":" in fname:
                    raise ValueError(f"output file name {fname!r}: plain file names only")
                lfn = f"{prefix}.$JEDITASKID._${{SN/P}}.{fname}"
                params += self._misc.makeJediJobParam(lfn, f"{name[:-1]}_{fname}/", "output",
                                                      hidden=True)
                out_map[fname] = lfn
            params.append({"type": "constant", "value": f'-o "{out_map}"'})
        params.append({"type": "constant", "value": '-p "', "padding": False})
        params += self._psub.convertParamStrToJediParam(exec_str, {}, "", True, False,
                                                         includeIO=False)
        params.append({"type": "constant", "value": '"'})
        return params

    def upload_sandbox(self) -> Optional[str]:
        """Packs and uploads the sandbox directory once (``Client.putFile``, reusing an
        identical archive the cache server already has); the archive name for ``-a``."""
        if self.sandbox is None or self._archive is not None:
            return self._archive
        with tempfile.TemporaryDirectory() as tmp:
            archive = os.path.join(tmp, f"sources.{uuid.uuid4()}.tar.gz")
            with tarfile.open(archive, "w:gz") as tar:
                for entry in sorted(os.listdir(self.sandbox)):
                    tar.add(os.path.join(self.sandbox, entry), arcname=entry)
            status, out = self.client.putFile(archive, self.verbose, useCacheSrv=True,
                                              reuseSandbox=True)
            out = str(out)
            if out.startswith("NewFileName:"):
                self._archive = out.split(":")[-1]
            elif status == 0 and out == "True":
                self._archive = os.path.basename(archive)
            else:
                raise PandaError(f"sandbox upload of {self.sandbox} failed (panda-client status "
                                 f"{status}): {out}", code=status, message=out)
        return self._archive

    # Optimizer trials --------------------------------------------------------------------------

    def trial_task(self, build: Any, parameters: Mapping[str, Any], index: int,
                   prefix: str = "panda-trial") -> dict[str, Any]:
        """The task an optimizer trial builder makes (``build(parameters, index)``, as for
        :class:`allot.ax.AllotRunner` and :func:`allot.ax.container_tasks`), with the id and
        tags :func:`allot.ax.trial_tasks` gives it. One task per trial: a trial DAG is not
        translated (PanDA would need a task chain)."""
        tasks = trial_tasks(build, dict(parameters), index, prefix)
        if len(tasks) != 1:
            raise ValueError(f"trial {index}: {len(tasks)} tasks; allot.panda submits one task "
                             f"per trial (a trial DAG is not translated to PanDA)")
        return tasks[0]

    def submit_trial(self, build: Any, parameters: Mapping[str, Any], index: int,
                     prefix: str = "panda-trial") -> PandaSubmission:
        """Submits an optimizer trial's task (see :meth:`trial_task`)."""
        return self.submit(self.trial_task(build, parameters, index, prefix))

    # Talking to PanDA --------------------------------------------------------------------------

    def submit(self, task: Union[Task, Mapping[str, Any]],
               parent_tid: Optional[int] = None) -> PandaSubmission:
        """Inserts the task's taskParamMap (``Client.insertTaskParams``); the JEDI task id."""
        self.upload_sandbox()
        params = self.task_params(task)
        tid = (task.id if isinstance(task, Task) else task["id"])
        status, out = self.client.insertTaskParams(params, self.verbose, properErrorCode=True,
                                                   parent_tid=parent_tid)
        if status != 0:
            raise PandaError(f"task '{tid}': PanDA submission failed (panda-client status "
                             f"{status}): {out}", code=status, message=out)
        code, message = out
        if code not in (0, 3):
            raise PandaError(f"task '{tid}': PanDA refused the task (code {code}): {message}",
                             code=code, message=message)
        m = _JEDI_ID.search(str(message))
        if not m:
            raise PandaError(f"task '{tid}': PanDA accepted the task but its answer names no "
                             f"jediTaskID: {message!r}", code=code, message=message)
        return PandaSubmission(tid, int(m.group(1)), str(message), incremental=code == 3)

    def panda_status(self, jedi_task_id: int) -> str:
        """The JEDI task's own status (``Client.getTaskStatus``)."""
        status, out = self.client.getTaskStatus(int(jedi_task_id), self.verbose)
        if status != 0 or not isinstance(out, str):
            raise PandaError(f"jediTaskID {jedi_task_id}: no status from PanDA (panda-client "
                             f"status {status}): {out!r}", code=status, message=out)
        return out

    def status(self, jedi_task_id: int) -> str:
        """Allot's state of the JEDI task: queued, running, succeeded, failed or canceled."""
        return task_state(self.panda_status(jedi_task_id))

    def jobs(self, jedi_task_id: int) -> dict[int, str]:
        """PanDA ID -> Allot state of the task's jobs (``getPandaIDsWithTaskID``,
        ``getJobStatus``); a job the server no longer describes is left out."""
        status, ids = self.client.getPandaIDsWithTaskID(int(jedi_task_id), self.verbose)
        if status != 0 or not isinstance(ids, list):
            raise PandaError(f"jediTaskID {jedi_task_id}: no job ids from PanDA (panda-client "
                             f"status {status}): {ids!r}", code=status, message=ids)
        if not ids:
            return {}
        status, specs = self.client.getJobStatus([int(i) for i in ids], self.verbose)
        if status != 0 or specs is None:
            raise PandaError(f"jediTaskID {jedi_task_id}: no job status from PanDA "
                             f"(panda-client status {status})", code=status)
        return {int(s.PandaID): job_state(s.jobStatus) for s in specs if s is not None}

    def kill(self, jedi_task_id: int) -> str:
        """Asks PanDA to kill the task (``Client.killTask``); the server's message.

        The kill is asynchronous: the task goes through ``aborting`` to ``aborted``
        (Allot: canceled). Raises :class:`PandaError` when the server refuses it, e.g. a task
        already final ("irrelevant task status").
        """
        status, out = self.client.killTask(int(jedi_task_id), self.verbose)
        if status != 0 or out is None:
            raise PandaError(f"jediTaskID {jedi_task_id}: kill failed (panda-client status "
                             f"{status})", code=status)
        ok, data = out
        if not ok:
            raise PandaError(f"jediTaskID {jedi_task_id}: PanDA refused the kill: {data}",
                             code=False, message=data)
        # The server's data: [return code, diagnostic] in panda-client's docstring.
        if isinstance(data, (list, tuple)) and data and data[0] not in (0, None):
            raise PandaError(f"jediTaskID {jedi_task_id}: PanDA refused the kill (code "
                             f"{data[0]}): {data[1] if len(data) > 1 else ''}",
                             code=data[0], message=data[1] if len(data) > 1 else None)
        return str(data[1] if isinstance(data, (list, tuple)) and len(data) > 1 else data)

    def wait(self, jedi_task_id: int, *, interval: float = 60.0,
             timeout: Optional[float] = None) -> str:
        """Polls :meth:`status` every ``interval`` seconds until the task is final; its Allot
        state. ``TimeoutError`` after ``timeout`` seconds. A failed poll (:class:`PandaError`
        with code 255, e.g. the server briefly unreachable) is retried, not fatal."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                state = self.status(jedi_task_id)
                if state in _FINAL:
                    return state
            except PandaError as e:
                if e.code != self.client.EC_Failed:
                    raise
            if deadline is not None and time.monotonic() + interval > deadline:
                raise TimeoutError(f"jediTaskID {jedi_task_id}: not final after {timeout}s")
            time.sleep(interval)

    @staticmethod
    def is_final(state: str) -> bool:
        return state in _FINAL


# Allot's units ---------------------------------------------------------------------------------

_MEM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)
_MEM_SCALE = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def memory_mb(value: Union[int, str]) -> int:
    """Allot's ``memory`` (bytes, or ``512M``/``2G`` in binary units) in MiB, rounded up."""
    if isinstance(value, bool):
        raise ValueError(f"memory {value!r}")
    if isinstance(value, int):
        nbytes = value
    else:
        m = _MEM.match(str(value))
        if not m:
            raise ValueError(f"memory {value!r}: expected bytes or 512M, 2G, ...")
        unit = (m.group(2) or "").upper()[:1]
        nbytes = float(m.group(1)) * _MEM_SCALE[unit]
    return max(1, math.ceil(nbytes / (1 << 20)))


_DUR_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m|h|d)", re.IGNORECASE)
_DUR_SCALE = {"ms": 0.001, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "d": 86400}


def duration_seconds(value: Any) -> int:
    """Allot's durations (seconds, ``90s``, ``10min``, ``1h30m``, ``01:30:00``, a timedelta) in
    whole seconds, rounded up."""
    if isinstance(value, datetime.timedelta):
        return math.ceil(value.total_seconds())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.ceil(value)
    s = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return math.ceil(float(s))
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}", s):
        total = 0
        for part in s.split(":"):
            total = total * 60 + int(part)
        return total
    parts = _DUR_PART.findall(s)
    if not parts or _DUR_PART.sub("", s).strip():
        raise ValueError(f"duration {value!r}: expected seconds, 90s, 10min, 1h30m or 01:30:00")
    return math.ceil(sum(float(n) * _DUR_SCALE[u.lower()] for n, u in parts))
