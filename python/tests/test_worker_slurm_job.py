"""A worker started inside a Slurm job (SLURM_JOB_ID) registers with it, and the server's
worker list says which job each worker belongs to: what automatic allocations count."""

import allot

def test_a_worker_in_a_slurm_job_is_listed_with_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "4242")
    with allot.LocalServer(tmp_path / "server") as client:
        [w] = [w for w in client.workers() if w.state == "active"]
        assert w.extra.get("slurm_job") == "4242"
    monkeypatch.delenv("SLURM_JOB_ID")
    with allot.LocalServer(tmp_path / "server2") as client:
        [w] = [w for w in client.workers() if w.state == "active"]
        assert "slurm_job" not in w.extra
