"""Flow trigger calls: ``/flowtrigger`` and ``/flowtriggerinstance`` (protocol §8.2).

A Flow 2.0 flow whose ``.flow`` file has a ``trigger`` section is started by its trigger (a cron
plus data dependencies), not by a schedule. Azkaban registers those triggers only when
``azkaban.server.schedule.enable_quartz=true``; on other servers every flow answers "no trigger"
and pausing fails with an HTTP 500.

``/flowtrigger`` serves its ajax calls on GET only (a POST does nothing), so pausing is a GET
that changes state: it is never repeated after a lost answer. Its answers leave things out
rather than failing: ``fetchTrigger`` says ``{ }`` for a project or flow that does not exist as
for a flow without trigger, and ``pauseTrigger`` succeeds for a flow without trigger. The client
therefore looks the trigger up before pausing it, so that "paused" is never said of nothing.
Whether a trigger is paused is not in any answer of the API.
"""

from __future__ import annotations

from typing import Any

from azshell.client import answers
from azshell.client.base import ClientBase
from azshell.client.transport import Request
from azshell.errors import ApiError, BadResponse, NotFound, UsageError

# the servlets' words for a project that does not exist (id or name): not NotFound by wording
_NO_PROJECT = ("please specify a valid project id", "please specify a valid project name")


def no_trigger(project: str, flow: str) -> NotFound:
    return NotFound(f"flow {project}.{flow} has no flow trigger (only a Flow 2.0 flow with a "
                    "trigger section has one, on a server with "
                    "azkaban.server.schedule.enable_quartz=true)")


class TriggerCalls(ClientBase):
    """Flow triggers (fetch, pause, resume) and their running instances."""

    def flow_trigger(self, project: str, flow: str) -> dict[str, Any] | None:
        """The flow's trigger (fetchTrigger), or None when it has none.

        The server's ``flowTrigger`` object: ``cronExpression``, ``timeZone``, ``submitUser``
        (who uploaded the version), ``firstSchedTime``/``nextExecTime`` (server-local
        ``yyyy-MM-dd HH:mm:ss``), ``maxWaitMin`` (None when not set) and ``dependencies``,
        decoded here from the JSON text the server sends into a list of ``{"name", "type",
        "props"}`` (empty when the trigger has none).
        """
        return self._fetch_trigger(project, flow)[1]

    def _fetch_trigger(self, project: str, flow: str) -> tuple[int, dict[str, Any] | None]:
        project_id = self.project_id(project)  # NotFound for a missing project
        data = self._get("/flowtrigger", "fetchTrigger", f"trigger of {project}.{flow}",
                         [("projectId", str(project_id)), ("flowId", flow)], project=project)
        found = data.get("flowTrigger")
        if found is None:
            return project_id, None
        if not isinstance(found, dict):
            raise BadResponse("the answer to fetchTrigger has a flowTrigger that is not an "
                              "object")
        found = dict(found)
        found["dependencies"] = _dependencies(found.get("dependencies"))
        return project_id, found

    def pause_trigger(self, project: str, flow: str) -> dict[str, Any]:
        """Pause the flow's trigger (project ADMIN): it starts no flow until resumed.

        Returns the trigger as :meth:`flow_trigger` read it just before; NotFound when the flow
        has none.
        """
        return self._set_paused(project, flow, True)

    def resume_trigger(self, project: str, flow: str) -> dict[str, Any]:
        """Resume a paused trigger (project ADMIN); resuming an active one changes nothing."""
        return self._set_paused(project, flow, False)

    def _set_paused(self, project: str, flow: str, paused: bool) -> dict[str, Any]:
        project_id, found = self._fetch_trigger(project, flow)
        if found is None:
            raise no_trigger(project, flow)
        verb = "pause" if paused else "resume"
        what = f"{verb} the trigger of {project}.{flow}"
        params = [("ajax", f"{verb}Trigger"), ("projectId", str(project_id)), ("flowId", flow)]
        request = Request("GET", "/flowtrigger", params, what=what, mutating=True,
                          check=f"check the flow trigger page (/flowtrigger) for {project}.{flow}")
        try:
            data = self._checked(self._transport.send(request), what, project)
        except ApiError as err:
            raise _project_gone(err, project) from None
        if data.get("status") != "success":
            raise BadResponse(f"the server did not confirm: {what}")
        return found

    def running_triggers(self) -> list[dict[str, Any]]:
        """The trigger instances waiting for their dependencies (fetchRunningTriggers)."""
        data = self._get("/flowtriggerinstance", "fetchRunningTriggers", "running triggers", [])
        items = answers.require(data, "items", "fetchRunningTriggers")
        if not isinstance(items, list):
            raise BadResponse("the list of running triggers in the answer is not a list")
        return items

    def trigger_instances(self, project: str, flow: str, start: int = 0,
                          length: int = 10) -> list[dict[str, Any]]:
        """A page of the flow's trigger instances, newest first (fetchTriggerInstances, READ):
        ``instanceId``, ``submitUser``, ``startTime``, ``endTime``, ``status``."""
        if start < 0 or length < 1:
            raise UsageError("start must be >= 0 and length >= 1")
        try:
            data = self._get("/flowtriggerinstance", "fetchTriggerInstances",
                             f"trigger instances of {project}.{flow}",
                             [("project", project), ("flow", flow), ("start", str(start)),
                              ("length", str(length))], project=project)
        except ApiError as err:
            raise _project_gone(err, project) from None
        items = answers.require(data, "executions", "fetchTriggerInstances")
        if not isinstance(items, list):
            raise BadResponse("the trigger instances in the answer are not a list")
        return items

    def kill_trigger(self, instance_id: str) -> None:
        """Cancel a running trigger instance (killRunningTrigger, EXECUTE on its project)."""
        key = str(instance_id).strip()
        if not key:
            raise UsageError("a trigger instance id is needed")
        self._post("/flowtriggerinstance", [("ajax", "killRunningTrigger"), ("id", key)],
                   what=f"kill trigger instance {key}",
                   check="check the running triggers (/flowtriggerinstance)")


def _project_gone(err: ApiError, project: str) -> ApiError:
    """NotFound for the servlets' "please specify a valid project ..." answers."""
    if err.message in _NO_PROJECT:
        return NotFound(f"project {project} does not exist", err.status, err.body)
    return err


def _dependencies(value: Any) -> list[dict[str, Any]]:
    """``dependencies``: absent when none, else JSON text of a list (Gson's, inside Jackson's)."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = answers.load_json(value)
        except ValueError:  # TooDeep too
            raise BadResponse("the trigger's dependencies in the answer are not JSON") from None
    if not isinstance(value, list) or not all(isinstance(d, dict) for d in value):
        raise BadResponse("the trigger's dependencies in the answer are not a list of objects")
    return value
