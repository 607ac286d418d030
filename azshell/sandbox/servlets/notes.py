"""``/notes`` (``NoteServlet``): the one note an admin can pin for every user of the web UI.

Only a user with the ADMIN *role* (not a project permission) may use it. GET shows the note page
(an ajax GET too: only POST runs ``addNote``/``removeNote``); anybody else gets a JSON error.
``addNote`` needs ``type``, ``message`` and ``url``; a missing one is caught into
``{"error": "Missing required parameter ..."}``. The note lives in memory, like Azkaban's static
fields.
"""

from __future__ import annotations

import threading
from html import escape
from typing import Any

from azshell.sandbox.auth import Session
from azshell.sandbox.http import Request, Response
from azshell.sandbox.pages import html
from azshell.sandbox.servlets.base import Context, Servlet, ServletError, get_param, write_json

NOT_ADMIN = "The requested user doesn't have admin permission"


class NoteServlet(Servlet):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._lock = threading.Lock()
        self.note: dict[str, str] | None = None  # type, message, url (as far as set)

    def get(self, req: Request, session: Session) -> Response:
        if not _is_admin(session):
            return write_json({"error": NOT_ADMIN})
        with self._lock:
            note = dict(self.note) if self.note else None
        shown = "".join(f"<p id=\"note-{key}\">{escape(value)}</p>"
                        for key, value in (note or {}).items()) or "<p>No note.</p>"
        return html("<!DOCTYPE html><html><head><title>Azkaban Web Client - Notes</title>"
                    f"</head><body><h1>Notes</h1>{shown}</body></html>")

    def post(self, req: Request, session: Session) -> Response:
        if not (_is_admin(session) and req.has("ajax")):
            return write_json({"error": f"{NOT_ADMIN}, Or the HTTP request doesn't include "
                                        "ajax."})
        ret: dict[str, Any] = {}
        try:
            ajax = get_param(req, "ajax")
            if ajax == "addNote":
                self._add(req)
                ret["status"] = "success"
            elif ajax == "removeNote":
                with self._lock:
                    self.note = None
                ret["status"] = "success"
            else:
                ret["error"] = "Can not find the ajax operation"
        except ServletError as err:
            ret["error"] = err.message
        return write_json(ret)

    def _add(self, req: Request) -> None:
        """Azkaban sets its three fields one after the other: when ``url`` is missing, the
        new type and message are kept with the old url (or none)."""
        for key in ("type", "message", "url"):
            value = get_param(req, key)
            with self._lock:
                self.note = {**(self.note or {}), key: value}


def _is_admin(session: Session) -> bool:
    """``HttpRequestUtils.hasPermission(userManager, user, ADMIN)``: a role grants it."""
    return "ADMIN" in session.user.role_permissions()
