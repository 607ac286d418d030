"""Sending the scenario's requests and writing each exchange down.

The runner speaks HTTP with ``requests`` directly, not through azshell's client: the transcript
must show what the server answers to the requests the client sends, not what the client made of
it. Like the client it keeps no cookies (a session travels as the ``session.id`` parameter) and
follows no redirect. Each step names the client call that sends it (``client``), which the
replay tests use, and what the client must make of the answer (``expect``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests

from .normalize import KEPT_HEADERS, Masker, body_entry, cookies, json_style

Params = list[tuple[str, str]]
USERS = {"admin": ("azkaban", "azkaban"), "other": ("metrics", "metrics")}
BOGUS_SESSION = "0badc0de-0000-4000-8000-000000000000"
FINAL = {"SUCCEEDED", "FAILED", "KILLED", "CANCELLED", "EXECUTION_STOPPED", "SKIPPED"}


class _NoCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


class Runner:
    """One run of the scenario against ``url``; ``entries`` is the transcript so far."""

    def __init__(self, url: str, run_names: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.run_names = run_names
        self.timeout = timeout
        self.masker = Masker(run_names, self.url)
        self.entries: list[dict[str, Any]] = []
        self.sessions: dict[str, str] = {}
        self.http = requests.Session()
        self.http.cookies.set_policy(_NoCookies())

    def name(self, role: str) -> str:
        """A project name of this run (``<prefix><tag>-<role>``)."""
        return f"{self.run_names}-{role}"

    def mid(self, kind: str, raw: object) -> int:
        """The masked id that stands for ``raw`` in this run's transcript."""
        return self.masker.id_of(kind, str(raw))

    # -- sending -----------------------------------------------------------------------------

    def send(self, method: str, path: str, params: Params | None = None, *,
             as_: str | None = "admin", files: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> requests.Response:
        """One request, not written down (waiting, cleaning up)."""
        params = list(params or [])
        if as_ is not None:
            params.append(("session.id", self.sessions.get(as_, as_)))
        send_headers = dict(headers or {})
        if method == "POST" and "X-Requested-With" not in send_headers and not files:
            send_headers["X-Requested-With"] = "XMLHttpRequest"
        send_headers = {k: v for k, v in send_headers.items() if v}
        kwargs: dict[str, Any] = {"headers": send_headers, "allow_redirects": False,
                                  "timeout": self.timeout}
        if method == "GET":
            kwargs["params"] = params
        elif files is not None:
            kwargs["data"] = params
            kwargs["files"] = files
        else:
            kwargs["data"] = params
        return self.http.request(method, self.url + path, **kwargs)

    def step(self, name: str, method: str, path: str, params: Params | None = None, *,
             as_: str | None = "admin", files: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, expect: str = "ok", exit: int = 1,
             client: dict[str, Any] | None = None, keep: Callable[[Any], Any] | None = None,
             log: bool = False) -> requests.Response:
        """Send a request and append its entry; returns the response.

        ``keep`` filters the parsed JSON before it is written (a shared server lists other
        people's projects and schedules); ``log`` masks a log page's text and length.
        """
        response = self.send(method, path, params, as_=as_, files=files, headers=headers)
        sent = list(params or [])
        if as_ is not None:
            sent.append(("session.id", "x"))
        path_only, _, query = path.partition("?")
        request: dict[str, Any] = {"method": method, "path": path_only}
        if query:
            request["query"] = self.masker.text(query)
        request["params"] = self.masker.params(sent)
        if files:
            request["files"] = {field: spec[0] for field, spec in files.items()}
        if headers:
            request["headers"] = {k: ("<session>" if "Cookie" in k else v)
                                  for k, v in headers.items()}
        content_type = response.headers.get("Content-Type", "")
        content = response.content
        if keep is not None:
            content = _filtered(content, keep)
        body = body_entry(self.masker, content_type, content)
        if keep is not None and "format" in body:
            body["format"] = json_style(response.content.decode("utf-8", "replace"))
        if log and isinstance(body.get("json"), dict):
            _mask_log(body["json"])
        entry: dict[str, Any] = {"step": name, "expect": expect}
        if expect != "ok":
            entry["exit"] = exit
        if client is not None:
            entry["client"] = self.masker.value(None, client)
        entry["request"] = request
        entry["status"] = response.status_code
        entry["content_type"] = content_type
        kept = {key: self.masker.text(response.headers[key]) for key in KEPT_HEADERS
                if key in response.headers}
        if kept.get("projectId", "").isdigit():
            kept["projectId"] = str(self.mid("project", kept["projectId"]))
        if kept:
            entry["headers"] = kept
        set_cookie = response.raw.headers.getlist("Set-Cookie") if response.raw else []
        if set_cookie:
            entry["set_cookie"] = cookies(self.masker, set_cookie)
        entry["body"] = body
        self.entries.append(entry)
        return response

    # -- helpers -----------------------------------------------------------------------------

    def login(self, name: str, role: str) -> None:
        user, password = USERS[role]
        reply = self.step(name, "POST", "/", [("action", "login"), ("username", user),
                                              ("password", password)], as_=None,
                          client={"method": "login", "args": [user, password]})
        self.sessions[role] = reply.json()["session.id"]

    def wait_for(self, execid: int, statuses: set[str], *, job: str | None = None,
                 timeout: float = 90.0) -> dict[str, Any]:
        """Poll fetchexecflow (not written down) until the flow, or ``job`` in it, has one of
        ``statuses``."""
        deadline = time.monotonic() + timeout
        while True:
            data = self.send("GET", "/executor", [("ajax", "fetchexecflow"),
                                                  ("execid", str(execid))]).json()
            status = data.get("status")
            if job is not None:
                status = next((n.get("status") for n in data.get("nodes", [])
                               if n.get("id") == job), None)
            if status in statuses:
                if job is None and status in FINAL:
                    self._settle(execid, deadline)
                return data
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {execid} ({job or 'flow'}) is still {status}, "
                                   f"not {sorted(statuses)}")
            time.sleep(0.2)

    def _settle(self, execid: int, deadline: float) -> None:
        """Wait until the web server has let go of a finished execution: real Azkaban marks it
        finished in its database a moment before it stops asking the executor for its logs,
        which answers "Running flow N not found." (HTTP 500) in between."""
        while time.monotonic() < deadline:
            reply = self.send("GET", "/executor", [("ajax", "fetchExecFlowLogs"),
                                                   ("execid", str(execid)), ("offset", "0"),
                                                   ("length", "1")])
            if reply.status_code == 200:
                return
            time.sleep(0.2)

    def base_host(self) -> str:
        return urlsplit(self.url).netloc


def _filtered(content: bytes, keep: Callable[[Any], Any]) -> bytes:
    import json

    try:
        data = json.loads(content)
    except ValueError:
        return content
    return json.dumps(keep(data)).encode()


def _mask_log(data: dict[str, Any]) -> None:
    """A whole log's text differs from server to server; what stays is whether there is any."""
    if "data" in data:
        data["data"] = "<log>" if data["data"] else ""
    if isinstance(data.get("length"), int):
        data["length"] = 1 if data["length"] > 0 else 0
