"""The JSON an execution answers with: pure functions of its node tree and options.

No lock and no thread here (the execution takes its lock and calls these), so the shapes of
fetchexecflow (§6.3), fetchexecflowupdate (§6.4), fetchFlowExecutions (§5.6) and flowInfo with
an execid (§6.7) can be tested on a node tree alone.
"""

from __future__ import annotations

from typing import Any

from azshell.sandbox.runner.nodes import FlowRun, disabled_json
from azshell.sandbox.runner.types import ExecutionOptions


def execution_json(root: FlowRun, *, execid: int, project: str, project_id: int,
                   submit_user: str, submit_time: int) -> dict[str, Any]:
    """fetchexecflow: execution keys merged with the root flow node (§6.3)."""
    obj: dict[str, Any] = {
        "execid": execid,
        "project": project,
        "projectId": project_id,
        "submitUser": submit_user,
        "submitTime": submit_time,
    }
    obj.update(root.to_json())
    return obj


def update_json(root: FlowRun, last_update_time: int) -> dict[str, Any]:
    """fetchexecflowupdate: flow times always, nodes only when changed (§6.4)."""
    obj: dict[str, Any] = root.update_json(last_update_time)
    obj.update({
        "status": root.status,
        "startTime": root.start_time,
        "endTime": root.end_time,
        "updateTime": root.update_time,
    })
    return obj


def summary_json(root: FlowRun, *, execid: int, flow_id: str, project_id: int,
                 submit_user: str, submit_time: int) -> dict[str, Any]:
    """One item of fetchFlowExecutions (§5.6)."""
    return {
        "execId": execid,
        "flowId": flow_id,
        "projectId": project_id,
        "status": root.status,
        "submitTime": submit_time,
        "startTime": root.start_time,
        "endTime": root.end_time,
        "submitUser": submit_user,
    }


def flow_info_json(root: FlowRun, options: ExecutionOptions, *, failure_action: str,
                   pipeline_execid: int | None) -> dict[str, Any]:
    """flowInfo with an execid: the options of this run and its top-level statuses (§6.7)."""
    return {  # (runtimeProperties: only after 4.0.0)
        "successEmails": list(options.success_emails),
        "failureEmails": list(options.failure_emails),
        "flowParam": dict(options.flow_parameters),
        "failureAction": failure_action,
        "notifyFailureFirst": options.notify_failure_first,
        "notifyFailureLast": options.notify_failure_last,
        "failureEmailsOverride": options.failure_emails_override,
        "successEmailsOverride": options.success_emails_override,
        "concurrentOptions": options.concurrent_option,
        "pipelineLevel": options.pipeline_level,
        "pipelineExecution": pipeline_execid,
        "queueLevel": options.queue_level,
        "nodeStatus": {n.id: n.status for n in root.ordered_children()},
        "disabled": disabled_json(options.disabled),
    }
