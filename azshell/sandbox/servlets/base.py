"""What every servlet shares: the context, parameter getters with Azkaban's failure modes, and
the response builders for its answer conventions (pretty JSON, compact JSON, text, redirect).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azshell.sandbox import jackson
from azshell.sandbox.auth import CsrfTokens, Session, SessionStore, UserStore
from azshell.sandbox.http import Request, Response, error_page
from azshell.sandbox.state import SandboxState

if TYPE_CHECKING:
    from azshell.sandbox.formdata import UploadedFile

JSON = "application/json"
JSON_UTF8 = "application/json; charset=utf-8"
_JAVA_INT = re.compile(r"[+-]?\d+")


class ServletError(Exception):
    """An exception escaping a servlet: Jetty turns it into an HTTP 500 HTML page."""

    def __init__(self, message: str, java_class: str = "javax.servlet.ServletException",
                 status: int = 500) -> None:
        super().__init__(message)
        self.message = message
        self.java_class = java_class
        self.status = status

    def response(self, uri: str) -> Response:
        return error_page(self.status, self.message, uri, f"{self.java_class}: {self.message}")


@dataclass
class Context:
    """The server-wide objects a servlet may use."""

    state: SandboxState
    users: UserStore
    sessions: SessionStore
    csrf: CsrfTokens
    engine: Any  # azshell.sandbox.runner.engine.Engine, created lazily by the Sandbox
    workdir: Path
    extra: dict[str, Any] = field(default_factory=dict)


# --- parameters (HttpRequestUtils) ------------------------------------------------------------
def get_param(req: Request, name: str, default: str | None = None) -> str:
    """``getParam``: a missing parameter without default is a ServletException (HTTP 500)."""
    value = req.param(name)
    if value is None:
        if default is not None:
            return default
        raise ServletError(f"Missing required parameter '{name}'.")
    return value


def java_int(text: str, bits: int = 32) -> int:
    """``Integer.parseInt`` / ``Long.parseLong``: strict digits, range checked."""
    limit = 1 << (bits - 1)
    if _JAVA_INT.fullmatch(text):
        value = int(text)
        if -limit <= value < limit:
            return value
    raise ServletError(f'For input string: "{text}"', "java.lang.NumberFormatException")


def get_int(req: Request, name: str, default: int | None = None) -> int:
    if default is not None and not req.has(name):
        return default
    return java_int(get_param(req, name))


def get_long(req: Request, name: str, default: int | None = None) -> int:
    if default is not None and not req.has(name):
        return default
    return java_int(get_param(req, name), 64)


def get_bool(req: Request, name: str, default: bool) -> bool:
    """``getBooleanParam``: ``Boolean.parseBoolean`` (only "true", any case, is true)."""
    value = req.param(name)
    if value is None:
        return default
    return value.lower() == "true"


# --- responses --------------------------------------------------------------------------------
def write_json(obj: Any, charset: bool = False, status: int = 200) -> Response:
    """``AAS.writeJSON``: Jackson pretty JSON with ``application/json``."""
    return Response(status=status, body=jackson.pretty(obj).encode("utf-8"),
                    content_type=JSON_UTF8 if charset else JSON)


def write_compact(obj: Any) -> Response:
    """Compact JSON through the writer, no Content-Type (create, invalid-session POST)."""
    return Response(body=jackson.compact(obj).encode("utf-8"))


def write_text(text: str) -> Response:
    """``writeResponse``: plain characters, no Content-Type."""
    return Response(body=text.encode("utf-8"))


def empty() -> Response:
    return Response()


def redirect(req: Request, location: str, cookies: dict[str, str] | None = None) -> Response:
    """``sendRedirect``: 302 with an absolute Location, like Jetty writes it."""
    if not location.startswith("/"):
        parent = req.path.rsplit("/", 1)[0] + "/"
        location = parent + location
    response = Response(status=302, headers=[("Location", f"http://{req.host}{location}")])
    for name, value in (cookies or {}).items():
        response.add_cookie(name, value)
    return response


def split_emails(text: str | None) -> list[str]:
    """Azkaban splits address lists on ``,``, ``;`` and whitespace; empty items are dropped."""
    if not text:
        return []
    return [item for item in re.split(r"\s*,\s*|\s*;\s*|\s+", text.strip()) if item]


class Servlet:
    """A session-protected servlet: the auth wrapper calls these once a session is known."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def get(self, req: Request, session: Session) -> Response:
        return empty()

    def post(self, req: Request, session: Session) -> Response:
        return empty()

    def multipart(self, req: Request, fields: dict[str, str | UploadedFile],
                  session: Session) -> Response:
        return empty()
