"""Login, sessions, logout and the unauthenticated answers of protocol §2."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable

import requests

from azshell.sandbox import Sandbox
from azshell.sandbox import cli as sandbox_cli
from azshell.sandbox.auth import SessionStore

LOGIN_FORM = '<form id="login-form"'
COOKIE = "azkaban.browser.session.id"


def test_quirk_01_login_on_any_path_sets_cookie(sandbox_url: str) -> None:
    for path in ("/", "/manager", "/executor", "/index", "/schedule", "/nosuchpath"):
        reply = requests.post(sandbox_url + path, data={
            "action": "login", "username": "azkaban", "password": "azkaban"})
        assert reply.status_code == 200
        assert reply.headers["Content-Type"] == "application/json"
        body = reply.json()
        assert body["status"] == "success"
        assert reply.headers["Set-Cookie"] == f"{COOKIE}={body['session.id']};Path=/"
        assert '"status" : "success"' in reply.text


def test_login_failures(sandbox_url: str) -> None:
    wrong = requests.post(sandbox_url, data={"action": "login", "username": "azkaban",
                                             "password": "nope"})
    assert wrong.json() == {"error": "Incorrect Login. Username/Password not found."}
    assert "Set-Cookie" not in wrong.headers
    missing = requests.post(sandbox_url, data={"action": "login", "username": "azkaban"})
    assert missing.json() == {"error": "Incorrect Login."}
    empty = requests.post(sandbox_url, data={"action": "login", "username": "",
                                             "password": "x"})
    assert empty.json() == {"error": "Incorrect Login. Username is empty."}


def test_login_by_get_does_not_log_in(sandbox_url: str) -> None:
    reply = requests.get(sandbox_url + "/index", params={
        "action": "login", "username": "azkaban", "password": "azkaban"})
    assert LOGIN_FORM in reply.text
    # only Jetty's servlet session cookie, as real 3.90.0 and 4.0.0 set it on the login page
    assert reply.headers["Set-Cookie"].startswith("JSESSIONID=")
    assert reply.headers["Set-Cookie"].endswith(";Path=/")


def test_quirk_02_password_in_query_string_rejected(sandbox_url: str) -> None:
    reply = requests.post(sandbox_url + "/?action=login&username=azkaban&password=azkaban")
    assert reply.status_code == 200
    assert reply.text == "Login error. Must pass username and password in request body"
    assert "Content-Type" not in reply.headers


def test_quirk_03_stale_cookie_shadows_valid_session_param(
        sandbox_url: str, login: Callable[..., str]) -> None:
    good = login(sandbox_url)
    reply = requests.get(sandbox_url + "/index", params={"ajax": "fetchallprojects",
                                                         "session.id": good},
                         cookies={COOKIE: "stale-session-id"})
    assert reply.json() == {"error": "session"}
    reply = requests.get(sandbox_url + "/index", params={"ajax": "fetchallprojects",
                                                         "session.id": good})
    assert "projects" in reply.json()


def test_cookie_session_works_without_param(sandbox_url: str) -> None:
    http = requests.Session()
    http.post(sandbox_url, data={"action": "login", "username": "azkaban",
                                 "password": "azkaban"})
    assert "projects" in http.get(sandbox_url + "/index",
                                  params={"ajax": "fetchallprojects"}).json()


def test_quirk_04_unauthenticated_answers(sandbox_url: str) -> None:
    ajax_get = requests.get(sandbox_url + "/manager", params={"ajax": "fetchprojectflows",
                                                              "project": "x"})
    assert ajax_get.status_code == 200
    assert ajax_get.headers["Content-Type"] == "application/json"
    assert ajax_get.text == '{\n  "error" : "session"\n}'
    plain_get = requests.get(sandbox_url + "/manager")
    assert LOGIN_FORM in plain_get.text
    assert plain_get.headers["Content-Type"].startswith("text/html")
    xhr_post = requests.post(sandbox_url + "/executor", data={"ajax": "executeFlow"},
                             headers={"X-Requested-With": "XMLHttpRequest"})
    # a HashMap's order, as real 3.90.0 and 4.0.0 write it
    assert xhr_post.text == ('{"action":"login","message":"Invalid Session. Need to re-login",'
                             '"status":"error"}')
    assert "Content-Type" not in xhr_post.headers
    form_post = requests.post(sandbox_url + "/executor", data={"ajax": "executeFlow"})
    assert LOGIN_FORM in form_post.text
    multipart = requests.post(sandbox_url + "/manager", files={"ajax": (None, "upload")})
    assert multipart.text == "Login error. Need username and password"
    delete = requests.delete(sandbox_url + "/manager", params={"ajax": "x"})
    assert delete.json() == {"error": "session"}


def test_quirk_27_logout(sandbox_url: str, login: Callable[..., str]) -> None:
    sid = login(sandbox_url)
    reply = requests.get(sandbox_url + "/manager", params={"logout": "", "session.id": sid},
                         allow_redirects=False)
    assert reply.status_code == 302
    assert reply.headers["Location"].rstrip("/") == sandbox_url
    after = requests.get(sandbox_url + "/index", params={"ajax": "fetchallprojects",
                                                         "session.id": sid})
    assert after.json() == {"error": "session"}


def test_post_logout_is_not_handled(sandbox_url: str, login: Callable[..., str]) -> None:
    sid = login(sandbox_url)
    requests.post(sandbox_url + "/index", data={"logout": "", "session.id": sid})
    still = requests.get(sandbox_url + "/index", params={"ajax": "fetchallprojects",
                                                         "session.id": sid})
    assert "projects" in still.json()


def test_one_shot_credentials_in_form_post(sandbox_url: str, project_name: str) -> None:
    reply = requests.post(sandbox_url + "/manager", data={
        "action": "create", "name": project_name, "description": "d",
        "username": "azkaban", "password": "azkaban"})
    assert reply.text.endswith('"status":"success"}')
    assert "Set-Cookie" not in reply.headers


def test_wrong_one_shot_credentials_answer_200_text_and_change_nothing(
        sandbox_url: str, project_name: str, login: Callable[..., str]) -> None:
    """§2.4: the text is flushed (Jetty commits a 200) before the servlet fails on the null
    session, so the client sees the text alone, never a 500 page, and nothing is done."""
    wrong = {"username": "azkaban", "password": "wrong"}
    for path, data in (("/manager", {"action": "create", "name": project_name,
                                     "description": "d"}),
                       ("/manager", {"ajax": "getProjectId", "project": project_name}),
                       ("/executor", {"ajax": "executeFlow", "project": project_name,
                                      "flow": "f"}),
                       ("/schedule", {"ajax": "fetchSchedules"}),
                       ("/index", {}),
                       ("/", {})):
        reply = requests.post(sandbox_url + path, data={**data, **wrong},
                              allow_redirects=False)
        assert (reply.status_code, reply.text) == (
            200, "Login error: Username/Password not found."), path
        assert "Content-Type" not in reply.headers
        assert "Set-Cookie" not in reply.headers
    empty = requests.post(sandbox_url + "/manager", data={"username": "", "password": "x"})
    assert empty.text == "Login error: Username is empty."
    check = requests.get(sandbox_url + "/manager", params={
        "ajax": "getProjectId", "project": project_name, "session.id": login(sandbox_url)})
    assert check.json()["error"] == f"Project {project_name} doesn't exist."


def test_default_session_lifetime_is_ten_hours(sandbox: Sandbox) -> None:
    """§2.2: ``session.time.to.live`` defaults to 36,000,000 ms, however the sandbox starts."""
    assert inspect.signature(Sandbox).parameters["session_ttl"].default == 36000
    assert SessionStore().ttl == 36000
    assert sandbox.sessions.ttl == 36000  # the shared sandbox keeps the default
    assert sandbox_cli._parser().parse_args([]).session_ttl == 36000


def test_session_expiry_sliding(fresh_sandbox: Sandbox, login: Callable[..., str]) -> None:
    url = fresh_sandbox.url
    sid = login(url)
    fresh_sandbox.sessions.ttl = 0.3
    params = {"ajax": "fetchallprojects", "session.id": sid}
    for _ in range(4):  # each access restarts the idle clock
        assert "projects" in requests.get(url + "/index", params=params).json()
        time.sleep(0.1)
    time.sleep(0.45)
    assert requests.get(url + "/index", params=params).json() == {"error": "session"}


def test_expire_sessions(fresh_sandbox: Sandbox, login: Callable[..., str]) -> None:
    url = fresh_sandbox.url
    first, second = login(url), login(url, "reader")
    fresh_sandbox.expire_sessions()
    for sid in (first, second):
        reply = requests.get(url + "/index", params={"ajax": "fetchallprojects",
                                                     "session.id": sid})
        assert reply.json() == {"error": "session"}


def test_many_sessions_per_user(sandbox_url: str, login: Callable[..., str]) -> None:
    first, second = login(sandbox_url), login(sandbox_url)
    assert first != second
    for sid in (first, second):
        reply = requests.get(sandbox_url + "/index", params={"ajax": "fetchallprojects",
                                                             "session.id": sid})
        assert "projects" in reply.json()
