"""Execution and SLA options as values, and their translation into Azkaban's parameters.

The parameter names and encodings are the protocol's (§6.1, §7.6); callers speak in short words
(``concurrent="pipeline:2"``, ``on_failure="cancel"``) and get a UsageError for anything the
server would silently ignore.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from azshell.errors import UsageError

Params = list[tuple[str, str]]

FAILURE_ACTIONS = {
    "finish": "finishCurrent",
    "cancel": "cancelImmediately",
    "possible": "finishPossible",
}
SLA_RULES = {"success": "SUCCESS", "succeed": "SUCCESS", "finish": "FINISH"}

_DURATION = re.compile(r"^\s*(?:(\d+):(\d{1,2})|(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?)\s*$",
                       re.IGNORECASE)


def _bool(value: bool) -> str:
    return "true" if value else "false"


@dataclass
class ExecuteOptions:
    """How to run a flow (§6.1). Empty lists and ``None`` mean "the flow's own settings".

    ``disabled`` names jobs to skip; a job inside an embedded flow is named by its colon path
    (``"sub:jobA"``). ``concurrent`` is what to do if the flow is already running: ``skip`` (the
    server's default), ``ignore`` (run anyway), ``pipeline:N`` (N = 1 or 2) or ``queue``.
    ``on_failure`` is ``finish`` (let running jobs finish), ``cancel`` (kill everything) or
    ``possible`` (keep running what does not depend on the failure).
    """

    disabled: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    concurrent: str = "skip"
    on_failure: str = "finish"
    notify_failure: list[str] = field(default_factory=list)
    notify_success: list[str] = field(default_factory=list)
    notify_failure_first: bool | None = None
    notify_failure_last: bool | None = None

    def to_params(self) -> Params:
        """The request parameters; raises UsageError for a value Azkaban would ignore."""
        params: Params = []
        if self.disabled:
            params.append(("disabled", json.dumps(disabled_tree(self.disabled))))
        params += concurrent_params(self.concurrent)
        params += failure_action_params(self.on_failure)
        if self.notify_failure:
            params += [("failureEmails", ",".join(self.notify_failure)),
                       ("failureEmailsOverride", "true")]
        if self.notify_success:
            params += [("successEmails", ",".join(self.notify_success)),
                       ("successEmailsOverride", "true")]
        if self.notify_failure_first is not None:
            params.append(("notifyFailureFirst", _bool(self.notify_failure_first)))
        if self.notify_failure_last is not None:
            params.append(("notifyFailureLast", _bool(self.notify_failure_last)))
        for key, value in self.params.items():
            if not key or "[" in key or "]" in key:
                raise UsageError(f"bad flow parameter name {key!r}")
            params.append((f"flowOverride[{key}]", str(value)))
        return params


@dataclass(frozen=True)
class RerunOptions:
    """The options an ended execution ran with, as ``ExecuteOptions`` for a new run of its flow,
    and what of them could not be carried over (one warning line each)."""

    options: ExecuteOptions
    warnings: tuple[str, ...] = ()


def options_of_execution(info: dict[str, Any], disabled: list[str]) -> RerunOptions:
    """``flowInfo`` with an exec id (§6.7) → the same run again, skipping ``disabled``.

    Flow parameters (legacy ``flowParam`` and ``runtimeProperties.ROOT``), the failure action,
    the e-mails the run was given and the concurrency option carry over; e-mails the old run
    took from the flow itself are left to the flow.
    """
    warnings: list[str] = []

    def emails(kind: str) -> list[str]:
        if info.get(f"{kind}EmailsOverride") is not True:
            return []
        return [str(e) for e in info.get(f"{kind}Emails") or []]

    def flag(key: str) -> bool | None:
        value = info.get(key)
        return value if isinstance(value, bool) else None

    options = ExecuteOptions(
        disabled=disabled, params=_flow_params(info, warnings),
        concurrent=_concurrency(info, warnings),
        on_failure=str(info.get("failureAction") or "finish"),
        notify_failure=emails("failure"), notify_success=emails("success"),
        notify_failure_first=flag("notifyFailureFirst"),
        notify_failure_last=flag("notifyFailureLast"))
    return RerunOptions(options, tuple(warnings))


def _concurrency(info: dict[str, Any], warnings: list[str]) -> str:
    """``concurrentOptions`` with its level as ExecuteOptions spells it (``pipeline:2``)."""
    option = str(info.get("concurrentOptions") or "skip")
    if option in ("skip", "ignore"):
        return option
    if option == "queue":
        level = info.get("queueLevel")
        return f"queue:{level}" if isinstance(level, int) and level > 0 else "queue"
    level = info.get("pipelineLevel")
    if option == "pipeline" and level in (1, 2):
        return f"pipeline:{level}"
    warnings.append(f"warning: the concurrency option {option} (level {level}) is not carried "
                    "over; the rerun skips if the flow is running")
    return "skip"


def _flow_params(info: dict[str, Any], warnings: list[str]) -> dict[str, str]:
    params = {str(k): str(v) for k, v in (info.get("flowParam") or {}).items()}
    runtime = info.get("runtimeProperties") or {}
    params.update({str(k): str(v) for k, v in (runtime.get("ROOT") or {}).items()})
    others = sorted(node for node in runtime if node != "ROOT")
    if others:
        warnings.append(f"warning: job-level properties of {', '.join(others)} are not "
                        "carried over")
    return params


def disabled_tree(jobs: list[str]) -> list[Any]:
    """``["a", "sub:b", "sub:c"]`` → ``["a", {"id": "sub", "children": ["b", "c"]}]`` (§6.1).

    Disabling an embedded flow as a whole (``"sub"``) wins over disabling some of its jobs.
    """
    order: list[str] = []
    nested: dict[str, list[str]] = {}
    whole: set[str] = set()
    for job in jobs:
        head, sep, rest = job.partition(":")
        if not head or (sep and not rest):
            raise UsageError(f"bad job name to disable: {job!r}")
        if head not in order:
            order.append(head)
        if sep:
            nested.setdefault(head, []).append(rest)
        else:
            whole.add(head)
    return [item if item in whole else {"id": item, "children": disabled_tree(nested[item])}
            for item in order]


def concurrent_params(choice: str) -> Params:
    """``skip|ignore|queue|pipeline:N`` → ``concurrentOption`` (+ level), §6.1."""
    name, _, level = choice.strip().lower().partition(":")
    if name in ("skip", "ignore") and not level:
        return [("concurrentOption", name)]
    if name == "pipeline" and level in ("1", "2"):
        return [("concurrentOption", "pipeline"), ("pipelineLevel", level)]
    if name == "queue" and (not level or level.isdigit()):
        return [("concurrentOption", "queue"), ("queueLevel", level or "1")]
    raise UsageError(f"bad concurrency option {choice!r}: use skip, ignore, pipeline:1, "
                     "pipeline:2 or queue")


def failure_action_params(choice: str) -> Params:
    """``finish|cancel|possible`` → ``failureAction``.

    ``failureActionOverride=true`` is only sent for a non-default choice, so that a Flow 2.0
    flow's own ``failure.action`` still applies when the caller did not ask for anything.
    """
    key = choice.strip()
    action = FAILURE_ACTIONS.get(key.lower())
    if action is None and key in FAILURE_ACTIONS.values():
        action = key
    if action is None:
        raise UsageError(f"bad failure action {choice!r}: use finish, cancel or possible")
    params: Params = [("failureAction", action)]
    if action != "finishCurrent":
        params.append(("failureActionOverride", "true"))
    return params


@dataclass
class SlaSetting:
    """One SLA rule of a schedule (§7.6): ``job`` ("" = the whole flow) must succeed (rule
    ``SUCCESS``) or finish (``FINISH``) within ``duration_minutes``; on a miss, send an email
    and/or kill it."""

    rule: str = "SUCCESS"
    duration_minutes: int = 60
    job: str = ""
    email: bool = True
    kill: bool = False

    def to_param(self) -> str:
        """The ``settings[i]`` value: ``job,RULE,H:MM,email,kill``."""
        rule = SLA_RULES.get(self.rule.strip().lower())
        if rule is None:
            raise UsageError(f"bad SLA rule {self.rule!r}: use success or finish")
        if self.duration_minutes <= 0:
            raise UsageError("an SLA duration must be at least one minute")
        if not (self.email or self.kill):
            raise UsageError("an SLA needs an action: email, kill or both")
        if "," in self.job:
            raise UsageError(f"bad job name {self.job!r}")
        hours, minutes = divmod(int(self.duration_minutes), 60)
        return f"{self.job},{rule},{hours}:{minutes:02d},{_bool(self.email)},{_bool(self.kill)}"


def parse_duration(text: str) -> int:
    """Minutes in ``"1:30"``, ``"90m"``, ``"2h"`` or ``"1h30m"`` (a bare number is minutes)."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    match = _DURATION.match(stripped)
    if not stripped or not match or not any(match.groups()):
        raise UsageError(f"bad duration {text!r}: use H:MM, 90m, 2h or 1h30m")
    clock_h, clock_m, hours, minutes = match.groups()
    if clock_h is not None:
        return int(clock_h) * 60 + int(clock_m)
    return int(hours or 0) * 60 + int(minutes or 0)


def sla_params(schedule_id: int, settings: list[SlaSetting], emails: list[str]) -> Params:
    """The parameters of ``ajax=setSla``."""
    params: Params = [("scheduleId", str(schedule_id))]
    params += [(f"settings[{i}]", setting.to_param()) for i, setting in enumerate(settings)]
    params.append(("slaEmails", ",".join(emails)))
    return params
