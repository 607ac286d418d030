"""``/index`` (project lists, §4), ``/history`` (a stub) and the default servlet that redirects
every unknown path to ``/index``."""

from __future__ import annotations

from typing import Any

from azshell.sandbox.auth import Session
from azshell.sandbox.http import Request, Response
from azshell.sandbox.jackson import Ordered
from azshell.sandbox.pages import html, message_page
from azshell.sandbox.servlets.base import Servlet, empty, redirect, write_json
from azshell.sandbox.state import PERMISSION_TYPES, Project


def permission_types(types: set[str]) -> list[str]:
    return [t for t in PERMISSION_TYPES if t in types]


def simplified_project(project: Project) -> dict[str, Any]:
    """``ProjectServlet.SimplifiedProject`` (a bean: its own key order); ``createdBy`` is
    really the last modifier."""
    return Ordered({
        "projectId": project.id,
        "projectName": project.name,
        "createdBy": project.last_modified_user,
        "createdTime": project.create_time,
        "userPermissions": [{"first": name, "second": {"types": permission_types(types)}}
                            for name, types in project.user_perms.items()],
        "groupPermissions": [{"first": name, "second": {"types": permission_types(types)}}
                             for name, types in project.group_perms.items()],
    })


class IndexServlet(Servlet):
    def get(self, req: Request, session: Session) -> Response:
        ajax = req.param("ajax")
        if ajax is None:
            names = "".join(f"<li>{p.name}</li>" for p in self.ctx.state.active_projects())
            return html(f"<!DOCTYPE html><html><head><title>Azkaban Web Client</title></head>"
                        f"<body><h1>Projects</h1><ul id=\"project-list\">{names}</ul>"
                        f"</body></html>")
        if ajax == "fetchuserprojects":
            return write_json({"projects": self._user_projects(req, session)})
        if ajax == "fetchallprojects":
            return write_json({"projects": [simplified_project(p)
                                            for p in self.ctx.state.active_projects()]})
        return write_json({})

    def post(self, req: Request, session: Session) -> Response:
        return empty()

    def _user_projects(self, req: Request, session: Session) -> list[dict[str, Any]]:
        name = req.param("user") or session.user.name
        return [simplified_project(p) for p in self.ctx.state.active_projects()
                if p.user_perms.get(name, set()) & {"ADMIN", "READ"}]


class HistoryServlet(Servlet):
    """``HistoryServlet``: its only ajax call, ``fetch``, is a stub answering ``{ }``."""

    def get(self, req: Request, session: Session) -> Response:
        if req.has("ajax"):
            return write_json({})
        return message_page("History", "Execution history is not kept by the sandbox.")


class IndexRedirectServlet(Servlet):
    """The default mapping ``/``: any unknown path redirects to ``/index``."""

    def get(self, req: Request, session: Session) -> Response:
        return redirect(req, "/index")

    def post(self, req: Request, session: Session) -> Response:
        return redirect(req, "/index")
