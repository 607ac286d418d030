"""azshell.client.answers on the literal bodies the protocol reference quotes (pure tests)."""

from __future__ import annotations

import pytest

from azshell.client import answers
from azshell.errors import (
    ApiError,
    BadResponse,
    NotFound,
    PermissionDenied,
    ServerError,
)

JETTY6_PAGE = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"/>
<title>Error 500 Missing required parameter &apos;execid&apos;.</title>
</head>
<body><h2>HTTP ERROR: 500</h2><pre>Missing required parameter 'execid'.</pre>
<p>RequestURI=/executor</p><p><i><small><a href="http://jetty.mortbay.org/">Powered by jetty://</a></small></i></p>
</body>
</html>
"""

JETTY_NPE_PAGE = """<html><head><title>Error 500 </title></head>
<body><h2>HTTP ERROR 500</h2>
<p>Problem accessing /manager. Reason:
<pre>    java.lang.NullPointerException</pre></p></body></html>"""

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Azkaban Web Client</title></head><body>
<form id="login-form" method="post" action=""><input id="username"></form></body></html>"""


# -- session gone (§2.5) ---------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    '{\n  "error" : "session"\n}',
    '{"error":"session"}',
    '{"status":"error","message":"Invalid Session. Need to re-login","action":"login"}',
    LOGIN_PAGE,
    "Login error. Need username and password",
    "Login error. Need username and password\n",
])
def test_session_gone_answers_are_recognised(body: str) -> None:
    assert answers.is_session_gone(body)


@pytest.mark.parametrize("body", [
    '{\n  "error" : "Project demo doesn\'t exist."\n}',
    '{"status":"error","message":"Project already exists."}',
    '{"projects" : [ ]}',
    "{ }",
    "",
    "Login error. Must pass username and password in request body",
    JETTY6_PAGE,
    '{"data" : "&lt;form id=&quot;login-form&quot;", "offset" : 0, "length" : 30}',
    "[1, 2]",
])
def test_other_answers_are_not_session_errors(body: str) -> None:
    assert not answers.is_session_gone(body)


# -- messages ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("Installation Failed.<br>Error unzipping file.",
     "Installation Failed. Error unzipping file."),
    ("Validator Directory Flow reports errors:<br><br>b cannot find dependency x<br>"
     "c has a self cycle<br>",
     "Validator Directory Flow reports errors: b cannot find dependency x; c has a self cycle"),
    ('<font color="red"> Error: Flow p.f is already associated with flow trigger, so schedule '
     "has to be defined in flow trigger config </font>",
     "Error: Flow p.f is already associated with flow trigger, so schedule has to be defined "
     "in flow trigger config"),
    ("a<BR/>b<br />c", "a; b; c"),
    ("Flow &quot;x&quot; &amp; more", 'Flow "x" & more'),
    ("  spaced   out  ", "spaced out"),
    ("", ""),
])
def test_clean_message(raw: str, clean: str) -> None:
    assert answers.clean_message(raw) == clean


def test_html_reason_of_jetty6_and_sandbox_pages() -> None:
    assert answers.html_reason(JETTY6_PAGE) == "Missing required parameter 'execid'."
    assert answers.html_reason(JETTY_NPE_PAGE) == "java.lang.NullPointerException"
    wrapped = "<pre>javax.servlet.ServletException: Missing required parameter 'flow'.</pre>"
    assert answers.html_reason(wrapped) == "Missing required parameter 'flow'."
    assert answers.html_reason("<html><title>Error 500 Boom</title></html>") == "Boom"
    assert answers.html_reason(LOGIN_PAGE) is None
    assert answers.html_reason("<html><body>nothing</body></html>") is None


def test_shorten_cuts_long_text() -> None:
    assert answers.shorten("x" * 500, 20) == "x" * 19 + "…"
    assert answers.shorten("a\n b") == "a b"


# -- error conventions (§1.4, §14) ----------------------------------------------------------

@pytest.mark.parametrize(("data", "message"), [
    ({"error": "Project demo doesn't exist.", "project": "demo"}, "Project demo doesn't exist."),
    ({"status": "error", "message": "Project already exists."}, "Project already exists."),
    ({"status": "error"}, "the server reported an error"),
    ({"error": {"message": "DB down", "cause": None}}, "DB down"),
    ({"error": {"cause": None}}, '{"cause": null}'),
    # §7.1: a missing cron expression gives an error AND status success: error wins
    ({"error": "Cron expression must exist.", "status": "success", "scheduleId": -1},
     "Cron expression must exist."),
    ({"error": "Installation Failed.<br>Error unzipping file.", "projectId": "3"},
     "Installation Failed. Error unzipping file."),
    ({"status": "success", "session.id": "x"}, None),
    ({"error": None}, None),
    ({"error": ""}, None),
    ({}, None),
    ([], None),
    ("text", None),
])
def test_error_message(data: object, message: str | None) -> None:
    assert answers.error_message(data) == message


def test_a_missing_execution_is_said_in_plain_words() -> None:
    error = answers.classify("Cannot find execution '42'", 200, {"error": "..."})
    assert type(error) is NotFound
    assert str(error) == "there is no execution 42 on this server"
    assert (error.status, error.body) == (200, {"error": "..."})


@pytest.mark.parametrize(("message", "kind"), [
    ("Project demo doesn't exist.", NotFound),
    ("Project 'null' not found.", NotFound),
    ("Flow 'f' cannot be found in project demo", NotFound),
    ("Job j doesn't exist in 5", NotFound),
    ("Error loading schedule. Schedule 3 doesn't exist", NotFound),
    ("Project 3 does not exist", NotFound),
    ("Permissions for bob cannot be found.", NotFound),
    ("Installation Failed. Project 'demo was already removed.", NotFound),
    ("User 'reader' doesn't have EXECUTE permissions on demo", PermissionDenied),
    ("Permission denied. Need WRITE access.", PermissionDenied),
    ("Permission denied. Cannot execute f", PermissionDenied),
    ("Installation Failed. User 'reader' does not have write access.", PermissionDenied),
    ("Cannot delete. User 'reader' is not an ADMIN.", PermissionDenied),
    ("User bob has no permission to add x as proxy user.", PermissionDenied),
    ("Only Admins are allowed to refresh the executors", PermissionDenied),
    ("Execution 5 of flow f isn't running.", ApiError),
    ("Project already exists.", ApiError),
    ("CSRF validation failed.", ApiError),
])
def test_classify(message: str, kind: type[ApiError]) -> None:
    error = answers.classify(message, 200, {"k": 1})
    assert type(error) is kind
    assert str(error) == message
    assert error.status == 200
    assert error.body == {"k": 1}


# -- decoding ---------------------------------------------------------------------------------

def test_decode_pretty_and_compact_json() -> None:
    assert answers.decode(200, '{\n  "projects" : [ ]\n}', "x") == {"projects": []}
    assert answers.decode(200, '{"status":"success","action":"redirect"}', "x")["action"] \
        == "redirect"
    assert answers.decode(200, "null", "x") is None


def test_decode_empty_bodies() -> None:
    with pytest.raises(BadResponse, match=r"empty answer to fetchflowgraph"):
        answers.decode(200, "", "fetchflowgraph")
    with pytest.raises(ServerError, match=r"HTTP 502") as err:
        answers.decode(502, "  ", "x")
    assert not isinstance(err.value, BadResponse)


def test_decode_html_error_page_gives_the_reason_not_html() -> None:
    with pytest.raises(ServerError) as err:
        answers.decode(500, JETTY6_PAGE, "fetchexecflow")
    assert str(err.value) == ("server error (HTTP 500) on fetchexecflow: "
                              "Missing required parameter 'execid'.")
    assert "<" not in str(err.value)
    assert err.value.status == 500


def test_decode_html_with_200_is_a_bad_response() -> None:
    with pytest.raises(BadResponse, match=r"with an HTML page$"):
        answers.decode(200, LOGIN_PAGE, "x")


def test_decode_plain_text() -> None:
    with pytest.raises(BadResponse, match=r"is not JSON: Login error. Must pass"):
        answers.decode(200, "Login error. Must pass username and password in request body",
                       "login")
    with pytest.raises(ServerError, match=r"HTTP 503\) on x: busy"):
        answers.decode(503, "busy\nsecond line", "x")


def test_checked_raises_the_right_kind() -> None:
    with pytest.raises(NotFound, match=r"^Project p doesn't exist.$"):
        answers.checked(200, '{\n  "project" : "p",\n  "error" : "Project p doesn\'t exist."\n}',
                        "getProjectId")
    with pytest.raises(BadResponse, match=r"not a JSON object"):
        answers.checked(200, "[1]", "x")
    with pytest.raises(ServerError, match=r"HTTP 500\) on x$"):
        answers.checked(500, "{ }", "x")
    assert answers.checked(200, "{ }", "x") == {}


@pytest.mark.parametrize(("status", "message", "kind"), [
    (410, "Installation Failed. Project 'p doesn't exist.", NotFound),
    (403, "Project uploading is locked out.", PermissionDenied),
    (400, "Installation Failed. User 'r' does not have write access.", PermissionDenied),
    (400, "File extension 'txt' unrecognized.", ApiError),
    (500, "Validator Directory Flow reports errors: a cannot find dependency b", ApiError),
])
def test_upload_errors_are_classified_by_status(status: int, message: str,
                                                kind: type[ApiError]) -> None:
    error = answers.upload_error(status, message, {})
    assert type(error) is kind


def test_require_and_as_int() -> None:
    assert answers.require({"a": 1}, "a", "x") == 1
    with pytest.raises(BadResponse, match=r"has no 'b'"):
        answers.require({"a": 1}, "b", "x")
    assert answers.as_int("7", "x") == 7
    assert answers.as_int(7, "x") == 7
    with pytest.raises(BadResponse, match=r"bad number"):
        answers.as_int("seven", "x")
    with pytest.raises(BadResponse):
        answers.as_int(None, "x")


def test_cookie_values_of_jetty_redirects() -> None:
    headers = [
        'azkaban.failure.message="Cannot delete. User \'reader\' is not an ADMIN."; Path=/',
        "azkaban.success.message=done; Path=/",
        'quoted="a \\"b\\" c"; Path=/',
        "broken",
        "=nameless",
    ]
    assert answers.cookie_values(headers) == {
        "azkaban.failure.message": "Cannot delete. User 'reader' is not an ADMIN.",
        "azkaban.success.message": "done",
        "quoted": 'a "b" c',
    }
