"""``/manager``: project creation, upload, delete, purge, download and the HTML pages (§5).

The dispatch rules are the real server's (§5.0): GET needs ``project``; a form POST runs an ajax
call or ``action=create``; a multipart POST looks only at its own form fields. The ajax calls
live in :mod:`azshell.sandbox.servlets.manager_ajax`.
"""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

from azshell.sandbox.auth import Session
from azshell.sandbox.formdata import UploadedFile
from azshell.sandbox.http import Request, Response
from azshell.sandbox.pages import message_page, permissions_page, project_page
from azshell.sandbox.servlets import manager_ajax
from azshell.sandbox.servlets.base import (
    Servlet,
    ServletError,
    empty,
    get_int,
    get_param,
    java_int,
    redirect,
    write_compact,
    write_json,
)
from azshell.sandbox.state import Project, StoredVersion, now_ms

NAME_PATTERN = re.compile(r"[a-zA-Z][a-zA-Z_0-9|-]*")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")
_MAX_NAME = 64
_upload_lock = threading.Lock()


class ManagerServlet(Servlet):
    # --- dispatch -----------------------------------------------------------------------------
    def get(self, req: Request, session: Session) -> Response:
        if req.has("project"):
            if req.has("ajax"):
                return manager_ajax.handle(self.ctx, req, session)
            for flag, handler in (("logs", self._simple_page), ("permissions", self._perm_page),
                                  ("prop", self._simple_page), ("history", self._simple_page),
                                  ("job", self._simple_page), ("flow", self._simple_page),
                                  ("delete", self._delete), ("purge", self._purge),
                                  ("download", self._download)):
                if req.has(flag):
                    return handler(req, session)
            return self._project_page(req, session)
        if req.has("reloadProjectWhitelist"):
            if "ADMIN" in session.user.role_permissions():
                return write_json({"error": "azkaban.properties doesn't contain property "
                                            "project.whitelist.xml.file"})
            return write_json({"error": "Provided session doesn't have admin privilege."})
        return message_page("Projects", "No project set.")

    def post(self, req: Request, session: Session) -> Response:
        if req.has("ajax"):
            return manager_ajax.handle(self.ctx, req, session)
        if req.param("action") == "create":
            return self._create(req, session)
        return empty()

    def multipart(self, req: Request, fields: dict[str, str | UploadedFile],
                  session: Session) -> Response:
        if "ajax" in fields:
            ret: dict[str, str] = {}
            status = 200
            if fields["ajax"] == "upload":
                status = self._upload(fields, session, ret)
            return write_json(ret, status=status)
        if fields.get("action") == "upload":
            ret = {}
            status = self._upload(fields, session, ret)
            cookies = {}
            if "error" in ret:
                cookies["azkaban.failure.message"] = ret["error"]
            if "warn" in ret:
                cookies["azkaban.warn.message"] = ret["warn"]
            return redirect(req, f"{req.path}?project={fields.get('project')}", cookies)
        return empty()

    # --- create (§5.1) ------------------------------------------------------------------------
    def _create(self, req: Request, session: Session) -> Response:
        name = req.param("name")
        description = req.param("description")
        error = self._create_error(name, description)
        if error:
            return write_compact({"status": "error", "message": error})
        self.ctx.state.create_project(str(name), str(description), session.user)
        return write_compact({"status": "success", "action": "redirect",
                              "path": f"manager?project={name}"})

    def _create_error(self, name: str | None, description: str | None) -> str | None:
        if name is None or not name.strip():
            return "Project name cannot be empty."
        if description is None or not description.strip():
            return "Description cannot be empty."
        if not NAME_PATTERN.fullmatch(name):
            return ("Project names must start with a letter, followed by any number of letters, "
                    "digits, '-' or '_'.")
        if self.ctx.state.active_project(name) is not None:
            return "Project already exists."
        if len(name) > _MAX_NAME:
            return f"Insert project{name} for existing project failed. "
        return None

    # --- upload (§5.2) ------------------------------------------------------------------------
    def _upload(self, fields: dict[str, str | UploadedFile], session: Session,
                ret: dict[str, str]) -> int:
        """Fill ``ret`` like ``ajaxHandleUpload`` and return the HTTP status it sets."""
        name = fields.get("project")
        if not isinstance(name, str) or not name:
            ret["error"] = "No project name found."
            return 400
        project = self.ctx.state.active_project(name)
        if project is None:
            ret["error"] = f"Installation Failed. Project '{name} doesn't exist."
            return 410
        if not project.has_permission(session.user, "WRITE"):
            ret["error"] = (f"Installation Failed. User '{session.user.name}' does not have "
                            "write access.")
            return 400
        item = fields.get("file")
        if item is None:
            raise ServletError("java.lang.NullPointerException", "java.lang.NullPointerException")
        if not isinstance(item, UploadedFile):
            raise ServletError("java.lang.String cannot be cast to "
                               "org.apache.commons.fileupload.FileItem",
                               "java.lang.ClassCastException")
        lowered = item.filename.lower()
        extension = lowered.rsplit(".", 1)[1] if "." in lowered else ""
        if extension != "zip":
            ret["error"] = f"File extension '{extension}' unrecognized."
            return 400
        if item.content_type is None or not item.content_type.startswith(ZIP_TYPES):
            shown = "null" if item.content_type is None else item.content_type
            ret["error"] = f"Content type '{shown}' does not match extension 'zip'"
            return 400
        ret["projectId"] = str(project.id)
        with _upload_lock:
            status = self._install(project, item, session, ret)
            ret["version"] = str(project.version)
        return status

    def _install(self, project: Project, item: UploadedFile, session: Session,
                 ret: dict[str, str]) -> int:
        from azshell.errors import ProjectLoadError
        from azshell.project import extract_zip, load_directory

        version = self.ctx.state.next_version(project)
        base = self.ctx.state.project_dir(project.id)
        directory = base / str(version)
        shutil.rmtree(directory, ignore_errors=True)
        try:
            extract_zip(item.path, directory)
            loaded = load_directory(directory)
        except ProjectLoadError as err:
            shutil.rmtree(directory, ignore_errors=True)
            message = str(err)
            if len(message) > 512:
                message = message[:512] + "<br>Too many errors to display.<br>"
            ret["error"] = f"Installation Failed.<br>{message}"
            return 500
        if loaded.warnings:
            ret["warn"] = _report("warnings", loaded.warnings)
        if loaded.errors:
            shutil.rmtree(directory, ignore_errors=True)
            ret["error"] = _report("errors", loaded.errors)
            return 500
        zip_path = base / f"{version}.zip"
        shutil.copyfile(item.path, zip_path)
        self.ctx.state.install_version(project, StoredVersion(
            version=version, directory=directory, zip_path=zip_path,
            filename=Path(item.filename).name, loaded=loaded, uploader=session.user.name,
            upload_time=now_ms()))
        return 200

    # --- delete, purge, download (§5.3-5.5) ---------------------------------------------------
    def _delete(self, req: Request, session: Session) -> Response:
        name = get_param(req, "project")
        project = self.ctx.state.active_project(name)
        if project is None:
            return redirect(req, "/", {"azkaban.failure.message": f"Project {name} doesn't exist."})
        if not project.has_permission(session.user, "ADMIN"):
            return redirect(req, f"/manager?project={name}", {
                "azkaban.failure.message":
                    f"Cannot delete. User '{session.user.name}' is not an ADMIN."})
        self.ctx.state.delete_project(project, session.user)
        return redirect(req, "/", {"azkaban.success.message":
                                   f"Project '{name}' was successfully deleted and associated "
                                   "schedules are removed."})

    def _purge(self, req: Request, session: Session) -> Response:
        name = get_param(req, "project")
        project = self.ctx.state.active_project(name)
        if project is None:
            try:
                project = self.ctx.state.project_by_id(java_int(name))
            except ServletError:
                project = None
        if project is None:
            return write_json({"success": False, "error": "invalid project"})
        if project.active:
            return write_json({"success": False,
                               "error": f"Project {project.name} should be deleted before purging"})
        if not project.has_permission(session.user, "ADMIN"):
            return write_json({"success": False, "error":
                               f"Cannot purge. User '{session.user.name}' is not an ADMIN."})
        self.ctx.state.purge_project(project, session.user)
        return write_json({"success": True})

    def _download(self, req: Request, session: Session) -> Response:
        name = get_param(req, "project")
        project = self.ctx.state.active_project(name)
        if project is None:
            return redirect(req, "/", {"azkaban.failure.message": f"Project {name} doesn't exist."})
        back = f"/manager?project={name}"
        if not project.has_permission(session.user, "READ"):
            return redirect(req, back, {"azkaban.failure.message":
                                        f"No permission to download project {name}."})
        version = get_int(req, "version", project.version)
        stored = project.versions.get(version)
        if stored is None or not stored.zip_path.exists():  # to the root, no final period
            return redirect(req, "/", {"azkaban.failure.message":
                                       f"Project {name} with version {version} doesn't exist"})
        return Response(content_type="application/zip", file=stored.zip_path, headers=[
            ("Content-Disposition", f'attachment; filename="{stored.filename}"'),
            ("version", str(stored.version)), ("projectId", str(project.id))])

    # --- pages --------------------------------------------------------------------------------
    def _project_page(self, req: Request, session: Session) -> Response:
        name = get_param(req, "project")
        project = self.ctx.state.active_project(name)
        if project is None:
            return message_page("Project", f"Project {name} not found.")
        if not project.has_permission(session.user, "READ"):
            return message_page("Project", f"No permission to view project {name}.")
        return project_page(project.name, project.description,
                            sorted(project.top_level_flow_ids()))

    def _perm_page(self, req: Request, session: Session) -> Response:
        name = get_param(req, "project")
        project = self.ctx.state.active_project(name)
        if project is None:
            return message_page("Permissions", f"Project {name} not found.")
        perms = {user: sorted(types) for user, types in project.user_perms.items()}
        return permissions_page(project.name, perms, self.ctx.csrf.token(session.session_id))

    def _simple_page(self, req: Request, session: Session) -> Response:
        name = get_param(req, "project")
        project = self.ctx.state.active_project(name)
        if project is None:
            return message_page("Project", f"Project {name} not found.")
        return message_page(f"Project {name}", "This page is not rendered by the sandbox; "
                                               "use the ajax calls.")


def _report(kind: str, messages: list[str]) -> str:
    """The upload reply's validator report (``<br>`` separated, cut at 4000 characters)."""
    text = f"Validator Directory Flow reports {kind}:<br><br>" + "".join(
        f"{m}<br>" for m in messages)
    return text[:4000]
