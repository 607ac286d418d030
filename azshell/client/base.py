"""The client's core: session handling, the generic ``call`` and the JSON-call helpers.

The Ajax methods (projects, executions, schedules) are mixins on top of this class; each one is
a few lines saying which ajax name, which parameters and which part of the answer to return.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from azshell.client import answers, versions
from azshell.client.redact import redact_answer, redact_json
from azshell.client.transport import (
    MAX_ANSWER,
    Credentials,
    Exchange,
    Params,
    Request,
    Transport,
    response_text,
)
from azshell.errors import ApiError, NotFound, ServerError, UnsupportedCall, UsageError

_JAVA_PROJECT = re.compile(r"azkaban\.project\.Project@[0-9a-fA-F]+")
SESSION_PROBE_PROJECT = "azshell-session-probe"


@dataclass(frozen=True)
class CallResult:
    """A raw answer for debugging: nothing is interpreted, ``json`` is ``None`` if not JSON."""

    status: int
    content_type: str
    text: str
    json: Any
    cookies: Mapping[str, str] = field(default_factory=dict)  # Set-Cookie name -> value
    location: str = ""

    @property
    def message(self) -> str | None:
        """The ``azkaban.success.message`` cookie of a redirect (delete, removeSched), which is
        all a server says of some successes (§5.3)."""
        text = self.cookies.get("azkaban.success.message")
        return answers.clean_message(text) if text else None

    @property
    def session_gone(self) -> bool:
        """The answer says there is no valid session (§2.5)."""
        return answers.is_session_gone(self.text)

    @property
    def failure(self) -> str | None:
        """Why the answer is an error by the API's conventions (HTTP >= 400, an ``error`` key,
        ``status: error``, no valid session), or None: a script must trust ``call``'s exit."""
        status = f"HTTP {self.status}"
        if self.session_gone:
            return f"the server answered that there is no valid session ({status})"
        cookie = self.cookies.get("azkaban.failure.message")
        if cookie:
            return f"{answers.shorten(answers.clean_message(cookie))} ({status})"
        message = answers.error_message(self.json)
        if message:
            message = answers.shorten(message)
            return f"{message} ({status})" if self.status >= 400 else message
        if self.status >= 400:
            reason = answers.html_reason(self.text) if answers.is_html(self.text) else None
            return f"{status}: {reason}" if reason else status
        return None

    def redacted(self, session_id: str | None) -> CallResult:
        """The same answer with session ids (and any password value) hidden, for showing."""
        return CallResult(self.status, self.content_type, redact_answer(self.text, session_id),
                          redact_json(self.json), self.cookies, self.location)


class ClientBase:
    """Sessions and plumbing shared by every group of Ajax calls."""

    def __init__(self, url: str, *, verify: bool | str = True,
                 timeout: float | tuple[float, float] = (5.0, 60.0),
                 observer: Callable[[Exchange], None] | None = None,
                 max_answer: int = MAX_ANSWER) -> None:
        self._transport = Transport(url, verify=verify, timeout=timeout, observer=observer,
                                    max_answer=max_answer)
        self._server_version: versions.ServerVersion | None = None

    def __enter__(self) -> ClientBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url} user={self.user!r}>"

    # -- state -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's base URL, normalized (``http://host:8081``)."""
        return self._transport.url

    @property
    def user(self) -> str | None:
        return self._transport.user

    @property
    def session_id(self) -> str | None:
        return self._transport.session_id

    @property
    def last_exchange(self) -> Exchange | None:
        return self._transport.last_exchange

    @property
    def credentials(self) -> Credentials | None:
        """``() -> (user, password)``, asked when the session must be renewed."""
        return self._transport.credentials

    @credentials.setter
    def credentials(self, provider: Credentials | None) -> None:
        self._transport.credentials = provider

    @property
    def observer(self) -> Callable[[Exchange], None] | None:
        return self._transport.observer

    @observer.setter
    def observer(self, observer: Callable[[Exchange], None] | None) -> None:
        self._transport.observer = observer

    def close(self) -> None:
        """Close pooled connections (the session on the server stays valid)."""
        self._transport.close()

    # -- sessions ----------------------------------------------------------------------------

    def login(self, user: str, password: str) -> str:
        """Log in; returns the new session id. LoginFailed if the server refuses."""
        return self._transport.login(user, password)

    def adopt_session(self, user: str, session_id: str) -> None:
        """Reuse a session id saved earlier (no request; see :meth:`session_valid`)."""
        self._transport.adopt_session(user, session_id)

    def logout(self) -> None:
        """End the session on the server (``?logout``, §2.3) and forget it here.

        The session is forgotten even when the server cannot be reached (the error is raised).
        """
        if not self.session_id:
            return
        request = Request("GET", "/index", [("logout", "")], what="logout")
        try:
            self._transport.send(request, renew=False)
        finally:
            self._transport.forget_session()

    def session_valid(self) -> bool:
        """Whether the current session is still accepted (never logs in again).

        Transport failures are raised: "the server is down" is not "the session is gone".
        """
        if not self.session_id:
            return False
        request = Request("GET", "/manager", [("ajax", "getProjectId"),
                                              ("project", SESSION_PROBE_PROJECT)],
                          what="session check")
        response = self._transport.send(request, renew=False)
        return not answers.is_session_gone(response_text(response))

    # -- any call ----------------------------------------------------------------------------

    def call(self, method: str, path: str,
             params: Params | Mapping[str, str] | None = None) -> CallResult:
        """Any request, answered raw: never raises for API errors, only transport errors.

        ``path`` may carry a query string. The session is added (and renewed when the answer
        says it is gone and credentials are known) unless ``params`` has its own ``session.id``.
        """
        verb = method.strip().upper()
        if not verb.isalpha():
            raise UsageError(f"bad HTTP method {method!r}")
        path, _, query = path.strip().partition("?")
        path = "/" + path.lstrip("/")
        pairs = parse_qsl(query, keep_blank_values=True)
        pairs += list(params.items()) if isinstance(params, Mapping) else list(params or [])
        own_session = any(name == "session.id" for name, _ in pairs)
        request = Request(verb, path, pairs, what=f"{verb} {path}", mutating=verb != "GET",
                          check="look at the server before trying again",
                          session=not own_session and path != "/status", raw=True)
        response = self._transport.send(request)
        text = response_text(response)
        headers = response.raw.headers.getlist("Set-Cookie") if response.raw is not None else []
        return CallResult(response.status_code, response.headers.get("Content-Type", ""), text,
                          answers.parse_json(text) if text.strip() else None,
                          answers.cookie_values(headers), response.headers.get("Location", ""))

    def server_status(self) -> dict[str, Any]:
        """``/status`` (§8.1): version, memory, executors. Needs no session."""
        request = Request("GET", "/status", [], what="server status", session=False)
        response = self._transport.send(request)
        if response.status_code == 404:
            self._server_version = versions.of_status(None)
            raise versions.lacking("/status", self._server_version)
        data = self._checked(response, "server status")
        self._server_version = versions.of_status(str(data.get("version", "unknown")))
        return data

    def server_version(self) -> versions.ServerVersion:
        """What the server says of its version (asked once, from /status; a server without
        /status is older than 3.33.0), so that a call it lacks can be replaced or named."""
        if self._server_version is None:
            try:
                self.server_status()
            except (ServerError, ApiError):
                self._server_version = versions.of_status(None)
        assert self._server_version is not None
        return self._server_version

    def _lacking(self, call: str) -> UnsupportedCall:
        return versions.lacking(call, self.server_version())

    def project_id(self, name: str) -> int:
        """The numeric id of project ``name``; NotFound if there is no such (active) project.

        A server older than 3.1.0 has no getProjectId, but puts ``projectId`` in the error it
        gives any unknown name of an existing project, and answers nothing for a missing one.
        """
        request = Request("GET", "/manager", [("ajax", "getProjectId"), ("project", name)],
                          what=f"project {name}")
        response = self._transport.send(request)
        if (response.status_code == 200 and not response_text(response).strip()
                and self.server_version().has("getProjectId") is not True):
            raise NotFound(f"Project {name} doesn't exist.", 200)
        try:
            data = self._checked(response, f"project {name}", name)
        except ApiError as err:
            body = err.body if isinstance(err.body, dict) else {}
            if not _unknown_ajax(err.message, "getProjectId") or "projectId" not in body:
                raise
            data = body
        return answers.as_int(answers.require(data, "projectId", "getProjectId"),
                              "getProjectId")

    # -- helpers for the Ajax mixins ---------------------------------------------------------

    def _get(self, path: str, ajax: str, what: str, params: Params,
             project: str | None = None) -> dict[str, Any]:
        """A read-only ajax GET answered by a JSON object."""
        request = Request("GET", path, [("ajax", ajax), *params], what=what)
        return self._checked(self._transport.send(request), what, project, ajax)

    def _post(self, path: str, params: Params, what: str, check: str,
              project: str | None = None) -> dict[str, Any]:
        """A state-changing form POST answered by a JSON object (never repeated blindly)."""
        request = Request("POST", path, params, what=what, mutating=True, check=check)
        ajax = next((value for name, value in params if name == "ajax"), None)
        return self._checked(self._transport.send(request), what, project, ajax)

    def _checked(self, response: Any, what: str, project: str | None = None,
                 ajax: str | None = None) -> dict[str, Any]:
        """The JSON object answered, or the error it carries; a call the server does not
        have (an older Azkaban's "Cannot execute command", or a 404) says so."""
        text = response_text(response)
        if ajax and response.status_code == 404:
            raise self._lacking(ajax)
        try:
            return answers.checked(response.status_code, text, what)
        except ApiError as err:
            if ajax and _unknown_ajax(err.message, ajax) and ajax != "getProjectId":
                raise self._lacking(ajax) from None
            if project is None:
                raise
            raise type(err)(_name_project(err.message, project), err.status, err.body) \
                from None


def _unknown_ajax(message: str, ajax: str) -> bool:
    """``Cannot execute command <ajax>``: /manager's answer to a name it does not have."""
    return message.strip() == f"Cannot execute command {ajax}"


def _name_project(message: str, project: str) -> str:
    """Put the project's name where Azkaban printed ``'null'`` or a Java object (§3, §6.1)."""
    message = message.replace("Project 'null'", f"Project '{project}'")
    return _JAVA_PROJECT.sub(project, message)
