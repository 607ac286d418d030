"""flows on a terminal, permissions, grant, revoke, project-log, describe, download and server
in-process against the sandbox (§5.5, §5.6, §8.1), with the CSRF rule of §2.6 and every
documented refusal."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from api_support import Shell, make_shell

from azshell.client import AzkabanClient


@pytest.fixture
def project(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """A project with two versions: v1 has ``one.job``, v2 has ``two.job``."""
    client.create_project(project_name, "api test")
    client.upload_project(project_name, make_zip(tmp_path, {"one.job": "type=noop\n"}, "v1.zip"))
    client.upload_project(project_name, make_zip(tmp_path, {"two.job": "type=noop\n"}, "v2.zip"))
    return project_name


@pytest.fixture
def sh(client: Any, project: str) -> Shell:
    return make_shell(client)


@pytest.fixture
def reader(sandbox: Any, project: str) -> Shell:
    api = AzkabanClient(sandbox.url)
    api.login("reader", "reader")
    return make_shell(api)


def users(client: Any, project: str) -> dict[str, list[str]]:
    return {p["username"]: sorted(p["permission"]) for p in client.permissions(project)}


def groups(client: Any, project: str) -> dict[str, list[str]]:
    return {p["username"]: sorted(p["permission"]) for p in client.group_permissions(project)}


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# -- flows -------------------------------------------------------------------------------------

def test_the_flows_table_on_a_terminal(client: Any, three_flows: str) -> None:
    flows = client.flows(three_flows)
    assert sorted(flows) == ["alpha", "mid", "zeta"]
    code, out, err = make_shell(client, tty=True)(f"flows {three_flows}")
    assert (code, err) == (0, "")
    assert plain(out) == "FLOW\n" + "".join(f"{flow}\n" for flow in flows)
    assert out.startswith("\x1b[1mFLOW\x1b[0m\n")  # a bold header on a colour terminal


# -- permissions -------------------------------------------------------------------------------

def test_permissions_lists_users_groups_and_proxy_users(sh: Shell, client: Any,
                                                        project: str) -> None:
    client.add_permission(project, "azkaban", ["read", "execute"], group=True)
    answer = sh.json(f"permissions {project}")
    assert answer["project"] == project
    assert {"name": "azkaban", "permissions": ["ADMIN"]} in answer["users"]
    assert answer["groups"] == [{"name": "azkaban", "permissions": ["EXECUTE", "READ"]}]
    assert answer["proxyUsers"] == ["azkaban"]
    code, out, _ = make_shell(client, tty=True)(f"permissions {project}")
    assert code == 0
    lines = plain(out).splitlines()
    assert re.match(r"NAME\s+KIND\s+PERMISSIONS", lines[0])
    assert any(re.fullmatch(r"azkaban\s+user\s+ADMIN", line) for line in lines)
    assert any(re.fullmatch(r"azkaban\s+group\s+EXECUTE,READ", line) for line in lines)
    assert any(re.fullmatch(r"azkaban\s+proxy user\s+-", line) for line in lines)


def test_permissions_of_an_unknown_project(sh: Shell, project: str) -> None:
    assert sh.fails(f"permissions {project}x") == f"error: Project {project}x doesn't exist."


# -- grant and revoke --------------------------------------------------------------------------

def test_grant_to_a_new_user_adds_a_permission(sh: Shell, client: Any, project: str) -> None:
    assert "reader" not in users(client, project)  # its READ comes from a role, not listed here
    answer = sh.json(f"grant {project} reader read execute")
    assert answer == {"ok": True, "project": project, "name": "reader", "kind": "user",
                      "permissions": ["READ", "EXECUTE"], "before": None}
    assert users(client, project)["reader"] == ["EXECUTE", "READ"]


def test_grant_adds_to_what_a_user_has(sh: Shell, client: Any, project: str) -> None:
    client.add_permission(project, "reader", ["read"])
    before = users(client, project)["reader"]
    answer = sh.json(f"grant {project} reader write")
    assert answer["before"] == before
    assert users(client, project)["reader"] == sorted({*before, "WRITE"})
    sh.json(f"grant {project} reader admin")
    assert users(client, project)["reader"] == ["ADMIN"]


def test_grant_what_admin_already_implies_changes_nothing(sh: Shell, client: Any,
                                                          project: str) -> None:
    sh.seen.clear()
    answer = sh.json(f"grant {project} azkaban read")
    assert answer["permissions"] == ["ADMIN"]
    assert answer["before"] == ["ADMIN"]
    assert [dict(e.params).get("ajax") for e in sh.seen] == ["getPermissions"]


def test_grant_to_a_group(sh: Shell, client: Any, project: str) -> None:
    sh.json(f"grant {project} azkaban schedule --group")
    sh.json(f"grant {project} azkaban read -g")
    assert groups(client, project) == {"azkaban": ["READ", "SCHEDULE"]}


def test_grant_to_an_unknown_user_or_group(sh: Shell, project: str) -> None:
    assert sh.fails(f"grant {project} nobody read") == "error: User is invalid."
    assert sh.fails(f"grant {project} nogroup read --group") == "error: Group is invalid."


def test_grant_needs_a_known_permission(sh: Shell, project: str) -> None:
    line = sh.fails(f"grant {project} reader fly", code=2)
    assert "PERM must be one of read, write, execute, schedule, admin, not 'fly'" in line
    assert "missing PERM" in sh.fails(f"grant {project} reader", code=2)


def test_a_reader_may_not_grant_or_revoke(reader: Shell, client: Any, project: str) -> None:
    assert reader.fails(f"grant {project} reader write") == (
        "error: Permission denied. Need ADMIN access.")
    assert reader.fails(f"revoke {project} azkaban") == (
        "error: Permission denied. Need ADMIN access.")
    assert "reader" not in users(client, project)


def test_revoke_everything(sh: Shell, client: Any, project: str) -> None:
    client.add_permission(project, "reader", ["read", "execute"])
    answer = sh.json(f"revoke {project} reader")
    assert answer == {"ok": True, "project": project, "name": "reader", "kind": "user",
                      "permissions": []}
    assert "reader" not in users(client, project)


def test_revoke_some(sh: Shell, client: Any, project: str) -> None:
    sh.json(f"grant {project} reader read write execute")
    sh.json(f"revoke {project} reader write")
    assert users(client, project)["reader"] == ["EXECUTE", "READ"]


def test_revoke_from_a_group(sh: Shell, client: Any, project: str) -> None:
    client.add_permission(project, "azkaban", ["read"], group=True)
    sh.json(f"revoke {project} azkaban --group")
    assert groups(client, project) == {}


def test_revoke_what_is_not_there(sh: Shell, project: str) -> None:
    assert sh.fails(f"revoke {project} nobody") == (
        "error: Permissions for nobody cannot be found.")
    assert sh.fails(f"revoke {project} nobody write") == (
        "error: Permissions for nobody cannot be found.")


def test_revoke_part_of_admin(sh: Shell, client: Any, project: str) -> None:
    line = sh.fails(f"revoke {project} azkaban write", code=2)
    assert "user azkaban has ADMIN, which includes write" in line
    assert users(client, project)["azkaban"] == ["ADMIN"]


def test_csrf_the_cookie_way_fails_and_the_shell_way_works(sandbox: Any, sh: Shell,
                                                          client: Any, project: str) -> None:
    """§2.6: with the login cookie the server wants the page's token; azshell sends none."""
    client.add_permission(project, "reader", ["read"])  # so that grant changes a permission
    browser = requests.Session()
    login = browser.post(sandbox.url, data={"action": "login", "username": "azkaban",
                                            "password": "azkaban"}, timeout=10)
    assert "azkaban.browser.session.id" in browser.cookies
    flags = {f"permissions[{p}]": "false" for p in ("admin", "read", "write", "schedule")}
    refused = browser.post(f"{sandbox.url}/manager", timeout=10, data={
        "ajax": "changePermission", "project": project, "name": "reader", "group": "false",
        "session.id": login.json()["session.id"], "permissions[execute]": "true", **flags})
    assert refused.json() == {"error": "CSRF validation failed."}
    sh.seen.clear()
    sh.json(f"grant {project} reader execute")
    assert "EXECUTE" in users(client, project)["reader"]
    (change,) = [e for e in sh.seen if dict(e.params).get("ajax") == "changePermission"]
    assert "session.id" in dict(change.params)  # the session as a parameter ...
    assert "cookie" not in {k.lower() for k in change.request_headers}  # ... never a cookie


# -- project log and description ---------------------------------------------------------------

def test_project_log_newest_first_with_a_limit(sh: Shell, client: Any, project: str) -> None:
    client.change_description(project, "first")
    client.change_description(project, "second")
    events = sh.json(f"project-log {project} --limit 2")["events"]
    assert [e["message"] for e in events] == ["Description changed to second",
                                              "Description changed to first"]
    everything = sh.json(f"project-log {project}")["events"]
    assert [e["type"] for e in everything][-1] == "CREATED"
    assert len(sh.json(f"project-log {project} --offset 1 -n 1")["events"]) == 1
    code, out, _ = make_shell(client, tty=True)(f"project-log {project} -n 3")
    assert code == 0
    lines = plain(out).splitlines()
    assert re.match(r"TIME\s+USER\s+TYPE\s+MESSAGE", lines[0])
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+azkaban\s+DESCRIPTION\s+Description "
                    "changed to second", lines[1])
    assert len(lines) == 4


def test_project_log_of_an_unknown_project(sh: Shell, project: str) -> None:
    assert sh.fails(f"project-log {project}x") == f"error: Project {project}x doesn't exist."


def test_describe_takes_the_rest_of_the_line(sh: Shell, client: Any, project: str) -> None:
    assert sh.json(f"describe {project} Nightly loads of sales")["description"] == (
        "Nightly loads of sales")
    sh.json(f'describe {project} "quoted  spaces"')
    messages = [e["message"] for e in client.project_logs(project, size=2)]
    assert messages == ["Description changed to quoted  spaces",
                        "Description changed to Nightly loads of sales"]


def test_describe_needs_write(reader: Shell, project: str) -> None:
    assert reader.fails(f"describe {project} mine now") == (
        "error: Permission denied. Need WRITE access.")


# -- download ----------------------------------------------------------------------------------

@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty directory to download into."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def names_in(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_download_the_latest_here(sh: Shell, project: str, out: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(out)
    answer = sh.json(f"download {project}")
    assert answer["version"] == 2  # from the answer's `version` header (§5.5)
    expected = f"{project}-2.zip"
    assert answer["path"] == expected
    assert names_in(out / expected) == ["two.job"]
    assert answer["bytes"] == (out / expected).stat().st_size
    assert not list(out.glob(".*part"))


def test_download_a_version_into_a_directory(sh: Shell, project: str, out: Path) -> None:
    answer = sh.json(f"download {project} --version 1 {out}")
    assert answer["version"] == 1
    assert answer["path"] == str(out / f"{project}-1.zip")
    assert names_in(out / f"{project}-1.zip") == ["one.job"]


def test_download_to_a_file_name(sh: Shell, project: str, out: Path) -> None:
    target = out / "mine.zip"
    assert sh.json(f"download {project} {target}")["path"] == str(target)
    assert names_in(target) == ["two.job"]


def test_download_never_overwrites_without_force(sh: Shell, project: str,
                                                 out: Path) -> None:
    target = out / "mine.zip"
    target.write_text("precious")
    sh.seen.clear()
    assert sh.fails(f"download {project} {target}") == (
        f"error: download: {target} exists: give another PATH, or --force to replace it")
    assert target.read_text() == "precious"
    assert sh.seen == []
    sh.json(f"download {project} {target} --force --version 1")
    assert names_in(target) == ["one.job"]


def test_download_the_latest_again_into_the_same_directory(sh: Shell, project: str,
                                                           out: Path) -> None:
    first = Path(sh.json(f"download {project} {out}")["path"])
    before = first.read_bytes()
    line = sh.fails(f"download {project} {out}")
    assert f"{first} exists" in line
    assert first.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [first.name]
    assert sh.json(f"download {project} {out} --force")["path"] == str(first)


def test_download_a_missing_version(sh: Shell, project: str, out: Path) -> None:
    assert sh.fails(f"download {project} --version 9 {out}") == (
        f"error: Project {project} with version 9 doesn't exist")
    assert list(out.iterdir()) == []


def test_download_an_unknown_project(sh: Shell, project: str, out: Path) -> None:
    assert sh.fails(f"download {project}x {out}") == (
        f"error: Project {project}x doesn't exist.")
    assert list(out.iterdir()) == []


def test_download_into_a_missing_directory(sh: Shell, project: str, out: Path) -> None:
    assert "no such directory" in sh.fails(f"download {project} {out}/nope/")
    assert "no such directory" in sh.fails(f"download {project} {out}/nope/x.zip")


# -- server ------------------------------------------------------------------------------------

def test_server_in_a_script_is_the_status_json(sh: Shell, sandbox: Any) -> None:
    answer = sh.json("server")
    assert answer["url"] == sandbox.url
    assert answer["version"].startswith("azshell-sandbox-")
    assert answer["executorStatusMap"]["1"]["isActive"] is True


def test_server_on_a_terminal_reads_as_a_summary(client: Any, sandbox: Any) -> None:
    code, out, _ = make_shell(client, tty=True)("server")
    assert code == 0
    assert f"server     {sandbox.url}" in out
    assert re.search(r"version\s+azshell-sandbox-", out)
    assert re.search(r"memory\s+\d+\.\d MiB used of 2\.0 GiB \(\d+%\)", out)
    assert re.search(r"executors\s+1 active of 1\n\s+1: localhost:12321 active", out)


def test_server_needs_no_session(sandbox: Any) -> None:
    import io

    from azshell.shell.run.context import new_context
    from azshell.shell.run.dispatch import run_line
    from azshell.shell.session.settings import Settings

    out, err = io.StringIO(), io.StringIO()
    ctx = new_context(Settings(pager=False, url=sandbox.url.split("://")[1]), interactive=False,
                      stdout=out, stderr=err)
    assert run_line(ctx, "server") == 0, err.getvalue()
    assert ctx.session.connected is None
    assert '"isDatabaseUp": true' in out.getvalue()
