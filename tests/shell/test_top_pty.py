"""top in a real terminal on the sandbox, its screens read with a terminal emulator (pyte):
the live list, the keys, the questions before acting, the filter, Ctrl-C, and surviving an
expired session, a server that goes away, a resize and NO_COLOR."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

pytestmark = pytest.mark.pty


class Screen:
    """What the terminal shows, fed from the child's output as it comes."""

    def __init__(self, child: Any, columns: int = 120, lines: int = 40) -> None:
        self.child = child
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.Stream(self.screen)
        self.raw: list[str] = []

    def pump(self, seconds: float = 0.2) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout=seconds)
        except pexpect.TIMEOUT:
            return
        self.raw.append(data)
        self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def until(self, wanted: Any, timeout: float = 15.0) -> str:
        """Read until ``wanted(text)`` (or the substring ``wanted``) holds."""
        check = wanted if callable(wanted) else (lambda text: wanted in text)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump()
            if check(self.text()):
                return self.text()
        raise AssertionError(f"not on the screen: {wanted!r}\n{self.text()}")

    def reverse(self, y: int) -> bool:
        return any(self.screen.buffer[y][x].reverse for x in range(3, 10))

    def resize(self, lines: int, columns: int) -> None:
        self.child.setwinsize(lines, columns)
        self.screen.resize(lines, columns)


def line_of(text: str, execid: int) -> str:
    """The list's row of an execution: its id, then its project/flow."""
    return next(line for line in text.splitlines() if re.match(rf"\s*{execid} \S+/", line))


def has_row(text: str, execid: int) -> bool:
    return any(re.match(rf"\s*{execid} \S+/", line) for line in text.splitlines())


@pytest.fixture
def busy(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> dict[str, int]:
    """A project with two long executions of ``slow`` and one ended run of ``quick``."""
    from azshell.client import ExecuteOptions
    from azshell.shell.follow.follower import Follower

    client.create_project(project_name, "top test")
    client.upload_project(project_name, make_zip(tmp_path, {
        "nap.job": "type=command\ncommand=sleep 30\n", "slow.job": "type=noop\ndependencies=nap\n",
        "quick.job": "type=noop\n"}))
    quick = client.execute(project_name, "quick")
    Follower(client, quick).run()
    ids = {"quick": quick,
           "slow1": client.execute(project_name, "slow"),
           "slow2": client.execute(project_name, "slow", ExecuteOptions(concurrent="ignore"))}
    yield ids
    for key in ("slow1", "slow2"):
        with contextlib.suppress(Exception):
            client.cancel(ids[key])


def start_top(shell: Any, url: str, project: str, first: str = "", **env: str,
              ) -> tuple[Any, Screen]:
    sh = shell(url, AZSHELL_PASSWORD="azkaban", **env)
    sh.expect_prompt()
    if first:
        sh.line(first)
    sh.child.send(f"top {project}\r")
    return sh, Screen(sh.child)


def test_the_list_the_keys_and_acting_after_a_question(shell: Any, sandbox: Any, client: Any,
                                                      busy: dict[str, int],
                                                      project_name: str) -> None:
    sh, screen = start_top(shell, sandbox.url, project_name)
    slow1, slow2, quick = busy["slow1"], busy["slow2"], busy["quick"]
    text = screen.until(lambda t: all(has_row(t, i) for i in (slow1, slow2, quick))
                        and "RUNNING" in t)
    assert f"{project_name}/slow" in line_of(text, slow1)
    assert "RUNNING" in line_of(text, slow1)
    assert "SUCCEEDED" in line_of(text, quick)
    assert "nap" in line_of(text, slow2)  # the running job's name
    # newest first, the newest selected
    lines = text.splitlines()
    where = {i: next(y for y, line in enumerate(lines) if re.match(rf"\s*{i} \S+/", line))
             for i in (slow2, slow1, quick)}
    assert where[slow2] < where[slow1] < where[quick]
    assert screen.reverse(where[slow2])
    assert not screen.reverse(where[slow1])
    sh.child.send("j")
    screen.until(lambda t: screen.reverse(where[slow1]) and not screen.reverse(where[slow2]))
    # Enter: the execution's jobs, live
    sh.child.send("\r")
    text = screen.until(f"execution {slow1}  {project_name}/slow")
    assert "JOB" in text
    text = screen.until(lambda t: any(line.startswith("nap ") and "RUNNING" in line
                                      for line in t.splitlines()))
    sh.child.send("l")  # the selected job's log, followed
    screen.until(f"log of job nap of execution {slow1}")
    screen.until("Starting job nap")
    sh.child.send("q")
    screen.until("JOB")
    sh.child.send("q")
    screen.until(lambda t: "RUNNING JOBS" in t)
    # c asks first, naming the execution; n sends nothing
    sh.child.send("c")
    screen.until(f"Cancel execution {slow1} ({project_name}/slow, RUNNING)? [y/n]")
    sh.child.send("n")
    screen.until("nothing was sent")
    assert client.execution(slow1)["status"] == "RUNNING"
    sh.child.send("c")
    screen.until("? [y/n]")
    sh.child.send("y")
    screen.until(f"cancelled execution {slow1}")
    screen.until(lambda t: "KILLED" in line_of(t, slow1))
    assert client.execution(slow1)["status"] == "KILLED"
    # a click selects; l follows the selected flow's log
    y = where[quick]
    sh.child.send(f"\x1b[<0;3;{y + 1}M\x1b[<0;3;{y + 1}m")
    screen.until(lambda t: screen.reverse(y))
    sh.child.send("l")
    screen.until(f"log of the flow of execution {quick}")
    screen.until("Finished Flow")
    sh.child.send("q")
    screen.until("RUNNING JOBS")
    # p pauses after its question
    sh.child.send("g")  # the top row: the newest, slow2
    screen.until(lambda t: screen.reverse(where[slow2]))
    sh.child.send("p")
    screen.until(lambda t: "Pause execution" in t or "Resume execution" in t)
    sh.child.send("y")
    screen.until(lambda t: "PAUSED" in line_of(t, slow2))
    assert client.execution(slow2)["status"] == "PAUSED"
    client.resume(slow2)
    # / filters by text
    sh.child.send("/quick\r")
    text = screen.until(lambda t: not has_row(t, slow2) and has_row(t, quick))
    assert "filter: quick (1 shown)" in text
    sh.child.send("/")
    sh.child.send("\x1b")
    screen.until(lambda t: has_row(t, slow2))
    # ? shows the keys
    sh.child.send("?")
    screen.until("Keys of top")
    sh.child.send("x")
    screen.until("RUNNING JOBS")
    # Ctrl-C leaves top, never the flow
    sh.child.sendcontrol("c")
    sh.expect_prompt()
    assert client.execution(slow2)["status"] == "RUNNING"


def test_a_resize_and_no_color(shell: Any, sandbox: Any, busy: dict[str, int],
                               project_name: str) -> None:
    sh, screen = start_top(shell, sandbox.url, project_name, "set verbose on", NO_COLOR="1")
    text = screen.until(lambda t: has_row(t, busy["slow1"]) and "RUNNING JOBS" in t)
    screen.pump(2.5)  # a refresh or two: -v must not write request lines over the view
    assert "/executor" not in screen.text()
    raw = "".join(screen.raw)
    assert "\x1b[31m" not in raw
    assert "\x1b[32m" not in raw
    assert ";31m" not in raw
    screen.resize(24, 60)
    text = screen.until(lambda t: "RUNNING JOBS" not in t and "STATUS" in t)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "RUNNING" in line_of(text, busy["slow1"])
    sh.child.send("+")  # refresh more often, then less
    screen.until("refreshing every 1s")
    sh.child.send("--")
    screen.until("every 5s")
    sh.child.send("s")  # the next sort
    screen.until("sort: status")
    sh.child.send("q")
    sh.expect_prompt()


def test_an_expired_session_and_a_server_that_goes_away(shell: Any, fresh_sandbox: Any,
                                                       make_zip: Any, tmp_path: Path) -> None:
    from azshell.client import AzkabanClient

    client = AzkabanClient(fresh_sandbox.url)
    client.login("azkaban", "azkaban")
    client.create_project("alive", "top test")
    client.upload_project("alive", make_zip(tmp_path, {"f.job": "type=noop\n"}))
    first = client.execute("alive", "f")
    sh, screen = start_top(shell, fresh_sandbox.url, "alive")
    screen.until(lambda t: has_row(t, first) and "SUCCEEDED" in line_of(t, first))
    fresh_sandbox.expire_sessions()
    client.login("azkaban", "azkaban")
    second = client.execute("alive", "f")
    screen.until(lambda t: has_row(t, second))  # renewed its session by itself
    fresh_sandbox.stop()
    text = screen.until("OFFLINE")
    assert has_row(text, first)  # the last data stays
    assert has_row(text, second)
    sh.child.send("q")
    sh.expect_prompt()
