"""The new commands of the installed `azshell` in scripts, against the sandbox: one JSON
document on stdout, one error line on stderr, and the exit code (0, 1 refused, 2 usage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Az, documents


@pytest.fixture
def etl(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    client.create_project(project_name, "api batch test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-etl", tmp_path / "e.zip"))
    return project_name


@pytest.fixture
def az(tmp_path: Path, sandbox: Any) -> Az:
    return Az(tmp_path / "home", sandbox.url)


@pytest.fixture
def reader(tmp_path: Path, sandbox: Any) -> Az:
    return Az(tmp_path / "reader-home", sandbox.url, user="reader")


def one_error(done: Any, code: int) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_schedule_script(az: Az, client: Any, etl: str) -> None:
    done = az("-c", f"schedule {etl} finish 15 4 * * 1-5 --disable transform_b",
              "-c", "schedules", "-c", f"sla set {etl} finish --rule finish --within 1:00 --kill",
              "-c", f"sla {etl} finish", "-c", f"unschedule {etl} finish")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    scheduled, listed, set_, shown, removed = documents(done.stdout)
    assert scheduled["cron"] == "0 15 4 ? * 2-6"
    assert [s["cron"] for s in listed if s["projectname"] == etl] == ["0 15 4 ? * 2-6"]
    assert set_["settings"] == [{"job": "", "rule": "FINISH", "within": "1:00", "email": False,
                                 "kill": True}]
    assert shown["settings"] == [{"id": "", "duration": "60m", "rule": "FINISH",
                                  "actions": ["KILL"]}]
    assert removed["scheduleId"] == scheduled["scheduleId"]
    assert client.schedule(etl, "finish") is None


def test_an_invalid_cron_is_a_usage_error(az: Az, etl: str) -> None:
    line = one_error(az("-c", f"schedule {etl} finish '0 0 31 2 *'"), 2)
    assert line.startswith("-c:1: error: invalid cron expression '0 0 31 2 *'")


def test_a_refused_schedule_fails_the_script(reader: Az, etl: str) -> None:
    line = one_error(reader("-c", f"schedule {etl} finish @daily", "-c", "schedules"), 1)
    assert line == "-c:1: error: Permission denied. Cannot execute finish"


def test_unschedule_without_schedule(az: Az, etl: str) -> None:
    line = one_error(az("-c", f"unschedule {etl} audit"), 1)
    assert line == f"-c:1: error: flow audit of project {etl} has no schedule"


def test_sla_without_an_action(az: Az, client: Any, etl: str) -> None:
    client.schedule_cron(etl, "audit", "0 0 1 * * ?")
    line = one_error(az("-c", f"sla set {etl} audit --rule success --within 2:00"), 2)
    assert line.endswith("rule 1 (success) needs an action: --email, --kill or both")


def test_permissions_grant_revoke_and_the_reader(az: Az, reader: Az, client: Any,
                                                 etl: str) -> None:
    done = az("-c", f"grant {etl} reader read execute schedule", "-c", f"permissions {etl}",
              "-c", f"revoke {etl} reader schedule")
    assert done.returncode == 0, done.stderr
    granted, listed, revoked = documents(done.stdout)
    assert granted["permissions"] == ["READ", "EXECUTE", "SCHEDULE"]
    assert {"name": "reader", "permissions": ["EXECUTE", "READ", "SCHEDULE"]} in listed["users"]
    assert revoked["permissions"] == ["READ", "EXECUTE"]
    line = one_error(reader("-c", f"revoke {etl} azkaban"), 1)
    assert line == "-c:1: error: Permission denied. Need ADMIN access."


def test_tables_in_a_pipe_when_asked(az: Az, etl: str) -> None:
    done = az("--output", "table", "-c", f"permissions {etl}", "-c", f"project-log {etl} -n 1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "PERMISSIONS"]
    assert "\x1b" not in done.stdout
    assert ["TIME", "USER", "TYPE", "MESSAGE"] in [line.split() for line in lines]


def test_describe_and_the_project_log(az: Az, etl: str) -> None:
    done = az("-c", f"describe {etl} Loads the orders", "-c", f"project-log {etl} --limit 1")
    assert done.returncode == 0, done.stderr
    described, log = documents(done.stdout)
    assert described["description"] == "Loads the orders"
    assert log["events"][0]["message"] == "Description changed to Loads the orders"


def test_download_here_and_not_twice(az: Az, etl: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (answer,) = documents(az("-c", f"download {etl} --version 1", cwd=work).stdout)
    assert answer["path"] == f"{etl}-1.zip"
    assert (work / f"{etl}-1.zip").stat().st_size == answer["bytes"]
    line = one_error(az("-c", f"download {etl} --version 1", cwd=work), 1)
    assert line == (f"-c:1: error: download: {etl}-1.zip exists: give another PATH, "
                    "or --force to replace it")
    line = one_error(az("-c", f"download {etl} --version 5", cwd=work), 1)
    assert line == f"-c:1: error: Project {etl} with version 5 doesn't exist"


def test_server_needs_no_password(tmp_path: Path, sandbox: Any) -> None:
    az = Az(tmp_path / "home", sandbox.url)
    az.env["AZSHELL_PASSWORD"] = "wrong"
    done = az("-c", "server")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["isDatabaseUp"] is True
    assert status["url"] == sandbox.url


def test_help_of_the_new_commands(az: Az) -> None:
    for name, example in (("schedule", 'schedule demo main "30 2 * * 1-5"'),
                          ("sla", "sla set demo main --rule success --within 2:00"),
                          ("grant", "grant demo alice read execute"),
                          ("download", "download demo --version 3"),
                          ("server", "server")):
        done = az("-c", f"help {name}")
        assert done.returncode == 0, done.stderr
        assert any(e.startswith(example) for e in json.loads(done.stdout)["examples"]), name

