"""Routing and the login rules that wrap every session servlet (``LoginAbstractAzkabanServlet``).

The order of checks matters and follows the real server (protocol §2): the session is looked up
from the cookie first and only then from the ``session.id`` parameter; a POST with ``password=``
in its query string is refused before anything else; multipart bodies are parsed before the
session is known (their ``session.id`` field or one-shot credentials may supply it); form logins
work on any session path.
"""

from __future__ import annotations

from html import escape

from azshell.sandbox import formdata
from azshell.sandbox.auth import LoginError, Session
from azshell.sandbox.http import Request, Response, error_page
from azshell.sandbox.pages import HTML, login_page
from azshell.sandbox.servlets.base import (
    Context,
    Servlet,
    ServletError,
    empty,
    redirect,
    write_compact,
    write_json,
    write_text,
)
from azshell.sandbox.servlets.executor import ExecutorServlet
from azshell.sandbox.servlets.flowtrigger import FlowTriggerServlet
from azshell.sandbox.servlets.flowtriggerinstance import FlowTriggerInstanceServlet
from azshell.sandbox.servlets.index import HistoryServlet, IndexRedirectServlet, IndexServlet
from azshell.sandbox.servlets.manager import ManagerServlet
from azshell.sandbox.servlets.notes import NoteServlet
from azshell.sandbox.servlets.schedule import ScheduleServlet
from azshell.sandbox.servlets.status import status_response
from azshell.sandbox.servlets.triggers import TriggerManagerServlet

SESSION_COOKIE = "azkaban.browser.session.id"
STATIC_PREFIXES = ("/css/", "/js/", "/images/", "/fonts/")
MESSAGE_COOKIES = ("azkaban.failure.message", "azkaban.warn.message", "azkaban.success.message")
_KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE"}


class SandboxApp:
    """The WSGI-like callable the HTTP server hands every request to."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.routes: dict[str, Servlet] = {
            "/index": IndexServlet(ctx),
            "/manager": ManagerServlet(ctx),
            "/executor": ExecutorServlet(ctx),
            "/schedule": ScheduleServlet(ctx),
            "/history": HistoryServlet(ctx),
            "/triggers": TriggerManagerServlet(ctx),
            "/flowtrigger": FlowTriggerServlet(ctx),
            "/flowtriggerinstance": FlowTriggerInstanceServlet(ctx),
            "/notes": NoteServlet(ctx),
        }
        self.default = IndexRedirectServlet(ctx)

    def __call__(self, req: Request) -> Response:
        try:
            response = self._route(req)
        except ServletError as err:
            return err.response(req.path)
        if response.content_type == HTML:
            show_messages(req, response)
        return response

    def _route(self, req: Request) -> Response:
        if req.method not in _KNOWN_METHODS:
            return error_page(501, f"Method {req.method} is not implemented by this servlet "
                              "for this URI", req.path)
        if req.path == "/status":
            return self._plain(req, {"GET", "HEAD"}, lambda: status_response(self.ctx))
        if req.path.startswith(STATIC_PREFIXES) or req.path == "/favicon.ico":
            return self._plain(req, {"GET", "HEAD"}, lambda: error_page(404, "NOT_FOUND", req.path))
        servlet = self.routes.get(req.path, self.default)
        return self._session_service(servlet, req)

    def _plain(self, req: Request, allowed: set[str], handler) -> Response:
        """A servlet without login (``/status``, static files): others methods get 405."""
        if req.method in allowed:
            return handler()
        if req.method == "OPTIONS":
            return _options(allowed | {"TRACE", "OPTIONS"})
        return _not_supported(req)

    # --- LoginAbstractAzkabanServlet ----------------------------------------------------------
    def _session_service(self, servlet: Servlet, req: Request) -> Response:
        if req.method in ("GET", "HEAD"):
            return self._do_get(servlet, req)
        if req.method == "POST":
            return self._do_post(servlet, req)
        if req.method == "DELETE":
            return self._do_delete(req)
        if req.method == "OPTIONS":
            return _options({"GET", "HEAD", "POST", "DELETE", "TRACE", "OPTIONS"})
        return _not_supported(req)

    def _session(self, req: Request) -> Session | None:
        """Cookie first; only an absent or empty cookie lets ``session.id`` be used (§2.2)."""
        session_id = req.cookies.get(SESSION_COOKIE)
        if not session_id and req.has("session.id"):
            session_id = req.param("session.id")
        return self.ctx.sessions.get(session_id)

    def _do_get(self, servlet: Servlet, req: Request) -> Response:
        session = self._session(req)
        if req.has("logout"):
            return self._logout(req, session)
        if session is not None:
            return servlet.get(req, session)
        if req.has("ajax"):
            return write_json({"error": "session"})
        return login_page()

    def _do_delete(self, req: Request) -> Response:
        session = self._session(req)
        if req.has("logout"):
            return self._logout(req, session)
        if session is not None:
            return empty()
        if req.has("ajax"):
            return write_json({"error": "session"})
        return login_page()

    def _logout(self, req: Request, session: Session | None) -> Response:
        if session is not None:
            self.ctx.sessions.remove(session.session_id)
        return redirect(req, "/")

    def _do_post(self, servlet: Servlet, req: Request) -> Response:  # noqa: PLR0911
        if "password=" in req.query:  # §2.1: credentials in the URL end up in logs
            return write_text("Login error. Must pass username and password in request body")
        if req.is_multipart():
            return self._do_multipart(servlet, req)
        session = self._session(req)
        if req.param("action") == "login":
            return self._login(req)
        if session is None:
            if req.has("username") and req.has("password"):
                try:
                    user = self.ctx.users.authenticate(req.param("username"),
                                                       req.param("password"))
                except LoginError as err:
                    return _one_shot_login_error(err)
                return servlet.post(req, self.ctx.sessions.create(user, req.client))
            if req.header("X-Requested-With") == "XMLHttpRequest":
                return write_compact({"status": "error",
                                      "message": "Invalid Session. Need to re-login",
                                      "action": "login"})
            return login_page("Enter username and password")
        return servlet.post(req, session)

    def _do_multipart(self, servlet: Servlet, req: Request) -> Response:
        session = self._session(req)  # cookie or query string only: the body is not a form
        try:
            fields = formdata.parse(req.content_type, req.body, self.ctx.state.upload_dir)
        except formdata.FileUploadError as err:
            raise ServletError(str(err)) from err
        try:
            if session is None:
                session_id = fields.get("session.id")
                if isinstance(session_id, str):
                    session = self.ctx.sessions.get(session_id)
            if session is None:
                username, password = fields.get("username"), fields.get("password")
                if username is None or password is None:
                    return write_text("Login error. Need username and password")
                try:
                    user = self.ctx.users.authenticate(str(username), str(password))
                except LoginError as err:
                    return write_text(f"Login error: {err}")
                session = self.ctx.sessions.create(user, req.client)
            return servlet.multipart(req, fields, session)
        finally:
            formdata.discard(fields)

    def _login(self, req: Request) -> Response:
        username, password = req.param("username"), req.param("password")
        if username is None or password is None:
            return write_json({"error": "Incorrect Login."})
        try:
            user = self.ctx.users.authenticate(username, password)
        except LoginError as err:
            return write_json({"error": f"Incorrect Login. {err}"})
        session = self.ctx.sessions.create(user, req.client)
        self.ctx.sessions.add(session)
        response = write_json({"status": "success", "session.id": session.session_id})
        response.add_cookie(SESSION_COOKIE, session.session_id)
        return response


def _one_shot_login_error(err: LoginError) -> Response:
    """Wrong one-shot credentials on a form POST (§2.4): what a client receives.

    Azkaban writes ``Login error: <msg>`` and flushes it, which makes Jetty 6 commit a 200 with
    that text, then hands the request on with a null session. From there every servlet path
    dereferences the session (NullPointerException), writes its JSON through
    ``getOutputStream`` after ``getWriter`` (IllegalStateException) or does nothing. All of
    that happens after the commit, so Jetty cannot send its 500 page and only logs the error:
    the client gets this text, complete, and no state changes.
    """
    return write_text(f"Login error: {err}")


def show_messages(req: Request, response: Response) -> None:
    """``newPage``: a page shows the message cookies a redirect left, then clears them.

    Clients rely on it: the ``azkaban`` package deletes a project and looks for the success
    message in the page it is redirected to.
    """
    shown = []
    for name in MESSAGE_COOKIES:
        value = req.cookies.get(name)
        if value:
            text = escape(_unquote(value), quote=False)
            shown.append(f'<div class="alert" id="{name}">{text}</div>')
            response.add_cookie(name, "")
    if shown:
        response.body = response.body.replace(b"<body>", b"<body>\n" + "".join(shown).encode(), 1)


def _unquote(value: str) -> str:
    return value.replace('\\"', '"').replace("\\\\", "\\")


def _not_supported(req: Request) -> Response:
    return error_page(405, f"HTTP method {req.method} is not supported by this URL", req.path)


def _options(allowed: set[str]) -> Response:
    order = ["GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS"]
    return Response(headers=[("Allow", ", ".join(m for m in order if m in allowed))])
