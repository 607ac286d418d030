"""Secrets never shown: azshell.client.redact (pure tests)."""

from __future__ import annotations

import pytest

from azshell.client.redact import redact_params, redact_text, redact_url

SID = "0f8e2c1a-5b7d-4c3e-9a1f-2b3c4d5e6f70"


def test_redact_params_list_and_mapping() -> None:
    params = [("ajax", "x"), ("session.id", SID), ("password", "hunter2"), ("user", "bob")]
    assert redact_params(params) == [("ajax", "x"), ("session.id", "<session>"),
                                     ("password", "***"), ("user", "bob")]
    assert redact_params({"Password": "p"}) == [("Password", "***")]
    assert params[1] == ("session.id", SID)  # the input is not changed


def test_redact_url() -> None:
    url = f"http://h:8081/manager?ajax=a&session.id={SID}&password=pw"
    shown = redact_url(url)
    assert SID not in shown
    assert "pw" not in shown
    assert shown.startswith("http://h:8081/manager?ajax=a&session.id=<session>")
    assert redact_url("http://h/x") == "http://h/x"


def test_redact_text() -> None:
    text = (f"HTTPConnectionPool: Max retries exceeded with url: /executor?session.id={SID}"
            f"&ajax=x (Caused by password=secret)")
    shown = redact_text(text)
    assert SID not in shown
    assert "secret" not in shown
    assert "session.id=<session>" in shown
    assert redact_text(f"id {SID} seen", session_id=SID) == "id <session> seen"
    assert redact_text("my pass is s3cret!", password="s3cret!") == "my pass is ***"
    assert redact_text("other uuid " + SID.upper()) == "other uuid <session>"


@pytest.mark.parametrize(("text", "shown"), [
    ("run: call POST / password='Amp&Tail7Secret' x=1", "run: call POST / password=*** x=1"),
    ('run: call POST / "password=my Spaced9Secret" x=1', 'run: call POST / "password=***" x=1'),
    ("run: call 'password=Semi;Colon7Secret' z", "run: call 'password=***' z"),
    ("password=Amp&Tail7Secret end", "password=*** end"),
    ('password="quoted value" after', "password=*** after"),
    ("GET /x?a=1&password=abc&session.id=123&b=2",
     "GET /x?a=1&password=***&session.id=<session>&b=2"),
    ("session.id=abc;path=/", "session.id=<session>;path=/"),
    ("Set-Cookie: azkaban.browser.session.id=abc; Path=/",
     "Set-Cookie: azkaban.browser.session.id=<session>; Path=/"),
])
def test_secrets_in_command_lines_are_hidden_whole(text: str, shown: str) -> None:
    assert redact_text(text) == shown

