"""The interactive shell in-process: pipe input, DummyOutput, a real sandbox behind it.

The shell runs in the test's main thread (as in real use); a helper thread types. Tab completion
is asynchronous, so keys that depend on it are sent in separate writes after waiting for the state
they need (never a fixed sleep).
"""

from __future__ import annotations

import io
import json
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from azshell.shell.interactive.app import InteractiveShell
from azshell.shell.names.book import names_path
from azshell.shell.run.context import new_context
from azshell.shell.session.settings import load
from azshell.shell.session.store import MemoryStore

CTRL_C, CTRL_D, TAB = "\x03", "\x04", "\t"


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("AZSHELL_PASSWORD", raising=False)


class Harness:
    """A shell on the sandbox with captured stdout/stderr and a typist thread."""

    def __init__(self, url: str | None, pipe: Any, history: Any = None) -> None:
        settings = load({"url": url, "user": "azkaban" if url else None}, environ={},
                        config_path=Path("/nonexistent/azshell.toml"))
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        self.ctx = new_context(settings, interactive=True, stdout=self.stdout,
                               stderr=self.stderr)
        self.ctx.session.use_store(MemoryStore())
        self.ctx.session.remember_password("azkaban")
        self.pipe = pipe
        self.shell = InteractiveShell(self.ctx, history=history or InMemoryHistory(),
                                      input=pipe, output=DummyOutput())
        self.errors: list[BaseException] = []

    @property
    def buffer(self) -> Any:
        return self.shell.session.default_buffer

    def type(self, text: str) -> None:
        self.pipe.send_text(text)

    def password_questions(self) -> list[str]:
        """Record each password question the shell asks (still asked on the pipe)."""
        asked: list[str] = []
        original = self.shell.ask_password

        def ask(message: str) -> str:
            asked.append(message)
            return original(message)

        self.ctx.ask_password = ask
        return asked

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.01)

    def wait_prompt(self, lines_run: int) -> None:
        """Until ``lines_run`` lines have run and the next prompt is up and empty."""
        app = self.shell.session.app
        self.wait(lambda: len(self.ctx.lines) >= lines_run and app.is_running
                  and not self.buffer.text, f"prompt after {lines_run} lines")

    def stop(self) -> None:
        """End the shell whatever state its prompt is in (after a failed step)."""
        app = self.shell.session.app
        for _ in range(100):
            if app.is_running and app.loop is not None:
                app.loop.call_soon_threadsafe(lambda: app.exit(exception=EOFError()))
            time.sleep(0.05)
            if not app.is_running and self.shell._ready.is_set():
                return

    def run(self, script: Callable[[Harness], None]) -> int:
        """Run the shell here; ``script`` types from another thread; the shell's exit status."""

        def typist() -> None:
            try:
                script(self)
            except BaseException as err:
                self.errors.append(err)
                self.stop()

        thread = threading.Thread(target=typist, daemon=True)
        thread.start()
        code = self.shell.run()
        thread.join(10)
        if self.errors:
            raise self.errors[0]
        return code


@pytest.fixture
def harness(sandbox: Any) -> Iterator[Callable[..., Harness]]:
    with create_pipe_input() as pipe:
        yield lambda url=sandbox.url, history=None: Harness(url, pipe, history)


def test_ctrl_d_leaves_with_status_0(harness: Callable[..., Harness]) -> None:
    h = harness()
    assert h.run(lambda h: h.type(CTRL_D)) == 0


@pytest.mark.parametrize("word", ["exit", "quit"])
def test_exit_and_quit_leave_with_status_0(harness: Callable[..., Harness], word: str) -> None:
    h = harness()
    assert h.run(lambda h: h.type(f"projects --bogus\r{word}\r")) == 0
    assert "unknown option" in h.stderr.getvalue()


def test_lines_run_and_names_are_learnt_and_cached(harness: Callable[..., Harness],
                                                   project_name: str, sandbox: Any) -> None:
    h = harness()
    code = h.run(lambda h: h.type(f"create {project_name} 'about it'\rprojects\r{CTRL_D}"))
    assert code == 0
    assert f'"project": "{project_name}"' in h.stdout.getvalue()
    assert h.ctx.names.has_project(project_name)
    cache = names_path(sandbox.url, "azkaban")
    assert project_name in cache.read_text()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600


def test_the_prompt_names_user_and_server(harness: Callable[..., Harness], sandbox: Any) -> None:
    h = harness()
    seen: list[str] = []

    def script(h: Harness) -> None:
        h.wait(lambda: h.shell.session.app.is_running, "the prompt")
        seen.append(str(h.shell.session.message))
        h.type(CTRL_D)

    h.run(script)
    host = sandbox.url.split("://", 1)[1]
    assert seen == [f"azkaban@{host}> "]


def test_tab_completes_a_partial_project_name(
        harness: Callable[..., Harness], project_name: str, sandbox: Any,
        create_project: Any, session_id: str) -> None:
    create_project(sandbox.url, session_id, project_name)
    h = harness()

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.wait(lambda: h.ctx.names.has_project(project_name), "the names")
        h.type(f"flows {project_name[:6]}")
        h.wait(lambda: h.buffer.text.endswith(project_name[:6]), "typing")
        h.type(TAB)  # the only match is taken (with a space), or the menu's first entry chosen
        h.wait(lambda: h.buffer.text.rstrip() == f"flows {project_name}", "completion")
        h.type(CTRL_C)  # clears the line
        h.wait(lambda: not h.buffer.text and h.shell.session.app.is_running, "cleared line")
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert h.ctx.lines == []  # the completed line never ran: Ctrl-C dropped it


def test_enter_on_a_menu_entry_takes_it_and_the_next_enter_runs(
        harness: Callable[..., Harness], project_name: str, sandbox: Any,
        create_project: Any, session_id: str) -> None:
    """A menu of several entries moved through with Tab: Enter takes the entry, and only the
    next Enter runs the line."""
    for name in (f"{project_name}a", f"{project_name}b"):
        create_project(sandbox.url, session_id, name)
    h = harness()

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.wait(lambda: h.ctx.names.has_project(f"{project_name}b"), "the background refresh")
        h.type(f"flows {project_name}")
        h.wait(lambda: h.buffer.complete_state is not None
               and len(h.buffer.complete_state.completions) == 2, "the menu")
        h.type(TAB)
        h.wait(lambda: h.buffer.text == f"flows {project_name}a", "selection")
        h.type("\r")
        h.wait(lambda: h.buffer.text == f"flows {project_name}a "
               and h.buffer.complete_state is None, "taken completion")
        h.type("\r")
        h.wait_prompt(1)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert h.ctx.lines == [f"flows {project_name}a "]


def test_tab_on_a_single_match_inserts_it_and_enter_runs_the_line(
        harness: Callable[..., Harness], project_name: str, sandbox: Any,
        create_project: Any, session_id: str) -> None:
    """The menu that typing opened has one entry: Tab inserts it and closes the menu, as bash
    does, so one Enter runs the line."""
    create_project(sandbox.url, session_id, project_name)
    h = harness()

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.wait(lambda: h.ctx.names.has_project(project_name), "the background refresh")
        h.type(f"flows {project_name[:-2]}")
        h.wait(lambda: h.buffer.complete_state is not None
               and h.buffer.complete_state.completions, "the menu")
        h.type(TAB)
        h.wait(lambda: h.buffer.text == f"flows {project_name} ", "the inserted name")
        h.type("\r")
        h.wait_prompt(1)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert h.ctx.lines == [f"flows {project_name} "]


@pytest.mark.parametrize("slow_menu", [False, True], ids=["fast-menu", "names-land-mid-menu"])
def test_background_refresh_then_flows_wanted_by_the_completer(
        harness: Callable[..., Harness], project_name: str, upload_example: Any,
        monkeypatch: pytest.MonkeyPatch, slow_menu: bool) -> None:
    # flows only on demand
    monkeypatch.setattr("azshell.shell.interactive.refresh.FLOW_REFRESH_LIMIT", 0)
    if slow_menu:  # the flows arrive while the completion that asked for them still runs
        from azshell.shell.interactive.completer import ShellCompleter

        original = ShellCompleter._flows

        def slow_flows(self: Any, *args: Any) -> Any:
            found = list(original(self, *args))
            time.sleep(0.3)
            return found

        monkeypatch.setattr(ShellCompleter, "_flows", slow_flows)
    upload_example("flow1-etl", project_name)
    h = harness()

    def script(h: Harness) -> None:
        h.wait(lambda: h.ctx.names.has_project(project_name), "projects")
        h.wait(lambda: h.shell.status.session == "valid", "session check")
        assert not h.ctx.names.knows_flows(project_name)
        h.type(f"execute {project_name} ")
        h.wait(lambda: h.buffer.complete_state is not None
               and [c.text for c in h.buffer.complete_state.completions] == ["audit", "finish"],
               "the flows in the menu")
        h.type(CTRL_C + CTRL_D)

    assert h.run(script) == 0


def test_password_asked_once_session_renewed_silently_login_kept_out_of_history(
        harness: Callable[..., Harness], tmp_path: Path, fresh_sandbox: Any) -> None:
    from azshell.shell.interactive.history import SecretFreeHistory

    path = tmp_path / "history"
    h = harness(url=fresh_sandbox.url, history=SecretFreeHistory(path))
    h.ctx.session.forget_password()
    asked = h.password_questions()

    def script(h: Harness) -> None:
        h.wait(lambda: bool(asked), "the password prompt at start-up")
        h.type("azkaban\r")
        h.wait_prompt(0)
        h.type("projects\r")
        h.wait_prompt(1)
        fresh_sandbox.expire_sessions()
        h.type("projects\r")  # renewed with the password kept in memory: no question
        h.wait_prompt(2)
        h.type("login\r")  # an explicit login asks again
        h.wait(lambda: len(asked) == 2, "the login's password prompt")
        h.type("azkaban\r")
        h.wait_prompt(3)
        h.type(f"whoami\r{CTRL_D}")

    assert h.run(script) == 0
    assert asked == [f"Password for azkaban at {fresh_sandbox.url}: "] * 2
    assert "error" not in h.stderr.getvalue()
    assert '"session": "new"' in h.stdout.getvalue()  # stdout is not a terminal: JSON
    saved = path.read_text()
    assert "whoami" in saved
    assert "projects" in saved
    assert "login" not in saved
    assert "azkaban" not in saved


def test_a_renewal_given_up_shows_the_session_expired_and_asks_again_next_time(
        harness: Callable[..., Harness], fresh_sandbox: Any) -> None:
    h = harness(url=fresh_sandbox.url)
    asked = h.password_questions()

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.type("projects\r")
        h.wait_prompt(1)
        h.wait(lambda: h.shell.status.session == "valid", "the session checked")
        fresh_sandbox.expire_sessions()
        h.ctx.session.forget_password()  # nothing in memory: the renewal has to ask
        h.type("projects\r")
        h.wait(lambda: len(asked) == 1, "the renewal's password question")
        h.type(CTRL_D)  # no password: the command fails, the shell goes on
        h.wait_prompt(2)
        assert h.shell.status.session == "expired"
        h.type("projects\r")  # asks again rather than sending the dead session
        h.wait(lambda: len(asked) == 2, "the next question")
        h.type("azkaban\r")
        h.wait_prompt(3)
        h.wait(lambda: h.shell.status.session == "valid", "the new session")
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert h.stderr.getvalue() == "error: no password given\n"


def test_ctrl_c_at_a_password_question_says_interrupted_and_nothing_about_a_request(
        harness: Callable[..., Harness], sandbox: Any) -> None:
    h = harness(url=None)
    h.ctx.session.forget_password()
    asked = h.password_questions()

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.type(f"connect {sandbox.url} azkaban\r")
        h.wait(lambda: bool(asked), "the password question")
        h.type(CTRL_C)
        h.wait_prompt(1)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert h.stderr.getvalue() == "error: interrupted\n"


def test_the_toolbar_says_offline_when_the_server_is_gone_and_valid_when_it_is_back(
        harness: Callable[..., Harness]) -> None:
    from azshell.sandbox import Sandbox

    server = Sandbox()
    port = server.port
    h = harness(url=server.url)
    states: list[str] = []

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.type("projects\r")
        h.wait_prompt(1)
        h.wait(lambda: h.shell.status.session == "valid", "the session checked")
        server.stop()
        h.type("projects\r")
        h.wait_prompt(2)
        states.append(h.shell.status.session)
        again = Sandbox(port=port)  # the same address, back (a new server: a new session)
        try:
            h.type("projects\r")
            h.wait_prompt(3)
            h.wait(lambda: h.shell.status.session == "valid", "valid again")
            states.append(h.shell.status.session)
        finally:
            again.stop()
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert states == ["offline", "valid"]
    assert "cannot connect" in h.stderr.getvalue()


def test_unconnected_shell_still_runs_local_commands(harness: Callable[..., Harness]) -> None:
    h = harness(url=None)
    assert h.run(lambda h: h.type(f"help upload\r{CTRL_D}")) == 0
    assert "upload PROJECT PATH" in h.stdout.getvalue()
    assert h.shell.status.session == "none"


def test_set_toolbar_off_removes_the_toolbar(harness: Callable[..., Harness]) -> None:
    h = harness()
    toolbars: list[Any] = []

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        toolbars.append(h.shell.session.bottom_toolbar)
        h.type("set toolbar off\r")
        h.wait_prompt(1)
        toolbars.append(h.shell.session.bottom_toolbar)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert callable(toolbars[0])
    assert toolbars[1] is None


def test_the_toolbar_follows_the_last_execution_to_its_end_without_a_keystroke(  # noqa: PLR0917
        harness: Callable[..., Harness], project_name: str, client: Any, tmp_path: Path,
        zip_directory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("azshell.shell.interactive.refresh.WATCH_EVERY", 0.05)
    project = tmp_path / "nap"
    project.mkdir()
    (project / "nap.job").write_text("type=command\ncommand=sleep 0.5\n")
    client.create_project(project_name, "toolbar watch")
    client.upload_project(project_name, zip_directory(project, tmp_path / "nap.zip"))
    h = harness()
    shown: list[str] = []

    def toolbar() -> str:
        return "".join(text for _, text, *_ in h.shell.session.bottom_toolbar())

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.type(f"execute {project_name} nap\r")
        h.wait_prompt(1)
        shown.append(toolbar())
        h.wait(lambda: f"last exec {h.ctx.last_execid} SUCCEEDED" in toolbar(),
               "the execution's end in the toolbar", timeout=20)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert f"last exec {h.ctx.last_execid} " in shown[0]
    assert "SUCCEEDED" not in shown[0]


def test_ctrl_d_at_a_question_answers_no_and_the_shell_goes_on(
        harness: Callable[..., Harness], project_name: str, client: Any) -> None:
    client.create_project(project_name, "kept")
    h = harness()
    asked = threading.Event()
    question = h.shell._question

    def ask(*args: Any, **kwargs: Any) -> str:
        asked.set()  # keys typed from now on go to the question (the pipe keeps them)
        return question(*args, **kwargs)

    h.shell._question = ask

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.type(f"delete {project_name}\r")
        h.wait(asked.is_set, "the question")
        h.type(CTRL_D)
        h.wait_prompt(1)
        h.type("whoami\r")
        h.wait_prompt(2)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert len(h.ctx.lines) == 2  # the shell went on after the question
    assert '"deleted": false' in h.stdout.getvalue()
    assert project_name in [p["projectName"] for p in client.projects(all=True)]


def test_a_saved_session_is_adopted_after_the_first_prompt(
        harness: Callable[..., Harness], sandbox: Any, session_id: str) -> None:
    h = harness()
    h.ctx.session.forget_password()
    h.ctx.ask_password = lambda message: pytest.fail("no password should be needed")
    h.ctx.session.store.put(sandbox.url, "azkaban", session_id)
    at_first_prompt: list[Any] = []

    def script(h: Harness) -> None:
        h.wait(lambda: h.shell.session.app.is_running, "the prompt")
        at_first_prompt.append(str(h.shell.session.message))
        h.wait(lambda: h.shell.status.session == "valid", "the session check")
        h.type(f"whoami\r{CTRL_D}")

    assert h.run(script) == 0
    host = sandbox.url.split("://", 1)[1]
    assert at_first_prompt == [f"azkaban@{host}> "]
    assert h.ctx.client.session_id == session_id
    assert '"session": "valid"' in h.stdout.getvalue()


def test_an_expired_saved_session_shows_and_is_renewed_by_the_next_command(
        harness: Callable[..., Harness], fresh_sandbox: Any, login: Any) -> None:
    old = login(fresh_sandbox.url)
    fresh_sandbox.expire_sessions()
    h = harness(url=fresh_sandbox.url)
    h.ctx.session.forget_password()
    h.ctx.session.store.put(fresh_sandbox.url, "azkaban", old)
    asked: list[str] = []
    h.ctx.ask_password = lambda message: asked.append(message) or "azkaban"

    def script(h: Harness) -> None:
        h.wait(lambda: h.shell.status.session == "expired", "the expired session in the toolbar")
        h.type("projects\r")
        h.wait_prompt(1)
        h.wait(lambda: h.shell.status.session == "valid", "the renewed session")
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert len(asked) == 1
    assert h.ctx.client.session_id != old
    assert h.stderr.getvalue() == ""


def test_history_suggestion_and_ctrl_r_search(harness: Callable[..., Harness]) -> None:
    history = InMemoryHistory()
    for line in ("projects --all", "help upload", "whoami"):
        history.append_string(line)
    h = harness(history=history)
    seen: dict[str, Any] = {}

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.type("proj")
        h.wait(lambda: h.buffer.suggestion is not None, "a suggestion from history")
        seen["suggestion"] = h.buffer.suggestion.text
        h.type(CTRL_C)
        h.wait(lambda: not h.buffer.text and h.shell.session.app.is_running, "cleared line")
        h.type("\x12")  # Ctrl-R: reverse search
        h.type("upl")
        app = h.shell.session.app
        h.wait(lambda: app.current_buffer.text == "upl", "the search text")
        h.type("\r")  # leave the search with the line found...
        h.wait(lambda: app.current_buffer is h.buffer and h.buffer.text == "help upload",
               "back on the line")
        h.type("\r")  # ...and run it
        h.wait_prompt(1)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert seen["suggestion"] == "ects --all"
    assert h.ctx.lines == ["help upload"]


def test_flows_of_an_upload_are_offered_at_once_and_history_lists_lines(
        harness: Callable[..., Harness], project_name: str) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "flow1-etl"
    h = harness()
    menus: list[list[str]] = []

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.type(f"upload {project_name} {example} --create\r")
        h.wait_prompt(1)
        h.type(f"execute {project_name} ")
        h.wait(lambda: h.buffer.complete_state is not None
               and bool(h.buffer.complete_state.completions), "the flow menu")
        menus.append([(c.text, c.display_meta_text)
                      for c in h.buffer.complete_state.completions])
        h.type(CTRL_C)
        h.wait(lambda: not h.buffer.text, "cleared line")
        h.type("history\r")
        h.wait_prompt(2)
        h.type(CTRL_D)

    assert h.run(script) == 0
    assert menus == [[("audit", "2 jobs"), ("finish", "5 jobs")]]
    answers = [json.loads(part) for part in
               h.stdout.getvalue().replace("}\n{", "}\0{").split("\0")]
    assert answers[-1] == {"history": [f"upload {project_name} {example} --create", "history"]}


def test_the_history_command_does_not_print_secret_lines(harness: Callable[..., Harness]) -> None:
    history = InMemoryHistory()
    for line in ("projects", "login", "call POST / password=x", "flows demo"):
        history.append_string(line)
    h = harness(history=history)
    assert h.shell.history_lines() == ["projects", "flows demo"]


def test_tab_typed_at_once_with_the_word_still_completes(
        harness: Callable[..., Harness], project_name: str, sandbox: Any,
        create_project: Any, session_id: str) -> None:
    """A Tab right behind the letters (typed fast, or pasted) is not lost to the completion
    that typing started in the background."""
    for suffix in ("_alpha", "_beta"):
        create_project(sandbox.url, session_id, project_name + suffix)
    h = harness()

    def script(h: Harness) -> None:
        h.wait_prompt(0)
        h.wait(lambda: h.ctx.names.has_project(project_name + "_beta"), "the names")
        h.type(f"flows {project_name[:-3]}\t")  # two matches: their common part, and the menu
        h.wait(lambda: h.buffer.text == f"flows {project_name}_", "the common part")
        h.wait(lambda: h.buffer.complete_state is not None
               and len(h.buffer.complete_state.completions) == 2, "the menu")
        h.type("b\t")  # one match: completed
        h.wait(lambda: h.buffer.text == f"flows {project_name}_beta ", "the completed name")
        h.type(CTRL_C + CTRL_D)

    assert h.run(script) == 0
