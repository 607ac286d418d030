"""Execution options from request parameters (``HttpRequestUtils.parseFlowOptions``, §6.1).

Shared by ``executeFlow`` and the schedule calls, which parse the same parameters. Errors raise
:class:`OptionsError` with the text Azkaban puts after ``Error parsing flow options: ``.
"""

from __future__ import annotations

import json
from typing import Any

from azshell.sandbox.http import Request
from azshell.sandbox.runner.types import ExecutionOptions
from azshell.sandbox.servlets.base import ServletError, get_param, java_int, split_emails

FAILURE_ACTIONS = ("finishCurrent", "cancelImmediately", "finishPossible")
ADMIN_ONLY_INT = ("flowPriority", "useExecutor")
ADMIN_ONLY_BOOL = ("java.enable.debug", "enable.dev.pod", "disable.pod.cleanup",
                   "allow.image.test.version")
RETRY_STATUSES = ("FAILED", "EXECUTION_STOPPED")
RETRY_STRATEGIES = ("retryAsNew", "disableSucceededNodes")
MAX_FLOW_RETRIES = 2  # azkaban.flow.retry.limit
_JAVA_BOOLEAN_WORDS = ("true", "false", "on", "off", "yes", "no")  # BooleanUtils (lang 2)


class OptionsError(Exception):
    """The options cannot be used; ``str()`` is Azkaban's reason."""


class SubmitError(Exception):
    """Options an admin got wrong; reported as ``Error submitting flow F. <reason>``."""


def parse_flow_options(req: Request) -> ExecutionOptions:
    """Every option of §6.1; a ``ServletException`` inside becomes an :class:`OptionsError`."""
    try:
        return _parse(req)
    except ServletError as err:
        raise OptionsError(err.message) from err


def _parse(req: Request) -> ExecutionOptions:
    options = ExecutionOptions()
    action = req.param("failureAction")
    if action in FAILURE_ACTIONS:
        options.failure_action = action
    if req.has("failureActionOverride"):
        options.failure_action_override = _bool(req, "failureActionOverride")
    if req.has("failureEmailsOverride"):
        options.failure_emails_override = _bool(req, "failureEmailsOverride")
    if req.has("successEmailsOverride"):
        options.success_emails_override = _bool(req, "successEmailsOverride")
    if req.param("failureEmails"):
        options.failure_emails = split_emails(req.param("failureEmails"))
    if req.param("successEmails"):
        options.success_emails = split_emails(req.param("successEmails"))
    if req.has("notifyFailureFirst"):
        options.notify_failure_first = _bool(req, "notifyFailureFirst")
    if req.has("notifyFailureLast"):
        options.notify_failure_last = _bool(req, "notifyFailureLast")
    concurrent = get_param(req, "concurrentOption", "skip")
    options.concurrent_option = concurrent
    if concurrent == "pipeline":
        options.pipeline_level = java_int(get_param(req, "pipelineLevel"))
    elif concurrent == "queue":  # sic: parseFlowOptions puts queueLevel in the pipeline level
        options.pipeline_level = java_int(get_param(req, "queueLevel", "1"))
    options.mail_creator = get_param(req, "mailCreator", "default")
    runtime = req.map_param_group("runtimeProperty")
    legacy = req.param_group("flowOverride")
    if legacy and runtime:
        raise OptionsError(
            "The legacy param group flowOverride is not allowed in combination with the "
            "runtimeProperty param group. Migrate flowOverride to runtimeProperty[ROOT].")
    options.flow_parameters = dict(legacy or runtime.get("ROOT", {}))
    options.runtime_properties = {k: v for k, v in runtime.items() if k != "ROOT"}
    if req.param("disabled"):
        options.disabled = _disabled(str(req.param("disabled")))
    _check_retry(options.flow_parameters)
    return options


def _bool(req: Request, name: str) -> bool:
    return (req.param(name) or "").lower() == "true"


def _disabled(text: str) -> list[Any]:
    """``parseJSONFromStringQuiet``: invalid JSON is ignored silently (protocol §6.1).

    JSON nested too deeply for the parser counts as invalid too (Jackson gives up on it as well).
    """
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return []
    return value if isinstance(value, list) else []


def _check_retry(params: dict[str, str]) -> None:
    """The flow-retry parameters everybody may set, validated like ExecutionOptions.validate."""
    reasons = []
    statuses = params.get("flow.retry.statuses")
    if statuses is not None:
        bad = [s for s in (x.strip() for x in statuses.split(",")) if s not in RETRY_STATUSES]
        if bad:
            reasons.append(f"flow.retry.statuses contains invalid statuses {bad}; allowed: "
                           f"{list(RETRY_STATUSES)}")
    retries = params.get("flow.max.retries")
    if retries is not None:
        try:
            count = java_int(retries)
        except ServletError:
            count = -1
        if not 0 <= count <= MAX_FLOW_RETRIES:
            reasons.append(f"flow.max.retries must be an integer between 0 and "
                           f"{MAX_FLOW_RETRIES}, got {retries}")
    strategy = params.get("flow.retry.strategy")
    if strategy is not None and strategy not in RETRY_STRATEGIES:
        reasons.append(f"flow.retry.strategy {strategy} is not one of {list(RETRY_STRATEGIES)}")
    restart = params.get("allow.restart.on.execution.stopped")
    if restart is not None and restart.lower() not in ("true", "false"):
        reasons.append(f"allow.restart.on.execution.stopped should be boolean, got {restart}")
    if reasons:
        raise OptionsError(f"ExecutionOptions is invalid, error reasons: [{', '.join(reasons)}]")


def filter_admin_params(options: ExecutionOptions, is_admin: bool) -> None:
    """``filterAdminOnlyFlowParams``: drop them for others, check their values for admins.

    Only flow-level parameters count (``flowOverride`` or ``runtimeProperty[ROOT]``), and the
    checks are commons-lang 2's: ``StringUtils.isNumeric`` (digits only, so ``-1`` is refused)
    and ``BooleanUtils.toBooleanObject`` (true/false/on/off/yes/no in any case).
    """
    params = options.flow_parameters
    if not is_admin:
        for key in list(params):
            if key in ADMIN_ONLY_INT or key in ADMIN_ONLY_BOOL or key.startswith(
                    ("azkaban.flow", "azkaban.job")):
                del params[key]
        return
    for key in ADMIN_ONLY_INT:  # checked in this order: the first bad one is reported
        if key in params and not all(ch.isdecimal() for ch in params[key]):
            raise SubmitError(f"{key} should be an integer")
    for key in ADMIN_ONLY_BOOL:
        if key in params and params[key].lower() not in _JAVA_BOOLEAN_WORDS:
            raise SubmitError(f"{key} should be boolean")
