"""run_line in-process: rendering choices, settings, help, history, errors, learning."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from azshell.shell.line.commands import find
from azshell.shell.run.context import Context, Reply, new_context
from azshell.shell.run.dispatch import emit, run_line
from azshell.shell.session.settings import Settings


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Book:
    """Records what the dispatcher teaches the NameBook."""

    def __init__(self) -> None:
        self.learnt: list[tuple[str, dict, object]] = []

    def learn(self, command: str, values: dict, result: object) -> None:
        self.learnt.append((command, values, result))


def make(tty: bool = False, **settings: Any) -> tuple[Context, io.StringIO, io.StringIO]:
    out, err = (TTY(), TTY()) if tty else (io.StringIO(), io.StringIO())
    ctx = new_context(Settings(pager=False, **settings), interactive=tty, stdout=out, stderr=err)
    ctx.names = Book()
    return ctx, out, err


def test_blank_and_comment_lines_do_nothing() -> None:
    ctx, out, err = make()
    assert run_line(ctx, "") == 0
    assert run_line(ctx, "  # nothing") == 0
    assert out.getvalue() == err.getvalue() == ""
    assert ctx.lines == []


def test_set_changes_the_session_and_the_writer() -> None:
    ctx, _out, _ = make()
    assert run_line(ctx, "set color on") == 0
    assert ctx.settings.color == "on"
    assert ctx.out.color is True
    assert run_line(ctx, "set pager off") == 0
    assert ctx.out.pager is False
    assert run_line(ctx, "set output table") == 0
    assert ctx.settings.output == "table"
    assert run_line(ctx, "set verbose yes") == 0
    assert ctx.settings.verbose is True


def test_set_rejects_bad_values_with_exit_2() -> None:
    ctx, _, err = make()
    assert run_line(ctx, "set pager sometimes") == 2
    assert err.getvalue() == "error: set: pager must be on or off, not 'sometimes'\n"
    assert run_line(ctx, "set colour on") == 2


def test_set_alone_lists_everything_as_json_in_a_pipe() -> None:
    ctx, out, _ = make()
    assert run_line(ctx, "set") == 0
    assert json.loads(out.getvalue()) == {
        "output": "auto", "query": "", "color": "auto", "pager": "off", "verbose": "off",
        "timing": "off", "toolbar": "on", "tz": "local",
    }


def test_help_is_text_on_a_terminal_and_json_in_a_pipe() -> None:
    ctx, out, _ = make(tty=True)
    run_line(ctx, "help delete")
    assert out.getvalue().startswith("usage: delete PROJECT [--yes]\n")
    ctx, out, _ = make()
    run_line(ctx, "help delete")
    assert json.loads(out.getvalue())["usage"] == "delete PROJECT [--yes]"
    assert run_line(ctx, "help nosuch") == 2


def test_history_lists_the_lines_run() -> None:
    ctx, out, _ = make()
    run_line(ctx, "set")
    run_line(ctx, "help")
    out.seek(0)
    out.truncate()
    run_line(ctx, "history")
    assert json.loads(out.getvalue()) == {"history": ["set", "help"]}
    ctx.history = lambda: ["a", "b"]
    out.seek(0)
    out.truncate()
    run_line(ctx, "history")
    assert json.loads(out.getvalue()) == {"history": ["a", "b"]}


def test_clear_erases_a_terminal_and_prints_nothing_in_a_pipe() -> None:
    ctx, out, err = make(tty=True)
    assert run_line(ctx, "clear") == 0
    assert out.getvalue() == "\x1b[H\x1b[2J"
    ctx, out, err = make()
    assert run_line(ctx, "clear") == 0
    assert (out.getvalue(), err.getvalue()) == ("", "")


def test_exit_and_quit_raise_system_exit() -> None:
    ctx, _, _ = make()
    for word in ("exit", "quit"):
        with pytest.raises(SystemExit) as stop:
            run_line(ctx, word)
        assert stop.value.code is None  # no status chosen: the caller's (0, or a failure's)
    with pytest.raises(SystemExit) as stop:
        run_line(ctx, "exit 4")
    assert stop.value.code == 4
    assert run_line(ctx, "exit 256") == 2


def test_errors_are_one_line_with_the_location() -> None:
    ctx, out, err = make()
    ctx.out.location = "deploy.az:7"
    assert run_line(ctx, "flows") == 2
    assert err.getvalue() == "deploy.az:7: error: flows: missing PROJECT (usage: flows PROJECT)\n"
    assert out.getvalue() == ""


def test_commands_that_need_a_server_say_so() -> None:
    ctx, _, err = make()
    assert run_line(ctx, "projects") == 3
    assert err.getvalue().startswith("error: not connected:")


def test_show_without_an_id_needs_a_previous_execute() -> None:
    ctx, _, err = make()
    ctx.session.use(type("Fake", (), {"session_id": "x", "url": "http://h", "user": "u"})())
    assert run_line(ctx, "show") == 2
    assert "no execution id given" in err.getvalue()


def test_a_bug_in_a_handler_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import azshell.shell.handlers.shell as shell_handlers

    def broken(ctx: Context, inv: Any) -> None:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(shell_handlers, "help_", broken)
    ctx, _, err = make()
    assert run_line(ctx, "help") == 1
    assert err.getvalue() == (
        "error: internal error: ZeroDivisionError: oops (run with --debug for details)\n")


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import azshell.shell.handlers.shell as shell_handlers

    monkeypatch.setattr(shell_handlers, "help_", lambda ctx, inv: 1 / 0)
    ctx, _, err = make(debug=True)
    assert run_line(ctx, "help") == 1
    assert "Traceback" in err.getvalue()


def test_successful_commands_teach_the_name_book() -> None:
    ctx, _, _ = make()
    run_line(ctx, "help flows")
    command, values, result = ctx.names.learnt[-1]
    assert command == "help"
    assert values == {"command": "flows"}
    assert isinstance(result, dict)  # the data, not the Reply


def test_timing_is_printed_on_stderr() -> None:
    ctx, out, err = make(timing=True)
    run_line(ctx, "set")
    assert re.fullmatch(r"took \d+\.\d{2,3} s\n", err.getvalue())
    json.loads(out.getvalue())


def test_emit_picks_the_format() -> None:
    projects = [{"projectName": "demo", "projectId": 1}]
    ctx, out, _ = make(tty=True)
    emit(ctx, find("projects"), projects)
    assert out.getvalue().startswith("\x1b[1mPROJECT  ID")
    ctx, out, _ = make(tty=True, output="json", color="off")
    emit(ctx, find("projects"), projects)
    assert json.loads(out.getvalue()) == projects
    ctx, out, _ = make(tty=False, output="raw")
    emit(ctx, find("call"), Reply({"a": 1}, raw='{"a" : 1}'))
    assert out.getvalue() == '{"a" : 1}\n'
    ctx, out, _ = make(tty=True, color="auto")
    emit(ctx, find("whoami"), {"a": 1})
    assert "\x1b[" in out.getvalue()


def test_no_password_is_asked_for_a_server_that_is_down(monkeypatch: pytest.MonkeyPatch,
                                                        sandbox: Any) -> None:
    from fakes import free_port

    from azshell.shell.session.store import MemoryStore

    monkeypatch.delenv("AZSHELL_PASSWORD", raising=False)
    ctx, _, err = make(tty=True)
    ctx.session.use_store(MemoryStore())
    asked: list[str] = []
    ctx.ask_password = lambda message: asked.append(message) or "azkaban"
    url = f"http://127.0.0.1:{free_port()}"
    assert run_line(ctx, f"connect {url} azkaban") == 3
    assert err.getvalue() == f"error: cannot connect to {url}: connection refused\n"
    assert asked == []
    assert run_line(ctx, f"connect {sandbox.url} azkaban") == 0  # a live one: asked once
    assert asked == [f"Password for azkaban at {sandbox.url}: "]


def test_handlers_get_a_client_that_is_never_none() -> None:
    from azshell.errors import SessionError

    ctx, out, err = make()
    assert ctx.session.connected is None
    with pytest.raises(SessionError, match="not connected"):
        _ = ctx.client
    # commands that work without a session read `session.connected`, not `client`
    assert run_line(ctx, "whoami") == 0
    assert json.loads(out.getvalue())["session"] == "none"
    assert run_line(ctx, "logout") == 0
    assert run_line(ctx, "curl") == 1  # no request yet: one line, no crash
    assert "internal error" not in err.getvalue()
