"""``/manager``: dispatch, create, upload, delete, purge, download (protocol §5.0-§5.5)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from sandbox_calls import Api

from azshell.sandbox import Sandbox

JOB = "type=command\ncommand=echo hi\n"


@pytest.fixture
def api(sandbox_url: str) -> Api:
    return Api(sandbox_url)


@pytest.fixture
def project(api: Api, project_name: str) -> str:
    assert api.create(project_name).status_code == 200
    return project_name


@pytest.fixture
def simple_zip(tmp_path: Path, make_zip: Callable[..., Path]) -> Path:
    return make_zip(tmp_path, {"a.job": JOB, "b.job": JOB + "dependencies=a\n"})


# --- create -------------------------------------------------------------------------------------
def test_quirk_09_create_answers_compact_json_without_content_type(api: Api,
                                                                   project_name: str) -> None:
    reply = api.create(project_name)
    assert reply.status_code == 200
    assert "Content-Type" not in reply.headers
    # keys in a HashMap's order, as real 3.90.0 and 4.0.0 write them
    assert reply.text == (f'{{"path":"manager?project={project_name}","action":"redirect",'
                          '"status":"success"}')


@pytest.mark.parametrize(("name", "description", "message"), [
    ("", "d", "Project name cannot be empty."),
    ("   ", "d", "Project name cannot be empty."),
    ("okname", "", "Description cannot be empty."),
    ("1abc", "d", "Project names must start with a letter, followed by any number of letters, "
                  "digits, '-' or '_'."),
    ("a b", "d", "Project names must start with a letter, followed by any number of letters, "
                 "digits, '-' or '_'."),
])
def test_create_errors(api: Api, name: str, description: str, message: str) -> None:
    reply = api.create(name, description)
    assert reply.text == f'{{"message":"{message}","status":"error"}}'


def test_project_name_longer_than_64_fails_in_the_database(api: Api, project_name: str) -> None:
    """§5.1: the name column is VARCHAR(64); a longer name is the insert's failure message."""
    too_long = (project_name + "x" * 64)[:65]
    reply = api.create(too_long)
    assert reply.text == ('{"message":"Insert project'
                          f'{too_long} for existing project failed. ","status":"error"}}')
    assert api.manager("getProjectId", too_long)["error"] == f"Project {too_long} doesn't exist."
    assert api.create(too_long[:64]).json()["status"] == "success"


def test_create_without_description_param(api: Api, project_name: str) -> None:
    reply = api.post("/manager", action="create", name=project_name)
    assert reply.json() == {"status": "error", "message": "Description cannot be empty."}


def test_create_duplicate_and_pipe_in_name(api: Api, project_name: str) -> None:
    assert api.create(project_name).json()["status"] == "success"
    assert api.create(project_name).json() == {"status": "error",
                                               "message": "Project already exists."}
    assert api.create(project_name + "|x-y_z").json()["status"] == "success"


def test_create_in_query_string(api: Api, project_name: str) -> None:
    reply = api.http.post(f"{api.url}/manager?action=create&name={project_name}&description=d",
                          data={"session.id": api.session_id})
    assert reply.json()["status"] == "success"


def test_create_by_get_does_nothing(api: Api, project_name: str) -> None:
    api.get("/manager", action="create", name=project_name, description="d")
    assert "error" in api.manager("getProjectId", project_name)


# --- dispatch -----------------------------------------------------------------------------------
def test_quirk_08_manager_dispatch(api: Api, project: str) -> None:
    no_project = api.get("/manager", ajax="fetchprojectflows")
    assert no_project.status_code == 200
    assert no_project.headers["Content-Type"].startswith("text/html")
    assert "No project set." in no_project.text
    found = api.manager("getProjectId", project)
    assert set(found) == {"project", "projectId"}
    assert found["project"] == project
    assert isinstance(found["projectId"], int)
    assert api.manager("getProjectId", "nosuchproject") == {
        "project": "nosuchproject", "error": "Project nosuchproject doesn't exist."}
    assert api.manager("fetchSomething", project)["error"] == \
        "Cannot execute command fetchSomething"
    post_other = api.post("/manager", action="delete", project=project)
    assert post_other.content == b""
    assert api.post("/manager", ajax="getProjectId", project=project).json()["projectId"] == \
        found["projectId"]


def test_project_pages(api: Api, project: str) -> None:
    page = api.get("/manager", project=project)
    assert page.headers["Content-Type"].startswith("text/html")
    assert project in page.text
    assert "not found" in api.get("/manager", project="nosuchproject").text


# --- upload -------------------------------------------------------------------------------------
def test_quirk_10_upload_answers_strings(api: Api, project: str, simple_zip: Path) -> None:
    reply = api.upload(project, simple_zip)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    assert body == {"projectId": str(api.manager("getProjectId", project)["projectId"]),
                    "version": "1"}
    assert api.upload(project, simple_zip).json()["version"] == "2"


def test_upload_ajax_in_query_string_is_ignored(api: Api, project: str,
                                                simple_zip: Path) -> None:
    with simple_zip.open("rb") as handle:
        reply = api.http.post(f"{api.url}/manager?ajax=upload", data={
            "session.id": api.session_id, "project": project},
            files={"file": ("p.zip", handle, "application/zip")})
    assert reply.status_code == 200
    assert reply.content == b""


def test_multipart_ajax_other_than_upload_answers_empty_json(api: Api, project: str,
                                                             simple_zip: Path) -> None:
    """``handleMultiformPost`` writes its still empty map for any ``ajax`` field: ``{ }`` as
    JSON (protocol §5.0 says "empty 200"; the source writes the map). Other fields: nothing."""
    for fields, body in (({"ajax": "fetchprojectflows"}, b"{ }"), ({"ajax": "UPLOAD"}, b"{ }"),
                         ({"action": "create"}, b""), ({}, b"")):
        with simple_zip.open("rb") as handle:
            reply = api.http.post(api.url + "/manager", data={
                "session.id": api.session_id, "project": project, **fields},
                files={"file": ("p.zip", handle, "application/zip")})
        assert (reply.status_code, reply.content) == (200, body), fields
        if body:
            assert reply.headers["Content-Type"] == "application/json"
    assert api.manager("fetchprojectflows", project)["flows"] == []  # nothing was installed


def test_upload_checks_in_order(api: Api, project: str, simple_zip: Path,
                                tmp_path: Path, login: Callable[..., str]) -> None:
    no_name = api.upload("", simple_zip)
    assert (no_name.status_code, no_name.json()) == (400, {"error": "No project name found."})
    missing = api.upload("nosuchproject", simple_zip)
    assert missing.status_code == 410
    assert missing.json() == {
        "error": "Installation Failed. Project 'nosuchproject doesn't exist."}
    reader = Api(api.url, "reader")
    denied = reader.upload(project, simple_zip)
    assert denied.status_code == 400
    assert denied.json() == {
        "error": "Installation Failed. User 'reader' does not have write access."}
    no_file = api.http.post(api.url + "/manager", files={
        "session.id": (None, api.session_id), "ajax": (None, "upload"),
        "project": (None, project)})
    assert no_file.status_code == 500
    assert no_file.headers["Content-Type"].startswith("text/html")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("x")
    ext = api.upload(project, text_file)
    assert (ext.status_code, ext.json()) == (400, {"error": "File extension 'txt' unrecognized."})
    no_ext = api.upload(project, simple_zip, filename="archive")
    assert no_ext.json() == {"error": "File extension '' unrecognized."}
    bad_type = api.upload(project, simple_zip, content_type="text/plain")
    assert bad_type.status_code == 400
    assert bad_type.json() == {"error": "Content type 'text/plain' does not match extension 'zip'"}
    no_type = api.upload(project, simple_zip, content_type=None)
    assert no_type.json() == {"error": "Content type 'null' does not match extension 'zip'"}


@pytest.mark.parametrize("content_type", ["application/zip", "application/x-zip-compressed",
                                          "application/octet-stream"])
def test_quirk_11_accepted_zip_types(api: Api, project: str, simple_zip: Path,
                                     content_type: str) -> None:
    reply = api.upload(project, simple_zip, content_type=content_type, filename="P.ZIP")
    assert reply.status_code == 200


def test_quirk_11_bad_zip_keeps_version(api: Api, project: str, simple_zip: Path,
                                        tmp_path: Path) -> None:
    assert api.upload(project, simple_zip).status_code == 200
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip")
    reply = api.upload(project, junk)
    assert reply.status_code == 500
    project_id = str(api.manager("getProjectId", project)["projectId"])
    assert reply.json() == {"error": "Installation Failed.<br>Error unzipping file.",
                            "projectId": project_id, "version": "1"}
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    assert api.upload(project, empty).json()["error"] == \
        "Installation Failed.<br>Error unzipping file."
    assert api.upload(project, simple_zip).json()["version"] == "2"


def test_quirk_11_loader_errors(api: Api, project: str, tmp_path: Path,
                                make_zip: Callable[..., Path]) -> None:
    archive = make_zip(tmp_path, {"a.job": JOB + "dependencies=ghost\n"})
    reply = api.upload(project, archive)
    assert reply.status_code == 500
    body = reply.json()
    assert body["error"] == ("Validator Directory Flow reports errors:<br><br>"
                             "a cannot find dependency ghost<br>")
    assert body["version"] == "0"


def test_flow2_project_file_errors(api: Api, project: str, tmp_path: Path,
                                   make_zip: Callable[..., Path]) -> None:
    archive = make_zip(tmp_path, {"x.project": "other: 1\n", "f.flow": "nodes: []\n"})
    reply = api.upload(project, archive)
    assert reply.status_code == 500
    assert reply.json()["error"] == ("Installation Failed.<br>azkaban-flow-version is not "
                                     "specified in the project YAML file.")


@pytest.mark.parametrize(("files", "message"), [
    ({"a.project": "azkaban-flow-version: 2.0\n", "b.project": "azkaban-flow-version: 2.0\n",
      "f.flow": "nodes: []\n"},
     "Duplicate project YAML files found in the project directory. Only one is allowed."),
    ({"p.project": "azkaban-flow-version: 2\n", "f.flow": "nodes: []\n"},
     "Invalid azkaban-flow-version in the project YAML file."),
    ({"p.project": 'azkaban-flow-version: "2.0"\n', "f.flow": "nodes: []\n"},
     "Invalid azkaban-flow-version in the project YAML file."),
])
def test_flow2_project_file_exceptions_through_upload(
        api: Api, project: str, tmp_path: Path, make_zip: Callable[..., Path], *,
        files: dict[str, str], message: str) -> None:
    """§5.2/§10.1: the loader factory's exceptions: 500, ``Installation Failed.<br>`` + text."""
    reply = api.upload(project, make_zip(tmp_path, files))
    assert reply.status_code == 500
    project_id = str(api.manager("getProjectId", project)["projectId"])
    assert reply.json() == {"error": f"Installation Failed.<br>{message}",
                            "projectId": project_id, "version": "0"}


def test_long_upload_errors_are_cut(api: Api, project: str, tmp_path: Path,
                                    make_zip: Callable[..., Path]) -> None:
    """§5.2: an exception's message is cut at 512 characters and told so; a validator report
    is cut at 4000 characters, wherever that falls."""
    bad_size = "9" * 300 + "x" * 300  # Xmx that is no number: the loader's exception
    reply = api.upload(project, make_zip(tmp_path, {"a.job": f"{JOB}Xmx={bad_size}M\n"}))
    assert reply.status_code == 500
    message = f'For input string: "{bad_size}"'
    assert len(message) > 512
    assert reply.json()["error"] == ("Installation Failed.<br>" + message[:512]
                                     + "<br>Too many errors to display.<br>")
    jobs = {f"job{i:03}.job": f"{JOB}dependencies=ghost{i:03}\n" for i in range(150)}
    report = api.upload(project, make_zip(tmp_path, jobs, name="many.zip"))
    assert report.status_code == 500
    error = report.json()["error"]
    assert len(error) == 4000
    assert error.startswith("Validator Directory Flow reports errors:<br><br>")
    assert 0 < error.count(" cannot find dependency ") < len(jobs)


def test_quirk_11_empty_zip_uploads_without_flows(api: Api, project: str, tmp_path: Path,
                                                  make_zip: Callable[..., Path]) -> None:
    archive = make_zip(tmp_path, {"README.txt": "nothing here"})
    assert api.upload(project, archive).json()["version"] == "1"
    assert api.manager("fetchprojectflows", project)["flows"] == []


def test_quirk_12_flow_names(api: Api, project: str, tmp_path: Path,
                             make_zip: Callable[..., Path]) -> None:
    flow1 = make_zip(tmp_path, {"a.job": JOB, "b.job": JOB + "dependencies=a\n",
                                "c.job": JOB + "dependencies=a\n"})
    api.upload(project, flow1)
    flows = api.manager("fetchprojectflows", project)["flows"]
    assert sorted(f["flowId"] for f in flows) == ["b", "c"]
    flow2 = make_zip(tmp_path, {
        "p.project": "azkaban-flow-version: 2.0\n",
        "main.flow": "nodes:\n  - name: sub\n    type: flow\n    nodes:\n"
                     "      - name: inner\n        type: noop\n"}, name="f2.zip")
    api.upload(project, flow2)
    assert api.manager("fetchprojectflows", project)["flows"] == [{"flowId": "main"}]


def test_version_retention_and_download(api: Api, project: str, tmp_path: Path,
                                        make_zip: Callable[..., Path]) -> None:
    for number in range(1, 5):
        archive = make_zip(tmp_path, {f"job{number}.job": JOB}, name=f"v{number}.zip")
        assert api.upload(project, archive).json()["version"] == str(number)
    latest = api.get("/manager", project=project, download="true")
    assert latest.status_code == 200
    assert latest.headers["Content-Type"] == "application/zip"
    assert latest.headers["Content-Disposition"] == 'attachment; filename="v4.zip"'
    assert latest.headers["version"] == "4"
    assert latest.headers["projectId"] == str(api.manager("getProjectId", project)["projectId"])
    target = tmp_path / "got.zip"
    target.write_bytes(latest.content)
    assert zipfile.ZipFile(target).namelist() == ["job4.job"]
    assert api.get("/manager", project=project, download="1", version="2").status_code == 200
    gone = api.get("/manager", project=project, download="1", version="1")
    assert gone.status_code == 302
    assert "azkaban.failure.message" in gone.headers["Set-Cookie"]


def test_action_upload_redirects_with_cookie(api: Api, project: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"nope")
    with junk.open("rb") as handle:
        reply = api.http.post(api.url + "/manager", data={
            "session.id": api.session_id, "action": "upload", "project": project},
            files={"file": ("junk.zip", handle, "application/zip")}, allow_redirects=False)
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"{api.url}/manager?project={project}"
    assert reply.headers["Set-Cookie"].startswith(
        'azkaban.failure.message="Installation Failed.<br>Error unzipping file."')


def test_upload_with_one_shot_credentials(sandbox_url: str, project: str,
                                          simple_zip: Path) -> None:
    with simple_zip.open("rb") as handle:
        reply = requests.post(sandbox_url + "/manager", data={
            "username": "azkaban", "password": "azkaban", "ajax": "upload", "project": project},
            files={"file": ("p.zip", handle, "application/zip")})
    assert reply.json()["version"] == "1"
    with simple_zip.open("rb") as handle:
        wrong = requests.post(sandbox_url + "/manager", data={
            "username": "azkaban", "password": "bad", "ajax": "upload", "project": project},
            files={"file": ("p.zip", handle, "application/zip")})
    assert wrong.text == "Login error: Username/Password not found."


def test_upload_session_from_cookie(api: Api, project: str, simple_zip: Path) -> None:
    with simple_zip.open("rb") as handle:
        reply = requests.post(api.url + "/manager", data={"ajax": "upload", "project": project},
                              files={"file": ("p.zip", handle, "application/zip")},
                              cookies={"azkaban.browser.session.id": api.session_id})
    assert reply.json()["version"] == "1"


def test_multipart_without_boundary_is_500(api: Api) -> None:
    reply = api.http.post(api.url + "/manager", data=b"whatever",
                          headers={"Content-Type": "multipart/form-data"})
    assert reply.status_code == 500
    assert "no multipart boundary was found" in reply.text


def test_large_upload_is_spooled(api: Api, project: str, tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as handle:
        handle.writestr("a.job", JOB)
        handle.writestr("blob.bin", bytes(range(256)) * 40000)  # ~10 MB, incompressible
    reply = api.upload(project, archive)
    assert reply.json()["version"] == "1"


# --- delete, purge ------------------------------------------------------------------------------
def test_quirk_13_delete_is_get_with_redirect(api: Api, project: str) -> None:
    reader = Api(api.url, "reader")
    denied = reader.get("/manager", project=project, delete="true")
    assert denied.status_code == 302
    assert denied.headers["Location"] == f"{api.url}/manager?project={project}"
    assert "Cannot delete. User 'reader' is not an ADMIN." in denied.headers["Set-Cookie"]
    posted = api.post("/manager", project=project, delete="true")
    assert posted.content == b""
    deleted = api.get("/manager", project=project, delete="false")
    assert deleted.status_code == 302
    assert deleted.headers["Location"] == api.url + "/"
    assert (f"Project '{project}' was successfully deleted and associated schedules are "
            "removed.") in deleted.headers["Set-Cookie"]
    assert "azkaban.success.message" in deleted.headers["Set-Cookie"]
    assert api.manager("getProjectId", project)["error"] == f"Project {project} doesn't exist."
    again = api.get("/manager", project=project, delete="true")
    assert f"Project {project} doesn't exist." in again.headers["Set-Cookie"]
    assert api.create(project).json()["status"] == "success"  # the name is free again


def test_purge(api: Api, project: str) -> None:
    project_id = api.manager("getProjectId", project)["projectId"]
    active = api.get("/manager", project=project, purge="")
    assert active.json() == {"success": False,
                             "error": f"Project {project} should be deleted before purging"}
    api.get("/manager", project=project, delete="true")
    assert api.get("/manager", project=project, purge="").json() == {
        "success": False, "error": "invalid project"}
    reader = Api(api.url, "reader")
    assert reader.get("/manager", project=str(project_id), purge="").json() == {
        "success": False, "error": "Cannot purge. User 'reader' is not an ADMIN."}
    assert api.get("/manager", project=str(project_id), purge="").json() == {"success": True}


def test_ids_count_from_one(fresh_sandbox: Sandbox) -> None:
    api = Api(fresh_sandbox.url)
    for name in ("first", "second"):
        api.create(name)
    assert api.manager("getProjectId", "first")["projectId"] == 1
    assert api.manager("getProjectId", "second")["projectId"] == 2


def test_redirect_messages_shown_on_next_page(api: Api, project: str) -> None:
    """Pages display (and clear) the message cookie a redirect left, like Azkaban's newPage."""
    browser = requests.Session()
    browser.cookies.set("azkaban.browser.session.id", api.session_id)
    page = browser.get(api.url + "/manager", params={"project": project, "delete": "true"})
    assert page.status_code == 200
    assert f"Project '{project}' was successfully deleted" in page.text
    assert not browser.cookies.get("azkaban.success.message")


def test_quirk_05_error_conventions(api: Api, project: str) -> None:
    """HTTP 200 everywhere; ``error`` key, except create (status/message) and resume."""
    create = api.create(project)
    assert (create.status_code, create.json()) == (
        200, {"status": "error", "message": "Project already exists."})
    ajax = api.get("/manager", ajax="getProjectId", project="ghost")
    assert (ajax.status_code, ajax.json()["error"]) == (200, "Project ghost doesn't exist.")
    remove = api.post("/schedule", action="removeSched", scheduleId=987654)
    assert (remove.status_code, remove.json()["status"]) == (200, "error")
    resume = api.get("/executor", ajax="resumeFlow", execid=987654)
    assert resume.json() == {"error": "Cannot find execution '987654'"}
