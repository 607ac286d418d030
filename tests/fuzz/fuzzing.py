"""The fuzz suite's strategies and checks, shared by the CI tests (tests/fuzz/test_fuzz_*.py) and
the long run (benchmarks/fuzz.py), so both try exactly the same properties.

Each ``check_*`` function takes one generated input and raises :class:`Finding` (with its kind:
``traceback``, ``internal error``, ``duplicate``, ``leak``) when azshell misbehaves; anything an
azshell user should read as one line (an AzshellError) is a pass. Nothing is mocked: files are
real files, answers come from a real loopback server (:class:`HostileServer`).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakes import SESSION_ID, FakeServer, Reply, Seen
from hypothesis import strategies as st

from azshell.client import AzkabanClient, answers
from azshell.errors import AzshellError

PASSWORD = "Fz9#pQ2-wLx"  # the hostile server's password: must never be echoed by azshell
CAP = 200_000  # the clients' max_answer here: "huge" answers are just over it


class Finding(AssertionError):
    """azshell misbehaved: ``kind`` is what the long run counts."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


def expect_clean(call: Callable[[], Any], *secrets: str) -> Any:
    """Run ``call``: an AzshellError is fine (its message must be one line without a secret);
    any other exception is a traceback the user would have seen."""
    try:
        return call()
    except AzshellError as err:
        message = str(err)
        for secret in secrets:
            if secret and secret in message:
                raise Finding("leak", f"{type(err).__name__} repeats a secret: {message!r}"
                              ) from None
        return err
    except Exception as err:
        raise Finding("traceback", f"{type(err).__name__}: {err}") from err


# -- values ------------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | \
    st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                           max_leaves=25)
AZKABAN_KEYS = ("error", "status", "message", "session.id", "projects", "flows", "execid",
                "nodes", "data", "offset", "length", "project", "flow", "projectId", "items",
                "schedules", "execIds", "total", "from", "resume", "action", "id", "version")
azkaban_objects = st.dictionaries(st.sampled_from(AZKABAN_KEYS), json_values, max_size=6)
hostile_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from([
    "\x1b]0;pwned\x07", "\x1b[2J", "\x9b2J", "<html><title>\x1b[2J</title></html>",
    '{"error": "session"}', "Login error. Need username and password", "\r\x00\x7f"])


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


deep_json = st.integers(min_value=150, max_value=20_000).map(nested) | \
    st.integers(min_value=150, max_value=5_000).map(
        lambda d: '{"a":' * d + "1" + "}" * d)


# -- answers (pure decoding) -------------------------------------------------------------------

answer_bodies = (st.binary(max_size=500).map(lambda b: b.decode("utf-8", "replace"))
                 | json_values.map(json.dumps) | azkaban_objects.map(json.dumps)
                 | deep_json | hostile_text
                 | hostile_text.map(lambda t: f"<html><head><title>{t}</title></head><body>"
                                              f"<pre>{t}</pre></body></html>"))
statuses = st.sampled_from([200, 204, 302, 400, 403, 404, 410, 500, 502, 503])


def check_decoding(status: int, text: str) -> None:
    """Every pure answer function on any text: data or an AzshellError, nothing else."""
    expect_clean(lambda: answers.decode(status, text, "x"))
    expect_clean(lambda: answers.checked(status, text, "x"))
    expect_clean(lambda: answers.is_session_gone(text))
    expect_clean(lambda: answers.html_reason(text))
    expect_clean(lambda: answers.error_message(answers.parse_json(text)))
    expect_clean(lambda: answers.clean_message(text))
    expect_clean(lambda: answers.cookie_values([text]))


# -- the line parser ---------------------------------------------------------------------------

COMMAND_WORDS = ("projects", "flows", "execute", "show", "log", "set", "help", "history",
                 "curl", "schedule", "sla", "trigger", "call", "upload", "download", "wait",
                 "--all", "--output", "-o", "--follow", "--", "'", '"', "\\", "=", "#")
lines = (st.text(max_size=80)
         | st.lists(st.sampled_from(COMMAND_WORDS) | st.text(max_size=12), max_size=8)
         .map(" ".join))
_NO_RUN = re.compile(r"^\s*(connect|login|exit|quit|clear)\b", re.IGNORECASE)


def check_line(line: str) -> None:
    """parse() and the completer's view of a line: an Invocation, None or a UsageError."""
    from azshell.shell.line.parser import parse, split, tokens

    expect_clean(lambda: parse(line))
    expect_clean(lambda: split(line))
    expect_clean(lambda: tokens(line))


def check_run_line_offline(line: str) -> None:
    """A whole line through run_line with no server: one error line at most, never an internal
    error. (``connect``/``login`` would reach the network; ``exit`` ends the run.)"""
    from azshell.shell.run.context import new_context
    from azshell.shell.run.dispatch import run_line
    from azshell.shell.session.settings import Settings

    if _NO_RUN.match(line):
        return
    out, err = io.StringIO(), io.StringIO()
    ctx = new_context(Settings(pager=False), interactive=False, stdout=out, stderr=err)
    expect_clean(lambda: run_line(ctx, line))
    if "internal error" in err.getvalue():
        raise Finding("internal error", err.getvalue().strip())


# -- local files -------------------------------------------------------------------------------

file_bytes = (st.binary(max_size=2000) | json_values.map(lambda v: json.dumps(v).encode())
              | deep_json.map(str.encode) | hostile_text.map(str.encode)
              | st.dictionaries(st.text(max_size=20), json_values, max_size=4)
              .map(lambda d: json.dumps(d).encode()))
toml_bytes = (st.binary(max_size=500) | hostile_text.map(str.encode)
              | st.lists(st.sampled_from(["[shell]", "[profiles.p]", "output = \"json\"",
                                          "url = 1", "timeout = -1", "max_answer_mb = 0",
                                          "password = \"x\"", "x = [[[[[", "[[a]]", "=",
                                          'user = "\\ud800"', "color = true"]), max_size=6)
              .map(lambda rows: "\n".join(rows).encode()))


def check_file_readers(data: bytes, tmp: Path) -> None:
    """Every file azshell reads, holding ``data``: a recovery or one UsageError, nothing else."""
    from azshell.shell.names.book import NameBook
    from azshell.shell.run.batch import lines_of, script_lines
    from azshell.shell.session.settings import load
    from azshell.shell.session.store import SessionStore

    path = tmp / "f"
    path.write_bytes(data)
    warnings: list[str] = []
    store = SessionStore(path, warn=warnings.append)
    expect_clean(lambda: store.get("http://h", "u"))
    expect_clean(store.accounts)
    expect_clean(lambda: store.last_user("http://h"))
    expect_clean(lambda: store.put("http://h", "u", "sid"))
    if any("\n" in w for w in warnings):
        raise Finding("traceback", f"a warning of several lines: {warnings!r}")
    path.write_bytes(data)
    book = NameBook(path)
    expect_clean(book.load)
    expect_clean(lambda: book.match_projects(""))
    expect_clean(book.to_text)
    path.write_bytes(data)
    expect_clean(lambda: load({}, environ={}, config_path=path))
    expect_clean(lambda: script_lines(str(path)))
    text = data.decode("utf-8", "replace")
    expect_clean(lambda: lines_of(text))
    _check_history(path, data)


def _check_history(path: Path, data: bytes) -> None:
    from azshell.shell.interactive.history import SecretFreeHistory

    path.write_bytes(data)
    history = SecretFreeHistory(path)
    expect_clean(lambda: list(history.load_history_strings()))


def check_project_files(files: dict[str, bytes], tmp: Path) -> None:
    """A project directory and its zip with any content: loaded, or one AzshellError."""
    from azshell.project import read_project

    root = tmp / "project"
    root.mkdir()
    for name, content in files.items():
        (root / name).write_bytes(content)
    expect_clean(lambda: read_project(root))
    archive = tmp / "p.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for name, content in files.items():
            handle.writestr(name, content)
    expect_clean(lambda: read_project(archive))
    (tmp / "junk.zip").write_bytes(b"".join(files.values())[:500])
    expect_clean(lambda: read_project(tmp / "junk.zip"))


project_names = st.sampled_from(["a.job", "b.job", "x.properties", "p.project", "f.flow",
                                 "g.flow", "c.job", "README"])
job_lines = st.sampled_from(["type=command", "type=noop", "command=echo hi", "dependencies=a",
                             "dependencies=b,c", "dependencies=", "retries=x", "${a}", "a=${b}",
                             "b=${a}", "\\", "key\\u12", "flow.num.job.threads=0"])
flow_yaml = st.sampled_from(["azkaban-flow-version: 2.0", "azkaban-flow-version: 3",
                             "nodes:", "  - name: a", "    type: noop", "    dependsOn: [a]",
                             "    type: flow", "    nodes: [", "config: {x: !!python/object "
                             "x}", "- - - -", "&a [*a]", "nodes: *x", "  - name: b",
                             "    condition: ${a:x} == 1", "\t"])
file_content = (st.binary(max_size=300)
                | st.lists(job_lines | flow_yaml | st.text(max_size=20), max_size=8)
                .map(lambda rows: "\n".join(rows).encode()))
project_files = st.dictionaries(project_names, file_content, min_size=1, max_size=5)


# -- a hostile loopback server ---------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """One answer shape: how the hostile server answers the next request."""

    status: int
    content_type: str | None
    body: bytes
    kind: str = "plain"  # plain, reset, short, gzip, echo, close

    def reply(self, seen: Seen) -> Reply:
        body = self.body
        if self.kind == "echo":  # reflect the request: the session id comes back
            body = json.dumps({"error": f"bad request {seen.params}"}).encode()
        if self.kind == "reset":
            return Reply(reset=True)
        if self.kind == "close":  # the head, part of the body, then the connection closes
            head = (f"HTTP/1.1 {self.status} X\r\nContent-Length: {len(body) + 50}\r\n"
                    f"Content-Type: {self.content_type or 'application/json'}\r\n\r\n")
            return Reply(pieces=[(0.0, head.encode()), (0.0, body)])
        headers = [("Content-Encoding", "gzip")] if self.kind == "gzip" else []
        if self.kind == "gzip":
            body = gzip.compress(body)
        return Reply(status=self.status, body=body, content_type=self.content_type,
                     headers=headers, short_by=min(len(body), 7) if self.kind == "short" else 0)


content_types = st.sampled_from([None, "application/json", "text/html; charset=UTF-8",
                                 "text/plain", "application/zip", "application/octet-stream",
                                 "text/html; charset=no-such-charset", "application/json; x"])
body_kinds = st.sampled_from(["plain"] * 6 + ["reset", "short", "gzip", "echo", "close"])
big_bodies = st.integers(min_value=CAP + 1, max_value=CAP * 3).map(
    lambda n: b'{"projects": ["' + b"x" * n + b'"]}')
shapes = st.builds(Shape, statuses, content_types,
                   answer_bodies.map(str.encode) | big_bodies, body_kinds)


class HostileServer:
    """A loopback server answering every request but the login with ``shape``; counts requests
    by what they ask for, so a state change sent twice is seen."""

    def __init__(self) -> None:
        self.shape = Shape(200, "application/json", b"{}")
        self._lock = threading.Lock()
        self.fake = FakeServer(self._answer)
        self.fake._server.handle_error = lambda *args: None  # clients cut on purpose here
        self.url = self.fake.url

    def _answer(self, seen: Seen) -> Reply:
        return self.shape.reply(seen)

    def play(self, shape: Shape) -> None:
        with self._lock:
            self.shape = shape
            self.fake.seen.clear()

    def count(self, key: str, value: str) -> int:
        if key == "content-type":  # an upload: a multipart body, no form parameters to read
            return sum(1 for s in self.fake.seen if value in s.headers.get(key, ""))
        return sum(1 for s in self.fake.seen if s.params.get(key) == value)

    def close(self) -> None:
        self.fake.close()


def client_for(server: HostileServer) -> AzkabanClient:
    client = AzkabanClient(server.url, timeout=(2.0, 2.0), max_answer=CAP)
    client.adopt_session("azkaban", SESSION_ID)
    client.credentials = lambda: ("azkaban", "azkaban")
    return client


READS: dict[str, Callable[[AzkabanClient], Any]] = {
    "projects": lambda c: c.projects(),
    "flows": lambda c: c.flows("p"),
    "execution": lambda c: c.execution(1),
    "running": lambda c: c.running("p", "f"),
    "flow_log": lambda c: c.read_flow_log(1),
    "schedules": lambda c: c.schedules(),
    "status": lambda c: c.server_status(),
    "call": lambda c: c.call("GET", "/manager?ajax=x"),
    "session_valid": lambda c: c.session_valid(),
}
# state changes and the parameter that tells one from another at the server
WRITES: dict[str, tuple[Callable[[AzkabanClient], Any], str, str]] = {
    "execute": (lambda c: c.execute("p", "f"), "ajax", "executeFlow"),
    "create": (lambda c: c.create_project("p", "d"), "action", "create"),
    "cancel": (lambda c: c.cancel(1), "ajax", "cancelFlow"),
    "upload": (lambda c: c.upload_project("p", _small_zip()), "content-type", "multipart"),
}


def _small_zip() -> Path:
    """A one-job project zip (made once, kept for the run)."""
    path = Path(tempfile.gettempdir()) / f"azshell-fuzz-{os.getpid()}.zip"
    if not path.exists():
        with zipfile.ZipFile(path, "w") as handle:
            handle.writestr("a.job", "type=noop\n")
    return path


def _session_like(shape: Shape) -> bool:
    """An answer that may say "no session": a repeat after it is the renewal, not a duplicate."""
    text = shape.body.decode("utf-8", "replace").lower()
    return "session" in text or "login" in text


def check_client_answer(server: HostileServer, shape: Shape, call: str, tmp: Path) -> None:
    """One client call against one answer shape: data or one AzshellError; a state change is
    sent at most once (unless the answer said the session was gone); no secret repeated."""
    server.play(shape)
    client = client_for(server)
    try:
        if call == "download":
            expect_clean(lambda: client.download_project("p", tmp), SESSION_ID, PASSWORD)
        elif call == "login":
            expect_clean(lambda: client.login("azkaban", PASSWORD), SESSION_ID, PASSWORD)
        elif call in READS:
            expect_clean(lambda: READS[call](client), SESSION_ID)
        else:
            action, key, value = WRITES[call]
            expect_clean(lambda: action(client), SESSION_ID)
            sent = server.count(key, value)
            if sent > 1 and not _session_like(shape):
                raise Finding("duplicate", f"{call} sent {sent} times to {shape}")
    finally:
        client.close()


SHELL_LINES = ("projects", "projects --all", "flows p", "jobs p f", "show 1", "log 1",
               "executions p f", "running p f", "schedules", "execute p f", "whoami", "server",
               "describe p", "permissions p", "call /manager ajax=x", "curl", "last-success p f",
               "project-log p", "create p d", "cancel 1")


def check_shell_answer(server: HostileServer, shape: Shape, line: str, tty: bool) -> None:
    """A shell line against one answer shape: at most one error line, never an internal
    error, no session id or password on the screen, no control character raw on a terminal."""
    from api_support import make_shell

    server.play(shape)
    client = client_for(server)
    shell = make_shell(client, tty=tty)
    shell.ctx.session.remember_password(PASSWORD)
    try:
        code, out, err = expect_clean(lambda: shell(line))
    finally:
        client.close()
    if "internal error" in err or "Traceback" in err:
        raise Finding("internal error", f"{line!r} against {shape}: {err.strip()}")
    if code and len(err.strip().splitlines()) > 3:
        raise Finding("traceback", f"{line!r}: {len(err.splitlines())} error lines")
    for secret in (SESSION_ID, PASSWORD):
        if secret in out or secret in err:
            raise Finding("leak", f"{line!r} shows a secret against {shape}")
    if tty:
        shown = re.sub(r"\x1b\[[0-9;]*m", "", out + err)
        if any((ord(c) < 32 and c not in "\n\t\r") or 0x7f <= ord(c) <= 0x9f for c in shown):
            raise Finding("leak", f"{line!r}: a raw control character reached the terminal")


# -- hostile bodies to the sandbox -----------------------------------------------------------

part_headers = st.sampled_from([
    'Content-Disposition: form-data; name="session.id"',
    'Content-Disposition: form-data; name="file"; filename="p.zip"',
    'Content-Disposition: form-data; name="ajax"', 'Content-Disposition: attachment',
    'Content-Disposition: form-data; name="project"', "Content-Type: application/zip",
    'Content-Disposition: form-data; name="x"; filename=""', "Content-Disposition: form-data",
    "X: " + "y" * 200, "", ":", 'Content-Disposition: form-data; name="a"; charset=bogus'])
multipart_parts = st.lists(st.tuples(st.lists(part_headers, max_size=3),
                                     st.binary(max_size=300)), max_size=6)
cut = st.none() | st.integers(min_value=0, max_value=2000)


def multipart_body(parts: list[tuple[list[str], bytes]], boundary: str, end: bool) -> bytes:
    body = b"".join(f"--{boundary}\r\n{chr(13).join(h + chr(10) for h in headers)}\r\n"
                    .encode() + payload + b"\r\n" for headers, payload in parts)
    return body + (f"--{boundary}--\r\n".encode() if end else b"")


@dataclass(frozen=True)
class Upload:
    """A multipart POST as a hostile client sends it."""

    parts: list[tuple[list[str], bytes]]
    boundary: str
    end: bool  # the closing boundary is sent
    cut_at: int | None  # the body is cut after this many bytes
    chunked: bool


uploads = st.builds(Upload, multipart_parts, st.sampled_from(["b", "XyZ", "a" * 70, "--"]),
                    st.booleans(), cut, st.booleans())


def check_sandbox_body(sandbox: Any, upload: Upload, session_id: str = "nope") -> None:
    """A multipart POST the way a hostile client sends it (cut short, chunked, odd parts): the
    sandbox answers like Jetty would, never with its own internal error, and leaves no spool
    file behind."""
    import socket

    parts, boundary, end, cut_at, chunked = (upload.parts, upload.boundary, upload.end,
                                             upload.cut_at, upload.chunked)
    body = multipart_body(parts, boundary, end)
    if cut_at is not None:
        body = body[:cut_at]
    head = (f"POST /manager?session.id={session_id} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nConnection: close\r\n")
    if chunked:
        data = head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + \
            f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    else:
        data = head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    answer = b""
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as conn:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        while chunk := conn.recv(65536):
            answer += chunk
    if b"Internal sandbox error" in answer:
        raise Finding("internal error", f"the sandbox failed on {data[:200]!r}")
    spool = list(Path(sandbox.state.upload_dir).glob("upload-*"))
    if spool:
        raise Finding("leak", f"{len(spool)} spool files left by {data[:120]!r}")


def leftovers() -> dict[str, int]:
    """What a run may leak: threads and open file descriptors of this process."""
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1
    return {"threads": threading.active_count(), "fds": fds}


def scratch() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="azshell-fuzz-")
