"""Pure tests of the debugging aids: verbose lines, curl commands, debug log records."""

from __future__ import annotations

import io
import logging
import shlex
import subprocess
from pathlib import Path

import pytest

from azshell.client import Exchange
from azshell.shell.debugging import verbose, wording
from azshell.shell.debugging.curl import build
from azshell.shell.debugging.debuglog import RedactingFormatter, describe

SID = "0f8e2c1a-5b7d-4c3e-9a1f-2b3c4d5e6f70"
URL = "http://azkaban.example.com:8081"


def exchange(method: str = "GET", path: str = "/manager", params: list | None = None,
             **extra: object) -> Exchange:
    fields: dict = {"status": 200, "size": 154, "elapsed_s": 0.0031, **extra}
    return Exchange(method=method, url=URL + path, path=path,
                    params=params if params is not None else
                    [("ajax", "fetchprojectflows"), ("project", "demo"),
                     ("session.id", "<session>")], **fields)


def words(command: str) -> list[str]:
    """The argv a POSIX shell would make of the command (variables left as written)."""
    return shlex.split(command.replace("\\\n", " "))


# -- verbose lines -----------------------------------------------------------------------------

def test_a_verbose_line_has_method_path_params_status_size_and_time() -> None:
    line = verbose.format_exchange(exchange())
    assert line == ("→ GET /manager ajax=fetchprojectflows project=demo session.id=<session>"
                    "  ← 200 154 B 3.1 ms")


def test_verbose_values_are_quoted_and_cut_and_placeholders_left_alone() -> None:
    seen = exchange("POST", "/", [("action", "login"), ("username", "bob"),
                                  ("password", "***"), ("description", "it's x & y"),
                                  ("flowOverride[big]", "x" * 200)], size=3 * 1024 * 1024,
                    elapsed_s=1.5)
    line = verbose.format_exchange(seen)
    assert "password=*** " in line
    assert "description='it'\"'\"'s x & y'" in line
    assert "flowOverride[big]=" + "x" * wording.MAX_VALUE + "…" in line
    assert line.endswith("← 200 3.0 MiB 1.50 s")


def test_verbose_line_of_a_failed_exchange_says_why_and_whether_it_is_sent_again() -> None:
    lost = exchange(status=None, size=0, elapsed_s=0.25, repeat=True,
                    error="the connection to x was lost before the answer arrived")
    assert verbose.answer_part(lost) == ("✗ the connection to x was lost before the answer "
                                         "arrived; sending it once more (250 ms)")
    gone = exchange(session_gone=True)
    assert verbose.answer_part(gone).endswith("(the session is gone: logging in again)")


def test_verbose_uses_ascii_on_a_stream_that_cannot_show_arrows() -> None:
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    sym = verbose.symbols(ascii_stream)
    assert verbose.format_exchange(exchange(), sym).startswith("-> GET /manager")
    assert "<- 200" in verbose.format_exchange(exchange(), sym)


def test_sizes_and_times_read_well() -> None:
    assert [wording.human_size(n) for n in (0, 1023, 1536, 5 << 20)] == [
        "0 B", "1023 B", "1.5 KiB", "5.0 MiB"]
    assert [wording.human_time(t) for t in (0.0008, 0.031, 0.5, 12.345)] == [
        "0.8 ms", "31.0 ms", "500 ms", "12.35 s"]


# -- curl commands -----------------------------------------------------------------------------

def test_curl_for_a_get_puts_the_parameters_in_the_query_and_the_session_as_a_variable() -> None:
    cmd = build(exchange())
    assert words(cmd.command) == [
        "curl", "--get", "--data-urlencode", "ajax=fetchprojectflows",
        "--data-urlencode", "project=demo", "--data-urlencode", "session.id=$AZKABAN_SESSION",
        URL + "/manager"]
    assert '"session.id=$AZKABAN_SESSION"' in cmd.command  # double quotes: the shell expands it
    assert cmd.notes == ["# set AZKABAN_SESSION to your session id first "
                         "(`curl --reveal` prints it)"]
    assert cmd.export is None
    assert SID not in cmd.text()


def test_curl_reveal_exports_the_session_id_that_was_sent() -> None:
    cmd = build(exchange(_session=SID), reveal=True)
    assert cmd.export == f"export AZKABAN_SESSION={SID}"
    assert cmd.notes == []
    assert cmd.text().splitlines()[0] == cmd.export
    assert SID not in build(exchange(_session=SID)).text()  # only when asked


def test_curl_for_a_post_is_a_form_with_the_ajax_header() -> None:
    seen = exchange("POST", "/executor", [
        ("ajax", "executeFlow"), ("project", "demo"), ("flow", "main"),
        ("flowOverride[day]", "2024-01-31"), ("description", "it's a & b = c ü"),
        ("session.id", "<session>")],
        request_headers={"X-Requested-With": "XMLHttpRequest", "User-Agent": "azshell/1"})
    argv = words(build(seen).command)
    assert argv[:5] == ["curl", "-X", "POST", "-H", "X-Requested-With: XMLHttpRequest"]
    assert "--get" not in argv
    assert "flowOverride%5Bday%5D=2024-01-31" in argv  # curl encodes values, not names
    assert "description=it's a & b = c ü" in argv
    assert argv[-1] == URL + "/executor"


def test_curl_for_a_login_never_holds_the_password() -> None:
    seen = exchange("POST", "/", [("action", "login"), ("username", "bob"),
                                  ("password", "***")])
    cmd = build(seen, reveal=True)
    assert '"password=$AZKABAN_PASSWORD"' in cmd.command
    assert "***" not in cmd.text()
    assert cmd.notes == ["# set AZKABAN_PASSWORD to the password of bob first"]
    assert cmd.export is None


def test_curl_for_an_upload_is_multipart_with_the_zip(tmp_path: Path) -> None:
    archive = tmp_path / "my project;v2.zip"
    archive.write_bytes(b"PK")
    seen = exchange("POST", "/manager", [("ajax", "upload"), ("project", "demo"),
                                         ("session.id", "<session>")], files=[str(archive)])
    cmd = build(seen)
    argv = words(cmd.command)
    assert argv[argv.index("--form") + 1] == f'file=@"{archive}";type=application/zip'
    assert argv[5:7] == ["--form-string", "ajax=upload"]
    assert argv[argv.index("session.id=$AZKABAN_SESSION") - 1] == "--form-string"
    assert "--data-urlencode" not in argv
    assert not any("no longer exists" in n for n in cmd.notes)


def test_curl_for_an_upload_of_a_gone_temporary_zip_says_so(tmp_path: Path) -> None:
    seen = exchange("POST", "/manager", [("ajax", "upload"), ("project", "demo")],
                    files=[str(tmp_path / "flow1-etl")])
    cmd = build(seen)
    assert f"file=@{tmp_path / 'flow1-etl'};filename=flow1-etl.zip;type=application/zip" in \
        words(cmd.command)
    assert any("no longer exists" in note for note in cmd.notes)


@pytest.mark.parametrize(("verify", "expected"), [
    (False, ["-k"]), ("/etc/my ca.pem", ["--cacert", "/etc/my ca.pem"]), (True, [])])
def test_curl_checks_tls_like_azshell_did(verify: object, expected: list[str]) -> None:
    argv = words(build(exchange(verify=verify)).command)
    assert argv[1:1 + len(expected)] == expected
    assert ("-k" in argv) == (verify is False)


def test_curl_of_a_request_without_an_answer_says_so() -> None:
    cmd = build(exchange(status=None, error="cannot connect to x: connection refused"))
    assert cmd.notes[-1] == "# azshell got no answer to this request: cannot connect to x: " \
                            "connection refused"


def test_curl_of_a_download_says_to_save_the_file() -> None:
    seen = exchange(params=[("project", "demo"), ("download", "true")],
                    response_headers={"Content-Type": "application/zip"})
    assert build(seen).notes[-1] == "# the answer is a file: add -o FILE to save it"
    json_answer = exchange(response_headers={"Content-Type": "application/json"})
    assert not any("-o FILE" in note for note in build(json_answer).notes)


def test_the_printed_command_is_valid_shell() -> None:
    """sh -n parses the whole text (notes, export, continued lines) without running it."""
    seen = exchange("POST", "/executor", [("description", "a 'quoted' \"word\" $HOME `x`"),
                                          ("session.id", "<session>")], _session=SID)
    text = build(seen, reveal=True).text()
    assert subprocess.run(["sh", "-n"], input=text, text=True, check=False).returncode == 0
    assert "description=a 'quoted' \"word\" $HOME `x`" in words(build(seen).command)


# -- the debug log's record and formatter ------------------------------------------------------

def test_a_debug_record_tells_the_whole_exchange() -> None:
    seen = exchange("POST", "/", [("action", "login"), ("username", "bob"), ("password", "***")],
                    request_headers={"X-Requested-With": "XMLHttpRequest"},
                    response_headers={"Set-Cookie": "azkaban.browser.session.id=<session>"},
                    body='{"status" : "success", "session.id" : "<session>"}')
    text = describe(seen)
    assert text.splitlines()[0] == f"POST {URL}/"
    assert "  params: action=login username=bob password=***" in text
    assert "  request header X-Requested-With: XMLHttpRequest" in text
    assert "  status 200, 154 B, 3.1 ms" in text
    assert "  response header Set-Cookie: azkaban.browser.session.id=<session>" in text
    assert '  body: {"status" : "success", "session.id" : "<session>"}' in text


def test_a_debug_record_of_a_call_not_repeated() -> None:
    seen = exchange("POST", "/executor", [("ajax", "executeFlow")], status=None,
                    error="the outcome of 'execute' is unknown", error_kind="OutcomeUnknown",
                    outcome_unknown=True)
    text = describe(seen)
    assert "no answer after 3.1 ms: OutcomeUnknown: the outcome of 'execute' is unknown" in text
    assert "not repeated: it changes state" in text


def test_the_formatter_hides_every_secret_it_knows_even_in_tracebacks() -> None:
    sessions = [SID]
    formatter = RedactingFormatter(lambda: [("hunter2", "***"), (sessions[-1], "<session>")])
    record = logging.LogRecord("azshell.x", logging.DEBUG, __file__, 1,
                               "login with %s gave %s", ("hunter2", SID), None)
    assert formatter.format(record).endswith("login with *** gave <session>")
    sessions.append("not-a-uuid-session")  # renewed: the old one stays hidden too
    try:
        raise ValueError(f"bad session {SID} / not-a-uuid-session / password=letmein")
    except ValueError:
        import sys

        record = logging.LogRecord("azshell.x", logging.DEBUG, __file__, 1, "failed", (),
                                   sys.exc_info())
    text = formatter.format(record)
    assert "Traceback" in text
    for secret in (SID, "not-a-uuid-session", "letmein"):
        assert secret not in text
