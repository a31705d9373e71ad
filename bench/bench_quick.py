#!/usr/bin/env python3
"""make bench-quick: the core, spawn and journal figures in well under a minute, against the
ones recorded in docs/PERFORMANCE.md (mirrored in bench/baseline.json). Anything more than 25%
worse than its recorded figure is flagged, and the exit status is 1; 0 when everything holds.

A slower machine than the one the figures were taken on, or a loaded one, will flag: the
point is that a 5x regression can never again go unnoticed, not a precise measurement (for
that, run the full benchmarks in PERFORMANCE.md). Usage: bench/bench_quick.py [BUILD_DIR]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build"
BIN = BUILD / "bin"
TOLERANCE = 0.25


def core():
    """Figures from allot_core_bench (Google Benchmark, JSON output)."""
    out = subprocess.run(
        [str(BIN / "allot_core_bench"), "--benchmark_format=json",
         "--benchmark_filter=BM_ScheduleDecisions_1MQueued/|BM_SubmitDag1M|BM_Recover1M|"
         "BM_MemoryPerFinishedTask"],
        check=True, capture_output=True, text=True).stdout
    runs = {b["run_name"].split("/")[0]: b for b in json.loads(out)["benchmarks"]}

    def seconds(b):  # Google Benchmark reports in the benchmark's unit
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        return b["real_time"] * scale

    return {
        "core.decisions_per_s_1M_queued": runs["BM_ScheduleDecisions_1MQueued"]["decisions_per_s"],
        "core.submit_dag_1M_s": seconds(runs["BM_SubmitDag1M"]),
        "core.recover_1M_s": seconds(runs["BM_Recover1M"]),
        "core.bytes_per_finished_task": runs["BM_MemoryPerFinishedTask"]["bytes_per_task"],
    }


def spawn(n=3000):
    """allot run of n empty tasks against xargs -P 2, best of 2: the ratio travels between
    machines better than either rate."""
    work = Path(tempfile.mkdtemp(prefix="allot-quick-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None))
    try:
        tasks = work / "tasks.json"
        tasks.write_text(json.dumps([{"id": f"t{i}", "command": "true"} for i in range(n)]))
        true = shutil.which("true")

        def best(cmd_for_round):
            rate = 0.0
            for r in range(2):
                t0 = time.monotonic()
                subprocess.run(cmd_for_round(r), check=True, capture_output=True, shell=isinstance(cmd_for_round(r), str))
                rate = max(rate, n / (time.monotonic() - t0))
            return rate

        xargs = best(lambda r: f"seq {n} | xargs -P 2 -n 1 {true}")
        allot = best(lambda r: [str(BIN / "allot"), "run", str(tasks), "--cores", "2", "-q",
                                "--workdir", str(work / f"w{r}")])
        return {"spawn.allot_over_xargs": allot / xargs}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def journal():
    """Commit latency of two-event batches (durability normal), from the journal itest."""
    out = subprocess.run(
        [str(BIN / "allot_journal_itest"),
         "--gtest_filter=Durability/SqliteJournalBench.PrintsCommitRateForTwoEventBatches/normal"],
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "batches of 2 events" in line:
            us = float(line.split("(")[1].split(" us")[0])
            return {"journal.commit_2_events_us": us}
    raise RuntimeError("no commit figure in:\n" + out)


def main():
    baseline = json.loads((ROOT / "bench" / "baseline.json").read_text())
    figures = {}
    t0 = time.monotonic()
    for part in (core, spawn, journal):
        figures.update(part())
    bad = 0
    print(f"bench-quick ({time.monotonic() - t0:.0f} s; load {os.getloadavg()[0]:.1f}), "
          f"against bench/baseline.json (docs/PERFORMANCE.md):")
    for name, value in figures.items():
        ref = baseline["figures"][name]
        higher_is_better = ref["better"] == "higher"
        ratio = value / ref["value"]
        worse = (ratio < 1 - TOLERANCE) if higher_is_better else (ratio > 1 + TOLERANCE)
        flag = "FLAG: more than 25% worse" if worse else "ok"
        print(f"  {name:36s} {value:14.4g}  recorded {ref['value']:12.4g}  ({ratio:5.2f}x)  {flag}")
        bad |= worse
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
