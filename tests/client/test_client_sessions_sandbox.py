"""Sessions against a private sandbox: expiry of every kind of request, renewal, logout."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from azshell.client import AzkabanClient, Exchange
from azshell.errors import LoginFailed, SessionError
from azshell.sandbox import Sandbox

JOBS = {"a.job": "type=command\ncommand=echo a\n"}


@pytest.fixture
def private() -> Iterator[Sandbox]:
    with Sandbox(session_ttl=36000, job_timeout=30) as sb:
        yield sb


@pytest.fixture
def renewing(private: Sandbox, make_zip: Callable[..., Path],
             tmp_path: Path) -> tuple[AzkabanClient, list[Exchange]]:
    """A client with credentials, a project ``p`` (flow ``a``) and an exchange log."""
    log: list[Exchange] = []
    client = AzkabanClient(private.url, observer=log.append)
    client.credentials = lambda: ("azkaban", "azkaban")
    client.login("azkaban", "azkaban")
    client.create_project("p", "session tests")
    client.upload_project("p", make_zip(tmp_path, JOBS))
    log.clear()
    return client, log


def test_wrong_password(private: Sandbox) -> None:
    client = AzkabanClient(private.url)
    with pytest.raises(LoginFailed, match=r"Incorrect Login"):
        client.login("azkaban", "nope")
    with pytest.raises(LoginFailed):
        client.login("nobody", "x")


@pytest.mark.parametrize("call", [
    pytest.param(lambda c, tmp: c.flows("p"), id="get-ajax"),
    pytest.param(lambda c, tmp: c.execute("p", "a"), id="post-form"),
    pytest.param(lambda c, tmp: c.change_description("p", "x"), id="post-mutating"),
    pytest.param(lambda c, tmp: c.download_project("p", tmp), id="get-page"),
    pytest.param(lambda c, tmp: c.call("GET", "/manager", {"ajax": "getProjectId",
                                                            "project": "p"}), id="call"),
    pytest.param(lambda c, tmp: c.schedules(), id="schedule"),
    pytest.param(lambda c, tmp: c.delete_project("p"), id="delete"),
])
def test_every_kind_of_call_survives_an_expired_session(
        renewing: tuple[AzkabanClient, list[Exchange]], private: Sandbox, tmp_path: Path,
        call: Callable[[AzkabanClient, Path], object]) -> None:
    client, log = renewing
    old = client.session_id
    private.expire_sessions()
    call(client, tmp_path)
    assert client.session_id != old
    # the call, a login, the call again (an empty schedule list is then asked as loadFlow,
    # since the sandbox's /status names no Azkaban release that surely has fetchSchedules)
    assert [e.path for e in log][:3] == [log[0].path, "/", log[0].path]
    rest = [(e.path, dict(e.params).get("ajax")) for e in log[3:]]
    assert rest == ([("/status", None), ("/schedule", "loadFlow")]
                    if log[0].path == "/schedule" else [])


def test_small_upload_after_expiry_is_sent_again(
        renewing: tuple[AzkabanClient, list[Exchange]], private: Sandbox,
        make_zip: Callable[..., Path], tmp_path: Path) -> None:
    client, log = renewing
    private.expire_sessions()
    answer = client.upload_project("p", make_zip(tmp_path, JOBS, "again.zip"))
    assert answer["version"] == 2
    assert [len(e.files) for e in log] == [1, 0, 1]  # rejected before anything was done


def test_large_upload_after_expiry_is_sent_once(
        renewing: tuple[AzkabanClient, list[Exchange]], private: Sandbox,
        tmp_path: Path) -> None:
    client, log = renewing
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.job", JOBS["a.job"])
        zf.writestr("blob.bin", bytes(range(256)) * 8192)  # 2 MiB
    private.expire_sessions()
    assert client.upload_project("p", archive)["version"] == 2
    uploads = [e for e in log if e.files]
    assert len(uploads) == 1
    assert log[0].params[0] == ("ajax", "getProjectId")  # the session check came first


def test_idle_timeout(make_zip: Callable[..., Path], tmp_path: Path) -> None:
    with Sandbox(session_ttl=0.3, job_timeout=30) as sb:
        client = AzkabanClient(sb.url)
        client.login("azkaban", "azkaban")
        assert client.session_valid()
        time.sleep(0.4)
        assert not client.session_valid()
        with pytest.raises(SessionError, match=r"^session expired; log in again$"):
            client.projects()
        client.credentials = lambda: ("azkaban", "azkaban")
        assert client.projects() == []
        assert client.session_valid()


def test_logout_ends_the_session_on_the_server(private: Sandbox) -> None:
    client = AzkabanClient(private.url)
    session = client.login("azkaban", "azkaban")
    other = AzkabanClient(private.url)
    other.adopt_session("azkaban", session)
    assert other.session_valid()
    assert other.projects() == []
    client.logout()
    assert client.session_id is None
    assert not other.session_valid()
    with pytest.raises(SessionError):
        other.projects()


def test_no_cookie_means_no_csrf_trouble(private: Sandbox) -> None:
    # control: a requests.Session that keeps the login cookie fails the CSRF check (§2.6)
    browser = requests.Session()
    session = browser.post(private.url, data={"action": "login", "username": "azkaban",
                                              "password": "azkaban"}, timeout=10).json()
    client = AzkabanClient(private.url)
    client.login("azkaban", "azkaban")
    client.create_project("q", "csrf")
    flags = {f"permissions[{p}]": "false" for p in ("admin", "write", "execute", "schedule")}
    refused = browser.post(f"{private.url}/manager", timeout=10, data={
        "ajax": "addPermission", "project": "q", "name": "metrics", "group": "false",
        "permissions[read]": "true", **flags, "session.id": session["session.id"]}).json()
    assert refused["error"] == "CSRF validation failed."

    client.add_permission("q", "metrics", ["read", "execute"])
    posted = client.last_exchange
    assert posted is not None
    assert ("session.id", "<session>") in posted.params  # in the form body, no cookie
    assert not posted.session_cookie
    assert "Cookie" not in posted.request_headers
    assert {p["username"] for p in client.permissions("q")} >= {"azkaban", "metrics"}
    got = client.last_exchange
    assert got is not None
    assert got.session_cookie  # a GET: the cookie, not the URL
    assert all(name != "session.id" for name, _ in got.params)
