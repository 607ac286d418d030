"""stats: a flow's health over its last runs (success rate, durations, trend, failures, SLA).

Everything comes from one page of ``fetchFlowExecutions`` (the last N runs), plus, for one flow,
the failed jobs of the last few failures (one ``fetchexecflow`` each) and the SLA of its schedule;
so the cost is bounded by N, not by the flow's history.
"""

from __future__ import annotations

import statistics
from typing import Any

from azshell.client.execution_model import FINAL_FLOW
from azshell.errors import AzshellError, NotFound
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply
from azshell.shell.run.render import duration, table, when

DEFAULT_LAST = 20
FAILURES_SHOWN = 3  # the last failures whose failed jobs are fetched
_BARS = "▁▂▃▄▅▆▇█"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def seconds_of(run: dict[str, Any]) -> float | None:
    """A finished run's duration in seconds; None if it never started or has not ended."""
    start, end = _int(run.get("startTime")), _int(run.get("endTime"))
    if start <= 0 or end <= 0 or end < start:
        return None
    return (end - start) / 1000


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (p95 of 20 runs is the 19th fastest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def sparkline(values: list[float]) -> str:
    """One bar per run, oldest first, scaled between the fastest and the slowest."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _BARS[0] * len(values)
    return "".join(_BARS[round((v - low) / (high - low) * (len(_BARS) - 1))] for v in values)


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a list of runs (newest first, as the server sends them)."""
    finished = [r for r in runs if r.get("status") in FINAL_FLOW]
    succeeded = [r for r in finished if r.get("status") == "SUCCEEDED"]
    good = [s for s in (seconds_of(r) for r in succeeded) if s is not None]
    trend = [s for s in (seconds_of(r) for r in reversed(finished)) if s is not None]
    median = statistics.median(good) if good else None
    return {
        "runs": len(runs), "finished": len(finished), "succeeded": len(succeeded),
        "unfinished": len(runs) - len(finished),
        "successRate": round(len(succeeded) / len(finished), 4) if finished else None,
        "medianSeconds": median, "p95Seconds": percentile(good, 0.95),
        "trendSeconds": trend, "trend": sparkline(trend),
        "lastStatus": str(runs[0].get("status") or "") if runs else None,
    }


def sla_misses(runs: list[dict[str, Any]], settings: list[dict[str, Any]],
               ) -> list[dict[str, Any]]:
    """The runs that broke a flow-level rule: SUCCEED within D (not succeeded in time) or
    FINISH within D (not ended in time). Job-level rules need each run's jobs: not checked."""
    misses: list[dict[str, Any]] = []
    for rule in settings:
        if not isinstance(rule, dict) or rule.get("id"):
            continue
        limit = _minutes(rule.get("duration"))
        if limit is None:
            continue
        kind = str(rule.get("rule") or "")
        for run in runs:
            took = seconds_of(run)
            if run.get("status") not in FINAL_FLOW or took is None:
                continue
            late = took > limit * 60
            broke = late or (kind.startswith("SUCCE") and run.get("status") != "SUCCEEDED")
            if broke:
                misses.append({"execId": run.get("execId"), "rule": kind,
                               "withinMinutes": limit, "status": run.get("status"),
                               "seconds": took})
    return misses


def _minutes(text: Any) -> int | None:
    value = str(text or "")
    return int(value[:-1]) if value.endswith("m") and value[:-1].isdigit() else None


def _runs(ctx: Context, project: str, flow: str, last: int) -> list[dict[str, Any]]:
    page = ctx.client.flow_executions(project, flow, 0, last)
    runs = page.get("executions")
    if not isinstance(runs, list):
        raise AzshellError(f"the executions of {project}/{flow} in the answer are not a list")
    return [r for r in runs if isinstance(r, dict)]


def stats(ctx: Context, inv: Invocation) -> Reply:
    project, flow = inv.values["project"], inv.values["flow"]
    last = inv.values.get("last") or DEFAULT_LAST
    if flow is None:
        return _project(ctx, project, last)
    return _flow(ctx, project, flow, last)


def _flow(ctx: Context, project: str, flow: str, last: int) -> Reply:
    if flow not in ctx.client.flows(project):
        raise NotFound(f"Flow {flow} not found in project {project}")
    runs = _runs(ctx, project, flow, last)
    data = {"project": project, "flow": flow, "last": last, **summarize(runs)}
    data["failures"] = _failures(ctx, runs)
    data["sla"] = _sla(ctx, project, flow, runs)
    return Reply(data, text=flow_text(data))


def _failures(ctx: Context, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from azshell.client.execution_model import Execution

    bad = [r for r in runs if r.get("status") in FINAL_FLOW and r.get("status") != "SUCCEEDED"]
    out: list[dict[str, Any]] = []
    for run in bad[:FAILURES_SHOWN]:
        execid = _int(run.get("execId"))
        try:
            failed = Execution(ctx.client.execution(execid)).failed()
        except NotFound:
            failed = []
        out.append({"execId": execid, "status": run.get("status"),
                    "startTime": run.get("startTime"), "failedJobs": failed})
    return out


def _sla(ctx: Context, project: str, flow: str, runs: list[dict[str, Any]],
         ) -> dict[str, Any] | None:
    """The SLA of the flow's schedule and the runs that missed it; None without one."""
    schedule = ctx.client.schedule(project, flow)
    if schedule is None or "scheduleId" not in schedule:
        return None
    settings = ctx.client.sla_info(schedule["scheduleId"]).get("settings") or []
    if not settings:
        return None
    unchecked = [s.get("id") for s in settings if isinstance(s, dict) and s.get("id")]
    return {"rules": settings, "misses": sla_misses(runs, settings),
            "jobRulesNotChecked": unchecked}


def _project(ctx: Context, project: str, last: int) -> Reply:
    rows = []
    for flow in ctx.client.flows(project):
        rows.append({"flow": flow, **summarize(_runs(ctx, project, flow, last))})
    data = {"project": project, "last": last, "flows": rows}
    return Reply(data, text=project_text(data))


# -- text -------------------------------------------------------------------------------------


def _rate(data: dict[str, Any]) -> str:
    rate = data.get("successRate")
    if rate is None:
        return "-"
    return f"{rate * 100:.0f}% ({data['succeeded']}/{data['finished']})"


def _took(value: float | None) -> str:
    return "-" if value is None else duration(1, 1 + value * 1000)


def flow_text(data: dict[str, Any]) -> str:
    """What an operator reads: the figures, then the last failures and SLA misses."""
    lines = [f"{data['project']}/{data['flow']}: last {data['runs']} runs"
             + (f" ({data['unfinished']} not finished)" if data["unfinished"] else ""),
             f"  success rate  {_rate(data)}",
             f"  median        {_took(data['medianSeconds'])}   p95 "
             f"{_took(data['p95Seconds'])}   (runs that succeeded)"]
    if data["trend"]:
        lines.append(f"  trend         {data['trend']}  (durations, oldest to newest)")
    if data["failures"]:
        lines.append("last failures:")
        for fail in data["failures"]:
            jobs = ", ".join(fail["failedJobs"]) or "-"
            lines.append(f"  {fail['execId']}  {when(fail['startTime'])}  {fail['status']}"
                         f"  failed jobs: {jobs}")
    sla = data.get("sla")
    if sla is not None:
        misses = sla["misses"]
        lines.append(f"SLA misses: {len(misses)}" + (":" if misses else ""))
        for miss in misses:
            lines.append(f"  {miss['execId']}  {miss['status']}  took {_took(miss['seconds'])}"
                         f"  ({miss['rule']} within {miss['withinMinutes']} min)")
        if sla["jobRulesNotChecked"]:
            lines.append(f"  (job rules not checked: {', '.join(sla['jobRulesNotChecked'])})")
    return "\n".join(lines)


def project_text(data: dict[str, Any]) -> str:
    headers = ["FLOW", "RUNS", "SUCCESS", "MEDIAN", "P95", "LAST", "TREND"]
    rows = [(f["flow"], f["runs"], _rate(f), _took(f["medianSeconds"]), _took(f["p95Seconds"]),
             f["lastStatus"] or "-", f["trend"]) for f in data["flows"]]
    head = f"{data['project']}: the last {data['last']} runs of each flow"
    return head + "\n" + table(headers, rows) if rows else f"{data['project']} has no flows"
