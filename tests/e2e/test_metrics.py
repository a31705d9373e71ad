"""GET /metrics of a cluster-mode server: valid Prometheus text, named by the conventions
(base units, _total counters, low-cardinality labels), with what the campaign did."""

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cluster_support import Cluster
from conftest import wait_for


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path, worker_timeout="3s")
    c.start_server()
    c.start_worker("--cores", "2")
    yield c
    c.close()


def scrape(c, token=None):
    access = c.access()
    req = urllib.request.Request(access["http"]["url"] + "/metrics")
    req.add_header("Authorization", "Bearer " + (token or access["http"]["token"]))
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return r.read().decode()


def test_metrics_parse_as_prometheus_text_and_count_the_campaign(cluster):
    c = cluster
    c.cli("submit", "--array", "1-6", "--name", "ok", "--", "true")
    c.cli("submit", "--name", "bad", "--", "sh", "-c", "exit 3")
    c.cli("wait", check=False)
    # A heartbeat carries the node's measured load.
    wait_for(lambda: "allot_worker_cores" in scrape(c) and
             any(w.get("node", {}).get("memory_total", 0) > 0 for w in c.active_workers()),
             what="a heartbeat with the node's usage")
    text = scrape(c)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    samples = {}
    for f in families.values():
        for s in f.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    assert samples[("allot_tasks", (("state", "succeeded"),))] == 6
    assert samples[("allot_tasks", (("state", "failed"),))] == 1
    assert families["allot_attempts"].type == "counter"  # exposed as allot_attempts_total
    assert samples[("allot_attempts_total", (("outcome", "succeeded"),))] == 6
    assert families["allot_task_duration_seconds"].type == "histogram"
    assert samples[("allot_task_duration_seconds_count", ())] == 7
    assert samples[("allot_journal_commit_duration_seconds_count", ())] > 0
    assert families["allot_schedule_duration_seconds"].type == "histogram"
    worker = c.active_workers()[0]["name"]
    assert samples[("allot_worker_cores", (("kind", "total"), ("worker", worker)))] == 2
    assert ("allot_worker_memory_bytes", (("kind", "used"), ("worker", worker))) in samples
    # No label carries a task id (cardinality).
    for (name, labels) in samples:
        for key, value in labels:
            assert not value.startswith("ok-") and value != "bad", (name, labels)


def test_metrics_need_the_token(cluster):
    import urllib.error
    with pytest.raises(urllib.error.HTTPError) as e:
        scrape(cluster, token="nope")
    assert e.value.code == 401


def test_attempts_are_counted_by_how_they_ended_not_where_their_task_went(cluster):
    c = cluster
    c.cli("submit", "--name", "flaky", "--max-retries", "1", "--", "sh", "-c", "exit 3")
    c.cli("submit", "--name", "slow", "--time-limit", "1s", "--", "sh", "-c", "exec sleep 600")
    c.cli("wait", check=False)
    samples = {}
    for f in text_string_to_metric_families(scrape(c)):
        for s in f.samples:
            if s.name == "allot_attempts_total":
                samples[s.labels["outcome"]] = s.value
    # flaky failed twice (the first went on to a retry: not "ready"/"waiting"), slow timed out.
    assert samples == {"failed": 2, "timeout": 1}, samples
