"""Shared fixtures for the allot Python client's tests.

The binary comes from $ALLOT_BIN_DIR (CTest sets it to <build>/bin), else `allot` on PATH, else
the checkout's build/bin. Nothing sleeps for a fixed time: helpers poll with a generous
deadline, so the tests hold on a loaded 2-core machine.
"""

import os
import sys
import time
from pathlib import Path

import pytest

# Import the package from this checkout even without PYTHONPATH.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import allot  # noqa: E402

WAIT_TIMEOUT = 60


def wait_for(condition, timeout=WAIT_TIMEOUT, interval=0.05, what="condition"):
    """Polls `condition` until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def allot_binary():
    try:
        return allot.find_binary()
    except allot.BinaryNotFoundError as e:
        pytest.fail(f"{e} (build it: cmake --build build --target allot)", pytrace=False)


@pytest.fixture
def campaign_dir(tmp_path, monkeypatch, allot_binary):
    """A fresh directory, also the current one, for a test that runs allot."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALLOT_BIN_DIR", os.path.dirname(allot_binary))
    return tmp_path
