"""backfill against the sandbox: one run per date with the date as a flow parameter, parallel
runs, the state file (resume, never the same date twice), the summary and exit status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_support import make_shell

from azshell.shell.handlers.backfill import parse_params, parse_step


@pytest.fixture
def quick(put_project: Any) -> str:
    """A project whose flow ``daily`` succeeds at once."""
    return put_project({"daily.job": "type=command\ncommand=echo ${date}\n"})


def run(sh: Any, line: str, state: Path) -> tuple[int, dict[str, Any], str]:
    code, out, err = sh(f"{line} --state {state}")
    return code, json.loads(out) if out.strip() else {}, err


def params_of(client: Any, execid: int) -> dict[str, str]:
    return dict(client.execution_options(execid).get("flowParam") or {})


def total(client: Any, project: str, flow: str) -> int:
    return int(client.flow_executions(project, flow, 0, 1)["total"])


def test_one_run_per_day_with_the_date_as_a_parameter(client: Any, quick: str,
                                                      tmp_path: Path) -> None:
    sh = make_shell(client)
    code, data, err = run(sh, f"backfill {quick} daily --from 2024-01-30 --to 2024-02-01",
                          tmp_path / "s.json")
    assert code == 0, err
    assert data["ok"] is True
    assert data["summary"] == {"SUCCEEDED": 3}
    assert [r["date"] for r in data["runs"]] == ["2024-01-30", "2024-01-31", "2024-02-01"]
    got = [params_of(client, r["execid"]) for r in data["runs"]]
    assert got == [{"date": "2024-01-30"}, {"date": "2024-01-31"}, {"date": "2024-02-01"}]


def test_steps_names_and_formats(client: Any, put_project: Any, tmp_path: Path) -> None:
    project = put_project({"daily.job": "type=command\ncommand=echo ${hour} ${day} ${env}\n"})
    sh = make_shell(client)
    code, data, err = run(sh, f"backfill {project} daily --from 2024-01-01T22:00 "
                              "--to 2024-01-02T01:00 --step 3h --param hour "
                              "--param day=%Y%m%d --param env=prod", tmp_path / "s.json")
    assert code == 0, err
    assert [r["params"] for r in data["runs"]] == [
        {"hour": "2024-01-01T22:00", "day": "20240101", "env": "prod"},
        {"hour": "2024-01-02T01:00", "day": "20240102", "env": "prod"}]
    assert params_of(client, data["runs"][1]["execid"])["day"] == "20240102"


def test_a_resumed_backfill_never_starts_a_date_twice(client: Any, quick: str,
                                                      tmp_path: Path) -> None:
    sh = make_shell(client)
    state = tmp_path / "s.json"
    _, first, _ = run(sh, f"backfill {quick} daily --from 2024-01-01 --to 2024-01-02", state)
    assert total(client, quick, "daily") == 2
    code, data, _ = run(sh, f"backfill {quick} daily --from 2024-01-01 --to 2024-01-04", state)
    assert code == 0
    assert total(client, quick, "daily") == 4  # only the two new dates ran
    assert [r["execid"] for r in data["runs"][:2]] == [r["execid"] for r in first["runs"]]
    recorded = json.loads(state.read_text())["runs"]
    assert sorted(recorded) == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


def test_a_date_whose_start_was_lost_is_not_sent_again(client: Any, quick: str,
                                                       tmp_path: Path) -> None:
    """UNKNOWN (the answer to the execute never came) and STARTING (stopped between the note
    and the request) may have started a run: resuming leaves them alone and says so."""
    state = tmp_path / "s.json"
    state.write_text(json.dumps({"project": quick, "flow": "daily", "runs": {
        "2024-01-01": {"execid": None, "status": "UNKNOWN", "message": "no answer"},
        "2024-01-02": {"execid": None, "status": "STARTING"}}}))
    code, data, err = run(make_shell(client), f"backfill {quick} daily --from 2024-01-01 "
                                              "--to 2024-01-03", state)
    assert code == 1
    assert total(client, quick, "daily") == 1
    assert [r["status"] for r in data["runs"]] == ["UNKNOWN", "STARTING", "SUCCEEDED"]
    assert "2 of 3 runs did not succeed (first: 2024-01-01 UNKNOWN)" in err


def test_a_run_still_going_when_stopped_is_followed_not_restarted(client: Any,
                                                                  put_project: Any,
                                                                  tmp_path: Path) -> None:
    project = put_project({"slow.job": "type=command\ncommand=sleep 0.5\n"})
    from azshell.client import ExecuteOptions

    execid = client.execute(project, "slow", ExecuteOptions(params={"date": "2024-01-01"}))
    state = tmp_path / "s.json"
    state.write_text(json.dumps({"project": project, "flow": "slow", "runs": {
        "2024-01-01": {"execid": execid, "status": "RUNNING"}}}))
    code, data, err = run(make_shell(client), f"backfill {project} slow --from 2024-01-01 "
                                              "--to 2024-01-01", state)
    assert code == 0, err
    assert data["runs"] == [{"date": "2024-01-01", "params": {"date": "2024-01-01"},
                             "execid": execid, "status": "SUCCEEDED"}]
    assert total(client, project, "slow") == 1


def test_a_refused_start_is_recorded_and_tried_again_on_resume(client: Any, quick: str,
                                                               tmp_path: Path) -> None:
    sh = make_shell(client)
    state = tmp_path / "s.json"
    sh(f"lock {quick} daily")
    code, data, err = run(sh, f"backfill {quick} daily --from 2024-01-01 --to 2024-01-01",
                          state)
    assert code == 1
    assert data["runs"][0]["status"] == "REFUSED"
    assert "locked" in data["runs"][0]["message"]
    sh(f"unlock {quick} daily")
    code, data, err = run(sh, f"backfill {quick} daily --from 2024-01-01 --to 2024-01-01",
                          state)
    assert code == 0, err
    assert data["runs"][0]["status"] == "SUCCEEDED"


def test_failed_runs_fail_the_command_with_a_summary(client: Any, put_project: Any,
                                                     tmp_path: Path) -> None:
    project = put_project({"d.job": "type=command\ncommand=test ${date} != 2024-01-02\n"})
    code, data, err = run(make_shell(client), f"backfill {project} d --from 2024-01-01 "
                                              "--to 2024-01-03", tmp_path / "s.json")
    assert code == 1
    assert data["summary"] == {"FAILED": 1, "SUCCEEDED": 2}
    failed = data["runs"][1]
    assert err.strip() == (f"error: backfill of {project}/d: 1 of 3 runs did not succeed "
                           f"(first: 2024-01-02 FAILED); 'log {failed['execid']}' shows why")


def test_parallel_runs_overlap(client: Any, put_project: Any, tmp_path: Path) -> None:
    project = put_project({"slow.job": "type=command\ncommand=sleep 0.6\n"})
    code, data, err = run(make_shell(client), f"backfill {project} slow --from 2024-01-01 "
                                              "--to 2024-01-02 --parallel 2",
                          tmp_path / "s.json")
    assert code == 0, err
    first, second = (client.execution(r["execid"]) for r in data["runs"])
    assert second["startTime"] < first["endTime"]  # both ran at once (concurrent: ignore)


def test_a_live_table_then_the_summary_on_a_terminal(client: Any, quick: str,
                                                     tmp_path: Path) -> None:
    sh = make_shell(client, tty=True)
    code, out, err = sh(f"backfill {quick} daily --from 2024-01-01 --to 2024-01-02 "
                        f"--state {tmp_path / 's.json'}")
    assert code == 0, err
    assert "\x1b[2K" in out  # the live rows, redrawn in place
    tail = out.rsplit("\x1b[J", 1)[-1]
    assert tail.splitlines()[0].split() == ["DATE", "EXECID", "STATUS"]
    assert f"2 runs: 2 SUCCEEDED (state: {tmp_path / 's.json'})" in tail


def test_the_default_state_file_is_in_the_current_directory(client: Any, quick: str,
                                                            tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    data = make_shell(client).json(f"backfill {quick} daily --from 2024-01-01 --to 2024-01-01")
    assert data["state"] == f".azshell-backfill-{quick}-daily.json"
    assert (tmp_path / data["state"]).is_file()


@pytest.mark.parametrize(("args", "message"), [
    ("--to 2024-01-01", "--from DATE is needed"),
    ("--from 2024-01-02 --to 2024-01-01", "--to is before --from"),
    ("--from 2024-13-01 --to 2024-01-01", "is not a date"),
    ("--from 2024-01-01 --to 2024-01-02 --step 0d", "--step '0d'"),
    ("--from 2024-01-01 --to 2024-01-02 --step often", "--step 'often'"),
    ("--from 2000-01-01 --to 2099-01-01 --step 1h", "is too many"),
    ("--from 2024-01-01 --to 2024-01-02 --param =x", "bad --param '=x'"),
    ("--from 2024-01-01 --to 2024-01-02 --concurrent sometimes", "must be one of"),
    ("--from 2024-01-01 --to 2024-01-01 --parallel 0", "must be a positive number"),
])
def test_bad_input(client: Any, quick: str, tmp_path: Path, args: str, message: str) -> None:
    line = make_shell(client).fails(f"backfill {quick} daily {args} --state "
                                    f"{tmp_path / 's.json'}", code=2)
    assert message in line
    assert total(client, quick, "daily") == 0


def test_an_unknown_flow_starts_nothing(client: Any, quick: str, tmp_path: Path) -> None:
    line = make_shell(client).fails(f"backfill {quick} nope --from 2024-01-01 --to 2024-01-01 "
                                    f"--state {tmp_path / 's.json'}")
    assert "Flow nope not found" in line
    assert not (tmp_path / "s.json").exists()


def test_a_state_file_of_another_backfill_is_refused(client: Any, quick: str,
                                                     tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    state.write_text(json.dumps({"project": quick, "flow": "other", "runs": {}}))
    line = make_shell(client).fails(f"backfill {quick} daily --from 2024-01-01 "
                                    f"--to 2024-01-01 --state {state}")
    assert f"is for {quick}/other, not {quick}/daily" in line
    state.write_text("not json")
    assert "cannot read the state file" in make_shell(client).fails(
        f"backfill {quick} daily --from 2024-01-01 --to 2024-01-01 --state {state}")


def test_default_parameter_and_formats() -> None:
    from datetime import timedelta

    assert parse_params([], parse_step("1d")) == [("date", "%Y-%m-%d")]
    assert parse_params([], parse_step("30m")) == [("date", "%Y-%m-%dT%H:%M")]
    assert parse_step("2w") == timedelta(weeks=2)
