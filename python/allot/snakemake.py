"""Snakemake 7's generic cluster mode on an Allot server (``--cluster``, ``--cluster-status``,
``--cluster-cancel``)::

    export ALLOT_SERVER_DIR=~/camp          # a running server with workers
    snakemake -j 50 --cluster "allot-snakemake submit" \\
        --cluster-status "allot-snakemake status" --cluster-cancel allot-snakemake-cancel

``allot-snakemake`` is ``python3 -m allot.snakemake`` (installed with the client, or
``scripts/allot-snakemake`` in a checkout). Snakemake 7 runs the cancel command without a shell,
as one program followed by the job ids, so it has its own program, ``allot-snakemake-cancel``
(``scripts/allot-snakemake-cancel``), and a 2 s timeout: the ids are canceled in one request.

``submit [options] JOBSCRIPT`` submits the jobscript Snakemake wrote as one task (run with
``/bin/sh`` in the current directory) and prints its id. Its cores, memory, time limit and GPUs
come from the jobscript's ``# properties = {...}`` line (``threads`` or the ``cpus_per_task``
resource, ``mem_mb``, ``runtime`` in minutes, ``gpu``/``gpus``); ``--cores``, ``--memory``,
``--time-limit``, ``--gpus`` override them. ``status ID`` prints exactly one of ``running``,
``success``, ``failed`` (queued, held, paused, preempted and lost tasks are ``running``;
canceled, skipped and unknown ones ``failed``). ``cancel ID...`` cancels the tasks that have
not ended. ``--server-dir`` (every subcommand) defaults to ``$ALLOT_SERVER_DIR``, else
``~/.allot/server``.

Snakemake 8 and later: use the executor plugin (``snakemake --executor allot``,
``snakemake_executor_plugin_allot``) instead.
"""

import argparse
import json
import os
import re
import secrets
import sys
from typing import Any, Optional

from .client import Client
from .errors import AllotError, NotFoundError

_RUNNING = "running"
_SUCCESS = "success"
_FAILED = "failed"


def read_properties(jobscript: str) -> dict:
    """The job properties Snakemake writes into its jobscript (``# properties = {json}``)."""
    with open(jobscript, errors="replace") as f:
        for line in f:
            m = re.match(r"\s*#\s*properties\s*=\s*(\{.*\})\s*$", line)
            if m:
                try:
                    return json.loads(m.group(1))
                except ValueError:
                    return {}
    return {}


def _positive_int(value: Any) -> Optional[int]:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def fields_from_properties(props: dict) -> dict:
    """``Client.submit_command`` keyword arguments for a job's properties."""
    resources = props.get("resources") or {}
    out: dict = {"cores": _positive_int(resources.get("cpus_per_task"))
                 or _positive_int(props.get("threads")) or 1}
    mem_mb = _positive_int(resources.get("mem_mb"))
    if mem_mb:
        out["memory"] = f"{mem_mb}M"
    runtime = _positive_int(resources.get("runtime"))
    if runtime:
        out["time_limit"] = f"{runtime}min"
    gpus = _positive_int(resources.get("gpu")) or _positive_int(resources.get("gpus"))
    if gpus:
        out["gpus"] = gpus
    return out


def _name(props: dict) -> str:
    rule = props.get("rule") or props.get("groupid") or "job"
    rule = re.sub(r"[^A-Za-z0-9_.+=-]", "_", str(rule))[:80]
    jobid = re.sub(r"[^A-Za-z0-9_.+=-]", "_", str(props.get("jobid", "")))[:40]
    return f"smk-{rule}-{jobid}-{secrets.token_hex(3)}" if jobid else \
        f"smk-{rule}-{secrets.token_hex(3)}"


def submit(client: Client, jobscript: str, *, cores=None, memory=None, time_limit=None,
           gpus=None, max_retries=None, name=None) -> str:
    """Submits the jobscript as one task; returns its id."""
    jobscript = os.path.abspath(jobscript)
    props = read_properties(jobscript)
    fields = fields_from_properties(props)
    for key, value in (("cores", cores), ("memory", memory), ("time_limit", time_limit),
                       ("gpus", gpus), ("max_retries", max_retries)):
        if value is not None:
            fields[key] = value
    tags = {"snakemake_rule": str(props.get("rule", "")),
            "snakemake_jobid": str(props.get("jobid", ""))}
    ids = client.submit_command(["/bin/sh", jobscript], name=name or _name(props),
                                workdir=os.getcwd(), tags=tags, **fields)
    return ids[0]


def status(client: Client, task_id: str) -> str:
    """``running``, ``success`` or ``failed``: the task's state as Snakemake 7 wants it."""
    try:
        tasks = client.status([task_id])
    except NotFoundError:
        return _FAILED
    if not tasks:
        return _FAILED
    state = tasks[0].state
    if state == "succeeded":
        return _SUCCESS
    if state in ("failed", "canceled", "skipped"):
        return _FAILED
    return _RUNNING


def cancel(client: Client, task_ids) -> int:
    """Cancels the tasks that have not ended; 1 when some id is unknown. One request when all
    can be canceled (Snakemake 7 gives the cancel command 2 s), else one by one."""
    task_ids = list(task_ids)
    if not task_ids:
        return 0
    try:
        client.cancel(task_ids)
        return 0
    except AllotError:   # all or nothing: some ended meanwhile, or is unknown
        pass
    rc = 0
    for task_id in task_ids:
        try:
            client.cancel(task_id)
        except NotFoundError as e:
            print(f"allot.snakemake cancel: {e}", file=sys.stderr)
            rc = 1
        except AllotError:   # it ended meanwhile: nothing to cancel
            pass
    return rc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="allot-snakemake",
                                     description="Snakemake 7 --cluster/--cluster-status/"
                                                 "--cluster-cancel on an Allot server")
    parser.add_argument("--server-dir", help="the server's directory (default "
                                             "$ALLOT_SERVER_DIR, else ~/.allot/server)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("submit", help="submit a jobscript as one task; print its id")
    p.add_argument("--cores", type=int)
    p.add_argument("--memory", help="e.g. 512M, 2G (default: the job's mem_mb)")
    p.add_argument("--time-limit", help="e.g. 90min, 1h (default: the job's runtime)")
    p.add_argument("--gpus", type=int)
    p.add_argument("--max-retries", type=int)
    p.add_argument("--name", help="the task id (default smk-<rule>-<jobid>-<random>)")
    p.add_argument("jobscript")
    p = sub.add_parser("status", help="print running, success or failed")
    p.add_argument("id")
    p = sub.add_parser("cancel", help="cancel tasks")
    p.add_argument("ids", nargs="+")
    args = parser.parse_args(argv)
    try:
        client = Client(args.server_dir)
        if args.command == "submit":
            print(submit(client, args.jobscript, cores=args.cores, memory=args.memory,
                         time_limit=args.time_limit, gpus=args.gpus,
                         max_retries=args.max_retries, name=args.name))
            return 0
        if args.command == "status":
            print(status(client, args.id))
            return 0
        # Snakemake 7 may pass the ids as one argument separated by spaces.
        return cancel(client, [i for arg in args.ids for i in arg.split()])
    except AllotError as e:
        print(f"allot.snakemake {args.command}: {e}", file=sys.stderr)
        return e.exit_code or 1


def cancel_main(argv=None) -> int:
    """``allot-snakemake-cancel ID...``: ``cancel`` as one program, for ``--cluster-cancel``."""
    return main(["cancel", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
