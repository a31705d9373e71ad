"""Without the access file's secrets nobody submits, reads, controls or joins."""

import json
import os
import socket
import stat
import subprocess
import time
import urllib.error

import pytest

from cluster_support import Cluster
from conftest import bin_dir, wait_for


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    yield c
    c.close()


def listening_addresses(port):
    """The local IPv4 addresses with a socket listening on `port` (/proc/net/tcp)."""
    found = set()
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
            raw = bytes.fromhex(address)[::-1]  # little-endian on x86
            found.add(".".join(str(b) for b in raw))
    return found


def test_worker_endpoint_listens_where_the_host_name_points_not_everywhere(cluster):
    endpoint = cluster.access()["worker"]["endpoint"]
    port = int(endpoint.rsplit(":", 1)[1])
    expected = socket.gethostbyname(socket.gethostname())
    assert listening_addresses(port) == {expected}, endpoint
    # Workers still find it by the advertised host name.
    assert endpoint.startswith(f"tcp://{socket.gethostname()}:")


def test_access_file_is_readable_by_its_owner_only(cluster):
    mode = stat.S_IMODE(os.stat(cluster.dir / "access.json").st_mode)
    assert mode == 0o600, oct(mode)
    assert stat.S_IMODE(os.stat(cluster.dir).st_mode) & 0o077 == 0


@pytest.mark.parametrize("token", ["", "0" * 64, "wrong"])
def test_http_requests_without_the_token_are_refused_and_change_nothing(cluster, token):
    for method, path, body in [("GET", "/api/v1/tasks", None),
                               ("GET", "/api/v1/server", None),
                               ("POST", "/api/v1/submit",
                                {"name": "t.json", "text": '[{"id": "x", "command": "true"}]',
                                 "base_dir": "/tmp"}),
                               ("POST", "/api/v1/server/stop", {})]:
        with pytest.raises(urllib.error.HTTPError) as e:
            cluster.api(method, path, body, token=token)
        assert e.value.code == 401
    assert cluster.api("GET", "/api/v1/server")["tasks"] == 0
    assert cluster.server.poll() is None


def test_a_worker_with_other_keys_is_refused(cluster, tmp_path):
    # A copy of the access file with another client key pair (what an outsider could make
    # knowing only the public parts).
    fake_dir = tmp_path / "fake"
    fake_dir.mkdir(mode=0o700)
    access = cluster.access()
    other = tmp_path / "other"
    subprocess.run([str(bin_dir() / "allot"), "server", "start", "--dir", str(other),
                    "--help"], capture_output=True)
    # Fresh keys: start and stop a throwaway server, take its client keys.
    throwaway = Cluster(tmp_path / "throwaway")
    throwaway.root.mkdir()
    throwaway.start_server()
    stolen = throwaway.access()["worker"]
    throwaway.close()
    access["worker"]["client_public_key"] = stolen["client_public_key"]
    access["worker"]["client_secret_key"] = stolen["client_secret_key"]
    (fake_dir / "access.json").write_text(json.dumps(access))
    os.chmod(fake_dir / "access.json", 0o600)
    log = open(tmp_path / "intruder.log", "wb")
    intruder = subprocess.Popen([str(bin_dir() / "allot"), "worker", "start", "--server-dir",
                                 str(fake_dir)], stdout=log, stderr=subprocess.STDOUT)
    try:
        # A real worker joins meanwhile; the intruder never does.
        cluster.start_worker("--cores", "1")
        time.sleep(2)
        names = [w["name"] for w in cluster.api("GET", "/api/v1/workers")["workers"]]
        assert len(names) == 1, names
        assert intruder.poll() is None or intruder.returncode != 0
    finally:
        intruder.kill()
        intruder.wait()
