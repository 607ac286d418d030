"""What an operator changes on a project's flows (protocol §5.4, §5.6): flow locks, job
overrides, proxy users, and the purge of a deleted project.

Each call is one ``/manager`` request. The changes go as form POSTs, never repeated blindly;
``addProxyUser``/``removeProxyUser`` are among the four calls Azkaban guards with CSRF (§2.6),
which the transport passes by sending the session as a parameter and never the login cookie.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azshell.client import answers
from azshell.client.base import ClientBase
from azshell.client.transport import Request
from azshell.errors import ApiError, BadResponse, NotFound, UsageError


class AdminCalls(ClientBase):
    """Flow locks, job override properties, proxy users and purge."""

    # -- flow locks --------------------------------------------------------------------------

    def flow_locked(self, project: str, flow: str) -> bool:
        """Whether the flow is locked (isFlowLocked): a locked flow starts no execution."""
        data = self._get("/manager", "isFlowLocked", f"lock of {project}.{flow}",
                         [("project", project), ("flowName", flow)], project=project)
        return _bool(answers.require(data, "isLocked", "isFlowLocked"), "isFlowLocked")

    def set_flow_lock(self, project: str, flow: str, locked: bool,
                      message: str | None = None) -> dict[str, Any]:
        """Lock or unlock a flow (setFlowLock, project ADMIN); ``message`` is the lock's reason.

        Returns the server's ``{"flowId", "isLocked", "flowLockErrorMessage"}`` (the message is
        null once unlocked).
        """
        params = [("ajax", "setFlowLock"), ("project", project), ("flowName", flow),
                  ("isLocked", "true" if locked else "false")]
        if locked and message is not None:
            params.append(("flowLockErrorMessage", message))
        verb = "lock" if locked else "unlock"
        data = self._post("/manager", params, what=f"{verb} flow {project}.{flow}",
                          check=f"check whether flow {project}.{flow} is locked",
                          project=project)
        data["isLocked"] = _bool(answers.require(data, "isLocked", "setFlowLock"), "setFlowLock")
        return {key: data.get(key) for key in ("flowId", "isLocked", "flowLockErrorMessage")}

    # -- job override properties -------------------------------------------------------------

    def set_job_override(self, project: str, flow: str, job: str,
                         props: Mapping[str, str]) -> None:
        """Give a job override properties (setJobOverrideProperty, WRITE).

        ``props`` is the job's *whole* property set from now on: Azkaban runs the job with the
        override instead of its file's properties, not with the two merged. Read
        :meth:`job_info`'s ``overrideParams`` (the file's properties while no override is set),
        change that and send it all.
        """
        if not props:
            raise UsageError(f"an override of job {job} needs its properties: it replaces them "
                             "all")
        if any(not str(key) for key in props):
            raise UsageError("a job property needs a name")
        params = [("ajax", "setJobOverrideProperty"), ("project", project), ("flowName", flow),
                  ("jobName", job)]
        params += [(f"jobOverride[{key}]", str(value)) for key, value in props.items()]
        self._post("/manager", params, what=f"override the properties of job {job} in "
                                            f"{project}.{flow}",
                   check=f"check the properties of job {job} (and the log of project {project})",
                   project=project)

    # -- proxy users -------------------------------------------------------------------------

    def add_proxy_user(self, project: str, name: str) -> None:
        """Let the project's jobs run as user ``name`` (addProxyUser, ADMIN + CSRF)."""
        self._post("/manager", [("ajax", "addProxyUser"), ("project", project), ("name", name)],
                   what=f"add proxy user {name} to {project}",
                   check=f"check the proxy users of {project}", project=project)

    def remove_proxy_user(self, project: str, name: str) -> None:
        """Take proxy user ``name`` away (removeProxyUser, ADMIN + CSRF); no error if absent."""
        self._post("/manager", [("ajax", "removeProxyUser"), ("project", project),
                                ("name", name)],
                   what=f"remove proxy user {name} from {project}",
                   check=f"check the proxy users of {project}", project=project)

    # -- purge -------------------------------------------------------------------------------

    def purge_project(self, project: int | str) -> None:
        """Remove a *deleted* project's stored versions for good (§5.4, project ADMIN).

        A deleted project is found by its numeric id only (a name finds active projects). The
        request may be repeated after a lost answer: purging a purged project again does
        nothing new. So it goes as a read-only request, on purpose: a dropped connection is
        tried once more, and an answer that never comes is ``RequestTimedOut``,
        not ``OutcomeUnknown``.
        """
        key = str(project).strip()
        what = f"purge project {key}"
        request = Request("GET", "/manager", [("project", key), ("purge", "true")], what=what)
        try:
            data = self._checked(self._transport.send(request), what)
        except ApiError as err:
            if err.message == "invalid project":
                raise NotFound(f"invalid project: no project has the id {key} (a deleted "
                               "project is purged by its numeric id)", err.status,
                               err.body) from None
            raise
        if data.get("success") is not True:
            raise ApiError(f"the server did not purge project {key}", body=data)


def _bool(value: Any, what: str) -> bool:
    """A JSON boolean (Azkaban's lock flags are real booleans, §5.6)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadResponse(f"the answer to {what} has a bad flag: {answers.shorten(repr(value), 60)}")
