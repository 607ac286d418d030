"""What ``log --grep``, ``--tail`` and ``--failed`` keep of a log: pure text functions, plus
the reading of every failed job's log for ``--failed``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from azshell.errors import AzshellError, UsageError


def pattern(text: str | None) -> re.Pattern[str] | None:
    """The ``--grep`` expression; smart case: case-insensitive unless it has a capital."""
    if text is None:
        return None
    flags = 0 if any(c.isupper() for c in text) else re.IGNORECASE
    try:
        return re.compile(text, flags)
    except re.error as err:
        raise UsageError(f"log: --grep {text!r} is not a regular expression: {err}") from None


def keep(text: str, grep: re.Pattern[str] | None, tail: int | None) -> str:
    """The lines that match ``grep`` (all without it), the last ``tail`` of them."""
    lines = text.splitlines(keepends=True)
    if grep is not None:
        lines = [line for line in lines if grep.search(line)]
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []
    out = "".join(lines)
    return out if not out or out.endswith("\n") else out + "\n"


class LineFilter:
    """``--grep`` while following: text comes in pieces, lines are matched once whole."""

    def __init__(self, grep: re.Pattern[str], write: Callable[[str], None]) -> None:
        self.grep = grep
        self.write = write
        self.partial = ""

    def __call__(self, text: str) -> None:
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        kept = [line + "\n" for line in lines if self.grep.search(line)]
        if kept:
            self.write("".join(kept))

    def close(self) -> None:
        if self.partial and self.grep.search(self.partial):
            self.write(self.partial)
        self.partial = ""


def failed_logs(client: Any, execid: int, grep: re.Pattern[str] | None,
                tail: int | None) -> tuple[list[dict[str, Any]], str]:
    """Each failed (or killed) job's log, headed by the job: the JSON list and the text."""
    from azshell.client.execution_model import Execution

    model = Execution(client.execution(execid))
    failed = model.failed()
    if not failed:
        raise AzshellError(f"execution {execid} ({model.project}/{model.flow}, {model.status}) "
                           "has no failed job")
    jobs: list[dict[str, Any]] = []
    parts: list[str] = []
    for path in failed:
        status = str((model.node(path) or {}).get("status") or "")
        text = keep(client.read_job_log(execid, path), grep, tail)
        jobs.append({"job": path, "status": status, "log": text})
        shown = text or "(nothing to show)\n"
        parts.append(f"==> {path} ({status}) <==\n{shown}")
    return jobs, "\n".join(parts)
