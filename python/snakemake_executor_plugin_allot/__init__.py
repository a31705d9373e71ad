"""Snakemake executor plugin for Allot (Snakemake 8 and 9, ``snakemake-interface-executor-plugins``
9.x): ``snakemake --executor allot``.

Every Snakemake job (or group job) becomes one Allot task on a cluster-mode server: the job's
jobscript (``python -m snakemake --target-jobs ...``, as for any remote executor) is submitted
with :meth:`allot.Client.submit_command`, its resources mapped to Allot's fields:

- ``cpus_per_task`` resource, else the job's ``threads``  -> ``cores``
- ``mem_mb`` (or ``mem``, as Snakemake standardizes it)    -> ``memory`` (``<N>M``)
- ``runtime`` (minutes)                                    -> ``time_limit`` (``<N>min``)
- ``gpu`` (or ``gpus``)                                    -> ``gpus``

Dependencies stay Snakemake's business: a job is submitted once its inputs exist, so the task
has no ``depends_on``. The server is the one of ``--allot-server-dir`` (default
``$ALLOT_SERVER_DIR``, else ``~/.allot/server``); with ``--allot-local-server`` the plugin
starts a private :class:`allot.LocalServer` (server and one worker on this machine) in
``--allot-local-server-dir`` (default ``.snakemake/allot-server``) and stops it when Snakemake
ends. A failed job names the task, its state, the attempt's reason and the task's stderr file
(``<server-dir>/output/<task>/stderr``).
"""


import os
import re
import secrets
from dataclasses import dataclass, field
from typing import AsyncGenerator, List, Optional

import allot
from allot.errors import AllotError, NotFoundError, ServerUnavailableError
from allot.snakemake import fields_from_properties
from snakemake_interface_executor_plugins.executors.base import SubmittedJobInfo
from snakemake_interface_executor_plugins.executors.remote import RemoteExecutor
from snakemake_interface_executor_plugins.jobs import JobExecutorInterface
from snakemake_interface_executor_plugins.settings import (CommonSettings,
                                                           ExecutorSettingsBase)
from snakemake_interface_common.exceptions import WorkflowError

__all__ = ["Executor", "ExecutorSettings", "common_settings", "task_fields"]


@dataclass
class ExecutorSettings(ExecutorSettingsBase):
    server_dir: Optional[str] = field(
        default=None,
        metadata={"help": "The allot server's directory (its access.json); default "
                          "$ALLOT_SERVER_DIR, else ~/.allot/server.",
                  "env_var": False, "required": False})
    local_server: bool = field(
        default=False,
        metadata={"help": "Start a private allot server and one worker on this machine "
                          "(allot.LocalServer) for this run, and stop it at the end.",
                  "env_var": False, "required": False})
    local_server_dir: Optional[str] = field(
        default=None,
        metadata={"help": "Directory of the private server (default .snakemake/allot-server); "
                          "started again on it, the server resumes.",
                  "env_var": False, "required": False})
    local_cores: Optional[int] = field(
        default=None,
        metadata={"help": "Cores the private server's worker offers (default: all).",
                  "env_var": False, "required": False})
    max_retries: Optional[int] = field(
        default=None,
        metadata={"help": "Allot's max_retries for every task (Snakemake's --retries is "
                          "separate: each of its attempts is a new task).",
                  "env_var": False, "required": False})


common_settings = CommonSettings(
    non_local_exec=True,
    implies_no_shared_fs=False,   # workers read and write the workflow's files in place
    job_deploy_sources=False,
    pass_default_storage_provider_args=True,
    pass_default_resources_args=True,
    pass_envvar_declarations_to_cmd=True,
    auto_deploy_default_storage_provider=False,
    init_seconds_before_status_checks=1,
)

#: Allot states a task leaves no more, and how Snakemake sees them.
_FAILED = {"failed", "canceled", "skipped"}


def task_fields(job: JobExecutorInterface) -> dict:
    """The Allot fields (``submit_command`` keyword arguments) for a job's resources: the same
    mapping as Snakemake 7's --cluster submit (allot.snakemake.fields_from_properties)."""
    resources = {name: job.resources.get(name)
                 for name in ("cpus_per_task", "mem_mb", "runtime", "gpu", "gpus")}
    return fields_from_properties({"resources": resources, "threads": job.threads})


def _safe(text: str) -> str:
    """A piece of a task id: no '/', whitespace, patterns, '@' or ','."""
    return re.sub(r"[^A-Za-z0-9_.+=-]", "_", str(text))[:80] or "job"


class Executor(RemoteExecutor):
    def __post_init__(self):
        settings: ExecutorSettings = self.workflow.executor_settings
        self._local: Optional[allot.LocalServer] = None
        if settings.local_server:
            directory = settings.local_server_dir or os.path.join(".snakemake", "allot-server")
            self._local = allot.LocalServer(directory, cores=settings.local_cores)
            self.logger.info(f"allot: starting a private server in {self._local.directory}")
            try:
                self.client = self._local.start()
            except AllotError as e:
                self._local.stop()
                raise WorkflowError(f"allot: the private server did not start: {e}")
        else:
            try:
                self.client = allot.Client(settings.server_dir or None)
                self.client.server_info()
            except AllotError as e:
                raise WorkflowError(f"allot: no server to submit to ({e}); start one "
                                    "(allot server start --dir DIR, a worker, and "
                                    "ALLOT_SERVER_DIR=DIR) or use --allot-local-server")
        self.max_retries = settings.max_retries
        # Task ids are unique per run on a shared server: a random tag per Snakemake run.
        self.run_tag = secrets.token_hex(3)

    def task_id(self, job: JobExecutorInterface) -> str:
        attempt = f"-a{job.attempt}" if job.attempt > 1 else ""
        return f"smk-{self.run_tag}-{_safe(job.name)}-{job.jobid}{attempt}"

    def run_job(self, job: JobExecutorInterface):
        jobscript = self.get_jobscript(job)
        self.write_jobscript(job, jobscript)
        fields = task_fields(job)
        if self.max_retries is not None:
            fields["max_retries"] = self.max_retries
        task_id = self.task_id(job)
        try:
            ids = self.client.submit_command(
                ["/bin/sh", jobscript], name=task_id, workdir=os.getcwd(),
                tags={"snakemake_rule": job.name, "snakemake_jobid": str(job.jobid)},
                **fields)
        except AllotError as e:
            raise WorkflowError(f"allot: submitting job {job.jobid} ({job.name}) failed: {e}")
        self.logger.info(f"Job {job.jobid} submitted as Allot task {ids[0]}.")
        self.report_job_submission(SubmittedJobInfo(job, external_jobid=ids[0],
                                                    aux={"jobscript": jobscript}))

    def _states(self, ids: List[str]) -> dict:
        """Task id -> TaskInfo for the ids the server knows."""
        try:
            return {t.id: t for t in self.client.status(ids)}
        except NotFoundError:   # all or nothing: ask one by one to find the missing one
            out = {}
            for task_id in ids:
                try:
                    out.update({t.id: t for t in self.client.status([task_id])})
                except NotFoundError:
                    pass
            return out

    async def check_active_jobs(
            self, active_jobs: List[SubmittedJobInfo]) -> AsyncGenerator[SubmittedJobInfo, None]:
        if not active_jobs:
            return
        ids = [j.external_jobid for j in active_jobs]
        try:
            async with self.status_rate_limiter:
                tasks = self._states(ids)
        except ServerUnavailableError as e:  # as while the server restarts: ask again later
            self.logger.warning(f"allot: server unavailable, checking again later ({e})")
            for j in active_jobs:
                yield j
            return
        for job_info in active_jobs:
            task = tasks.get(job_info.external_jobid)
            if task is None:
                self.report_job_error(job_info, msg=f"Allot task {job_info.external_jobid} "
                                                    "is unknown to the server. ")
            elif task.state == "succeeded":
                self.report_job_success(job_info)
            elif task.state in _FAILED:
                self.report_job_error(job_info, msg=self._failure(task),
                                      aux_logs=self._logs(task.id))
            else:
                yield job_info

    def _logs(self, task_id: str) -> List[str]:
        out = self.client.server_dir / "output" / task_id
        return [str(out / "stderr"), str(out / "stdout")]

    def _failure(self, task) -> str:
        reason = ""
        try:
            detail = self.client.task(task.id)
            if detail.attempts:
                reason = detail.attempts[-1].reason
        except AllotError:
            pass
        text = f"Allot task {task.id} {task.state}"
        if task.exit_code is not None:
            text += f" (exit code {task.exit_code})"
        if reason:
            text += f": {reason}"
        return text + f"; its stderr: {self._logs(task.id)[0]}. "

    def cancel_jobs(self, active_jobs: List[SubmittedJobInfo]):
        for job_info in active_jobs:
            try:   # one by one: a task that ended meanwhile must not stop the others' cancel
                self.client.cancel(job_info.external_jobid)
            except AllotError as e:
                self.logger.debug(f"allot: cancel {job_info.external_jobid}: {e}")

    def shutdown(self):
        super().shutdown()
        if self._local is not None:
            self._local.stop()
            self._local = None
