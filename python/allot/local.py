"""Campaigns on this machine through the ``allot`` binary: ``allot run``, ``allot status`` and
``allot plan``.

:func:`run` runs a campaign to its end (allot's embedded server and worker in one process, the
journal in the work directory); :func:`start` does the same in the background and returns a
:class:`RunHandle`; :func:`status` reads where a campaign stands, also while it runs;
:func:`plan` checks a campaign and says what it amounts to without running it.

A later long-lived server gets its own ``Client(server_dir)`` beside these functions, sharing
:class:`~allot.Task`, the result classes and the errors.
"""

from __future__ import annotations

import json
import os
import signal as _signal
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, Union

from . import _binary
from ._origin import GeneratedFile, caller_origin, generated_file
from .errors import (EXIT_BAD_INPUT, EXIT_OK, AllotError, BadInputError, Diagnostic,
                     error_for_exit, read_diagnostics)
from .results import CampaignStatus, RunResult
from .task import Task, dumps, workflow

PathLike = Union[str, "os.PathLike[str]"]
#: What :func:`run` takes: a task file (JSON array, workflow JSON or YAML), a workflow document
#: (a dict with ``"tasks"``), or Task objects / task dicts.
TasksLike = Union[PathLike, Mapping[str, Any], Task, Iterable[Union[Task, Mapping[str, Any]]]]

TASK_FILE_SUFFIX = ".tasks.json"


def run(tasks_or_path: Optional[TasksLike] = None, *, workdir: PathLike,
        cores: Optional[int] = None, memory: Union[int, str, None] = None,
        gpus: Union[int, str, Sequence[int], None] = None, max_workers: Optional[int] = None,
        resources: Optional[Mapping[str, int]] = None, resume: bool = False,
        durability: Optional[str] = None, db: Optional[PathLike] = None,
        progress: Optional[str] = None, quiet: bool = True, check: bool = False,
        binary: Optional[PathLike] = None, cwd: Optional[PathLike] = None,
        retry_failed: bool = False) -> RunResult:
    """Runs a campaign with ``allot run`` and waits for it to end.

    ``tasks_or_path``: a task file, a workflow dict, or Task objects / task dicts; these are
    written (one field per line, so allot's line numbers are useful) to
    ``<workdir's parent>/<workdir name>.tasks.json``, or to a temporary file where that
    directory cannot be written. None with ``resume=True`` continues the journal's tasks;
    given with ``resume=True``, tasks already in the journal must be unchanged and new ones
    are added. ``retry_failed=True`` (with ``resume=True``: ``--retry-failed``) runs the
    journal's failed and canceled tasks again with a fresh retry budget, and the dependents
    skipped because of them; their earlier attempts stay in the journal.

    The keyword arguments are allot's flags: ``cores``, ``memory`` (``"16G"`` or bytes),
    ``gpus`` (a count, ``"0,3"``, or a list of device ids), ``max_workers``,
    ``resources`` (custom resources this machine offers, ``{"licenses": 4}``: ``--resource``),
    ``durability`` (``"normal"`` or ``"full"``), ``db`` (default ``<workdir>/allot.db``),
    ``progress`` and ``quiet`` (False: allot's progress and summary are also copied to this
    process's stderr/stdout as they come). ``cwd`` is where allot starts: the directory tasks
    run in unless their ``workdir`` says otherwise; default, this process's. Relative paths in
    tasks given as objects (workdirs, programs like ``./sim``) resolve against it too; those
    in a task file, against the file's directory. Paths given here are relative to this process's directory.
    ``binary``: see :func:`allot.find_binary`.

    Returns a :class:`RunResult` whatever the outcome, except that bad input (exit 2: the
    campaign was neither run nor changed) raises :class:`BadInputError`. With ``check=True``
    an unsuccessful run raises: :class:`TasksFailedError` (exit 1), :class:`InternalError`
    (3), :class:`RunInterruptedError` (128+N). A KeyboardInterrupt stops allot gracefully
    (SIGTERM to the tasks, journaled; ``resume=True`` continues) before it propagates; a
    second one stops it at once.
    """
    handle = start(tasks_or_path, workdir=workdir, cores=cores, memory=memory, gpus=gpus,
                   max_workers=max_workers, resources=resources, resume=resume,
                   durability=durability, db=db,
                   progress=progress, quiet=quiet, binary=binary, cwd=cwd,
                   retry_failed=retry_failed)
    try:
        result = handle.wait()
    except KeyboardInterrupt:
        handle._stop_after_interrupt()
        raise
    if check:
        result.check()
    return result


def start(tasks_or_path: Optional[TasksLike] = None, *, workdir: PathLike,
          cores: Optional[int] = None, memory: Union[int, str, None] = None,
          gpus: Union[int, str, Sequence[int], None] = None, max_workers: Optional[int] = None,
          resources: Optional[Mapping[str, int]] = None, resume: bool = False,
        durability: Optional[str] = None, db: Optional[PathLike] = None,
          progress: Optional[str] = None, quiet: bool = True,
          binary: Optional[PathLike] = None, cwd: Optional[PathLike] = None,
          retry_failed: bool = False) -> "RunHandle":
    """Starts ``allot run`` in the background and returns at once; the arguments are those of
    :func:`run`. ``handle.wait()`` gives the RunResult (and raises BadInputError for bad
    input); ``handle.status()`` shows progress meanwhile; ``handle.stop()`` stops it the way
    Ctrl-C or Slurm would."""
    call = caller_origin()
    exe = _binary.find_binary(binary)
    workdir_path = Path(os.path.abspath(workdir))
    db_path = Path(os.path.abspath(db)) if db is not None else workdir_path / "allot.db"
    run_cwd = Path(os.path.abspath(cwd)) if cwd is not None else None

    task_file: Optional[Path] = None
    temporary = False
    generated: Optional[GeneratedFile] = None
    if retry_failed and not resume:
        raise ValueError("retry_failed=True needs resume=True (it requeues the journal's "
                         "failed tasks)")
    if tasks_or_path is None:
        if not resume:
            raise ValueError("run() needs tasks or a task file (or resume=True to continue "
                             "the campaign in the journal)")
    elif isinstance(tasks_or_path, (str, os.PathLike)):
        task_file = Path(os.path.abspath(tasks_or_path))
    else:
        if isinstance(tasks_or_path, Iterable) and not isinstance(
                tasks_or_path, (Mapping, Task, str, bytes, bytearray)):
            tasks_or_path = list(tasks_or_path)  # read once: for the document and the origins
        text = dumps(_document(tasks_or_path))
        task_file, temporary = _write_task_file(text, workdir_path)
        generated = generated_file(str(task_file), text, tasks_or_path, call)

    command = [exe, "run"]
    if task_file is not None:
        command += ["--tasks", str(task_file)]
    if task_file is not None and not isinstance(tasks_or_path, (str, os.PathLike)):
        # A generated file: its relative paths (./sim) are the caller's, not those of the
        # directory it was written to.
        command += ["--relative-to", str(run_cwd or os.getcwd())]
    command += ["--workdir", str(workdir_path)]
    if db is not None:
        command += ["--db", str(db_path)]
    if resume:
        command.append("--resume")
    if retry_failed:
        command.append("--retry-failed")
    command += _machine_flags(cores, memory, gpus, max_workers)
    for name, count in (resources or {}).items():
        command += ["--resource", f"{name}={int(count)}"]
    if durability is not None:
        command += ["--durability", str(durability)]
    if quiet:
        command.append("-q")
    elif progress is not None:
        command += ["--progress", str(progress)]
    # Bad input comes back as data (file, line, column, task, field), not as text to parse.
    fd, diagnostics_file = tempfile.mkstemp(prefix="allot-diagnostics-", suffix=".jsonl")
    os.close(fd)
    command += ["--diagnostics-json", diagnostics_file]

    summary_before = _file_key(workdir_path / "summary.json")
    try:
        process = _binary.Process(command, cwd=str(run_cwd) if run_cwd else None,
                                  echo=not quiet)
    except BaseException:
        if temporary and task_file is not None:
            task_file.unlink(missing_ok=True)
        Path(diagnostics_file).unlink(missing_ok=True)
        raise
    return RunHandle(process, workdir=workdir_path, db=db_path, task_file=task_file,
                     temporary_task_file=temporary, cwd=run_cwd, binary=exe,
                     summary_before=summary_before, diagnostics_file=Path(diagnostics_file),
                     generated=generated)


class RunHandle:
    """A running ``allot run`` (from :func:`start`). Usable as a context manager: leaving the
    block early stops allot gracefully and waits for it."""

    def __init__(self, process: "_binary.Process", *, workdir: Path, db: Path,
                 task_file: Optional[Path], temporary_task_file: bool, cwd: Optional[Path],
                 binary: str, summary_before: Optional[tuple] = None,
                 diagnostics_file: Optional[Path] = None,
                 generated: Optional[GeneratedFile] = None):
        self._process = process
        self._generated = generated  # the task file written from the user's tasks
        self.workdir = workdir
        self.db = db
        self.task_file = task_file
        self.cwd = cwd
        self.binary = binary
        self.command = process.command
        self._temporary = temporary_task_file
        self._summary_before = summary_before
        self._diagnostics_file = diagnostics_file  # allot's --diagnostics-json; ours to remove
        self._result: Optional[RunResult] = None
        self._error: Optional[AllotError] = None

    @property
    def pid(self) -> int:
        return self._process.popen.pid

    def poll(self) -> Optional[int]:
        """allot's exit status once it has ended, else None."""
        rc = self._process.popen.poll()
        return None if rc is None else (128 - rc if rc < 0 else rc)

    @property
    def running(self) -> bool:
        return self.poll() is None

    def wait(self, timeout: Optional[float] = None) -> RunResult:
        """Waits for allot to end (``subprocess.TimeoutExpired`` after ``timeout`` seconds; it
        keeps running) and returns the RunResult; raises BadInputError on exit 2."""
        if self._result is None and self._error is None:
            exit_code = self._process.wait(timeout)
            stdout, stderr = self._process.output()
            summary = None
            summary_path = self.workdir / "summary.json"
            # Only a summary this run wrote (not one an earlier run left).
            if exit_code != EXIT_BAD_INPUT and _file_key(summary_path) != self._summary_before:
                summary = _read_summary(summary_path)
            result = RunResult(exit_code=exit_code, workdir=self.workdir, db=self.db,
                               summary=summary, stdout=stdout, stderr=stderr,
                               command=self.command, task_file=self.task_file, cwd=self.cwd,
                               binary=self.binary)
            diagnostics = self._take_diagnostics()
            if exit_code == EXIT_BAD_INPUT:
                # Keep a generated file that allot's message points into.
                self._error = error_for_exit(exit_code, what="allot run", stderr=stderr,
                                             command=self.command, result=result,
                                             diagnostics=diagnostics)
                if self._generated is not None and isinstance(self._error, BadInputError):
                    # Cite the user's lines, not the generated file's.
                    self._error = self._generated.relocate_error(self._error)
            else:
                self._result = result
                if self._temporary and self.task_file is not None:
                    self.task_file.unlink(missing_ok=True)
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def _take_diagnostics(self) -> list[Diagnostic]:
        """What allot wrote to --diagnostics-json (nothing unless it refused its input); the
        file is removed."""
        if self._diagnostics_file is None:
            return []
        try:
            return read_diagnostics(self._diagnostics_file.read_text(errors="replace"))
        except OSError:
            return []
        finally:
            self._diagnostics_file.unlink(missing_ok=True)
            self._diagnostics_file = None

    def stop(self) -> None:
        """SIGTERM to allot, as Slurm or Ctrl-C would: it stops dispatching, sends SIGTERM to
        the tasks (SIGKILL after their grace period), journals and exits 128+15. A second
        stop() kills the tasks at once. ``wait()`` then gives the result."""
        self._signal(_signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL to allot itself. Its tasks may keep running; ``resume=True`` reconciles.
        Prefer :meth:`stop`."""
        self._signal(_signal.SIGKILL)

    def status(self, ids: Optional[Sequence[str]] = None) -> CampaignStatus:
        """The campaign's status from its journal. BadInputError until allot has created
        the journal."""
        return status(db=self.db, ids=ids, binary=self.binary, cwd=self.cwd)

    def _signal(self, sig: int) -> None:
        if self._process.popen.poll() is None:
            try:
                self._process.popen.send_signal(sig)
            except ProcessLookupError:
                pass

    def _stop_after_interrupt(self) -> None:
        """After a KeyboardInterrupt: graceful stop; another Ctrl-C stops at once; a third
        kills allot."""
        for sig in (_signal.SIGTERM, _signal.SIGTERM, _signal.SIGKILL):
            self._signal(sig)
            try:
                self._process.wait()
                return
            except KeyboardInterrupt:
                continue

    def __enter__(self) -> "RunHandle":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._process.popen.poll() is None:
            if exc_type is KeyboardInterrupt:
                self._stop_after_interrupt()
            else:
                self.stop()
                self._process.wait()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited {self.poll()}"
        return f"RunHandle(pid={self.pid}, {state}, workdir='{self.workdir}')"


def status(workdir: Optional[PathLike] = None, db: Optional[PathLike] = None,
           ids: Union[str, Sequence[str], None] = None, *, binary: Optional[PathLike] = None,
           cwd: Optional[PathLike] = None, timeout: Optional[float] = 120) -> CampaignStatus:
    """Where a campaign stands, from its journal (``allot status --json``); read-only, also
    while the campaign runs. ``workdir`` defaults to allot's (``allot-work``), ``db`` to
    ``<workdir>/allot.db``. With ``ids`` only those tasks are listed (``counts`` and ``total``
    still cover all). BadInputError when there is no journal or an id is unknown."""
    exe = _binary.find_binary(binary)
    command = [exe, "status", "--json"]
    if workdir is not None:
        command += ["--workdir", os.path.abspath(workdir)]
    if db is not None:
        command += ["--db", os.path.abspath(db)]
    if ids:
        command += ["--"] + ([ids] if isinstance(ids, str) else [str(i) for i in ids])
    proc = _binary.run_to_end(command, cwd=os.fspath(cwd) if cwd is not None else None,
                              timeout=timeout)
    if proc.returncode != EXIT_OK:
        rc = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
        err = error_for_exit(rc, what="allot status", stderr=proc.stderr, command=command)
        assert err is not None
        raise err
    try:
        return CampaignStatus.from_json(json.loads(proc.stdout))
    except (ValueError, TypeError, AttributeError) as e:
        raise AllotError(f"allot status --json printed something that is not its JSON: {e}",
                         exit_code=0, stderr=proc.stderr, command=command) from None


def plan(tasks_or_path: TasksLike, *, cores: Optional[int] = None,
         memory: Optional[str] = None, gpus: Union[int, str, Sequence[int], None] = None,
         max_workers: Optional[int] = None, binary: Optional[PathLike] = None,
         cwd: Optional[PathLike] = None, timeout: Optional[float] = 120) -> dict[str, Any]:
    """What ``allot run`` would make of ``tasks_or_path`` without running it (``allot plan
    --json``): every check ``allot run`` makes (BadInputError naming each problem when it would
    refuse), then the plan as a dict: ``tasks``, ``stages`` (profile, tasks, cores_min,
    cores_max, expected_total_s, after, depth), ``critical_path_s``, ``critical_chain``,
    ``core_hours``, and ``forecast`` ({wall_s, lower_bound_s, core_hours} from the tasks'
    time_estimate, else time_limit; None with ``forecast_unavailable`` saying why). Nothing is
    written but a temporary task file when tasks are given as objects."""
    exe = _binary.find_binary(binary)
    base = Path(os.fspath(cwd)) if cwd is not None else Path.cwd()
    temporary: Optional[Path] = None
    if isinstance(tasks_or_path, (str, os.PathLike)):
        path = Path(os.fspath(tasks_or_path))
        command = [exe, "plan", os.fspath(path if path.is_absolute() else base / path)]
    else:
        fd, tmp = tempfile.mkstemp(prefix="allot-plan.", suffix=TASK_FILE_SUFFIX)
        with os.fdopen(fd, "w") as f:
            f.write(dumps(_document(tasks_or_path)))
        temporary = Path(tmp)
        command = [exe, "plan", tmp, "--relative-to", os.fspath(base)]
    command.append("--json")
    command += _machine_flags(cores, memory, gpus, max_workers)
    try:
        proc = _binary.run_to_end(command, cwd=os.fspath(base), timeout=timeout)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    if proc.returncode != EXIT_OK:
        rc = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
        err = error_for_exit(rc, what="allot plan", stderr=proc.stderr, command=command)
        assert err is not None
        raise err
    try:
        return json.loads(proc.stdout)
    except ValueError as e:
        raise AllotError(f"allot plan --json printed something that is not its JSON: {e}",
                         exit_code=0, stderr=proc.stderr, command=command) from None


# Helpers ---------------------------------------------------------------------------------------

def _document(tasks: Any) -> dict[str, Any]:
    """A workflow document from what run() was given."""
    if isinstance(tasks, Task):
        return workflow([tasks])
    if isinstance(tasks, Mapping):
        if "tasks" not in tasks:
            raise TypeError("a dict given to run() must be a workflow document with a "
                            "'tasks' list; pass a single task as [task] or Task(...)")
        doc = dict(tasks)
        doc["tasks"] = workflow(doc["tasks"])["tasks"]
        return doc
    if isinstance(tasks, (bytes, bytearray)):
        raise TypeError("run() takes a path, a workflow dict, or tasks; not bytes")
    if isinstance(tasks, Iterable):
        return workflow(tasks)
    raise TypeError(f"run() cannot use {type(tasks).__name__} as tasks")


def _write_task_file(text: str, workdir: Path) -> tuple[Path, bool]:
    """Writes the document's text to <workdir's parent>/<workdir name>.tasks.json (atomically),
    or to a temporary file where that directory cannot be written. Returns (path, temporary)."""
    target = workdir.parent / (workdir.name + TASK_FILE_SUFFIX)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                   suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target, False
    except OSError:
        fd, tmp = tempfile.mkstemp(prefix=f"{workdir.name}.", suffix=TASK_FILE_SUFFIX)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return Path(tmp), True


def _machine_flags(cores, memory, gpus, max_workers) -> list:
    """--cores, --memory, --gpus and --max-workers for the values given (None: not passed)."""
    flags = []
    if cores is not None:
        flags += ["--cores", str(cores)]
    if memory is not None:
        flags += ["--memory", str(memory)]
    if gpus is not None:
        flags += ["--gpus", _gpus_flag(gpus)]
    if max_workers is not None:
        flags += ["--max-workers", str(max_workers)]
    return flags


def _gpus_flag(gpus: Union[int, str, Sequence[int]]) -> str:
    if isinstance(gpus, bool):
        raise TypeError("gpus must be a count, a string such as '0,3', or a list of ids")
    if isinstance(gpus, (int, str)):
        return str(gpus)
    ids = [int(g) for g in gpus]
    if not ids:
        return "0"
    if len(ids) == 1:
        return f"{ids[0]},"  # a one-element list of ids, not a count
    return ",".join(str(i) for i in ids)


def _file_key(path: Path) -> Optional[tuple]:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _read_summary(path: Path) -> Optional[dict[str, Any]]:
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


__all__ = ["RunHandle", "run", "start", "status"]
