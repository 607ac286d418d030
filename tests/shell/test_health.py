"""stats: the figures (pure) and the command on the sandbox, terminal text and script JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, make_shell

from azshell.shell.follow.follower import Follower
from azshell.shell.handlers import health


def run(exec_id: int, status: str, seconds: float | None, start: int = 1_000_000) -> dict:
    end = -1 if seconds is None else start + int(seconds * 1000)
    return {"execId": exec_id, "status": status, "startTime": start, "endTime": end}


def test_summary_counts_finished_runs_and_durations_of_successes() -> None:
    runs = [run(5, "RUNNING", None), run(4, "SUCCEEDED", 40), run(3, "FAILED", 5),
            run(2, "SUCCEEDED", 10), run(1, "SUCCEEDED", 20)]
    data = health.summarize(runs)
    assert (data["runs"], data["finished"], data["succeeded"], data["unfinished"]) == (5, 4, 3, 1)
    assert data["successRate"] == 0.75
    assert data["medianSeconds"] == 20
    assert data["p95Seconds"] == 40
    assert data["trendSeconds"] == [20, 10, 5, 40]  # oldest first
    assert data["trend"] == "▄▂▁█"  # (v - 5) / 35 * 7 bars up
    assert data["lastStatus"] == "RUNNING"


def test_no_finished_run_has_no_rate() -> None:
    data = health.summarize([run(1, "RUNNING", None)])
    assert data["successRate"] is None
    assert data["medianSeconds"] is None
    assert data["trend"] == ""


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert health.percentile(values, 0.95) == 19
    assert health.percentile([7.0], 0.95) == 7
    assert health.percentile([], 0.95) is None


def test_sla_misses_of_flow_rules() -> None:
    runs = [run(3, "SUCCEEDED", 30), run(2, "FAILED", 10), run(1, "SUCCEEDED", 200)]
    succeed = [{"id": "", "duration": "2m", "rule": "SUCCEED", "actions": ["EMAIL"]}]
    assert [m["execId"] for m in health.sla_misses(runs, succeed)] == [2, 1]
    finish = [{"id": "", "duration": "2m", "rule": "FINISH", "actions": ["EMAIL"]}]
    assert [m["execId"] for m in health.sla_misses(runs, finish)] == [1]
    job_rule = [{"id": "load", "duration": "1m", "rule": "FINISH", "actions": ["KILL"]}]
    assert health.sla_misses(runs, job_rule) == []


@pytest.fixture
def failing(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    client.create_project(project_name, "stats test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-failing",
                                                      tmp_path / "p.zip"))
    return project_name


def _run_to_end(client: Any, project: str, flow: str, disabled: list[str] | None = None,
                ) -> int:
    from azshell.client import ExecuteOptions

    execid = client.execute(project, flow, ExecuteOptions(disabled=disabled or []))
    Follower(client, execid).run()
    return execid


def test_stats_of_a_flow_names_the_failed_jobs_of_the_last_failures(client: Any,
                                                                    failing: str) -> None:
    first = _run_to_end(client, failing, "end")
    good = _run_to_end(client, failing, "end", disabled=["boom"])
    last = _run_to_end(client, failing, "end")
    sh = make_shell(client)
    data = sh.json(f"stats {failing} end --last 10")
    assert (data["runs"], data["finished"], data["succeeded"]) == (3, 3, 1)
    assert data["successRate"] == round(1 / 3, 4)
    assert [f["execId"] for f in data["failures"]] == [last, first]
    assert all(f["failedJobs"] == ["boom"] for f in data["failures"])
    assert data["sla"] is None
    assert good not in [f["execId"] for f in data["failures"]]
    tty = make_shell(client, tty=True)
    code, out, err = tty(f"stats {failing} end")
    assert code == 0, err
    assert "success rate  33% (1/3)" in out
    assert f"  {last}  " in out
    assert "failed jobs: boom" in out


def test_last_bounds_the_runs_counted(client: Any, failing: str) -> None:
    for _ in range(3):
        _run_to_end(client, failing, "end")
    sh = make_shell(client)
    assert sh.json(f"stats {failing} end --last 2")["runs"] == 2


def test_stats_of_a_project_has_a_line_per_flow(client: Any, failing: str) -> None:
    _run_to_end(client, failing, "end")
    sh = make_shell(client)
    data = sh.json(f"stats {failing}")
    assert [f["flow"] for f in data["flows"]] == ["end"]
    assert data["flows"][0]["lastStatus"] == "FAILED"
    tty = make_shell(client, tty=True)
    code, out, _ = tty(f"stats {failing}")
    assert code == 0
    assert out.splitlines()[1].split() == ["FLOW", "RUNS", "SUCCESS", "MEDIAN",
                                                         "P95", "LAST", "TREND"]


def test_stats_of_an_unknown_flow_is_one_error_line(client: Any, failing: str) -> None:
    sh = make_shell(client)
    assert sh.fails(f"stats {failing} nope") == f"error: Flow nope not found in project {failing}"


def test_sla_misses_come_from_the_schedules_sla(client: Any, failing: str) -> None:
    from azshell.client import SlaSetting

    _run_to_end(client, failing, "end")
    schedule_id = client.schedule_cron(failing, "end", "0 0 3 * * ?")
    client.set_sla(schedule_id, [SlaSetting(rule="SUCCESS", duration_minutes=30, email=True)],
                   ["ops@example.com"])
    sh = make_shell(client)
    sla = sh.json(f"stats {failing} end")["sla"]
    assert len(sla["misses"]) == 1
    assert sla["misses"][0]["status"] == "FAILED"
