"""Schedules that fire, as Azkaban's TriggerManager fires them.

A thread looks at every schedule each ``interval`` seconds (Azkaban's ``trigger.scan.interval``
is 60 s; the sandbox looks every second) and submits each flow whose time has come, as
``ExecuteFlowAction`` does: the project's current version, as the schedule's submitter, with
the schedule's options, through the same concurrency decision as ``executeFlow`` (a schedule
with ``concurrentOption`` skip skips a run while the flow still runs). Then the schedule moves
on to its next time after now (``skipPastChecks``: missed times are not caught up); one with no
next time (a one-off) is removed, and so is one past its end time, unfired. A failed submit is
logged and the schedule moves on all the same, as on a real server.
"""

from __future__ import annotations

import copy
import logging
import threading
from datetime import datetime
from typing import Any

from azshell.quartz import local_zone
from azshell.sandbox.runner.types import EngineError, ExecutionOptions
from azshell.sandbox.schedules import next_fire_ms, next_period_ms
from azshell.sandbox.servlets.executor import submit_flow
from azshell.sandbox.servlets.flow_options import SubmitError
from azshell.sandbox.state import SandboxState, Schedule, now_ms
from azshell.threads import start_daemon

log = logging.getLogger("azshell.sandbox.scheduler")


class ScheduleFirer:
    """Fires the sandbox's due schedules, from its own thread once started."""

    def __init__(self, state: SandboxState, engine: Any, interval: float = 1.0) -> None:
        self.state, self.engine, self.interval = state, engine, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = start_daemon(self._run, "azshell-sandbox-schedules")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.fire_due(now_ms())
            except Exception:  # one bad schedule must not stop the others for good
                log.exception("firing schedules failed")

    def fire_due(self, now: int) -> list[int]:
        """Fire every schedule due at ``now`` (epoch ms); the execution ids started. A schedule
        past its end time is removed unfired (Azkaban's EndTimeChecker)."""
        with self.state.lock:
            for schedule in list(self.state.schedules.values()):
                if now >= schedule.end_sched_time:
                    del self.state.schedules[schedule.schedule_id]
            due = sorted((s for s in self.state.schedules.values() if s.next_exec_time <= now),
                         key=lambda s: (s.next_exec_time, s.schedule_id))
        started = []
        for schedule in due:
            execid = self._submit(schedule)
            if execid is not None:
                started.append(execid)
            self._advance(schedule, now)
        return started

    def _submit(self, schedule: Schedule) -> int | None:
        project = self.state.project_by_id(schedule.project_id)
        if project is None or not project.active:
            log.info("schedule %s: project %s is gone", schedule.schedule_id,
                     schedule.project_name)
            return None
        # a copy: the e-mails the flow sets at submit belong to this run, not to the schedule
        options = copy.deepcopy(schedule.options) if schedule.options else ExecutionOptions()
        try:
            message, execid = submit_flow(self.engine, project, schedule.flow_id,
                                          schedule.submit_user, options)
        except (SubmitError, EngineError) as err:
            log.info("schedule %s skipped: %s", schedule.schedule_id, err)
            return None
        log.info("schedule %s: %s", schedule.schedule_id, message)
        return execid if execid > 0 else None

    def _advance(self, schedule: Schedule, now: int) -> None:
        """The next time after ``now``, or away with a schedule that has none."""
        following: int | None = None
        if schedule.cron:
            after = datetime.fromtimestamp(now / 1000, tz=local_zone())
            following = next_fire_ms(schedule.cron, after)
        elif schedule.period_ms > 0:
            following = next_period_ms(schedule.first_sched_time, schedule.period_ms, now + 1)
        with self.state.lock:
            if self.state.schedules.get(schedule.schedule_id) is not schedule:
                return  # removed or replaced meanwhile: the new one keeps its own time
            if following is None:  # a one-off time, or a cron with no time left
                del self.state.schedules[schedule.schedule_id]
            else:
                schedule.next_exec_time = following
