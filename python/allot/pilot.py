"""The allocation scheduler's ``pilot.py`` surface on allot: switch by changing an import.

    from allot.pilot import Pilot, Task, TaskResult     # was: from pilot import ...

    pilot = Pilot(total_cores=4, workdir="./runs", db="./state.db")
    pilot.add_tasks([Task(id=f"t{i}", command=f"./sim {i}", cores=2) for i in range(8)])
    pilot.on_complete(lambda task, result, p: [Task(...)] if interesting(result) else None)
    summary = pilot.run()          # {"completed": 8, "failed": 0, "wall_time": ..., ...}

``run()`` starts one embedded ``allot run`` (no server, no port) and keeps a pipe to it open
(``allot run --feed``): callbacks fire as each task ends, and the tasks they return (or add with
``pilot.add_task``) join the running campaign at once, each journaled before it is acknowledged.
allot places tasks on real cores (never more than ``total_cores`` in use), runs the retries,
and keeps the journal: after ``kill -9`` of this process, ``Pilot(...).resume()`` and ``run()``
continue the campaign without losing a finished task or rerunning one that succeeded.

Tasks are handed to allot in the allocation scheduler's JSON-array format, so allot runs each
task that names no ``workdir`` in ``<workdir>/<task id>`` with ``PILOT_TASK_ID`` and
``PILOT_TASK_DIR`` set, as pilot.py does. What differs is in the README ("From the allocation
scheduler").
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from . import _binary
from ._origin import GeneratedFile, Origin, caller_origin, task_origins
from .errors import (EXIT_BAD_INPUT, AllotError, BadInputError, Diagnostic, error_for_exit,
                     read_diagnostics)

PathLike = Union[str, "os.PathLike[str]"]

#: The file beside the journal where Pilot keeps each task as the user made it (tags and all),
#: so that callbacks after resume() get the same Task objects. allot's journal is what runs.
_TASKS_SIDECAR = ".pilot-tasks.jsonl"


@dataclass
class Task:
    """A task, as pilot.py has it. ``priority``: higher runs first. ``timeout``: seconds.
    ``max_retries``: how many times a failed task runs again; ``retries``: how many of them
    it has used (a task from an earlier campaign)."""
    id: str
    command: str
    cores: int = 1
    timeout: Optional[int] = None
    priority: int = 0
    workdir: Optional[str] = None
    env: Dict[str, str] = field(default_factory=dict)
    tags: Dict[str, Any] = field(default_factory=dict)
    max_retries: int = 0
    retries: int = 0

    def __post_init__(self) -> None:
        # Where the user's code made it: allot's messages about it cite that line.
        object.__setattr__(self, "_origin", caller_origin(sys._getframe(2)))

    def __lt__(self, other: "Task") -> bool:
        return self.priority > other.priority

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Task":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass
class TaskResult:
    """How a task ended. ``duration``: seconds of its last attempt. ``returncode``: its exit
    code; -N when signal N ended it (-1 for a timeout, as pilot.py). The extras: ``state``
    (allot's: succeeded, failed, canceled, skipped), ``attempts`` and ``cpu_time`` (seconds of
    CPU its last attempt used)."""
    task_id: str
    success: bool
    returncode: int
    duration: float
    stdout_file: str
    stderr_file: str
    state: str = ""
    attempts: int = 0
    cpu_time: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


class _Pending:
    """``pilot.pending``: the tasks added and not started (pilot.py's PriorityQueue; only
    ``qsize()`` and ``empty()`` are kept: allot holds the queue)."""

    def __init__(self) -> None:
        self._ids: Dict[str, Task] = {}

    def qsize(self) -> int:
        return len(self._ids)

    def empty(self) -> bool:
        return not self._ids

    def __len__(self) -> int:
        return len(self._ids)


class Pilot:
    """Runs tasks within the cores of this machine or allocation, through allot.

    ``db`` (or ``db_path``, pilot.py's name): the journal. Given: an existing journal is
    continued (its finished tasks are not run again). Not given: ``<workdir>/allot.db``, and a
    journal left there by an earlier run without ``db`` is replaced unless ``resume()`` is
    called. ``binary``: the ``allot`` executable (see :func:`allot.find_binary`).
    """

    def __init__(self, total_cores: int, workdir: PathLike = "./pilot_runs",
                 db: Optional[PathLike] = None, *, db_path: Optional[PathLike] = None,
                 binary: Optional[PathLike] = None):
        if db is not None and db_path is not None:
            raise ValueError("give db or db_path (the same thing), not both")
        self.total_cores = int(total_cores)
        self.workdir = Path(os.path.abspath(workdir))
        self.workdir.mkdir(parents=True, exist_ok=True)
        given = db if db is not None else db_path
        self._db_given = given is not None
        self.db = Path(os.path.abspath(given)) if given is not None else self.workdir / "allot.db"
        self.binary = binary

        self.pending = _Pending()
        self.running: Dict[str, Task] = {}
        self.completed: Dict[str, TaskResult] = {}
        self.failed: Dict[str, TaskResult] = {}
        self.on_complete_callbacks: List[Callable] = []
        #: Exceptions raised by callbacks (logged and kept; the campaign goes on, as pilot.py).
        self.callback_errors: List[BaseException] = []

        self.log = logging.getLogger("Pilot")
        self._tasks: Dict[str, Task] = {}   # every task this Pilot knows, by id
        self._queued: List[Task] = []       # added before run()
        self._resume = False
        self._feed: Optional[_Feed] = None
        self._lock = threading.Lock()

    # Tasks ---------------------------------------------------------------------------------

    def add_task(self, task: Union[Task, dict]) -> None:
        """Adds a task. While ``run()`` runs (in a callback, or from another thread) it joins the
        running campaign at once: this returns once allot has journaled it, and raises
        :class:`~allot.BadInputError` naming the task and field when allot refuses it."""
        self.add_tasks([task])

    def add_tasks(self, tasks: Iterable[Union[Task, dict]]) -> None:
        """Adds several tasks (while running: in one submission, all or none)."""
        batch = [t if isinstance(t, Task) else Task.from_dict(t) for t in tasks]
        if not batch:
            return
        feed = self._feed
        if feed is None:
            self._queued.extend(batch)
            for t in batch:
                self.pending._ids[t.id] = t
        else:
            self._submit(feed, batch)
        self.log.info(f"Added {len(batch)} tasks")

    def load_json(self, path: PathLike) -> int:
        """Adds the tasks of a JSON array file (pilot.py's task file); returns how many."""
        with open(path) as f:
            data = json.load(f)
        tasks = [Task.from_dict(d) for d in data]
        self.add_tasks(tasks)
        return len(tasks)

    def on_complete(self, callback: Callable) -> None:
        """``callback(task, result, pilot)`` runs as each task ends (after its last attempt), in
        the thread that called ``run()``; the tasks it returns are added to the campaign."""
        self.on_complete_callbacks.append(callback)

    def resume(self) -> Tuple[int, int]:
        """Continues the campaign in the journal (after a crash or a stop): ``run()`` then runs
        what did not finish; finished tasks keep their results. Returns (tasks still to run,
        tasks completed). ValueError when there is no journal."""
        if not self.db.exists():
            raise ValueError(f"No database: no journal at {self.db} to resume")
        from .local import status  # the journal's view, read-only
        known = self._read_sidecar()
        st = status(db=self.db, binary=self.binary)
        left, done = 0, 0
        for ts in st.tasks:
            task = known.get(ts.id) or Task(id=ts.id, command="")
            self._tasks[ts.id] = task
            if ts.state == "succeeded":
                self.completed[ts.id] = self._result_from_status(ts)
                done += 1
            elif ts.state in ("failed", "canceled", "skipped"):
                self.failed[ts.id] = self._result_from_status(ts)
            else:
                self.pending._ids[ts.id] = task
                left += 1
        self._resume = True
        self.log.info(f"Resumed: {left} pending, {done} done")
        return left, done

    # Running -------------------------------------------------------------------------------

    def run(self, max_workers: Optional[int] = None) -> Dict[str, Any]:
        """Runs until every task has ended and no callback adds more. Returns the summary:
        ``completed``, ``failed``, ``wall_time`` (as pilot.py), ``cpu_time`` (the sum of the
        completed tasks' durations, as pilot.py logs it), ``speedup`` (cpu_time / wall_time),
        ``exit_code`` (allot's) and ``stop_signal`` (the signal that stopped it, else 0).

        Raises :class:`~allot.BadInputError` when allot refuses the tasks given before
        ``run()`` (nothing ran)."""
        exe = _binary.find_binary(self.binary)
        start_time = time.time()
        if not self._queued and not self._resume:
            return self._summary(start_time, exit_code=0, stop_signal=0)
        if not self._resume and self.db.exists():
            if self._db_given:
                self._resume = True  # a given journal is continued, as pilot.py's db is
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(self.db) + suffix).unlink(missing_ok=True)
                (self.workdir / _TASKS_SIDECAR).unlink(missing_ok=True)
        cores = self._cores()
        command = [exe, "run", "--workdir", str(self.workdir), "--db", str(self.db),
                   "--cores", str(cores), "-q"]
        if max_workers:
            command += ["--max-workers", str(int(max_workers))]
        if self._resume:
            command.append("--resume")
        queued, self._queued = self._queued, []
        task_file = None
        generated = None
        if queued:
            self._remember(queued)
            task_file = self.workdir / ".pilot-initial.json"
            text = _task_array(queued)
            task_file.write_text(text)
            generated = _ArrayFile(name=str(task_file), text=text,
                                   origins=task_origins(queued, None), call=None)
            command += ["--tasks", str(task_file), "--relative-to", os.getcwd()]
        fd, diagnostics_file = tempfile.mkstemp(prefix="allot-diagnostics-", suffix=".jsonl")
        os.close(fd)
        command += ["--diagnostics-json", diagnostics_file]

        self.log.info(f"PILOT STARTING: {cores} cores, journal {self.db}")
        feed = _Feed(command)
        self._feed = feed
        exit_code = 0
        try:
            self._drive(feed)
        except BaseException:
            feed.stop()
            raise
        finally:
            self._feed = None
            exit_code = feed.wait()
            if task_file is not None:
                task_file.unlink(missing_ok=True)
            diagnostics = _take_diagnostics(diagnostics_file)
        if exit_code == EXIT_BAD_INPUT:
            err = error_for_exit(exit_code, what="allot run", stderr=feed.stderr(),
                                 command=command, diagnostics=diagnostics)
            if isinstance(err, BadInputError) and generated is not None:
                err = generated.relocate_error(err)  # cite the user's Task(...) lines
            assert err is not None
            raise err
        if exit_code not in (0, 1) and exit_code < 128:
            raise error_for_exit(exit_code, what="allot run", stderr=feed.stderr(),
                                 command=command) or AllotError(f"allot run exited {exit_code}")
        summary = self._summary(start_time, exit_code=exit_code,
                                stop_signal=exit_code - 128 if exit_code > 128 else 0)
        self.log.info(f"PILOT FINISHED: {summary['completed']} completed, "
                      f"{summary['failed']} failed, {summary['wall_time']:.1f}s")
        return summary

    def _drive(self, feed: "_Feed") -> None:
        """Reads the campaign's lines until it ends: task starts and ends, callbacks, and the
        end of the feed once no task is left open and no submission is on its way.

        allot's first line says how many tasks are open; each acknowledged submission adds
        its tasks (counted by the reader thread), each "ended" line takes one away (allot
        ends each task exactly once)."""
        open_tasks: Optional[int] = None
        ended = False
        while True:
            msg = feed.next()
            if msg is None:  # allot ended (done, stopped, or refused its input)
                return
            if "open" in msg:
                open_tasks = int(msg["open"])
            elif "started" in msg:
                tid = msg["started"]
                task = self.pending._ids.pop(tid, None) or self._tasks.get(tid)
                if task is not None:
                    self.running[tid] = task
            elif "ended" in msg:
                if open_tasks is not None:
                    open_tasks -= 1
                self._ended(msg)
            if open_tasks is None:
                continue
            open_tasks += feed.take_added()
            if open_tasks <= 0 and not ended and feed.idle():
                ended = True
                feed.end()

    def _ended(self, msg: dict) -> None:
        tid = msg["ended"]
        task = self._tasks.get(tid) or Task(id=tid, command="")
        self.pending._ids.pop(tid, None)
        self.running.pop(tid, None)
        result = _result(msg)
        if result.success:
            self.completed[tid] = result
            self.log.info(f"✓ {tid} ({result.duration:.1f}s)")
        else:
            self.failed[tid] = result
            self.log.error(f"✗ {tid} FAILED ({msg.get('reason') or msg.get('state')})")
        for cb in self.on_complete_callbacks:
            try:
                new_tasks = cb(task, result, self)
                if new_tasks:
                    self.add_tasks(new_tasks)
                    self.log.info(f"  → Generated {len(new_tasks)} new tasks")
            except Exception as e:  # as pilot.py: a callback's error does not end the campaign
                self.callback_errors.append(e)
                self.log.error(f"Callback error: {e}")

    def _submit(self, feed: "_Feed", batch: List[Task]) -> None:
        self._remember(batch)
        call = caller_origin()
        text = _task_array(batch)
        name, answer = feed.submit(text, base_dir=os.getcwd())
        if "ids" in answer:
            for t in batch:  # unless another thread's driver already saw it start or end
                if t.id not in self.running and t.id not in self.completed and \
                        t.id not in self.failed:
                    self.pending._ids[t.id] = t
            return
        problems = answer.get("problems") or []
        message = "\n".join([answer.get("error", "allot refused the tasks")] + problems)
        err = BadInputError(message, problems=problems,
                            diagnostics=[Diagnostic.from_json(d)
                                         for d in answer.get("diagnostics") or []])
        raise _ArrayFile(name=name, text=text, origins=task_origins(batch, call),
                         call=call).relocate_error(err)

    # Helpers -------------------------------------------------------------------------------

    def _cores(self) -> int:
        # pilot.py's total_cores counts task slots: above this machine's CPUs, allot runs that
        # many slots on the CPUs there are, and says so once (allot run --cores N).
        return max(1, self.total_cores)

    def _remember(self, tasks: List[Task]) -> None:
        """Keeps each task as the user made it, for callbacks after resume()."""
        with self._lock:
            with open(self.workdir / _TASKS_SIDECAR, "a") as f:
                for t in tasks:
                    self._tasks[t.id] = t
                    f.write(json.dumps(t.to_dict(), default=str) + "\n")
            if self._feed is None:
                for t in tasks:
                    self.pending._ids[t.id] = t

    def _read_sidecar(self) -> Dict[str, Task]:
        out: Dict[str, Task] = {}
        try:
            with open(self.workdir / _TASKS_SIDECAR) as f:
                for line in f:
                    try:
                        t = Task.from_dict(json.loads(line))
                    except (ValueError, TypeError):
                        continue  # a line cut short by a crash
                    out[t.id] = t
        except OSError:
            pass
        return out

    def _result_from_status(self, ts: Any) -> TaskResult:
        d = self.workdir / ts.id
        rc = ts.exit_code if ts.exit_code is not None else (-ts.signal if ts.signal else -1)
        return TaskResult(task_id=ts.id, success=ts.state == "succeeded", returncode=rc,
                          duration=ts.wall_seconds, stdout_file=str(d / "stdout"),
                          stderr_file=str(d / "stderr"), state=ts.state, attempts=ts.attempts,
                          cpu_time=ts.cpu_seconds)

    def _summary(self, start_time: float, *, exit_code: int, stop_signal: int) -> Dict[str, Any]:
        wall_time = time.time() - start_time
        cpu_time = sum(r.duration for r in self.completed.values())
        return {"completed": len(self.completed), "failed": len(self.failed),
                "wall_time": wall_time, "cpu_time": cpu_time,
                "speedup": cpu_time / wall_time if wall_time > 0 else 0.0,
                "exit_code": exit_code, "stop_signal": stop_signal}


def _task_array(tasks: List[Task]) -> str:
    """The allocation scheduler's JSON-array format, one field per line (allot's messages cite
    lines). Fields left at None are left out; ``retries`` only once some were used. allot's
    tags are text: a tag whose value is a list, a mapping or None goes as its JSON (callbacks
    get the Task as it was made, values and all)."""
    out = []
    for t in tasks:
        d = {k: v for k, v in t.to_dict().items() if v is not None}
        if not d.get("retries"):
            d.pop("retries", None)
        if isinstance(d.get("tags"), dict):
            d["tags"] = {k: (json.dumps(v, default=str)
                             if v is None or isinstance(v, (list, tuple, dict)) else v)
                         for k, v in d["tags"].items()}
        out.append(d)
    return json.dumps(out, indent=2, default=str) + "\n"


def _array_line_ranges(text: str) -> List[Tuple[int, int]]:
    """The 1-based line ranges of the elements of a JSON array written by _task_array
    (indent 2: each opens with ``  {`` and closes with ``  }``)."""
    ranges, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line == "  {":
            start = number
        elif line in ("  }", "  },") and start:
            ranges.append((start, number))
            start = 0
    return ranges


class _ArrayFile(GeneratedFile):
    """A task array this module wrote: allot's messages about its lines cite the user's."""

    def origin_of_line(self, line: int) -> Optional[Origin]:
        for (first, last), origin in zip(_array_line_ranges(self.text), self.origins):
            if first <= line <= last:
                return origin or self.call
        return self.call


def _result(msg: dict) -> TaskResult:
    code = msg.get("exit_code")
    if code is None:
        code = -1 if msg.get("timed_out") or not msg.get("signal") else -int(msg["signal"])
    return TaskResult(task_id=msg["ended"], success=msg.get("state") == "succeeded",
                      returncode=int(code), duration=float(msg.get("wall_s") or 0.0),
                      stdout_file=msg.get("stdout") or "", stderr_file=msg.get("stderr") or "",
                      state=msg.get("state", ""), attempts=int(msg.get("attempt") or 0),
                      cpu_time=float(msg.get("cpu_s") or 0.0))


def _take_diagnostics(path: str) -> List[Diagnostic]:
    try:
        return read_diagnostics(Path(path).read_text(errors="replace"))
    except OSError:
        return []
    finally:
        Path(path).unlink(missing_ok=True)


class _Feed:
    """``allot run --feed IN,OUT`` in the background: submissions written to IN (each waits for
    its ack), the campaign's lines read from OUT by a thread. Acks are answered there; the
    other lines are queued for the thread that drives the run."""

    def __init__(self, command: List[str]):
        in_r, self._in_w = os.pipe()
        self._out_r, out_w = os.pipe()
        try:
            self._process = _binary.Process(command + ["--feed", f"{in_r},{out_w}"], cwd=None,
                                            echo=False, pass_fds=(in_r, out_w))
        finally:
            os.close(in_r)
            os.close(out_w)
        self._lines: "queue.Queue[Optional[dict]]" = queue.Queue()
        self._cond = threading.Condition()
        self._acks: Dict[int, dict] = {}
        self._sent = 0
        self._added = 0       # ids acknowledged, not yet taken by the driver
        self._in_flight = 0   # submissions sent, not yet acknowledged
        self._eof = False
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with os.fdopen(self._out_r, "rb") as out:
            for raw in out:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                if "ack" in msg:
                    with self._cond:
                        self._acks[int(msg["ack"])] = msg
                        self._added += len(msg.get("ids") or [])
                        self._cond.notify_all()
                    self._lines.put({"acked": msg["ack"]})  # the driver looks again
                else:
                    self._lines.put(msg)
        with self._cond:
            self._eof = True
            self._cond.notify_all()
        self._lines.put(None)

    def next(self) -> Optional[dict]:
        return self._lines.get()

    def take_added(self) -> int:
        with self._cond:
            n, self._added = self._added, 0
            return n

    def idle(self) -> bool:
        """No submission waits for its ack, and every line read was handled."""
        with self._cond:
            return self._in_flight == 0 and self._added == 0 and self._lines.empty()

    def submit(self, text: str, *, base_dir: str) -> Tuple[str, dict]:
        """Sends one submission and waits for its ack: (the name allot cites it by, the ack)."""
        with self._send_lock:
            with self._cond:
                self._sent += 1
                seq = self._sent
                self._in_flight += 1
            name = f"pilot-added-{seq}.json"
            body = {"submit": {"name": name, "text": text,
                               "base_dir": base_dir, "file_dir": base_dir}}
            try:
                os.write(self._in_w, (json.dumps(body) + "\n").encode())
            except OSError:
                pass  # allot has ended; answered below
        with self._cond:
            while seq not in self._acks and not self._eof:
                self._cond.wait()
            self._in_flight -= 1
            answer = self._acks.pop(seq, None)
        if answer is None:
            raise AllotError("allot run ended before it acknowledged the tasks")
        return name, answer

    def end(self) -> None:
        with self._send_lock:
            try:
                os.write(self._in_w, b'{"end": true}\n')
            except OSError:
                pass

    def stop(self) -> None:
        """SIGTERM to allot (as Ctrl-C or Slurm): it stops the tasks and journals; resume()
        continues."""
        if self._process.popen.poll() is None:
            try:
                self._process.popen.terminate()
            except ProcessLookupError:
                pass

    def wait(self) -> int:
        rc = self._process.wait()
        with self._send_lock:
            if self._in_w >= 0:
                os.close(self._in_w)
                self._in_w = -1
        self._reader.join()
        return rc

    def stderr(self) -> str:
        return self._process.output()[1]


__all__ = ["Pilot", "Task", "TaskResult"]
