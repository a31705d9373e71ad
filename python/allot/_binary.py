"""Finding and running the ``allot`` executable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Optional, Union

from .errors import BinaryNotFoundError

# python/allot/_binary.py -> the repository root, for a checkout with a build next to it, or
# the folder of an unpacked `make dist` tarball (bin/allot beside python/).
_REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def find_binary(binary: Union[str, os.PathLike, None] = None) -> str:
    """The path of the ``allot`` executable to run.

    In order: ``binary`` (a path, or a name looked up on PATH); ``$ALLOT_BIN_DIR/allot``;
    ``allot`` on PATH; ``build/bin/allot`` of the source checkout this package sits in, or
    ``bin/allot`` of the unpacked ``make dist`` tarball it came in.
    Raises :class:`BinaryNotFoundError` naming where it looked.
    """
    looked: list[str] = []
    if binary is not None:
        b = os.fspath(binary)
        found = shutil.which(b) if os.sep not in b else (b if _executable(b) else None)
        if found:
            return os.path.abspath(found)
        raise BinaryNotFoundError(f"allot binary {b!r} not found or not executable")
    bin_dir = os.environ.get("ALLOT_BIN_DIR")
    if bin_dir:
        candidate = os.path.join(bin_dir, "allot")
        if _executable(candidate):
            return os.path.abspath(candidate)
        looked.append(f"$ALLOT_BIN_DIR ({candidate})")
    on_path = shutil.which("allot")
    if on_path:
        return os.path.abspath(on_path)
    looked.append("PATH")
    for candidate in (str(_REPO_ROOT / "build" / "bin" / "allot"),
                      str(_REPO_ROOT / "bin" / "allot")):
        if _executable(candidate):
            return candidate
        looked.append(candidate)
    raise BinaryNotFoundError("no allot binary: looked in " + ", ".join(looked) +
                              "; pass binary=, set ALLOT_BIN_DIR, or put allot on PATH")


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


class Process:
    """allot running in the background in its own session (so a Ctrl-C on the terminal reaches
    only Python, which forwards exactly one signal), with both output streams read by threads
    into memory and, with ``echo``, copied to this process's stdout/stderr as they come."""

    def __init__(self, command: list[str], *, cwd: Optional[str], echo: bool,
                 pass_fds: tuple[int, ...] = ()):
        self.command = command
        self.popen = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, pass_fds=pass_fds)
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._threads = [
            threading.Thread(target=_pump, args=(self.popen.stdout, self._out,
                                                 sys.stdout if echo else None), daemon=True),
            threading.Thread(target=_pump, args=(self.popen.stderr, self._err,
                                                 sys.stderr if echo else None), daemon=True),
        ]
        for t in self._threads:
            t.start()

    def wait(self, timeout: Optional[float] = None) -> int:
        """allot's exit status, 128+N when a signal N ended it (as a shell reports it)."""
        rc = self.popen.wait(timeout)
        for t in self._threads:
            t.join()
        return 128 - rc if rc < 0 else rc

    def output(self) -> tuple[str, str]:
        return (_text(b"".join(self._out)), _text(b"".join(self._err)))


def _pump(stream: IO[bytes], sink: list[bytes], echo) -> None:
    try:
        for line in iter(stream.readline, b""):
            sink.append(line)
            if echo is not None:
                try:
                    echo.write(_text(line))
                    echo.flush()
                except Exception:  # a closed or odd sys.stderr must not lose the output
                    pass
    finally:
        stream.close()


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def run_to_end(command: list[str], *, cwd: Optional[str] = None,
               timeout: Optional[float] = None) -> subprocess.CompletedProcess:
    """Runs a short allot command (``status``) and returns its CompletedProcess (text)."""
    return subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", timeout=timeout)
