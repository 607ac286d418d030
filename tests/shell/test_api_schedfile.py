"""schedules export / apply against the sandbox: the YAML, the plan, exactly those changes,
idempotence, --prune, and bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from api_support import make_shell

FILES = {"a.job": "type=noop\n", "b.job": "type=noop\n", "c.job": "type=noop\n"}


@pytest.fixture
def project(put_project: Any) -> str:
    return put_project(FILES)


def export(sh: Any, project: str) -> dict[str, Any]:
    code, out, err = sh(f"schedules export {project}")
    assert code == 0, err
    return yaml.safe_load(out)


def write(tmp_path: Path, entries: list[dict[str, Any]], name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"schedules": entries}), encoding="utf-8")
    return path


def test_export_writes_cron_options_and_sla_as_yaml(client: Any, project: str) -> None:
    sh = make_shell(client)
    sh(f"schedule {project} a '30 2 * * 1-5' --param env=prod --disable x "
       "--concurrent pipeline:2 --on-failure cancel --notify-failure ops@example.com")
    code, _, err = sh(f"sla set {project} a --rule success --within 1:30 --email --kill "
                      "--emails sla@example.com")
    assert code == 0, err
    code, out, _ = sh(f"schedules export {project}")
    assert out.startswith("# azshell schedules")  # YAML in a pipe too, not JSON
    assert yaml.safe_load(out) == {"schedules": [{
        "project": project, "flow": "a", "cron": "0 30 2 ? * 2-6",
        "options": {"disabled": ["x"], "params": {"env": "prod"}, "concurrent": "pipeline:2",
                    "on_failure": "cancel", "notify_failure": ["ops@example.com"]},
        "sla": {"emails": ["sla@example.com"],
                "rules": [{"rule": "success", "within": "1:30", "email": True, "kill": True}]},
    }]}


def test_export_of_a_project_without_schedules(client: Any, project: str) -> None:
    assert export(make_shell(client), project) == {"schedules": []}


def test_apply_adds_changes_and_prunes_exactly_what_it_shows(client: Any, project: str,
                                                             tmp_path: Path) -> None:
    sh = make_shell(client)
    sh(f"schedule {project} a @daily")
    sh(f"schedule {project} b @daily")
    path = write(tmp_path, [
        {"project": project, "flow": "a", "cron": "0 6 * * *"},       # changed (unix cron)
        {"project": project, "flow": "c", "cron": "@hourly",            # added
         "options": {"params": {"day": "today"}},
         "sla": {"emails": ["x@example.com"],
                 "rules": [{"rule": "finish", "within": "2:00", "job": "c", "email": True}]}},
    ])
    data = sh.json(f"schedules apply {path} --yes --prune")
    assert data["applied"] is True
    assert [(c["action"], c["flow"]) for c in data["changes"]] == [
        ("change", "a"), ("add", "c"), ("remove", "b")]
    assert data["changes"][0]["fields"] == ["cron"]
    got = export(sh, project)["schedules"]
    assert [(e["flow"], e["cron"]) for e in got] == [("a", "0 0 6 * * ?"), ("c", "0 0 * * * ?")]
    assert got[1]["options"] == {"params": {"day": "today"}}
    assert got[1]["sla"]["rules"] == [{"rule": "finish", "within": "2:00", "job": "c",
                                       "email": True, "kill": False}]


def test_applying_the_same_file_twice_changes_nothing(client: Any, project: str,
                                                      tmp_path: Path) -> None:
    sh = make_shell(client)
    sh(f"schedule {project} a @daily --param env=prod --concurrent skip")
    sh(f"sla set {project} a --rule success --within 0:45 --email --emails a@example.com")
    path = tmp_path / "exported.yaml"
    _, out, _ = sh(f"schedules export {project}")
    path.write_text(out, encoding="utf-8")
    assert sh.json(f"schedules apply {path} --yes")["changes"] == []  # the server's own export
    entries = yaml.safe_load(out)["schedules"]
    entries[0]["options"]["params"]["env"] = "test"
    changed = write(tmp_path, entries, "changed.yaml")
    first = sh.json(f"schedules apply {changed} --yes")
    assert [c["fields"] for c in first["changes"]] == [["options"]]
    second = sh.json(f"schedules apply {changed} --yes")
    assert second == {"ok": True, "file": str(changed), "changes": [], "applied": False}
    assert export(sh, project)["schedules"][0]["sla"]["rules"][0]["within"] == "0:45"


def test_an_unquoted_h_mm_is_read_as_meant(client: Any, project: str, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"schedules:\n- project: {project}\n  flow: a\n  cron: '@daily'\n"
                    "  sla:\n    rules:\n    - {rule: success, within: 2:30, email: true}\n",
                    encoding="utf-8")
    sh = make_shell(client)
    sh.json(f"schedules apply {path} --yes")
    assert export(sh, project)["schedules"][0]["sla"]["rules"][0]["within"] == "2:30"


def test_without_prune_other_schedules_stay(client: Any, project: str, tmp_path: Path) -> None:
    sh = make_shell(client)
    sh(f"schedule {project} b @daily")
    path = write(tmp_path, [{"project": project, "flow": "a", "cron": "@daily"}])
    assert [c["action"] for c in sh.json(f"schedules apply {path} --yes")["changes"]] == ["add"]
    assert [e["flow"] for e in export(sh, project)["schedules"]] == ["a", "b"]


def test_plan_changes_nothing(client: Any, project: str, tmp_path: Path) -> None:
    sh = make_shell(client)
    path = write(tmp_path, [{"project": project, "flow": "a", "cron": "@daily"}])
    data = sh.json(f"schedules apply {path} --plan")
    assert data["applied"] is False
    assert len(data["changes"]) == 1
    assert export(sh, project)["schedules"] == []


def test_a_script_must_say_yes(client: Any, project: str, tmp_path: Path) -> None:
    sh = make_shell(client)
    path = write(tmp_path, [{"project": project, "flow": "a", "cron": "@daily"}])
    line = sh.fails(f"schedules apply {path}", code=2)
    assert "without --yes" in line
    assert export(sh, project)["schedules"] == []


def test_a_terminal_asks_and_no_means_nothing(client: Any, project: str, tmp_path: Path,
                                              ) -> None:
    sh = make_shell(client, tty=True)
    asked: list[str] = []
    sh.ctx.confirm = lambda question: asked.append(question) or False
    path = write(tmp_path, [{"project": project, "flow": "a", "cron": "@daily"}])
    code, out, err = sh(f"schedules apply {path}")
    assert code == 0
    assert asked == ["Make these 1 change(s)?"]
    assert f"+ {project}/a  add, cron 0 0 0 * * ?" in err
    assert out.strip() == "nothing changed"
    assert export(make_shell(client), project)["schedules"] == []


@pytest.mark.parametrize(("text", "message"), [
    ("schedules: [{project: P, flow: a, cron: '@daily', crn: x}]", "unknown key 'crn'"),
    ("schedules: [{project: P, flow: a}]", "'cron' is missing"),
    ("schedules: [{project: P, flow: a, cron: '99 * * * *'}]", "schedule 1:"),
    ("schedules: [{project: P, flow: nope, cron: '@daily'}]", "has no flow 'nope'; nothing was"),
    ("schedules: [{project: P, flow: a, cron: '@daily', options: {concurrent: often}}]",
     "bad concurrency option"),
    ("schedules: [{project: P, flow: a, cron: '@daily', sla: {rules: [{rule: soon}]}}]",
     "'rule' must be success or finish"),
    ("schedules: [{project: P, flow: a, cron: '@daily', sla: {rules: [{rule: success, "
     "within: '1:00'}]}}]", "needs email: true and/or kill: true"),
    ("schedules:\n- {project: P, flow: a, cron: '@daily'}\n- {project: P, flow: a, cron: "
     "'@hourly'}", "listed twice"),
    ("just text", "must hold 'schedules:'"),
    ("schedules: [a: b: c", "is not valid YAML"),
])
def test_bad_files_change_nothing(client: Any, project: str, tmp_path: Path, text: str,
                                  message: str) -> None:
    sh = make_shell(client)
    sh(f"schedule {project} b @daily")
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("P", project), encoding="utf-8")
    assert message in sh.fails(f"schedules apply {path} --yes --prune")
    assert [e["flow"] for e in export(sh, project)["schedules"]] == ["b"]


@pytest.mark.parametrize(("line", "message"), [
    ("schedules apply", "name the YAML file"),
    ("schedules list demo", "did you mean 'schedules export demo'?"),
    ("schedules demo", "must be one of list, export, apply, not 'demo'"),
    ("schedules --yes", "go with 'schedules apply FILE'"),
])
def test_bad_words(client: Any, line: str, message: str) -> None:
    assert message in make_shell(client).fails(line, code=2)


def test_a_missing_file(client: Any, tmp_path: Path) -> None:
    assert "cannot read" in make_shell(client).fails(f"schedules apply {tmp_path / 'x.yaml'}")


def test_the_list_is_still_a_table_and_json(client: Any, project: str) -> None:
    sh = make_shell(client)
    sh(f"schedule {project} a @daily")
    mine = [s for s in json.loads(sh("schedules")[1]) if s["projectname"] == project]
    assert [s["flowname"] for s in mine] == ["a"]
    code, out, _ = make_shell(client, tty=True)("schedules list")
    assert code == 0
    assert "NEXT RUN" in out
