"""Schedule arithmetic for ``/schedule``: Quartz validation, next fire times, period strings and
the JSON shapes of a stored schedule (azshell.sandbox.scheduler fires them).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from azshell.sandbox.jackson import Ordered
from azshell.sandbox.state import Schedule

DEFAULT_END_SCHED_TIME = 2524608000000  # 2050-01-01, Constants.DEFAULT_SCHEDULE_END_EPOCH_TIME
_PERIOD = re.compile(r"(\d+)([yMwdhms])")
_UNIT_NAMES = {"y": "year", "M": "month", "w": "week", "d": "day", "h": "hour",
               "m": "minute", "s": "second"}
_UNIT_MS = {"y": 365 * 86400000, "M": 30 * 86400000, "w": 7 * 86400000, "d": 86400000,
            "h": 3600000, "m": 60000, "s": 1000}
_FAILURE_ACTION_ENUM = {"finishCurrent": "FINISH_CURRENTLY_RUNNING",
                        "cancelImmediately": "CANCEL_ALL",
                        "finishPossible": "FINISH_ALL_POSSIBLE"}


def local_now() -> datetime:
    """Now in the server's default zone, with its rules (Azkaban schedules use the JVM default
    zone; a fixed offset would put every time across a daylight-saving change an hour off)."""
    from azshell.quartz import local_zone

    return datetime.now(local_zone())


def next_fire_ms(expression: str, after: datetime | None = None) -> int | None:
    """The next fire time (epoch ms) of a Quartz expression, or None when it has none.

    Raises ``azshell.quartz.CronError`` when Quartz would reject the expression.
    """
    from azshell.quartz import parse

    cron = parse(expression)
    start = after or local_now()
    times = cron.next_fire_times(start, 1)
    for fire in times:
        return int(fire.timestamp() * 1000)
    return None


def is_valid_cron(expression: str) -> bool:
    """``Utils.isCronExpressionValid``: parses, and fires at least once more."""
    from azshell.quartz import CronError

    try:
        return next_fire_ms(expression) is not None
    except (CronError, ValueError, OverflowError):
        return False


def parse_period(text: str | None) -> tuple[str | None, int]:
    """``TimeUtils.parsePeriodString``: ``"1d"`` → ("1 day(s)", ms); "null"/``n`` → none."""
    if text is None or text == "null" or text.endswith("n"):
        return None, 0
    match = _PERIOD.fullmatch(text)
    if not match:
        raise ValueError(f"Invalid schedule period {text}")
    count, unit = int(match.group(1)), match.group(2)
    return f"{count} {_UNIT_NAMES[unit]}(s)", count * _UNIT_MS[unit]


def format_date(ms: int) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in the server timezone, ``-`` when not set."""
    if ms < 0:
        return "-"
    stamp = datetime.fromtimestamp(ms / 1000, tz=timezone.utc).astimezone()
    return stamp.strftime("%Y-%m-%d %H:%M:%S")


def next_period_ms(first_ms: int, period_ms: int, now_ms: int) -> int:
    """The first occurrence of a period schedule that is not in the past."""
    if period_ms <= 0 or first_ms >= now_ms:
        return first_ms
    steps = (now_ms - first_ms) // period_ms + 1
    return first_ms + steps * period_ms


def options_bean(options: Any, sla: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ``ExecutionOptions`` bean as Jackson serialises its getters (fetchSchedule); null
    when the schedule's options did not parse."""
    if options is None:
        return None
    return Ordered({  # the getters in the order Jackson found them on a real 3.90.0
        "notifyOnFirstFailure": options.notify_failure_first,
        "notifyOnLastFailure": options.notify_failure_last,
        "failureEmails": list(options.failure_emails),
        "successEmails": list(options.success_emails),
        "pipelineLevel": options.pipeline_level,
        "queueLevel": options.queue_level,
        "concurrentOption": options.concurrent_option,
        "mailCreator": options.mail_creator,
        "memoryCheck": True,
        "flowParameters": dict(options.flow_parameters),
        "failureAction": _FAILURE_ACTION_ENUM.get(options.failure_action,
                                                  "FINISH_CURRENTLY_RUNNING"),
        "slaOptions": sla,
        "disabledJobs": list(options.disabled),
        "pipelineExecutionId": None,
        "successEmailsOverridden": options.success_emails_override,
        "failureEmailsOverridden": options.failure_emails_override,
    })  # (runtimeProperties, failureActionOverridden: only after 4.0.0)


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    """fetchSchedule's ``schedule`` object (``scheduleId`` is a string there)."""
    return {
        "scheduleId": str(schedule.schedule_id),
        "submitUser": schedule.submit_user,
        "firstSchedTime": format_date(schedule.first_sched_time),
        "nextExecTime": format_date(schedule.next_exec_time),
        "period": schedule.period or "null",
        "cronExpression": schedule.cron,  # (backExecuteOnce: only after 4.0.0)
        "executionOptions": options_bean(schedule.options, schedule.sla_settings),
    }


def schedule_item(schedule: Schedule) -> dict[str, Any]:
    """One ``items`` entry of fetchSchedules."""
    return {"scheduleId": schedule.schedule_id, "flowname": schedule.flow_id,
            "projectname": schedule.project_name, "time": schedule.first_sched_time,
            "cron": schedule.cron, "period": schedule.period_ms, "history": False}


def parse_sla_setting(text: str) -> dict[str, Any]:
    """``id,rule,H:MM,email,kill`` → slaInfo's setting object; ValueError with Azkaban's text."""
    parts = text.split(",")
    if len(parts) < 5:
        raise ValueError("Unable to create SLA as there is no action set")
    job_id, rule, duration, email, kill = (p.strip() for p in parts[:5])
    actions = [name for name, on in (("EMAIL", email), ("KILL", kill)) if on == "true"]
    if not actions:
        raise ValueError("Unable to create SLA as there is no action set")
    hours, sep, minutes = duration.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit():
        raise ValueError("Unable to parse duration for a SLA that needs to take actions!")
    total = int(hours) * 60 + int(minutes)
    return {"id": job_id, "duration": f"{total}m",
            "rule": "SUCCEED" if rule == "SUCCESS" else "FINISH", "actions": actions}


def at_time_today(date_text: str, time_text: str) -> int:
    """``scheduleFlow``'s ``h,mm,am|pm,TZ`` + ``MM/dd/yyyy`` (empty = today) → epoch ms."""
    parts = time_text.split(",")
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour <= 12 and 0 <= minute < 60):
        raise ValueError(time_text)
    hour = hour % 12 + (12 if parts[2].lower() == "pm" else 0)
    zone = timezone.utc if len(parts) > 3 and parts[3] == "UTC" else local_now().tzinfo
    if date_text:
        day = datetime.strptime(date_text, "%m/%d/%Y").date()
    else:
        day = datetime.now(zone).date()
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return int(moment.timestamp() * 1000)

