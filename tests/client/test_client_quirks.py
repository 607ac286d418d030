"""Azkaban answers the sandbox does not give (locked flows, Java object names, error objects,
cookie-only results, string ids), uploads and downloads; on a scripted server."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import (
    SESSION_ID,
    FakeServer,
    Reply,
    Seen,
    logged_in,
)

from azshell.client import AzkabanClient, ExecuteOptions
from azshell.errors import (
    AzshellError,
    BadResponse,
    LocalError,
    ServerError,
    SessionError,
)


def test_locked_flow_has_no_error_key_but_execid_minus_one() -> None:
    locked = Reply.json({"project": "p", "flow": "f", "execid": -1,
                         "message": "Flow f for project p is locked."})
    with FakeServer(lambda seen: locked) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Flow f for project p is locked.$"):
            client.execute("p", "f", ExecuteOptions(concurrent="ignore"))


def test_java_object_in_a_message_becomes_the_project_name() -> None:
    missing = Reply.json({"project": "p", "flow": "g", "error":
                          "Flow 'g' cannot be found in project azkaban.project.Project@1b2c3d"})
    with FakeServer(lambda seen: missing) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Flow 'g' cannot be found in project p$"):
            client.execute("p", "g")


def test_schedule_error_object_and_missing_cron_quirk() -> None:
    answers = iter([
        Reply.json({"error": {"message": "Could not connect to the database", "cause": None}}),
        Reply.json({"error": "Cron expression must exist.", "status": "success",
                    "message": "p.f scheduled.", "scheduleId": -1}),
        Reply.json({"status": "success", "message": "p.f scheduled.", "scheduleId": -1}),
    ])
    with FakeServer(lambda seen: next(answers)) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Could not connect to the database$"):
            client.sla_info(3)
        with pytest.raises(AzshellError, match=r"^Cron expression must exist.$"):
            client.schedule_cron("p", "f", "0 0 * * * ?")
        with pytest.raises(AzshellError, match=r"^flow p.f was not scheduled$"):
            client.schedule_cron("p", "f", "0 0 * * * ?")


def test_delete_failure_cookie() -> None:
    cookie = ('azkaban.failure.message="Cannot delete. User \'reader\' is not an ADMIN."; '
              "Path=/")
    redirect = Reply(302, content_type=None, headers=[("Location", "/manager?project=p"),
                                                      ("Set-Cookie", cookie)])
    with FakeServer(lambda seen: redirect) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError) as err:
            client.delete_project("p")
    assert type(err.value).__name__ == "PermissionDenied"
    assert str(err.value) == "Cannot delete. User 'reader' is not an ADMIN."


def test_delete_without_a_message_cookie_is_not_taken_for_a_success() -> None:
    def handler(seen: Seen) -> Reply:
        if "delete" in seen.params:
            return Reply(302, content_type=None, headers=[("Location", "/")])
        return Reply.json({"project": "p", "projectId": 3})

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^the server did not confirm the delete of "
                                               r"project p \(a redirect without a message\)"):
            client.delete_project("p")
        assert [seen.params.get("ajax") for seen in server.seen[1:]] == [None]


def test_upload_answer_with_string_ids_and_warnings(tmp_path: Path) -> None:
    archive = tmp_path / "project"  # no .zip extension: the client adds it to the part name
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    reply = Reply.json({"projectId": "12", "version": "3",
                        "warn": "Validator X reports warnings:<br><br>w1<br>w2<br>"})
    with FakeServer(lambda seen: reply) as server:
        client = logged_in(server.url)
        progress: list[tuple[int, int]] = []
        answer = client.upload_project("p", archive, lambda sent, total:
                                       progress.append((sent, total)))
        assert answer == {"projectId": 12, "version": 3,
                          "warnings": "Validator X reports warnings: w1; w2"}
        upload = server.seen[-1]
    content_type = upload.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    body = upload.body
    assert b'name="session.id"\r\n\r\n' + SESSION_ID.encode() in body
    assert b'name="ajax"\r\n\r\nupload' in body
    assert b'name="project"\r\n\r\np' in body
    assert b'name="file"; filename="project.zip"' in body
    assert b"Content-Type: application/zip" in body
    assert upload.query == []
    assert progress[0][0] == 0
    assert progress[-1] == (progress[-1][1], progress[-1][1])
    assert client.last_exchange is not None
    assert client.last_exchange.files == [str(archive)]


def test_small_upload_is_sent_again_after_the_multipart_login_error(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * 1000)
    state = {"expired": True}

    def handler(seen: Seen) -> Reply:
        gone, state["expired"] = state["expired"], False
        if gone:
            return Reply(body="Login error. Need username and password", content_type=None)
        return Reply.json({"projectId": "1", "version": "1"})

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        assert client.upload_project("p", archive)["version"] == 1
        assert [s.path for s in server.seen] == ["/manager", "/", "/manager"]


def test_large_upload_checks_the_session_first_and_is_never_sent_twice(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * (2 << 20))

    def handler(seen: Seen) -> Reply:
        if seen.params.get("ajax") == "getProjectId":
            return Reply.json({"project": "p", "projectId": 1})
        # the session expires between the check and the upload
        return Reply(body="Login error. Need username and password", content_type=None)

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        with pytest.raises(SessionError, match=r"nothing was installed") as err:
            client.upload_project("p", archive)
        big = [s for s in server.seen if "multipart" in s.headers.get("content-type", "")]
        assert len(big) == 1
        assert client.session_id == SESSION_ID  # renewed, ready for the user's retry
    assert "send it again" in str(err.value)


def test_large_upload_to_a_missing_project_sends_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * (2 << 20))
    missing = Reply.json({"project": "p", "error": "Project p doesn't exist."})
    with FakeServer(lambda seen: missing) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Project p doesn't exist.$"):
            client.upload_project("p", archive)
        assert all("multipart" not in s.headers.get("content-type", "") for s in server.seen)


def test_upload_of_a_missing_file(tmp_path: Path) -> None:
    client = AzkabanClient("http://127.0.0.1:1")
    with pytest.raises(LocalError, match=r"cannot read"):
        client.upload_project("p", tmp_path / "nope.zip")
    with pytest.raises(LocalError, match=r"is not a file"):
        client.upload_project("p", tmp_path)


def test_download_failures(tmp_path: Path) -> None:
    answers = iter([
        Reply(302, content_type=None, headers=[
            ("Set-Cookie", 'azkaban.failure.message="Project p doesn\'t exist."; Path=/')]),
        Reply(302, content_type=None, headers=[("Location", "/")]),
        Reply(500, "<html><pre>Boom</pre></html>", "text/html"),
        Reply.json({"weird": True}),
    ])
    with FakeServer(lambda seen: next(answers)) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Project p doesn't exist.$"):
            client.download_project("p", tmp_path)
        with pytest.raises(AzshellError, match=r"redirected to /"):
            client.download_project("p", tmp_path)
        with pytest.raises(ServerError, match=r"Boom"):
            client.download_project("p", tmp_path)
        with pytest.raises(BadResponse, match=r"unexpected answer to download project p"):
            client.download_project("p", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_names_and_streams(tmp_path: Path) -> None:
    payload = b"PK" + bytes(range(256)) * 1000
    reply = Reply(body=payload, content_type="application/zip",
                  headers=[("Content-Disposition", 'attachment; filename="../p-v2.zip"'),
                           ("version", "2")])
    with FakeServer(lambda seen: reply) as server:
        client = logged_in(server.url)
        saved = client.download_project("p", tmp_path, version=2)
        assert saved == tmp_path / "p-v2.zip"
        assert saved.read_bytes() == payload
        assert dict(server.seen[-1].query)["version"] == "2"
        named = client.download_project("p", tmp_path / "copy.zip")
        assert named.read_bytes() == payload
        with pytest.raises(LocalError, match=r"does not exist"):
            client.download_project("p", tmp_path / "no" / "x.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.zip", "p-v2.zip"]


def test_download_without_a_file_name(tmp_path: Path) -> None:
    reply = Reply(body=b"PK", content_type="application/zip", headers=[("version", "4")])
    with FakeServer(lambda seen: reply) as server:
        assert logged_in(server.url).download_project("p", tmp_path) == tmp_path / "p-4.zip"


@pytest.mark.parametrize(("reply", "call", "error"), [
    (Reply.json([1]), lambda c, p: c.upload_project("p", p), "not a JSON object"),
    (Reply.json({"x": 1}, status=502), lambda c, p: c.upload_project("p", p), "HTTP 502"),
    (Reply.json({"projects": "many"}), lambda c, p: c.projects(), "is not a list"),
    (Reply.json({"nothing": 1}), lambda c, p: c.projects(all=True), "has no 'projects'"),
    (Reply.json({"items": {"a": 1}}), lambda c, p: c.schedules(), "is not a list"),
    (Reply.json({"error": "Project p doesn't exist."}), lambda c, p: c.delete_project("p"),
     "Project p doesn't exist."),
    (Reply.json({"weird": 1}), lambda c, p: c.delete_project("p"),
     "unexpected answer to delete project p"),
])
def test_answers_of_the_wrong_shape(tmp_path: Path, reply: Reply, call, error: str) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"PK")
    with FakeServer(lambda seen: reply) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError) as err:
            call(client, archive)
    assert error in str(err.value)
