"""AzkabanClient project calls (/index, /manager) against the sandbox: success and error paths."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from azshell.client import AzkabanClient
from azshell.errors import ApiError, NotFound, PermissionDenied, UsageError
from azshell.sandbox import Sandbox

JOBS = {
    "a.job": "type=command\ncommand=echo a\n",
    "b.job": "type=command\ncommand=echo b ${who}\ndependencies=a\nwho=me\n",
}
MakeZip = Callable[..., Path]


@pytest.fixture
def project(put_project: Callable[..., str]) -> str:
    """A project with one flow ``b`` (a -> b), version 1."""
    return put_project(JOBS, "client test project")


@pytest.fixture
def reader(sandbox: Sandbox) -> AzkabanClient:
    api = AzkabanClient(sandbox.url)
    api.login("reader", "reader")
    return api


def test_server_status(client: AzkabanClient) -> None:
    status = client.server_status()
    assert "version" in status
    assert "executorStatusMap" in status


def test_create_list_and_find(client: AzkabanClient, project_name: str) -> None:
    client.create_project(project_name, "described")
    pid = client.project_id(project_name)
    mine = {p["projectName"]: p for p in client.projects()}
    assert mine[project_name]["projectId"] == pid
    assert mine[project_name]["createdBy"] == "azkaban"
    assert project_name in {p["projectName"] for p in client.projects(all=True)}
    assert project_name in {p["projectName"] for p in client.projects(user="azkaban")}
    assert project_name not in {p["projectName"] for p in client.projects(user="nobody-here")}


@pytest.mark.parametrize(("name", "description", "message"), [
    ("9starts-with-digit", "d", "Project names must start with a letter"),
    ("fine", "", "Description cannot be empty."),
    ("", "d", "Project name cannot be empty."),
])
def test_create_errors(client: AzkabanClient, name: str, description: str,
                       message: str) -> None:
    with pytest.raises(ApiError) as err:
        client.create_project(name, description)
    assert str(err.value).startswith(message)


def test_create_twice(client: AzkabanClient, project_name: str) -> None:
    client.create_project(project_name, "d")
    with pytest.raises(ApiError, match=r"^Project already exists.$"):
        client.create_project(project_name, "d")


def test_missing_project_is_not_found_everywhere(client: AzkabanClient) -> None:
    for call in (lambda: client.project_id("no_such_project"),
                 lambda: client.flows("no_such_project"),
                 lambda: client.permissions("no_such_project"),
                 lambda: client.delete_project("no_such_project")):
        with pytest.raises(NotFound, match=r"no_such_project doesn't exist"):
            call()


def test_delete(client: AzkabanClient, project: str) -> None:
    client.delete_project(project)
    with pytest.raises(NotFound):
        client.project_id(project)
    client.create_project(project, "the name can be used again")


def test_delete_needs_admin(client: AzkabanClient, reader: AzkabanClient,
                            project: str) -> None:
    with pytest.raises(PermissionDenied, match=r"is not an ADMIN"):
        reader.delete_project(project)
    assert client.project_id(project) > 0


def test_upload_versions_and_flows(client: AzkabanClient, project: str, make_zip: MakeZip,
                                   tmp_path: Path) -> None:
    answer = client.upload_project(project, make_zip(tmp_path, JOBS, "second.zip"))
    assert answer == {"projectId": client.project_id(project), "version": 2, "warnings": None}
    assert client.flows(project) == ["b"]
    events = client.project_logs(project)
    assert {"user", "time", "type", "message"} <= set(events[0])
    assert any(e["type"] == "UPLOADED" for e in events)
    assert len(client.project_logs(project, size=1)) == 1


def test_upload_progress(client: AzkabanClient, project_name: str, make_zip: MakeZip,
                         tmp_path: Path) -> None:
    client.create_project(project_name, "d")
    calls: list[tuple[int, int]] = []
    archive = make_zip(tmp_path, {**JOBS, "data.bin": bytes(range(256)) * 4000})
    client.upload_project(project_name, archive, lambda sent, total: calls.append((sent, total)))
    total = calls[-1][1]
    assert total > archive.stat().st_size  # the multipart framing is counted too
    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)
    assert [sent for sent, _ in calls] == sorted(sent for sent, _ in calls)


@pytest.mark.parametrize("case", [
    ({"a.job": "type=command\ncommand=echo\ndependencies=missing\n"},
     "cannot find dependency missing"),
    ({"a.job": "command=echo\n"}, "Job doesn't have type set"),
])
def test_upload_validation_errors(client: AzkabanClient, project_name: str,
                                  make_zip: MakeZip, tmp_path: Path,
                                  case: tuple[dict[str, str], str]) -> None:
    files, message = case
    client.create_project(project_name, "d")
    with pytest.raises(ApiError) as err:
        client.upload_project(project_name, make_zip(tmp_path, files))
    text = str(err.value)
    assert message in text
    assert "<br>" not in text
    assert "\n" not in text
    assert type(err.value) is ApiError  # "cannot find" here is not a missing project
    assert err.value.status == 500


def test_upload_not_a_zip(client: AzkabanClient, project_name: str, tmp_path: Path) -> None:
    client.create_project(project_name, "d")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is no zip")
    with pytest.raises(ApiError, match=r"^Installation Failed. Error unzipping file.$"):
        client.upload_project(project_name, junk)


def test_upload_to_missing_project(client: AzkabanClient, make_zip: MakeZip,
                                   tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"doesn't exist"):
        client.upload_project("no_such_project", make_zip(tmp_path, JOBS))


def test_upload_needs_write(reader: AzkabanClient, project: str, make_zip: MakeZip,
                            tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied, match=r"does not have write access"):
        reader.upload_project(project, make_zip(tmp_path, JOBS))


def test_flow_structure(client: AzkabanClient, project: str) -> None:
    graph = client.flow_graph(project, "b")
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes["b"]["in"] == ["a"]
    assert "in" not in nodes["a"]
    jobs = client.flow_jobs(project, "b")
    assert {n["id"] for n in jobs["nodes"]} == {"a", "b"}
    assert client.flow_details(project, "b")["jobTypes"] == ["command"]
    info = client.job_info(project, "b", "b")
    assert info["jobType"] == "command"
    assert info["generalParams"]["who"] == "me"


def test_flow_structure_errors(client: AzkabanClient, project: str) -> None:
    with pytest.raises(NotFound, match=r"Flow nope not found"):
        client.flow_graph(project, "nope")
    with pytest.raises(NotFound, match=r"nope"):
        client.flow_jobs(project, "nope")
    with pytest.raises(NotFound):
        client.flow_details(project, "nope")
    with pytest.raises(NotFound, match=r"Job zz not found in flow b"):
        client.job_info(project, "b", "zz")


def test_executions_of_a_flow_that_never_ran(client: AzkabanClient, project: str) -> None:
    page = client.flow_executions(project, "b", 0, 5)
    assert page["total"] == 0
    assert page["executions"] == []
    assert client.last_successful_execution(project, "b") is None


def test_description(client: AzkabanClient, project: str) -> None:
    client.change_description(project, "a new description")
    assert any(e["type"] == "DESCRIPTION" for e in client.project_logs(project))


def test_permissions(client: AzkabanClient, reader: AzkabanClient, project: str) -> None:
    users = {p["username"]: p["permission"] for p in client.permissions(project)}
    assert users["azkaban"] == ["ADMIN"]
    assert client.group_permissions(project) == []
    assert "azkaban" in client.proxy_users(project)

    client.add_permission(project, "azkaban", ["read", "EXECUTE"], group=True)
    groups = {p["username"]: set(p["permission"]) for p in client.group_permissions(project)}
    assert groups["azkaban"] == {"READ", "EXECUTE"}
    with pytest.raises(ApiError, match=r"Group permission already exists."):
        client.add_permission(project, "azkaban", ["read"], group=True)
    with pytest.raises(ApiError, match=r"Group is invalid."):
        client.add_permission(project, "no-such-group", ["read"], group=True)

    client.change_permission(project, "azkaban", ["write"], group=True)
    groups = {p["username"]: set(p["permission"]) for p in client.group_permissions(project)}
    assert groups["azkaban"] == {"WRITE"}
    client.change_permission(project, "azkaban", [], group=True)  # all false: removed
    assert client.group_permissions(project) == []

    client.add_permission(project, "metrics", ["admin", "read"])
    users = {p["username"]: p["permission"] for p in client.permissions(project)}
    assert users["metrics"] == ["ADMIN"]  # admin alone is stored (§5.6)
    with pytest.raises(NotFound, match=r"cannot be found"):
        client.change_permission(project, "nobody", ["read"])
    with pytest.raises(PermissionDenied):
        reader.add_permission(project, "reader", ["admin"])


def test_permission_arguments_are_checked_locally(client: AzkabanClient) -> None:
    with pytest.raises(UsageError, match=r"unknown permission fly"):
        client.add_permission("p", "u", ["read", "fly"])
    with pytest.raises(UsageError, match=r"at least one permission"):
        client.add_permission("p", "u", [])


def test_download(client: AzkabanClient, project: str, make_zip: MakeZip,
                  tmp_path: Path) -> None:
    client.upload_project(project, make_zip(tmp_path, {**JOBS, "v2.txt": "2"}, "v2.zip"))
    out = tmp_path / "out"
    out.mkdir()
    latest = client.download_project(project, out)
    assert latest.parent == out
    assert "v2.txt" in zipfile.ZipFile(latest).namelist()
    first = client.download_project(project, out / "first.zip", version=1)
    assert "v2.txt" not in zipfile.ZipFile(first).namelist()
    with pytest.raises(NotFound):
        client.download_project("no_such_project", out)
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
