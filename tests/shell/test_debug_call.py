"""call: the answer is printed as it came, session ids hidden, and an error answer (HTTP >= 400
or one of Azkaban's error conventions) fails the command, so a script can trust its exit code."""

from __future__ import annotations

import json
from typing import Any

from api_support import Az, documents, make_shell
from fakes import FakeServer, Reply

from azshell.client import AzkabanClient


def test_a_good_answer_exits_0(client: Any) -> None:
    sh = make_shell(client)
    assert "version" in sh.json("call /status")


def test_an_error_key_is_printed_then_fails(client: Any, project_name: str) -> None:
    sh = make_shell(client)
    code, out, err = sh(f"call /manager ajax=fetchprojectflows project={project_name}")
    assert code == 1
    assert json.loads(out) == {"project": project_name,
                               "error": f"Project {project_name} doesn't exist."}
    assert err == f"error: call: GET /manager: Project {project_name} doesn't exist.\n"


def test_an_http_error_page_is_printed_then_fails(client: Any) -> None:
    sh = make_shell(client)
    code, out, err = sh("call /executor ajax=fetchexecflow")
    assert code == 1
    assert json.loads(out)["status"] == 500
    assert err.startswith("error: call: GET /executor: HTTP 500: Missing required parameter")


def test_status_error_and_a_gone_session_fail(client: Any) -> None:
    answers = {"/a": Reply.json({"status": "error", "message": "Flow x is locked."}),
               "/b": Reply.json({"error": "session"}),
               "/c": Reply.json({"ok": "fine"}, status=404),
               "/d": Reply(status=302, body="", content_type=None,
                           headers=[("Location", "/index")])}
    with FakeServer(lambda seen: answers[seen.path]) as server:
        sh = make_shell(AzkabanClient(server.url))  # no credentials: the answer comes back raw
        sh.ctx.client.adopt_session("azkaban", "s-1")
        assert sh("call POST /a x=1")[::2] == (1, "error: call: POST /a: Flow x is locked.\n")
        assert sh("call /b")[::2] == (  # exit 3: a session problem, as everywhere
            3, "error: call: GET /b: the server answered that there is no valid session "
               "(HTTP 200)\n")
        assert sh("call /c")[::2] == (1, "error: call: GET /c: HTTP 404\n")
        assert sh("call /d")[0] == 0  # a redirect is an answer (delete gives one)


def test_a_login_answer_hides_the_new_session_id(client: Any) -> None:
    sh = make_shell(client)
    line = "call POST / action=login username=azkaban password=azkaban"
    code, out, err = sh(line)
    assert code == 0, err
    assert json.loads(out) == {"status": "success", "session.id": "<session>"}
    sh.ctx.settings.output = "raw"
    code, out, _ = sh(line)
    assert '"session.id" : "<session>"' in out
    assert client.session_id not in out


def test_a_failed_call_fails_a_script(tmp_path: Any, sandbox: Any, project_name: str) -> None:
    az = Az(tmp_path / "home", sandbox.url)
    done = az("-c", f"call /manager ajax=fetchprojectflows project={project_name}",
              "-c", "whoami")
    assert done.returncode == 1
    assert len(documents(done.stdout)) == 1  # the answer, and the script stopped there
    assert done.stderr == (f"-c:1: error: call: GET /manager: Project {project_name} doesn't "
                           "exist.\n")


def test_a_redirect_with_a_failure_cookie_fails_and_a_success_cookie_is_the_message() -> None:
    """delete (and the UI's upload) say how it went only in a cookie on a 302 (§5.3)."""
    failure = 'azkaban.failure.message="Cannot delete. User \'metrics\' is not an ADMIN."; Path=/'
    success = ('azkaban.success.message="Project \'p\' was successfully deleted and associated '
               'schedules are removed."; Path=/')
    answers = {"no": Reply(302, content_type=None, headers=[("Location", "/manager?project=p"),
                                                            ("Set-Cookie", failure)]),
               "yes": Reply(302, content_type=None, headers=[("Location", "/"),
                                                             ("Set-Cookie", success)])}
    with FakeServer(lambda seen: answers[seen.params["project"][:3]]) as server:
        client = AzkabanClient(server.url)
        client.login("azkaban", "azkaban")
        sh = make_shell(client)
        code, out, err = sh("call /manager project=no delete=true")
        assert code == 1
        assert json.loads(out)["location"] == "/manager?project=p"
        assert err == ("error: call: GET /manager: Cannot delete. User 'metrics' is not an "
                       "ADMIN. (HTTP 302)\n")
        code, out, err = sh("call /manager project=yes delete=true")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"status": 302, "contentType": "", "text": "", "location": "/",
                               "message": "Project 'p' was successfully deleted and associated "
                                          "schedules are removed."}
