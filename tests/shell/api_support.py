"""Helpers of the test_api_* modules: an in-process shell on a client, and the installed azshell.

Import as ``from api_support import ...`` (the test directory is on sys.path).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azshell.shell.names.book import NameBook
from azshell.shell.run.context import Context, new_context
from azshell.shell.run.dispatch import run_line
from azshell.shell.session.settings import Settings
from azshell.shell.session.store import MemoryStore

AZSHELL = str(Path(sys.executable).with_name("azshell"))
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class TTY(io.StringIO):
    """A stream that says it is a terminal."""

    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


@dataclass
class Shell:
    """``run_line`` on a logged-in client; ``seen`` records every HTTP exchange it makes."""

    ctx: Context
    out: io.StringIO
    err: io.StringIO
    seen: list[Any] = field(default_factory=list)

    def __call__(self, line: str) -> tuple[int, str, str]:
        """Run one line: ``(exit code, stdout, stderr)`` of that line only."""
        for stream in (self.out, self.err):
            stream.seek(0)
            stream.truncate()
        code = run_line(self.ctx, line)
        return code, self.out.getvalue(), self.err.getvalue()

    def json(self, line: str) -> Any:
        code, out, err = self(line)
        assert code == 0, err
        return json.loads(out)

    def fails(self, line: str, code: int = 1) -> str:
        """The one error line of a failing command."""
        got, out, err = self(line)
        assert got == code, (got, out, err)
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("error: "), err
        return lines[0]


def quiet(stderr: str) -> str:
    """stderr without the progress lines of a run followed in a pipe (``azshell: ...``)."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not line.startswith("azshell: "))


def make_shell(client: Any, *, tty: bool = False, url: str = "") -> Shell:
    out, err = (TTY(), TTY()) if tty else (io.StringIO(), io.StringIO())
    ctx = new_context(Settings(pager=False, url=url or client.url), interactive=tty,
                      stdout=out, stderr=err)
    ctx.session.use(client)
    ctx.session.use_store(MemoryStore())
    ctx.names = NameBook(None)
    shell = Shell(ctx, out, err)
    client.observer = shell.seen.append
    return shell


def documents(text: str) -> list[Any]:
    """The JSON documents printed one after the other."""
    decoder, out, i, text = json.JSONDecoder(), [], 0, text.strip()
    while i < len(text):
        doc, i = decoder.raw_decode(text, i)
        out.append(doc)
        while i < len(text) and text[i].isspace():
            i += 1
    return out


class Az:
    """``azshell URL --user USER ARGS`` with a private home; stdin is empty."""

    def __init__(self, home: Path, url: str, user: str = "azkaban") -> None:
        self.url = url
        self.user = user
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"), "AZSHELL_PASSWORD": user,
        }

    def __call__(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([AZSHELL, self.url, "--user", self.user, *args], input="",
                              text=True, capture_output=True, env=self.env, timeout=60,
                              start_new_session=True, check=False, cwd=cwd)
