"""trigger: a Flow 2.0 flow's trigger (protocol §8.2): show it, pause it, resume it.

A flow whose ``.flow`` file has a ``trigger`` section is started by that trigger (a cron and the
data it waits for), not by a schedule. Azkaban's API does not say whether a trigger is paused,
so ``trigger`` shows ``paused`` as unknown (null) rather than guess.
"""

from __future__ import annotations

from typing import Any

from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply

_WIDTH = 14  # the label column of the text block
PAUSED_UNKNOWN = "unknown: Azkaban's API does not report it"


def trigger(ctx: Context, inv: Invocation) -> Reply:
    """``trigger P F`` shows the trigger; ``trigger pause|resume P F`` changes it."""
    action = inv.values.get("action") or "show"
    project, flow = inv.values["project"], inv.values["flow"]
    if action == "show":
        from azshell.client.triggers import no_trigger

        found = ctx.client.flow_trigger(project, flow)
        if found is None:
            raise no_trigger(project, flow)
        data = document(project, flow, found)
        return Reply(data, text=trigger_text(data))
    call = ctx.client.pause_trigger if action == "pause" else ctx.client.resume_trigger
    found = call(project, flow)
    paused = action == "pause"
    data = {"ok": True, "project": project, "flow": flow, "action": action, "paused": paused,
            "cron": found.get("cronExpression")}
    if paused:
        text = (f"paused the trigger of {project}/{flow} (cron {data['cron']}): it starts no "
                f"flow until 'trigger resume {project} {flow}'")
    else:
        text = f"the trigger of {project}/{flow} is active (cron {data['cron']})"
    return Reply(data, text=text)


def document(project: str, flow: str, found: dict[str, Any]) -> dict[str, Any]:
    """What a script reads: the server's facts under steady names."""
    return {
        "project": project, "flow": flow,
        "cron": found.get("cronExpression"),
        "timeZone": found.get("timeZone"),
        "paused": None,
        "submitUser": found.get("submitUser"),
        "firstSchedTime": found.get("firstSchedTime"),
        "nextExecTime": found.get("nextExecTime"),
        "maxWaitMin": found.get("maxWaitMin"),
        "dependencies": [{"name": d.get("name"), "type": d.get("type"),
                          "params": dict(d.get("props") or {})}
                         for d in found.get("dependencies") or []],
    }


def _line(label: str, value: Any) -> str:
    return f"{label.ljust(_WIDTH)}{value}"


def trigger_text(data: dict[str, Any]) -> str:
    """The trigger as a person reads it: one fact a line, then one line per dependency."""
    zone = f" ({data['timeZone']})" if data.get("timeZone") else ""
    wait = data.get("maxWaitMin")
    deps = data["dependencies"]
    lines = [
        _line("trigger", f"{data['project']}/{data['flow']}"),
        _line("cron", f"{data['cron']}{zone}"),
        _line("paused", PAUSED_UNKNOWN),
        _line("next run", data.get("nextExecTime") or "-"),
        _line("since", f"{data.get('firstSchedTime') or '-'} "
                       f"(uploaded by {data.get('submitUser') or '-'})"),
        _line("max wait", f"{wait} min" if wait is not None else "-"),
        _line("dependencies", len(deps) or "none"),
    ]
    for dep in deps:
        params = ", ".join(f"{k}={v}" for k, v in dep["params"].items())
        lines.append(_line(f"  {dep['name']}", f"{dep['type']}{': ' + params if params else ''}"))
    return "\n".join(lines)
