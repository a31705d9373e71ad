"""Hostile and careless task files (issue 8): none crashes `allot run` or the server, each is
refused with exit 2 and a message naming the place, and the server keeps serving afterwards."""

import json
import resource
import subprocess
import urllib.error
import urllib.request

import pytest

from cluster_support import Cluster

# Each case: (file name, bytes of the file, what the error must say).
LONG_STRING = b'[{"id": "t", "command": "' + b"x" * 30000
DEEP_JSON = b"[" * 500000 + b"]" * 500000


def alias_bomb():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 11):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines += ["tasks:",
              "  - id: sim-{v}",
              "    command: echo {v}",
              "    sweep: {grid: {v: *a10}}"]
    return ("\n".join(lines) + "\n").encode()


CASES = {
    "long-syntax-error": ("t.json", LONG_STRING, ["t.json:1", "missing closing quote"]),
    "deep-nesting": ("t.json", DEEP_JSON, ["t.json:1", "nested more than 100 levels"]),
    "alias-bomb": ("t.yaml", alias_bomb(), ["t.yaml:", "aliases expand to more than"]),
    "invalid-utf8-yaml": ("t.yaml", b'tasks:\n  - id: a\n    command: "tr\xf9ue"\n',
                          ["t.yaml:3", "invalid UTF-8"]),
    "second-yaml-document": ("t.yaml",
                             b"- {id: a, command: 'true'}\n---\n- {id: b, command: 'true'}\n",
                             ["t.yaml:2", "one YAML document"]),
    "id-with-at": ("t.json", b'[{"id": "amb@1", "command": "true"}]', ["'@'"]),
    "id-with-comma": ("t.json", b'[{"id": "a,b", "command": "true"}]', ["','"]),
    "id-with-bidi-override": ("t.json", '[{"id": "x\u202ey", "command": "true"}]'.encode(),
                              ["U+202E"]),
    "nul-in-env": ("t.json", b'[{"id": "a", "command": "true", "env": {"K": "a\\u0000b"}}]',
                   ["NUL"]),
    "nan-backoff": ("t.yaml", b"tasks:\n  - id: a\n    command: 'true'\n"
                              b"    retry_backoff: {initial: 1s, factor: .nan}\n",
                    ["t.yaml:4", "retry_backoff.factor"]),
}

# allot run must not need more than this to refuse any of them (the alias bomb grew to 8 GB).
MEMORY_LIMIT = 1 << 30


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("case", sorted(CASES))
def test_allot_run_refuses_with_exit_2_and_names_the_place(allot, tmp_path, case):
    name, data, needles = CASES[case]
    (tmp_path / name).write_bytes(data)
    r = subprocess.run([str(allot.bin), "run", name], cwd=tmp_path, capture_output=True,
                       timeout=120, preexec_fn=limit_memory)
    stderr = r.stderr.decode(errors="replace")
    assert r.returncode == 2, f"exit {r.returncode}\n{stderr[:2000]}"
    for needle in needles:
        assert needle in stderr, f"{needle!r} not in:\n{stderr[:2000]}"
    assert len(stderr) < 4000, "the message must stay short whatever the input"
    assert not (tmp_path / "allot-work" / "allot.db").exists()


def test_resource_flag_does_not_swallow_the_task_file(allot, tmp_path):
    (tmp_path / "t.json").write_text(json.dumps(
        [{"id": "a", "command": "true", "resources": {"licenses": 1}}]))
    r = allot.run("run", "--resource", "licenses=1", "t.json")
    assert r.returncode == 0, r.stderr
    r = allot.run("run", "--workdir", "w2", "--resource", "licenses=1", "--resource", "seats=2",
                  "t.json")
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("hostile-server"))
    c.start_server()
    yield c
    c.close()


@pytest.mark.parametrize("case", sorted(CASES))
def test_server_refuses_the_submission_and_keeps_serving(server, case):
    name, data, needles = CASES[case]
    text = data.decode("utf-8", errors="surrogateescape")
    body = json.dumps({"name": name, "text": text, "base_dir": "/tmp"},
                      ensure_ascii=True if b"\xf9" not in data else False)
    if b"\xf9" in data:
        # JSON cannot carry the invalid byte; the API refuses invalid UTF-8 in the body itself.
        body = body.encode("utf-8", errors="surrogateescape")
    else:
        body = body.encode()
    access = server.access()
    req = urllib.request.Request(access["http"]["url"] + "/api/v1/submit", data=body,
                                 method="POST")
    req.add_header("Authorization", "Bearer " + access["http"]["token"])
    req.add_header("Content-Type", "application/json")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=120)
    assert e.value.code == 400
    message = e.value.read().decode(errors="replace")
    assert len(message) < 8000
    assert server.server.poll() is None, "the server died"
    # Still serving, and nothing was added.
    assert server.api("GET", "/api/v1/tasks")["tasks"] == []


def test_server_survives_a_deeply_nested_body(server):
    # The reproduction of the report: 500,000 levels (the recursive destructor of a parsed
    # document overflowed the stack); refused at level 101 now.
    access = server.access()
    req = urllib.request.Request(access["http"]["url"] + "/api/v1/submit",
                                 data=b'{"name": "t.json", "text": "[]", "x": ' + b"[" * 500000 +
                                 b"]" * 500000 + b"}",
                                 method="POST")
    req.add_header("Authorization", "Bearer " + access["http"]["token"])
    req.add_header("Content-Type", "application/json")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=120)
    assert e.value.code == 400
    assert "nested" in e.value.read().decode()
    assert server.server.poll() is None
