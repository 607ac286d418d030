"""What reaches the terminal (issue 9): control characters from the server are shown, never
obeyed, while a pipe gets the bytes unchanged; and a password typed by mistake never reaches the
history, the debug log or the screen.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import TTY, make_shell
from fakes import SESSION_ID, FakeServer, Reply
from prompt_toolkit.input import create_pipe_input
from test_interactive_prompt import CTRL_D, Harness
from waiting import FINAL, wait_for

from azshell.client import AzkabanClient
from azshell.sandbox import Sandbox
from azshell.sandbox.auth import DEFAULT_USERS, User
from azshell.shell.debugging import debuglog
from azshell.shell.run.dispatch import run_line
from azshell.shell.run.output import Output, visible

TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J\x1b[H"
CSI_C1 = "\x9b2J"
HOSTILE = f"a{TITLE}b{CLEAR}c{CSI_C1}d\x7fe\rf"
PASSWORD = "Xk9#mQ2vLp"


def raw_controls(text: str) -> list[str]:
    """Control characters a terminal would act on (colour sequences of azshell's own aside)."""
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return [c for c in stripped
            if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f]


def test_visible_shows_every_control_and_keeps_lines_tabs_and_own_colours() -> None:
    assert visible(HOSTILE) == r"a\x1b]0;pwned\x07b\x1b[2J\x1b[Hc\x9b2Jd\x7fe\x0df"
    assert visible("one\r\ntwo\tthree\n") == "one\r\ntwo\tthree\n"
    assert visible("\x1b[1mhead\x1b[0m", keep_sgr=True) == "\x1b[1mhead\x1b[0m"
    assert visible("\x1b[1mhead\x1b[0m") == r"\x1b[1mhead\x1b[0m"
    assert visible(visible(HOSTILE)) == visible(HOSTILE)


def test_error_and_note_lines_on_a_terminal_show_controls() -> None:
    err = TTY()
    out = Output(io.StringIO(), err)
    out.error(f"server says {HOSTILE}")
    out.note(f"warning: {TITLE}")
    assert raw_controls(err.getvalue()) == []
    assert r"\x1b]0;pwned\x07" in err.getvalue()


def test_in_a_pipe_nothing_is_changed() -> None:
    err = io.StringIO()
    Output(io.StringIO(), err).error(TITLE)
    assert TITLE in err.getvalue()


def _server(answer: Callable[[Any], Reply]) -> Iterator[AzkabanClient]:
    with FakeServer(answer) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        yield client


@pytest.fixture
def hostile_client() -> Iterator[AzkabanClient]:
    def answer(seen: Any) -> Reply:
        if seen.path == "/text":
            return Reply(body=HOSTILE.encode(), content_type="text/plain")
        ajax = seen.params.get("ajax")
        if ajax == "fetchuserprojects":
            return Reply.json({"error": f"boom {HOSTILE}"})
        if ajax == "fetchprojectflows":
            return Reply(status=500, content_type="text/html",
                         body=f"<html><head><title>Error 500 {TITLE}{CLEAR}</title></head>"
                              "</html>")
        if ajax == "fetchallprojects":
            return Reply.json({"projects": [{"projectName": "p", "projectId": 1,
                                             "createdBy": f"x{CLEAR}", "description": TITLE,
                                             "createdTime": 1}]})
        return Reply.json({"error": "unexpected"})

    yield from _server(answer)


def test_server_error_texts_and_html_titles_are_shown_not_obeyed(
        hostile_client: AzkabanClient) -> None:
    shell = make_shell(hostile_client, tty=True)
    for line in ("projects", "flows p"):
        code, _, err = shell(line)
        assert code == 1
        assert raw_controls(err) == [], (line, err)
        assert "\\x1b" in err


@pytest.mark.parametrize("output", ["table", "json", "auto"])
def test_answers_on_a_terminal_show_controls(hostile_client: AzkabanClient, output: str) -> None:
    shell = make_shell(hostile_client, tty=True)
    shell.ctx.settings.output = output
    code, out, err = shell("projects --all")
    assert code == 0, err
    assert raw_controls(out) == [], out


def test_raw_output_in_a_pipe_passes_the_bytes_unchanged(hostile_client: AzkabanClient) -> None:
    shell = make_shell(hostile_client)
    shell.ctx.settings.output = "raw"
    code, out, _ = shell("projects --all")
    assert code == 0
    assert json.loads(out)[0]["description"] == TITLE
    code, out, _ = shell("call /text")
    assert code == 0
    assert out == HOSTILE + "\n"


def test_raw_output_on_a_terminal_shows_controls(hostile_client: AzkabanClient) -> None:
    shell = make_shell(hostile_client, tty=True)
    shell.ctx.settings.output = "raw"
    code, out, _ = shell("call /text")
    assert code == 0
    assert raw_controls(out) == []
    assert out == visible(HOSTILE) + "\n"


@pytest.mark.slow
def test_a_job_log_with_escapes_is_shown_visibly_and_piped_unchanged(
        client: AzkabanClient, put_project: Any) -> None:
    command = r"printf 'x\\033]0;pwned\\007y\\033[2Jz\\n'"  # \\ is \ in a .job file
    project = put_project({"loud.job": f"type=command\ncommand={command}\n"})
    execid = client.execute(project, "loud")
    wait_for(client, execid, FINAL)
    on_tty = make_shell(client, tty=True)
    code, out, err = on_tty(f"log {execid} loud")
    assert code == 0, err
    assert raw_controls(out) == []
    assert r"x\x1b]0;pwned\x07y\x1b[2Jz" in out
    piped = make_shell(client)
    piped.ctx.settings.output = "raw"
    code, out, _ = piped(f"log {execid} loud")
    assert "x\x1b]0;pwned\x07y\x1b[2Jz" in out


# -- a password typed by mistake -------------------------------------------------------------

@pytest.fixture
def ops_sandbox() -> Iterator[Sandbox]:
    with Sandbox(users=[*DEFAULT_USERS, User("ops", PASSWORD, roles=("admin",))]) as sb:
        yield sb


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("AZSHELL_PASSWORD", raising=False)


def _harness(url: str, history: Any) -> Iterator[Harness]:
    with create_pipe_input() as pipe:
        h = Harness(url, pipe, history)
        h.ctx.settings.user = "ops"
        yield h


def test_a_line_holding_the_known_password_never_reaches_history_or_screen(
        ops_sandbox: Sandbox, tmp_path: Path, private_home: None) -> None:
    from azshell.shell.interactive.history import SecretFreeHistory

    path = tmp_path / "history"
    history = SecretFreeHistory(path)
    for h in _harness(ops_sandbox.url, history):
        h.ctx.session.remember_password(PASSWORD)

        def script(h: Harness) -> None:
            h.wait_prompt(0)
            h.type(f"projects {PASSWORD}\r")  # not counted in ctx.lines: it is withheld
            h.type("whoami\r")
            h.wait_prompt(1)
            h.type("history\r")
            h.wait_prompt(2)
            h.type(CTRL_D)

        h.run(script)
        shown = h.stdout.getvalue() + h.stderr.getvalue()
        assert PASSWORD not in shown
        assert "whoami" in h.stdout.getvalue()  # `history` lists the other lines
        assert all(PASSWORD not in line for line in history.get_strings())
        assert PASSWORD not in path.read_text()


def test_a_bare_password_in_a_reused_session_is_kept_out_of_the_debug_log(
        ops_sandbox: Sandbox, tmp_path: Path, private_home: None) -> None:
    """The session was adopted (no password in memory): the word's shape is what tells."""
    for h in _harness(ops_sandbox.url, None):
        h.ctx.session.forget_password()
        sid = AzkabanClient(ops_sandbox.url).login("ops", PASSWORD)
        h.ctx.session.store.put(ops_sandbox.url, "ops", sid)
        log = debuglog.start(h.ctx, ["--debug"], directory=tmp_path / "log")
        try:
            def script(h: Harness) -> None:
                h.wait_prompt(0)
                h.type(f"{PASSWORD}\r")
                h.wait(lambda: "unknown command" in h.stderr.getvalue(), "the error line")
                h.type("whoami\r")
                h.wait_prompt(1)
                h.type(CTRL_D)

            h.run(script)
        finally:
            debuglog.stop(0)
        text = log.read_text()
        assert "whoami" in text
        assert PASSWORD not in text
        assert "withheld" in text
        assert PASSWORD not in h.stderr.getvalue()
        assert "look like a password" in h.stderr.getvalue()
        assert all(PASSWORD not in line for line in h.shell.history_lines())


def test_a_password_asked_and_refused_is_still_known(tmp_path: Path, private_home: None,
                                                    ops_sandbox: Sandbox) -> None:
    from azshell.shell.run.context import new_context
    from azshell.shell.session.connection import password_for
    from azshell.shell.session.settings import Settings

    ctx = new_context(Settings(), interactive=False, stdout=io.StringIO(), stderr=io.StringIO())
    ctx.ask_password = lambda prompt: "wr0ng-Passw0rd"
    assert password_for(ctx, ops_sandbox.url, "ops") == "wr0ng-Passw0rd"
    assert "wr0ng-Passw0rd" in ctx.known_secrets()
    ctx.out.error("no project wr0ng-Passw0rd")
    assert "wr0ng-Passw0rd" not in ctx.out.stderr.getvalue()


def test_raw_log_output_is_written_page_by_page() -> None:
    """`log --output raw` streams: the first page is out before the second is asked for."""
    pages = {0: "first page\n", 11: "second page\n"}

    def answer(seen: Any) -> Reply:
        offset = int(seen.params.get("offset", 0))
        data = pages.get(offset, "")
        return Reply.json({"data": data, "offset": offset, "length": len(data)})

    with contextlib.contextmanager(_server)(answer) as client:
        shell = make_shell(client)
        shell.ctx.settings.output = "raw"
        recorder = Recorder(shell.seen)
        shell.ctx.out.stdout = recorder
        assert run_line(shell.ctx, "log 7") == 0
    assert recorder.getvalue() == "first page\nsecond page\n"
    assert recorder.asked[0] == 1  # the first page is out after the first of three requests


class Recorder(io.StringIO):
    """A stdout that notes how many requests had been made at each write."""

    def __init__(self, seen: list[Any]) -> None:
        super().__init__()
        self.seen = seen
        self.asked: list[int] = []

    def write(self, text: str) -> int:
        self.asked.append(len(self.seen))
        return super().write(text)


def test_verbose_lines_hide_a_known_password_typed_as_a_value(
        hostile_client: AzkabanClient) -> None:
    shell = make_shell(hostile_client)
    shell.ctx.settings.verbose = True
    shell.ctx.session.remember_password(PASSWORD)
    from azshell.shell.debugging.verbose import observer

    hostile_client.observer = observer(shell.ctx)  # the shell's own observer prints -v lines
    _, _, err = shell(f"call /text q={PASSWORD}")
    assert "q=" in err
    assert PASSWORD not in err
