"""What a followed execution looks like: job lines, the status line, the summary (pure text)."""

from __future__ import annotations

import io
import re
import time
from typing import Any

from azshell.client.execution_model import Change, Execution
from azshell.shell.follow.view import (
    CLEAR_LINE,
    LiveView,
    bar,
    elapsed,
    footer,
    job_line,
    seconds,
    status_line,
    summary,
)
from azshell.shell.run.render import ago, executions_table

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def model(status: str = "RUNNING") -> Execution:
    return Execution({
        "execid": 42, "project": "demo", "flowId": "end", "status": status,
        "startTime": 1_000_000, "endTime": 1_012_500 if status != "RUNNING" else -1,
        "updateTime": 1_000_000,
        "nodes": [
            {"id": "extract", "type": "command", "status": "SUCCEEDED", "startTime": 1_000_100,
             "endTime": 1_000_500, "updateTime": 1},
            {"id": "sub", "type": "flow", "status": "RUNNING", "updateTime": 1, "nodes": [
                {"id": "load", "type": "command", "status": "RUNNING", "startTime": 1_000_600,
                 "endTime": -1, "updateTime": 1},
                {"id": "transform_with_a_long_name", "type": "command", "status": "RUNNING",
                 "startTime": 1_000_550, "endTime": -1, "updateTime": 1}]},
            {"id": "boom", "type": "command", "status": "FAILED", "startTime": 1_000_200,
             "endTime": 1_003_000, "updateTime": 1},
            {"id": "end", "type": "noop", "status": "READY", "startTime": -1, "endTime": -1,
             "updateTime": 1},
        ],
    })


def test_durations_read_like_a_person_would_say_them() -> None:
    assert seconds(400) == "0.4s"
    assert seconds(9_940) == "9.9s"
    assert seconds(12_000) == "12s"
    assert seconds(65_000) == "1m 05s"
    assert seconds(7_380_000) == "2h 03m"
    assert seconds(-5) == "0.0s"


def test_job_lines_say_the_status_and_how_long_it_took() -> None:
    m = model()
    done = Change("extract", "RUNNING", "SUCCEEDED", m.node("extract"))
    assert job_line(done, 10, color=False) == "  extract     SUCCEEDED 0.4s"
    started = Change("sub:load", "QUEUED", "RUNNING", m.node("sub:load"))
    assert job_line(started, 10, color=False) == "  sub:load    RUNNING"
    failed = Change("boom", "RUNNING", "FAILED", m.node("boom"))
    assert job_line(failed, 4, color=True) == "  boom  \x1b[31mFAILED\x1b[0m 2.8s"
    assert "\x1b[32mSUCCEEDED\x1b[0m" in job_line(done, 10, color=True)


def test_status_line_has_status_elapsed_progress_and_running_jobs() -> None:
    line = status_line(model(), 200, color=False, unicode=False, now_ms=1_075_000)
    assert line == ("RUNNING  1:15  [########------------] 2/5  "
                    "running: sub:load, sub:transform_with_a_long_name")


def test_status_line_always_fits_one_row() -> None:
    for columns in (20, 40, 60, 80):
        line = status_line(model(), columns, color=True, now_ms=1_075_000)
        assert len(ANSI.sub("", line)) <= columns - 1
        assert line.startswith("\x1b[36mRUNNING\x1b[0m  1:15  [")
        assert line.endswith("…")


def test_progress_bar_and_elapsed() -> None:
    assert bar(0, 4, width=8) == "[░░░░░░░░]"
    assert bar(3, 4, width=8, unicode=False) == "[######--]"
    assert bar(0, 0, width=4, unicode=False) == "[####]"
    assert elapsed(model("SUCCEEDED")) == "0:12"
    assert elapsed(model(), now_ms=1_000_000 + 3_723_000) == "1:02:03"


def test_summary_lists_failures_first_then_in_start_order_with_nested_paths() -> None:
    text = summary(model("FAILED"), color=False)
    lines = text.splitlines()
    assert lines[0].split() == ["JOB", "STATUS", "START", "DURATION"]
    assert [line.split()[0] for line in lines[1:-1]] == [
        "boom", "extract", "sub:transform_with_a_long_name", "sub:load", "end"]
    start = time.strftime("%H:%M:%S", time.localtime(1_000_200 / 1000))
    assert lines[1].split() == ["boom", "FAILED", start, "2.8s"]
    assert lines[5].split() == ["end", "READY", "-", "-"]
    assert lines[-1] == ("execution 42 demo/end FAILED after 12s: 1 succeeded, 2 running, "
                         "1 failed, 1 ready")


def test_coloured_summary_keeps_its_columns_aligned() -> None:
    plain = summary(model("FAILED"), color=False).splitlines()
    coloured = [ANSI.sub("", line) for line in summary(model("FAILED"), color=True).splitlines()]
    assert coloured == plain
    assert "\x1b[31mFAILED" in footer(model("FAILED"), color=True)


def test_live_view_scrolls_job_lines_and_redraws_one_status_line() -> None:
    out = io.StringIO()
    view = LiveView(out, color=False, columns=lambda: 80)
    m = model()
    view.started(m)
    first = out.getvalue()
    assert first.startswith("following execution 42: demo/end (5 jobs)\n")
    # what happened before the follow began, in start order; not the jobs still to come
    assert [line.split()[:2] for line in first.splitlines()[1:-1]] == [
        ["extract", "SUCCEEDED"], ["boom", "FAILED"],
        ["sub:transform_with_a_long_name", "RUNNING"], ["sub:load", "RUNNING"]]
    assert not first.endswith("\n")  # the status line stays open for a redraw
    out.truncate(0)
    out.seek(0)
    node = m.node("end")
    node["status"] = "RUNNING"
    view.changed(m, [Change("end", "READY", "RUNNING", node),
                     Change("end", "RUNNING", "QUEUED", node)], "RUNNING")
    text = out.getvalue()
    assert text.startswith(CLEAR_LINE + "  end")
    assert "QUEUED" not in text  # too fleeting for a line
    assert text.count("\n") == 1
    out.truncate(0)
    out.seek(0)
    view.close()
    assert out.getvalue() == CLEAR_LINE
    view.close()
    assert out.getvalue() == CLEAR_LINE  # nothing more to clear


def test_executions_table_shows_relative_times_and_durations() -> None:
    now = time.time() * 1000
    assert ago(now - 12_000, now) == "12 s ago"
    assert ago(now - 3 * 60_000 - 5, now) == "3 min ago"
    assert ago(now - 5 * 3_600_000, now) == "5 h ago"
    assert ago(now - 86_400_000, now) == "1 day ago"
    assert ago(now - 3 * 86_400_000, now) == "3 days ago"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", ago(now - 40 * 86_400_000, now))
    assert ago(-1) == "-"
    data: dict[str, Any] = {"executions": [
        {"execId": 7, "flowId": "main", "status": "SUCCEEDED", "submitUser": "azkaban",
         "startTime": int(now - 180_000), "endTime": int(now - 115_000)}]}
    headers, rows = executions_table(data)
    assert headers == ["EXECID", "FLOW", "STATUS", "USER", "STARTED", "TOOK"]
    local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(now - 180_000) / 1000))
    assert list(rows[0]) == [7, "main", "SUCCEEDED", "azkaban", f"{local} (3 min ago)",
                             "1m 05s"]


def test_following_in_a_script_never_loads_prompt_toolkit() -> None:
    import subprocess
    import sys

    code = ("import sys, azshell.shell.handlers.follow, azshell.shell.handlers.logs, "
            "azshell.shell.follow.view, azshell.shell.follow.log; "
            "print(sorted(m for m in sys.modules if m.startswith('prompt_toolkit')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=30)
    assert done.stdout.strip() == "[]"


def test_changes_of_one_poll_are_shown_in_the_order_they_happened() -> None:
    """A real server lists a poll's changed nodes in its hash map's order: the flow's last job
    must not be printed before the jobs it waited for."""
    from azshell.client.execution_model import Change
    from azshell.shell.follow.view import change_order

    done = [Change("finish", "RUNNING", "SUCCEEDED", {"startTime": 30, "endTime": 40}),
            Change("extract", "RUNNING", "SUCCEEDED", {"startTime": 1, "endTime": 10}),
            Change("load", "READY", "RUNNING", {"startTime": 20, "endTime": -1}),
            Change("later", "", "READY", {"startTime": -1})]
    assert [c.path for c in sorted(done, key=change_order)] == ["extract", "load", "finish",
                                                              "later"]
