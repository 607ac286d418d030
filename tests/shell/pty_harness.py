"""The installed `azshell` in a real pseudo-terminal (pexpect), shared by the PTY tests.

Each shell gets private HOME and XDG directories, a fixed 40x120 window and
PROMPT_TOOLKIT_NO_CPR=1 (nobody answers cursor-position requests here). Prompts are matched
without their trailing space. A test asks for the ``shell`` fixture of tests/shell/conftest.py
(home ``pty_home``)::

    def test_something(shell, sandbox):
        sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
        sh.expect_prompt()
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect

AZSHELL = str(Path(sys.executable).with_name("azshell"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8", "TERM": "xterm-256color",
        "PROMPT_TOOLKIT_NO_CPR": "1", "PAGER": "cat",
    }
    env.update(extra)
    return env


class Shell:
    """pexpect around `azshell URL --user USER`, with the prompt regular expression."""

    def __init__(self, home: Path, url: str, user: str = "azkaban", **env: str) -> None:
        self.host = url.split("://", 1)[1].rstrip("/")
        # A new prompt turns bracketed paste on first; a redraw of the line being edited does not.
        self.prompt = r"(?s)\x1b\[\?2004h.*?" + re.escape(f"{user}@{self.host}>")
        self.child = pexpect.spawn(AZSHELL, [url, "--user", user], env=environment(home, **env),
                                   dimensions=(40, 120), encoding="utf-8", timeout=15)

    def expect_prompt(self) -> str:
        self.child.expect(self.prompt)
        return ANSI.sub("", self.child.before)

    def line(self, text: str) -> str:
        """Type a line, run it, and return what it printed (escape codes removed)."""
        self.child.send(text + "\r")
        return self.expect_prompt()

    def exit(self) -> int:
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@contextlib.contextmanager
def shell_factory(home: Path) -> Iterator[Callable[..., Shell]]:
    """``start(url, user="azkaban", **env) -> Shell``; every shell started is ended after."""
    started: list[Shell] = []

    def start(url: str, user: str = "azkaban", **env: str) -> Shell:
        sh = Shell(home, url, user, **env)
        started.append(sh)
        return sh

    try:
        yield start
    finally:
        for sh in started:
            sh.kill()


class SandboxShell(Shell):
    """`azshell --sandbox` in a pseudo-terminal; its URL is read from the line it prints."""

    def __init__(self, home: Path) -> None:
        self.child = pexpect.spawn(AZSHELL, ["--sandbox"], env=environment(home),
                                   dimensions=(40, 120), encoding="utf-8", timeout=15)
        self.child.expect(r"sandbox running at (http://127\.0\.0\.1:\d+); users: "
                          r"azkaban/azkaban \(admin, you are logged in as it\), reader/reader")
        self.url = self.child.match.group(1)
        self.host = self.url.split("://", 1)[1]
        self.prompt = r"(?s)\x1b\[\?2004h.*?" + re.escape(f"azkaban@{self.host}>")
