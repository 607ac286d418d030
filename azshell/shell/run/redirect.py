"""``COMMAND | pipeline``, ``COMMAND > FILE`` and ``COMMAND >> FILE`` inside the shell and in
scripts, as pgcli and iredis have them.

The answer goes uncoloured and unpaged to the pipeline's stdin or to the file; errors and notes
still go to the screen. A pipeline runs in the system shell and its exit status is reported when
it is not 0 (the line then fails, as with ``set -o pipefail``); Ctrl-C stops it.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from azshell.errors import LocalError
from azshell.shell.line.parser import Redirect
from azshell.shell.run.output import Output

PIPELINE_FAILED = 1  # the line's exit code when only the pipeline failed


class _PipeWriter:
    """A pipeline's stdin that goes quiet once the reader has gone (``| head -1``)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        if not self.closed_by_reader:
            try:
                self.stream.write(text)
            except (BrokenPipeError, ValueError):
                self.closed_by_reader = True
        return len(text)

    def flush(self) -> None:
        if not self.closed_by_reader:
            try:
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                self.closed_by_reader = True

    def isatty(self) -> bool:
        return False

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            self.stream.close()


def _writer(out: Output, stream: Any) -> Output:
    """An Output like ``out`` whose results go to ``stream``, without colour or pager."""
    sink = Output(stream, out.stderr, color="off", pager=False)
    sink.location = out.location
    return sink


@contextlib.contextmanager
def redirected(out: Output, redirect: Redirect) -> Iterator[tuple[Output, list[int]]]:
    """``(writer, status)`` for one line: results written to ``writer`` reach the file or the
    pipeline; ``status`` holds the pipeline's exit status once it has ended."""
    status: list[int] = []
    if redirect.operator == "|":
        with _pipeline(out, redirect.target, status) as writer:
            yield writer, status
        return
    path = Path(redirect.target).expanduser()
    try:
        # newline="": CSV keeps its CRLF; the file is the user's, so its mode is the umask's
        handle = path.open("a" if redirect.operator == ">>" else "w", encoding="utf-8",
                           newline="")
    except OSError as err:
        raise LocalError(f"cannot write {redirect.target}: {err.strerror or err}") from None
    with handle:
        yield _writer(out, handle), status


@contextlib.contextmanager
def _pipeline(out: Output, command: str, status: list[int]) -> Iterator[Output]:
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, text=True,
                                encoding="utf-8")
    except OSError as err:
        raise LocalError(f"cannot run {command!r}: {err.strerror or err}") from None
    assert proc.stdin is not None
    pipe = _PipeWriter(proc.stdin)
    try:
        yield _writer(out, pipe)
        pipe.close()
        status.append(_wait(proc))
    finally:
        if proc.poll() is None:  # the command was interrupted: the pipeline stops too
            pipe.close()
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _wait(proc: subprocess.Popen[str]) -> int:
    """The pipeline's exit status; Ctrl-C while it runs ends it (and the line)."""
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        raise
