"""Project calls: ``/index`` lists and ``/manager`` (protocol §4, §5)."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests

from azshell.client import answers
from azshell.client.base import ClientBase
from azshell.client.transport import Request, response_text
from azshell.client.upload import ZipUpload
from azshell.errors import (
    ApiError,
    BadResponse,
    LocalError,
    NotFound,
    ServerError,
    UsageError,
)

PERMISSION_TYPES = ("admin", "read", "write", "execute", "schedule")
_REDIRECTS = (301, 302, 303, 307, 308)
_FILENAME = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)


class ProjectCalls(ClientBase):
    """Projects, their files, flows, logs and permissions."""

    def projects(self, all: bool = False, user: str | None = None,
                 ) -> list[dict[str, Any]]:
        """Projects the user has READ/ADMIN on (§4), or every active project with ``all``."""
        ajax = "fetchallprojects" if all else "fetchuserprojects"
        params = [("user", user)] if user and not all else []
        data = self._get("/index", ajax, "list all projects" if all else "list projects", params)
        if "projects" not in data and self.server_version().has(ajax) is not True:
            raise self._lacking(ajax)  # /index answers { } to a name it does not have
        return _list(data, "projects", "project list")

    def create_project(self, name: str, description: str, exist_ok: bool = False) -> bool:
        """Create an empty project (§5.1); Azkaban requires a description.

        With ``exist_ok`` an existing project is no error: False is returned (True when it was
        created), in the one request every release has.
        """
        try:
            self._post("/manager", [("action", "create"), ("name", name),
                                    ("description", description)],
                       what=f"create project {name}",
                       check=f"check whether project {name} exists")
        except ApiError as err:
            if exist_ok and err.message.strip() == "Project already exists.":
                return False
            raise
        return True

    def delete_project(self, name: str) -> str:
        """Delete a project and its schedules (§5.3); returns the server's message.

        Azkaban answers a delete with a redirect and a message cookie, never JSON: the
        ``azkaban.success.message`` cookie is the proof, and a failure cookie the reason. Every
        release sets one of them, so no later probe is needed (getProjectId is not in 2.x).
        """
        request = Request("GET", "/manager", [("project", name), ("delete", "true")],
                          what=f"delete project {name}", mutating=True,
                          check=f"check whether project {name} still exists")
        response = self._transport.send(request)
        _raise_redirect_failure(response, f"delete project {name}")
        if response.status_code not in _REDIRECTS:
            _raise_unexpected(response, f"delete project {name}")
        success = _cookies(response).get("azkaban.success.message")
        if not success:
            raise ApiError(f"the server did not confirm the delete of project {name} (a "
                           "redirect without a message); check whether it still exists",
                           response.status_code)
        return answers.clean_message(success)

    def upload_project(self, name: str, zip_path: Path | str,
                       progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Upload a project zip (§5.2), streamed from disk; ``progress(sent, total)`` if given.

        Returns ``{"projectId": int, "version": int, "warnings": str | None}``. A large file is
        only sent after a session check, so that it is never sent twice.
        """
        upload = ZipUpload(Path(zip_path), progress)
        if upload.large:
            self.project_id(name)  # renews the session; NotFound before sending anything
        request = Request("POST", "/manager", [("ajax", "upload"), ("project", name)],
                          what=f"upload {upload.path.name} to project {name}", mutating=True,
                          check=f"check the project log of {name} for a new version",
                          upload=upload)
        response = self._transport.send(request)
        status = response.status_code
        data = answers.decode(status, response_text(response), "the upload")
        if not isinstance(data, dict):
            raise BadResponse("the answer to the upload is not a JSON object", status)
        message = answers.error_message(data)
        if message:
            raise answers.upload_error(status, message, data)
        if status != 200:
            raise ServerError(f"server error (HTTP {status}) on the upload", status)
        warn = data.get("warn")
        return {
            "projectId": answers.as_int(answers.require(data, "projectId", "upload"), "upload"),
            "version": answers.as_int(answers.require(data, "version", "upload"), "upload"),
            "warnings": answers.clean_message(str(warn)) if warn else None,
        }

    def download_project(self, project: str, dest: Path | str,
                         version: int | None = None) -> Path:
        """Save the project's zip (latest or ``version``) under ``dest`` (a directory or a file
        name); streamed to disk, written atomically. Returns the file written."""
        params = [("project", project), ("download", "true")]
        if version is not None:
            params.append(("version", str(int(version))))
        what = f"download project {project}"
        request = Request("GET", "/manager", params, what=what, stream=True)
        response = self._transport.send(request)
        with contextlib.closing(response):
            _raise_redirect_failure(response, what)
            content_type = response.headers.get("Content-Type", "").lower()
            if response.status_code != 200 or not ("zip" in content_type
                                                   or "octet-stream" in content_type):
                _raise_unexpected(response, what)
            target = _download_target(Path(dest), project, response)
            self._save(response, target, request)
        return target

    def _save(self, response: requests.Response, target: Path, request: Request) -> None:
        """Streamed into a temporary file next to ``target``, renamed once complete."""
        try:
            fd, part = tempfile.mkstemp(dir=target.parent, prefix=".azshell-", suffix=".part")
        except OSError as err:
            raise LocalError(f"cannot write in {target.parent}: {err.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                # mkstemp made it 0600; a downloaded zip is an ordinary file: the umask decides
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
                for chunk in response.iter_content(chunk_size=1 << 16):
                    handle.write(chunk)
            os.replace(part, target)
        except requests.RequestException as exc:
            raise self._transport.translate(exc, request) from None
        except OSError as err:
            raise LocalError(f"cannot write {target}: {err.strerror}") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(part)

    # -- flows -------------------------------------------------------------------------------

    def flows(self, project: str) -> list[str]:
        """Top-level flow names of the project's current version."""
        data = self._manager(project, "fetchprojectflows", f"flows of {project}")
        return [str(item.get("flowId")) for item in _list(data, "flows", "flow list")]

    def flow_graph(self, project: str, flow: str) -> dict[str, Any]:
        """``{"flow", "nodes": [{"id", "type", "in"?, ...}]}`` (fetchflowgraph)."""
        return self._manager(project, "fetchflowgraph", f"graph of {project}.{flow}",
                             [("flow", flow)])

    def flow_jobs(self, project: str, flow: str) -> dict[str, Any]:
        """Jobs with dependencies, dependents and levels (fetchflowjobs)."""
        try:
            return self._manager(project, "fetchflowjobs", f"jobs of {project}.{flow}",
                                 [("flow", flow)])
        except ServerError:
            # An unknown flow makes the real server fail with a NullPointerException (§5.6).
            if flow not in self.flows(project):
                raise NotFound(f"Flow {flow} not found in project {project}") from None
            raise

    def flow_details(self, project: str, flow: str) -> dict[str, Any]:
        """Job types (and condition) of a flow (fetchflowdetails)."""
        return self._manager(project, "fetchflowdetails", f"details of {project}.{flow}",
                             [("flow", flow)])

    def job_info(self, project: str, flow: str, job: str) -> dict[str, Any]:
        """A job's type and parameters (fetchJobInfo)."""
        return self._manager(project, "fetchJobInfo", f"job {job} of {project}.{flow}",
                             [("flowName", flow), ("jobName", job)])

    def flow_executions(self, project: str, flow: str, start: int = 0, length: int = 10,
                        ) -> dict[str, Any]:
        """A page of the flow's executions, newest first: total, from, length, executions."""
        return self._manager(project, "fetchFlowExecutions", f"executions of {project}.{flow}",
                             [("flow", flow), ("start", str(int(start))),
                              ("length", str(int(length)))])

    def last_successful_execution(self, project: str, flow: str) -> int | None:
        """The exec id of the flow's last successful run, or ``None`` if it never succeeded."""
        data = self._manager(project, "fetchLastSuccessfulFlowExecution",
                             f"last success of {project}.{flow}", [("flow", flow)])
        if str(data.get("success")).lower() != "true":
            return None
        return answers.as_int(answers.require(data, "execId", "last success"), "last success")

    # -- project log, description, permissions -----------------------------------------------

    def project_logs(self, project: str, size: int = 1000, skip: int = 0,
                     ) -> list[dict[str, Any]]:
        """Project events, newest first, as ``{"user", "time", "type", "message"}``."""
        data = self._manager(project, "fetchProjectLogs", f"log of project {project}",
                             [("size", str(int(size))), ("skip", str(int(skip)))])
        columns = data.get("columns") or ["user", "time", "type", "message"]
        return [dict(zip(columns, row, strict=False))
                for row in _list(data, "logData", "project log")]

    def change_description(self, project: str, description: str) -> None:
        self._post("/manager", [("ajax", "changeDescription"), ("project", project),
                                ("description", description)],
                   what=f"change the description of {project}",
                   check=f"check the project log of {project}")

    def permissions(self, project: str) -> list[dict[str, Any]]:
        """User permissions: ``[{"username", "permission": [TYPES]}]``."""
        data = self._manager(project, "getPermissions", f"permissions of {project}")
        return _list(data, "permissions", "permissions", default=[])

    def group_permissions(self, project: str) -> list[dict[str, Any]]:
        """Group permissions, same shape (the key is still ``username``)."""
        data = self._manager(project, "getGroupPermissions", f"group permissions of {project}")
        return _list(data, "permissions", "group permissions", default=[])

    def proxy_users(self, project: str) -> list[str]:
        data = self._manager(project, "getProxyUsers", f"proxy users of {project}")
        return [str(name) for name in _list(data, "proxyUsers", "proxy users", default=[])]

    def add_permission(self, project: str, name: str, perms: Iterable[str],
                       group: bool = False) -> None:
        """Give a user (or ``group``) permissions on a project, e.g. ``["read", "execute"]``."""
        flags = _permission_flags(perms)
        if not any(flags.values()):
            raise UsageError("name at least one permission: " + ", ".join(PERMISSION_TYPES))
        self._permission_call("addPermission", project, name, flags, group)

    def change_permission(self, project: str, name: str, perms: Iterable[str],
                          group: bool = False) -> None:
        """Replace a user's (or group's) permissions; no permissions at all removes them."""
        self._permission_call("changePermission", project, name, _permission_flags(perms),
                              group)

    def _permission_call(self, ajax: str, project: str, name: str, flags: dict[str, bool],
                         group: bool) -> None:
        kind = "group" if group else "user"
        params = [("ajax", ajax), ("project", project), ("name", name),
                  ("group", "true" if group else "false")]
        params += [(f"permissions[{perm}]", "true" if flags[perm] else "false")
                   for perm in PERMISSION_TYPES]
        self._post("/manager", params, what=f"set permissions of {kind} {name} on {project}",
                   check=f"check the permissions of {project}")

    def _manager(self, project: str, ajax: str, what: str,
                 params: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        """An ajax answer of /manager, which names the project in every release (§5.0): an
        answer without it (``{ }``) is not one, and never reads as an empty list."""
        data = self._get("/manager", ajax, what, [("project", project), *(params or [])],
                         project=project)
        if "project" not in data:
            raise BadResponse(f"the answer to {what} ({ajax}) is not an answer of /manager: "
                              f"{answers.shorten(str(data), 60)}")
        return data


def _list(data: dict[str, Any], key: str, what: str, default: list[Any] | None = None,
          ) -> list[Any]:
    value = data.get(key, default)
    if value is None:
        raise BadResponse(f"the answer with the {what} has no '{key}'")
    if not isinstance(value, list):
        raise BadResponse(f"the {what} in the answer is not a list")
    return value


def _permission_flags(perms: Iterable[str]) -> dict[str, bool]:
    wanted = {perm.strip().lower() for perm in ([perms] if isinstance(perms, str) else perms)}
    wanted.discard("")
    unknown = sorted(wanted - set(PERMISSION_TYPES))
    if unknown:
        raise UsageError(f"unknown permission {', '.join(unknown)}: use "
                         + ", ".join(PERMISSION_TYPES))
    return {perm: perm in wanted for perm in PERMISSION_TYPES}


def _raise_redirect_failure(response: requests.Response, what: str) -> None:
    """The ``azkaban.failure.message`` cookie of a redirect as an exception (§5.3, §5.5)."""
    if response.status_code not in _REDIRECTS:
        return
    failure = _cookies(response).get("azkaban.failure.message")
    if failure:
        raise answers.classify(answers.clean_message(failure), response.status_code)
    if "download" in what:
        raise ApiError(f"{what} failed: the server redirected to "
                       f"{response.headers.get('Location', '?')}", response.status_code)


def _cookies(response: requests.Response) -> dict[str, str]:
    headers = response.raw.headers.getlist("Set-Cookie") if response.raw is not None else []
    return answers.cookie_values(headers)


def _raise_unexpected(response: requests.Response, what: str) -> None:
    """Any answer that is not the expected redirect or zip: the most readable error."""
    text = response_text(response)
    data = answers.decode(response.status_code, text, what)  # raises for HTML, empty, text
    message = answers.error_message(data)
    if message:
        raise answers.classify(message, response.status_code, data)
    raise BadResponse(f"unexpected answer to {what} (HTTP {response.status_code})",
                      response.status_code)


def _download_target(dest: Path, project: str, response: requests.Response) -> Path:
    if not dest.is_dir():
        if not dest.parent.is_dir():
            raise LocalError(f"directory {dest.parent} does not exist")
        return dest
    match = _FILENAME.search(response.headers.get("Content-Disposition", ""))
    name = Path(match.group(1)).name if match else ""
    if not name or name.startswith("."):
        version = response.headers.get("version", "")
        name = f"{project}-{version}.zip" if version.isdigit() else f"{project}.zip"
    return dest / name


def _umask() -> int:
    """The process's umask (read by setting it, then putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
