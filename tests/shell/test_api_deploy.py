"""plan, diff, upload --plan / --if-changed / lint against the sandbox: one test per kind of
change the plan detects, what an upload would lose, and bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from api_support import make_shell

BASE = {"a.job": "type=command\ncommand=echo a\n",
        "b.job": "type=command\ncommand=echo b\ndependencies=a\nretries=1\n",
        "solo.job": "type=noop\n"}


def write(root: Path, files: dict[str, str | None]) -> Path:
    """Write ``files`` under ``root`` (None removes one); returns ``root``."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def deployed(client: Any, project_name: str, tmp_path: Path) -> tuple[Any, Path]:
    """BASE uploaded as version 1 of the test's project; returns (shell, its directory)."""
    root = write(tmp_path / "proj", BASE)
    sh = make_shell(client)
    code, _, err = sh(f"upload {project_name} {root} --create")
    assert code == 0, err
    return sh, root


def plan(sh: Any, project: str, root: Path) -> dict[str, Any]:
    return sh.json(f"plan {project} {root}")


def versions(client: Any, project: str) -> int:
    return sum(1 for e in client.project_logs(project) if e["type"] == "UPLOADED")


def jobs(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(j["flow"], j["job"]): j for j in data["jobs"]}


# -- what plan detects, one kind at a time --------------------------------------------------------

def test_no_change_exits_0_and_says_so(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    code, out, _ = sh(f"plan {project_name} {root}")
    data = json.loads(out)
    assert code == 0
    assert data["changed"] is False
    assert data["files"] == []
    assert data["exists"] is True


def test_a_flow_added(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {"new.job": "type=noop\n"}))
    assert data["flows"]["added"] == ["new"]
    assert data["changed"] is True
    assert jobs(data)[("new", "new")]["status"] == "added"


def test_a_flow_removed(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {"solo.job": None}))
    assert data["flows"]["removed"] == ["solo"]
    assert jobs(data)[("solo", "solo")]["status"] == "removed"


def test_a_job_added(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {
        "c.job": "type=noop\n",
        "b.job": "type=command\ncommand=echo b\ndependencies=a,c\nretries=1\n"}))
    assert jobs(data)[("b", "c")]["status"] == "added"
    assert data["flows"]["changed"] == ["b"]


def test_a_job_removed(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {
        "a.job": None, "b.job": "type=command\ncommand=echo b\nretries=1\n"}))
    assert jobs(data)[("b", "a")]["status"] == "removed"


def test_a_job_type_changed(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {"solo.job": "type=command\ncommand=true\n"}))
    assert "type: noop -> command" in jobs(data)[("solo", "solo")]["changes"]


def test_a_command_changed(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {"a.job": "type=command\ncommand=echo A\n"}))
    assert jobs(data)[("b", "a")]["changes"] == ["command: echo a -> echo A"]


def test_dependencies_changed(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {
        "b.job": "type=command\ncommand=echo b\ndependencies=a,solo\nretries=1\n"}))
    assert "dependencies: a -> a, solo" in jobs(data)[("b", "b")]["changes"]
    assert data["flows"]["removed"] == ["solo"]  # solo is no end any more: its flow goes


def test_a_property_changed(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {
        "b.job": "type=command\ncommand=echo b\ndependencies=a\nretries=4\n"}))
    assert jobs(data)[("b", "b")]["changes"] == ["property retries: 1 -> 4"]


def test_each_changed_file_has_a_unified_diff(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {"a.job": "type=command\ncommand=echo A\n"}))
    (change,) = data["files"]
    assert change["path"] == "a.job"
    assert change["status"] == "changed"
    assert "-command=echo a\n+command=echo A" in change["diff"]


def test_the_schedule_and_sla_of_a_flow_that_disappears(deployed: Any, project_name: str,
                                                        ) -> None:
    sh, root = deployed
    sh(f"schedule {project_name} solo @daily")
    sh(f"schedule {project_name} b @hourly")
    code, _, err = sh(f"sla set {project_name} solo --rule finish --within 1:00 --email "
                      "--emails ops@example.com")
    assert code == 0, err
    data = plan(sh, project_name, write(root, {"solo.job": None}))
    assert [s["flow"] for s in data["lost"]["schedules"]] == ["solo"]  # b stays, and so does
    assert data["lost"]["schedules"][0]["cron"] == "0 0 0 * * ?"       # its schedule
    (sla,) = data["lost"]["slas"]
    assert sla["flow"] == "solo"
    assert sla["rules"][0]["rule"] == "FINISH"


def test_job_overrides_that_the_upload_resets(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    code, _, err = sh(f"job-set {project_name} b b retries=9")
    assert code == 0, err
    data = plan(sh, project_name, root)  # even an upload of the same files resets it
    assert data["lost"]["overrides"] == [{"flow": "b", "job": "b", "properties": ["retries"]}]
    assert plan(sh, project_name, root)["changed"] is False


def test_an_override_inside_an_embedded_flow_2_flow(client: Any, project_name: str,
                                                    tmp_path: Path) -> None:
    from api_support import EXAMPLES

    sh = make_shell(client)
    example = EXAMPLES / "flow2-pipeline"
    sh(f"upload {project_name} {example} --create")
    code, _, err = sh(f"job-set {project_name} pipeline process:step_a retries=2")
    assert code == 0, err
    data = plan(sh, project_name, example)
    assert data["lost"]["overrides"] == [{"flow": "pipeline:process", "job": "step_a",
                                          "properties": ["retries"]}]


def test_the_lock_of_a_flow_that_goes_and_one_that_stays(deployed: Any, project_name: str,
                                                         ) -> None:
    sh, root = deployed
    sh(f"lock {project_name} solo")
    sh(f"lock {project_name} b")
    data = plan(sh, project_name, write(root, {"solo.job": None}))
    assert data["lost"]["locks"] == [{"flow": "solo"}]
    assert data["kept"]["locks"] == [{"flow": "b"}]


def test_nothing_lost_lists_nothing(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    data = plan(sh, project_name, write(root, {"x.job": "type=noop\n"}))
    assert data["lost"] == {"schedules": [], "slas": [], "overrides": [], "locks": []}


def test_the_text_on_a_terminal(client: Any, deployed: Any, project_name: str) -> None:
    sh, root = deployed
    sh(f"schedule {project_name} solo @daily")
    tty = make_shell(client, tty=True)
    tty.ctx.out.color_setting = "off"
    write(root, {"solo.job": None, "a.job": "type=command\ncommand=echo A\n"})
    code, out, _ = tty(f"plan {project_name} {root}")
    assert code == 0
    assert "  - solo  (removed)" in out
    assert "  ~ b  (changed)" in out
    assert "      command: echo a -> echo A" in out
    assert "    +command=echo A" in out
    assert "lost by this upload:" in out
    assert "schedule " in out
    assert "removed with the flow" in out
    assert out.rstrip().endswith("2 files differ: the upload creates a new version")


def test_a_project_that_does_not_exist_yet(client: Any, project_name: str, tmp_path: Path,
                                           ) -> None:
    sh = make_shell(client)
    data = sh.json(f"plan {project_name} {write(tmp_path / 'p', BASE)}")
    assert data["exists"] is False
    assert data["flows"]["added"] == ["b", "solo"]


def test_a_project_that_does_not_validate_exits_1(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    write(root, {"b.job": "type=command\ncommand=x\ndependencies=gone\n"})
    line = sh.fails(f"plan {project_name} {root}")
    assert "b cannot find dependency gone" in line


@pytest.mark.parametrize(("args", "message"), [
    ("nowhere", "plan: no such file or directory"),
    ("notes.txt", "neither a directory nor a .zip file"),
])
def test_bad_paths(client: Any, project_name: str, tmp_path: Path, args: str,
                   message: str) -> None:
    (tmp_path / "notes.txt").write_text("x")
    sh = make_shell(client)
    assert message in sh.fails(f"plan {project_name} {tmp_path / args}")


def test_a_plan_that_the_lint_would_stop_is_shown_and_exits_1(deployed: Any,
                                                              project_name: str) -> None:
    sh, root = deployed
    write(root, {"a.job": "type=command\ncommand=./run.sh\n"})
    for line in (f"plan {project_name} {root}", f"upload {project_name} {root} --plan"):
        code, out, err = sh(line)
        assert code == 1
        assert json.loads(out)["jobs"][0]["changes"] == ["command: echo a -> ./run.sh"]
        assert "lint error: a.job:2: job a: command runs ./run.sh" in err
        assert err.strip().splitlines()[-1].endswith("the upload would stop before sending "
                                                     f"anything: lint found 1 error ('lint "
                                                     f"{root}' explains)")
    code, _, _ = sh(f"upload {project_name} {root} --plan --no-lint")
    assert code == 0


# -- upload --plan, --if-changed, lint ------------------------------------------------------------

def test_upload_plan_uploads_nothing(client: Any, deployed: Any, project_name: str) -> None:
    sh, root = deployed
    write(root, {"new.job": "type=noop\n"})
    data = sh.json(f"upload {project_name} {root} --plan")
    assert data["flows"]["added"] == ["new"]
    assert versions(client, project_name) == 1


def test_upload_if_changed_skips_the_same_files(client: Any, deployed: Any,
                                                project_name: str, tmp_path: Path) -> None:
    sh, root = deployed
    data = sh.json(f"upload {project_name} {root} --if-changed")
    assert data == {"ok": True, "project": project_name, "changed": False, "unchanged": True}
    assert versions(client, project_name) == 1
    os.utime(root / "a.job", (1, 1))  # a new time stamp is not a change
    assert sh.json(f"upload {project_name} {root} --if-changed")["changed"] is False
    write(root, {"a.job": "type=command\ncommand=echo A\n"})
    data = sh.json(f"upload {project_name} {root} --if-changed")
    assert data["changed"] is True
    assert data["version"] == 2
    assert versions(client, project_name) == 2


def test_upload_if_changed_of_the_same_files_as_a_zip(client: Any, deployed: Any,
                                                      project_name: str, tmp_path: Path,
                                                      zip_directory: Any) -> None:
    sh, root = deployed
    archive = zip_directory(root, tmp_path / "same.zip")
    assert sh.json(f"upload {project_name} {archive} --if-changed")["changed"] is False


def test_upload_if_changed_says_unchanged_on_a_terminal(client: Any, deployed: Any,
                                                        project_name: str) -> None:
    _, root = deployed
    tty = make_shell(client, tty=True)
    code, _, err = tty(f"upload {project_name} {root} --if-changed")
    assert code == 0
    assert err.startswith("unchanged: ")


def test_upload_if_changed_to_a_new_project(client: Any, project_name: str,
                                            tmp_path: Path) -> None:
    sh = make_shell(client)
    client.create_project(project_name, "empty")
    data = sh.json(f"upload {project_name} {write(tmp_path / 'p', BASE)} --if-changed")
    assert data["changed"] is True
    assert data["version"] == 1


def test_upload_if_changed_with_create(client: Any, project_name: str, tmp_path: Path) -> None:
    data = make_shell(client).json(f"upload {project_name} {write(tmp_path / 'p', BASE)} "
                                   "--if-changed --create")
    assert data["changed"] is True
    assert data["created"] is True


def test_a_lint_error_stops_the_upload_before_anything_is_sent(client: Any, deployed: Any,
                                                               project_name: str) -> None:
    sh, root = deployed
    write(root, {"a.job": "type=command\ncommand=./run.sh\n"})
    seen = len(sh.seen)
    code, out, err = sh(f"upload {project_name} {root}")
    assert code == 1
    assert out == ""
    assert "lint error: a.job:2: job a: command runs ./run.sh, which is not in the project" in err
    assert err.strip().splitlines()[-1].startswith("error: upload: lint found 1 error")
    assert not any(e.method == "POST" for e in sh.seen[seen:])
    assert versions(client, project_name) == 1
    assert sh.json(f"upload {project_name} {root} --no-lint")["version"] == 2


def test_lint_warnings_are_shown_and_the_upload_goes_on(deployed: Any,
                                                        project_name: str) -> None:
    sh, root = deployed
    write(root, {"a.job": "type=command\ncommand=echo ${day}\n"})
    code, out, err = sh(f"upload {project_name} {root}")
    assert code == 0
    assert json.loads(out)["version"] == 2
    assert "warning: a.job:2: ${day} is defined by no properties file" in err


# -- diff -----------------------------------------------------------------------------------------

def test_diff_between_two_deployed_versions(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    write(root, {"a.job": "type=command\ncommand=echo A\n", "solo.job": None})
    sh(f"upload {project_name} {root}")
    data = sh.json(f"diff {project_name} 1 2")
    assert (data["from"], data["to"]) == (1, 2)
    assert data["flows"]["removed"] == ["solo"]
    assert jobs(data)[("b", "a")]["changes"] == ["command: echo a -> echo A"]
    assert sh.json(f"diff {project_name} 2 2")["changed"] is False


def test_diff_with_a_path_is_the_quick_plan(deployed: Any, project_name: str) -> None:
    sh, root = deployed
    sh(f"schedule {project_name} solo @daily")
    data = sh.json(f"diff {project_name} {write(root, {'solo.job': None})}")
    assert data["flows"]["removed"] == ["solo"]
    assert "lost" not in data  # no look at schedules, overrides, locks


@pytest.mark.parametrize(("args", "code", "message"), [
    ("3", 2, "diff: give two versions"),
    ("0 1", 2, "diff: a version is a positive number"),
    ("x 2", 2, "diff: a version is a positive number"),
    ("1 9", 1, "version 9"),
])
def test_diff_bad_versions(deployed: Any, project_name: str, args: str, code: int,
                           message: str) -> None:
    sh, _ = deployed
    assert message in sh.fails(f"diff {project_name} {args}", code=code)
