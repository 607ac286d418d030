"""The debugging aids of the installed `azshell` against a sandbox of its own: `-v` and
`set verbose on`, `set timing on`, `--debug`'s log file, and `curl` commands run by real curl.

The sandbox here has a user whose password appears nowhere else, so a search for it in the
output and the log means something. Each run gets private HOME and XDG directories.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import documents

from azshell.client import AzkabanClient
from azshell.sandbox import Sandbox
from azshell.sandbox.auth import User
from azshell.shell.run.context import new_context
from azshell.shell.run.dispatch import run_line
from azshell.shell.session.settings import Settings
from azshell.shell.session.store import MemoryStore

AZSHELL = str(Path(sys.executable).with_name("azshell"))
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
USER, PASSWORD = "ops", "Tr0ub4dor&3-xyzzy"
CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="the curl command is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    """A sandbox of this module's own: its sessions may be expired at will."""
    with Sandbox(users=[User(USER, PASSWORD, roles=("admin",))]) as sb:
        yield sb


class Az:
    """Runs `azshell URL --user ops ...` with private directories, the password in the env."""

    def __init__(self, home: Path, url: str) -> None:
        self.home, self.url = home, url
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8",
            "AZSHELL_PASSWORD": PASSWORD,
        }

    def __call__(self, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = [AZSHELL, url or self.url, "--user", USER, *args]
        return subprocess.run(argv, text=True, capture_output=True, env=self.env, timeout=60,
                              start_new_session=True, check=False, input="")

    def session(self) -> str:
        """The session id azshell saved for the server (the store file is 0600)."""
        store = json.loads((self.home / "state" / "azshell" / "sessions.json").read_text())
        return store[f"{USER}@{self.url}"]["session_id"]


@pytest.fixture
def az(tmp_path: Path, server: Sandbox) -> Az:
    return Az(tmp_path / "home", server.url)


@pytest.fixture
def project(server: Sandbox) -> str:
    """A project with the flow1-etl example uploaded (names unique per test)."""
    name = f"dbg{os.urandom(4).hex()}"
    with AzkabanClient(server.url) as client:
        client.login(USER, PASSWORD)
        client.create_project(name, "debugging tests")
        from azshell.project import packaged

        with packaged(EXAMPLES / "flow1-etl") as archive:
            client.upload_project(name, Path(archive))
    return name



def assert_no_secrets(text: str, *sessions: str) -> None:
    assert PASSWORD not in text
    for session in sessions:
        assert session not in text


VERBOSE = re.compile(r"^→ (GET|POST) (/\S*)(.*?)  (← (\d{3}) \d+(\.\d)? (B|KiB|MiB) [\d.]+ (ms|s)"
                     r"( \(the session is gone: logging in again\))?|✗ .*)$")


def verbose_lines(stderr: str) -> list[tuple[str, str, str, str]]:
    """(method, path, parameters, answer) of each verbose line, in order."""
    found = []
    for line in stderr.splitlines():
        match = VERBOSE.match(line)
        if match:
            found.append((match.group(1), match.group(2), match.group(3).strip(),
                          match.group(4)))
    return found


# -- verbose -----------------------------------------------------------------------------------

def test_verbose_prints_each_request_with_the_secrets_hidden(az: Az, project: str) -> None:
    done = az("-v", "-c", "login", "-c", f"flows {project}", "-c", f"execute {project} finish")
    assert done.returncode == 0, done.stderr
    lines = verbose_lines(done.stderr)
    assert [(m, p) for m, p, _, _ in lines] == [("POST", "/"), ("GET", "/manager"),
                                                ("POST", "/executor")]
    assert lines[0][2] == f"action=login username={USER} password=***"
    assert lines[1][2] == (f"ajax=fetchprojectflows project={project} cookie=<session>")
    assert lines[2][2].startswith(f"ajax=executeFlow project={project} flow=finish ")
    assert all(answer.startswith("← 200 ") for _, _, _, answer in lines)
    assert len(done.stderr.splitlines()) == 3  # nothing else on stderr
    assert_no_secrets(done.stderr + done.stdout, az.session())


def test_set_verbose_on_applies_from_the_next_request(az: Az, project: str) -> None:
    done = az("-c", f"flows {project}", "-c", "set verbose on", "-c", f"jobs {project} finish",
              "-c", "set verbose off", "-c", f"flows {project}")
    assert done.returncode == 0, done.stderr
    assert [(m, p, params) for m, p, params, _ in verbose_lines(done.stderr)] == [
        ("GET", "/manager",
         f"ajax=fetchflowgraph project={project} flow=finish cookie=<session>")]
    assert len(done.stderr.splitlines()) == 1


def test_verbose_shows_requests_that_got_no_answer(az: Az) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    done = az("-v", "-c", "projects", url=closed)
    assert done.returncode == 3
    (line, error) = done.stderr.splitlines()
    assert line.startswith(f"→ POST / action=login username={USER} password=***  ✗ cannot "
                           f"connect to {closed}: connection refused (")
    assert error == f"-c:1: error: cannot connect to {closed}: connection refused"
    assert_no_secrets(done.stderr)


def test_verbose_shows_a_transparent_login_as_its_requests(az: Az, server: Sandbox,
                                                           project: str) -> None:
    assert az("-c", "projects").returncode == 0
    old = az.session()
    server.expire_sessions()
    done = az("-v", "-c", "projects")
    assert done.returncode == 0, done.stderr
    lines = verbose_lines(done.stderr)
    assert [(m, p) for m, p, _, _ in lines] == [("GET", "/index"), ("POST", "/"),
                                                ("GET", "/index")]
    assert lines[0][3].endswith("(the session is gone: logging in again)")
    assert lines[1][2] == f"action=login username={USER} password=***"
    assert az.session() != old
    assert_no_secrets(done.stderr + done.stdout, old, az.session())


def test_set_verbose_on_in_the_same_session_in_process(server: Sandbox) -> None:
    err = io.StringIO()
    ctx = new_context(Settings(url=server.url, user=USER, pager=False), interactive=False,
                      stdout=io.StringIO(), stderr=err)
    ctx.session.remember_password(PASSWORD)
    ctx.session.use_store(MemoryStore())
    assert run_line(ctx, "projects") == 0
    assert err.getvalue() == ""
    assert run_line(ctx, "set verbose on") == 0
    assert run_line(ctx, "projects") == 0
    assert err.getvalue().startswith("→ GET /index ajax=fetchuserprojects cookie=<session>"
                                     "  ← 200 ")
    assert_no_secrets(err.getvalue(), ctx.client.session_id)


# -- timing ------------------------------------------------------------------------------------

def test_timing_follows_every_command_even_a_failed_one(az: Az, project: str) -> None:
    done = az("--keep-going", "-c", "set timing on", "-c", f"flows {project}",
              "-c", "show 999999", "-c", "set timing off", "-c", f"flows {project}")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    took = [i for i, line in enumerate(lines) if re.fullmatch(r"took \d+\.\d{2,3} s", line)]
    assert len(took) == 3  # set on, flows, show (after its error); not after `set timing off`
    assert lines[took[2] - 1].startswith("-c:3: error: ")


# -- the debug log -----------------------------------------------------------------------------

def debug_log(stderr: str) -> Path:
    first = stderr.splitlines()[0]
    assert first.startswith("debug log: "), stderr
    return Path(first.removeprefix("debug log: "))


def test_debug_log_has_the_request_flow_and_no_secret(az: Az, server: Sandbox, project: str,
                                                      tmp_path: Path) -> None:
    assert az("-c", "projects").returncode == 0
    old = az.session()
    server.expire_sessions()  # the run below renews its session on its own
    archive = tmp_path / "demo.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (EXAMPLES / "flow1-etl").rglob("*"):
            zf.write(path, path.relative_to(EXAMPLES / "flow1-etl"))
    done = az("--debug", "--keep-going", "-c", f"flows {project}",
              "-c", f"upload {project} {archive}", "-c", f"execute {project} finish",
              "-c", "show 999999", "-c", "call POST / action=login username=x password=oops",
              "-c", "login")
    assert done.returncode == 1, done.stderr
    new = az.session()
    path = debug_log(done.stderr)
    assert done.stderr.count("debug log: ") == 1
    assert path.parent == az.home / "state" / "azshell" / "log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    log = path.read_text()
    assert_no_secrets(log + done.stdout + done.stderr, old, new)
    assert "oops" not in log
    assert f"run: flows {project}" in log
    assert "the answer says the session is gone: logging in again" in log
    assert f"POST {az.url}/manager\n  params: ajax=upload project={project} " \
           "session.id=<session>\n  file: " in log
    assert "  response header Set-Cookie: azkaban.browser.session.id=<session>;Path=/" in log
    assert '"session.id" : "<session>"' in log  # the login answer's body, hidden
    assert "  status 200, " in log
    assert "NotFound: there is no execution 999999 on this server\nTraceback" in log
    assert "exit status 1" in log.splitlines()[-1]


def test_debug_log_says_when_a_state_change_is_not_repeated(az: Az, tmp_path: Path) -> None:
    """A server that takes the request and drops the connection: execute is not sent again."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    store = az.home / "state" / "azshell"
    store.mkdir(parents=True, mode=0o700)
    sid = "5d1a9c3e-8f2b-4e6d-a7c1-0b9e8d7f6a5c"
    (store / "sessions.json").write_text(json.dumps(
        {f"{USER}@{url}": {"session_id": sid, "saved": 1}}))
    (store / "sessions.json").chmod(0o600)

    import threading

    def drop() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)

    threading.Thread(target=drop, daemon=True).start()
    try:
        done = az("--debug", "-v", "-c", "execute demo main", url=url)
    finally:
        sock.close()
    assert done.returncode == 1, done.stderr
    assert "is unknown" in done.stderr
    log = debug_log(done.stderr).read_text()
    assert "no answer after" in log
    assert "OutcomeUnknown" in log
    assert "not repeated: it changes state and may have been done" in log
    assert_no_secrets(log + done.stderr, sid)


# -- curl --------------------------------------------------------------------------------------

def run_curl(text: str, **env: str) -> Any:
    """Run what `curl` printed with sh and the real curl; the answer as JSON."""
    done = subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=30,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def printed(doc: dict[str, Any]) -> str:
    return "\n".join([*doc["notes"], *([doc["export"]] if "export" in doc else []),
                      doc["command"]])


@needs_curl
def test_curl_commands_do_what_azshell_did(az: Az, server: Sandbox, project: str,
                                           tmp_path: Path) -> None:
    archive = tmp_path / "my demo.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (EXAMPLES / "flow1-etl").rglob("*"):
            zf.write(path, path.relative_to(EXAMPLES / "flow1-etl"))
    odd = "it's a & b = c ü %20 + $HOME"
    done = az("-c", f"flows {project}", "-c", "curl", "-c", "curl --reveal",
              "-c", f"call POST /manager ajax=changeDescription project={project} "
                    f'"description={odd}"', "-c", "curl",
              "-c", f"execute {project} finish", "-c", "curl",
              "-c", f"upload {project} '{archive}'", "-c", "curl")
    assert done.returncode == 0, done.stderr
    (flows, get, reveal, described, post, execute, run, uploaded, upload) = \
        documents(done.stdout)
    session = az.session()
    assert reveal["export"] == f"export AZKABAN_SESSION={session}"
    assert_no_secrets(done.stdout.replace(reveal["export"], ""), session)

    # a GET, with the session from the environment, then as --reveal printed it
    answer = run_curl(printed(get), AZKABAN_SESSION=session)
    assert answer["project"] == project
    assert sorted(f["flowId"] for f in answer["flows"]) == sorted(flows)
    assert run_curl(printed(reveal)) == answer

    # a POST with awkward characters arrives intact
    assert described == run_curl(printed(post), AZKABAN_SESSION=session)
    with AzkabanClient(server.url) as client:
        client.login(USER, PASSWORD)
        changes = [e for e in client.project_logs(project)
                   if f"Description changed to {odd}" in json.dumps(e, ensure_ascii=False)]
    assert len(changes) == 2

    # execute: the next execution id
    again = run_curl(printed(run), AZKABAN_SESSION=session)
    assert again["execid"] == execute["execid"] + 1

    # an upload, multipart with the zip: the next version
    answer = run_curl(printed(upload), AZKABAN_SESSION=session)
    assert int(answer["version"]) == uploaded["version"] + 1

    # a login: the password from the environment, never from the command
    done = az("-c", "login", "-c", "curl --reveal")
    assert done.returncode == 0, done.stderr
    _, login = documents(done.stdout)
    assert "$AZKABAN_PASSWORD" in login["command"]
    assert_no_secrets(done.stdout, az.session())
    answer = run_curl(printed(login), AZKABAN_PASSWORD=PASSWORD)
    assert answer["status"] == "success"
    assert answer["session.id"]


def test_curl_before_any_request_is_a_clear_error(az: Az) -> None:
    done = az("-c", "curl")
    assert done.returncode == 1
    assert done.stderr == "-c:1: error: curl: no request has been sent yet in this session\n"


def test_curl_after_a_command_that_needs_no_session(az: Az) -> None:
    done = az("-c", "server", "-c", "curl")  # server uses a client of its own for /status
    assert done.returncode == 0, done.stderr
    curl = documents(done.stdout)[1]
    assert (curl["method"], curl["url"]) == ("GET", f"{az.url}/status")


def test_curl_raw_output_is_the_text_to_paste(az: Az, project: str) -> None:
    done = az("-o", "raw", "-c", f"flows {project}", "-c", "curl")
    assert done.returncode == 0, done.stderr
    text = done.stdout.split("\n", 1)[1] if done.stdout.startswith("{") else done.stdout
    assert "# set AZKABAN_SESSION to your session id first" in text
    assert f"--data-urlencode project={project}" in text
    assert subprocess.run(["sh", "-n"], input=text, text=True, check=False).returncode == 0


@needs_curl
def test_curl_of_a_download_fetches_the_same_zip(az: Az, project: str, tmp_path: Path) -> None:
    saved = tmp_path / "by-azshell.zip"
    done = az("-c", f"download {project} {saved}", "-c", "curl")
    assert done.returncode == 0, done.stderr
    doc = documents(done.stdout)[-1]
    assert doc["notes"][-1] == "# the answer is a file: add -o FILE to save it"
    again = tmp_path / "by-curl.zip"
    fetched = subprocess.run(["sh", "-c", f"{printed(doc)} -o '{again}'"], text=True,
                             capture_output=True, timeout=30, check=False,
                             env={"PATH": os.environ.get("PATH", ""),
                                  "AZKABAN_SESSION": az.session()})
    assert fetched.returncode == 0, fetched.stderr
    assert again.read_bytes() == saved.read_bytes()
    assert zipfile.is_zipfile(again)


def test_an_internal_error_leaves_its_traceback_in_the_debug_log(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import azshell.shell.handlers.shell as shell_handlers
    from azshell.shell.debugging import debuglog

    def broken(ctx: Any, inv: Any) -> None:
        raise ZeroDivisionError(f"oops with {PASSWORD}")

    monkeypatch.setattr(shell_handlers, "help_", broken)
    err = io.StringIO()
    ctx = new_context(Settings(pager=False, debug=True), interactive=False,
                      stdout=io.StringIO(), stderr=err)
    ctx.session.remember_password(PASSWORD)
    path = debuglog.start(ctx, ["--debug"], directory=tmp_path / "log")
    try:
        assert run_line(ctx, "help") == 1
    finally:
        debuglog.stop(1)
    assert not debuglog.active()
    log = path.read_text()
    assert "azshell.shell internal error\nTraceback (most recent call last):" in log
    assert "ZeroDivisionError: oops with ***" in log
    assert PASSWORD not in log
    assert "help: exit status 1" in log
    assert log.rstrip().endswith("exit status 1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_only_the_newest_debug_logs_are_kept(tmp_path: Path) -> None:
    from azshell.shell.debugging import debuglog

    folder = tmp_path / "log"
    folder.mkdir()
    for i in range(15):
        old = folder / f"debug-202401{i + 1:02d}-000000-{i}.log"
        old.write_text("x")
        os.utime(old, (1_700_000_000 + i, 1_700_000_000 + i))
    ctx = new_context(Settings(), interactive=False, stdout=io.StringIO(), stderr=io.StringIO())
    path = debuglog.start(ctx, [], directory=folder)
    debuglog.stop()
    kept = sorted(p.name for p in folder.glob("debug-*.log"))
    assert len(kept) == debuglog.KEEP_LOGS
    assert path.name in kept
    assert "debug-20240115-000000-14.log" in kept  # the newest old one
    assert "debug-20240106-000000-5.log" not in kept
