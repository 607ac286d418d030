"""sla and sla set in-process against the sandbox (§7.6): the rules as the server keeps them,
several rules on one line, the checks made before sending, and the server's refusals."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Shell, make_shell

from azshell.client import AzkabanClient, SlaSetting
from azshell.errors import NotFound
from azshell.shell.handlers.sla import Rule, rules_in_order
from azshell.shell.line.commands import find

SET = find("sla")


@pytest.fixture
def etl(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    """flow1-etl with its ``finish`` flow scheduled daily."""
    client.create_project(project_name, "api test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-etl", tmp_path / "e.zip"))
    client.schedule_cron(project_name, "finish", "0 0 3 * * ?")
    return project_name


@pytest.fixture
def sh(client: Any, etl: str) -> Shell:
    return make_shell(client)


def sla_of(client: Any, project: str, flow: str) -> dict[str, Any]:
    return client.sla_info(client.schedule(project, flow)["scheduleId"])


def test_a_flow_without_an_sla(sh: Shell, client: Any, etl: str) -> None:
    answer = sh.json(f"sla {etl} finish")
    assert answer["scheduleId"] == client.schedule(etl, "finish")["scheduleId"]
    assert answer["cron"] == "0 0 3 * * ?"
    assert "settings" not in answer
    assert "load" in answer["allJobNames"]
    code, out, _ = make_shell(client, tty=True)(f"sla show {etl} finish")
    assert code == 0
    assert f"{etl}/finish has no SLA; set one with: sla set {etl} finish" in out


def test_set_one_rule_and_show_it(sh: Shell, client: Any, etl: str) -> None:
    answer = sh.json(f"sla set {etl} finish --rule success --within 1:30 --email "
                     "--emails ops@example.com,oncall@example.com")
    assert answer["settings"] == [{"job": "", "rule": "SUCCESS", "within": "1:30",
                                   "email": True, "kill": False}]
    stored = sla_of(client, etl, "finish")
    assert stored["settings"] == [{"id": "", "duration": "90m", "rule": "SUCCEED",
                                   "actions": ["EMAIL"]}]
    assert stored["slaEmails"] == ["ops@example.com", "oncall@example.com"]
    shown = sh.json(f"sla {etl} finish")
    # the server says SUCCEED; azshell says SUCCESS in both `sla` and `sla set`
    assert shown["settings"] == [{**stored["settings"][0], "rule": "SUCCESS"}]
    code, out, _ = make_shell(client, tty=True)(f"sla {etl} finish")
    assert code == 0
    text = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert f"SLA of {etl}/finish (schedule " in text
    assert re.search(r"\(flow\)\s+SUCCESS\s+1:30\s+EMAIL", text)
    assert "e-mails: ops@example.com, oncall@example.com" in text


def test_several_rules_on_one_line(sh: Shell, client: Any, etl: str) -> None:
    sh.json(f"sla set {etl} finish --within 2h --email --rule success "
            "--rule finish --job load --within 45m --kill --email "
            "--rule finish --within 3:00 --kill --emails ops@example.com")
    stored = sla_of(client, etl, "finish")["settings"]
    assert stored == [
        {"id": "", "duration": "120m", "rule": "SUCCEED", "actions": ["EMAIL"]},
        {"id": "load", "duration": "45m", "rule": "FINISH", "actions": ["EMAIL", "KILL"]},
        {"id": "", "duration": "180m", "rule": "FINISH", "actions": ["KILL"]},
    ]


def test_setting_again_replaces_every_rule_and_keeps_the_emails(sh: Shell, client: Any,
                                                                etl: str) -> None:
    sh.json(f"sla set {etl} finish --rule success --within 1:00 --email --emails a@example.com")
    sh.json(f"sla set {etl} finish --rule finish --job extract --within 0:10 --email")
    stored = sla_of(client, etl, "finish")
    assert stored["settings"] == [{"id": "extract", "duration": "10m", "rule": "FINISH",
                                   "actions": ["EMAIL"]}]
    assert stored["slaEmails"] == ["a@example.com"]


def test_the_answer_of_sla_set_on_a_terminal(client: Any, etl: str) -> None:
    code, out, _ = make_shell(client, tty=True)(
        f"sla set {etl} finish --rule finish --job load --within 0:30 --kill")
    assert code == 0
    assert f"set the SLA of {etl}/finish" in out
    assert re.search(r"load\s+FINISH\s+0:30\s+KILL", out)


@pytest.mark.parametrize(("options", "message"), [
    ("--rule success --within 1:00", "rule 1 (success) needs an action: --email, --kill or both"),
    ("--rule success --email", "rule 1 (success) needs --within H:MM"),
    ("--within 1:00 --email", "give at least one --rule success|finish"),
    ("--rule success --within 1:00 --kill --rule finish --within 2:00",
     "rule 2 (finish) needs an action"),
    ("--rule success --within soon --kill", "bad duration 'soon'"),
    ("--rule success --within 0:00 --kill", "at least one minute"),
    ("--rule success --within 1:00 --within 2:00 --kill", "--within given twice for one rule"),
])
def test_rules_are_checked_before_any_request(sh: Shell, etl: str, options: str,
                                              message: str) -> None:
    sh.seen.clear()
    line = sh.fails(f"sla set {etl} finish {options}", code=2)
    assert message in line
    assert sh.seen == []


def test_an_unknown_job_is_refused_before_setting(sh: Shell, client: Any, etl: str) -> None:
    sh.seen.clear()
    line = sh.fails(f"sla set {etl} finish --rule success --job nope --within 1:00 --kill", 2)
    assert "no job 'nope' in this flow" in line
    assert all(dict(e.params).get("ajax") != "setSla" for e in sh.seen)
    assert "settings" not in sla_of(client, etl, "finish")


def test_email_without_any_address(sh: Shell, etl: str) -> None:
    line = sh.fails(f"sla set {etl} finish --rule success --within 1:00 --email", code=2)
    assert "--email needs addresses to mail: add --emails" in line


def test_options_of_set_without_set(sh: Shell, etl: str) -> None:
    line = sh.fails(f"sla {etl} finish --rule success --kill", code=2)
    assert "--rule, --kill: only with 'sla set'" in line


def test_a_flow_without_schedule_has_no_sla(sh: Shell, etl: str) -> None:
    assert sh.fails(f"sla {etl} audit") == f"error: flow audit of project {etl} has no schedule"
    assert sh.fails(f"sla set {etl} audit --rule success --within 1:00 --kill") == (
        f"error: sla set: flow audit of project {etl} has no schedule, and an SLA belongs to a "
        f"schedule: schedule it first ('schedule {etl} audit CRON', e.g. @daily)")


def test_an_unknown_flow(sh: Shell, etl: str) -> None:
    assert sh.fails(f"sla {etl} nope") == f"error: Flow nope not found in project {etl}"


def test_a_reader_may_look_but_not_set(sandbox: Any, client: Any, etl: str) -> None:
    client.set_sla(client.schedule(etl, "finish")["scheduleId"],
                   [SlaSetting("success", 30, "", False, True)], [])
    api = AzkabanClient(sandbox.url)
    api.login("reader", "reader")
    reader = make_shell(api)
    assert reader.json(f"sla {etl} finish")["settings"][0]["actions"] == ["KILL"]
    line = reader.fails(f"sla set {etl} finish --rule finish --within 1:00 --kill")
    assert line == "error: User reader: [] does not have permission to set SLA for this flow."
    assert sla_of(client, etl, "finish")["settings"][0]["rule"] == "SUCCEED"


def test_a_schedule_that_went_away_meanwhile(sh: Shell, client: Any, etl: str) -> None:
    """The server's answer for an unknown schedule id (§7.6), as the client reports it."""
    schedule_id = client.schedule(etl, "finish")["scheduleId"]
    client.unschedule(etl, "finish")
    with pytest.raises(NotFound, match=f"Schedule {schedule_id} doesn't exist"):
        client.sla_info(schedule_id)


# -- grouping the options of one line into rules (no server) ------------------------------------

@pytest.mark.parametrize(("options", "rules"), [
    ("--rule success --within 1:00 --email",
     [Rule("success", "1:00", "", True, False)]),
    ("--email --within 2h --rule finish --kill",
     [Rule("finish", "2h", "", True, True)]),
    ("--rule=success --within=1:00 --kill --rule finish --job load --within 5m --email",
     [Rule("success", "1:00", "", False, True), Rule("finish", "5m", "load", True, False)]),
    ("--emails a@b.c --rule success --within 1:00 --email -- --rule",
     [Rule("success", "1:00", "", True, False)]),
])
def test_rules_in_order(options: str, rules: list[Rule]) -> None:
    assert rules_in_order(SET, f"sla set demo main {options}") == rules
