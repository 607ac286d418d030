"""Failures in transit on a scripted server: refused, reset after sending, late, TLS, Ctrl-C.

The rule under test: a call that changes state is never repeated once it may have reached the
server (OutcomeUnknown); a read may be repeated once.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fakes import (
    FLOWS,
    SESSION_ID,
    FakeServer,
    Reply,
    Seen,
    answer_flows,
    free_port,
    logged_in,
    self_signed_cert,
)
from urllib3.exceptions import InsecureRequestWarning

from azshell.client import AzkabanClient, Exchange
from azshell.errors import (
    AzshellError,
    BadResponse,
    ConnectionFailed,
    LocalError,
    OutcomeUnknown,
    RequestTimedOut,
    ServerError,
)


def test_connection_refused_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = AzkabanClient(url)
    client.adopt_session("azkaban", SESSION_ID)
    with pytest.raises(ConnectionFailed) as err:
        client.execute("p", "f")  # nothing was sent: not an unknown outcome
    assert str(err.value) == f"cannot connect to {url}: connection refused"
    assert client.last_exchange is not None
    assert client.last_exchange.status is None
    assert client.last_exchange.offline  # what the toolbar decides on, typed
    assert not client.last_exchange.outcome_unknown


def test_unknown_host() -> None:
    client = AzkabanClient("http://no-such-host.invalid:8081")
    with pytest.raises(ConnectionFailed, match=r"^cannot connect to http://no-such-host.invalid"):
        client.login("a", "b")


def test_reset_after_sending_a_state_change_is_an_unknown_outcome() -> None:
    def handler(seen: Seen) -> Reply:
        return Reply(reset=True) if seen.params.get("ajax") == "executeFlow" else FLOWS

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(OutcomeUnknown) as err:
            client.execute("p", "f")
        executes = [s for s in server.seen if s.params.get("ajax") == "executeFlow"]
        assert len(executes) == 1  # never repeated
        assert client.last_exchange is not None
        assert client.last_exchange.outcome_unknown
    message = str(err.value)
    assert message.startswith("the outcome of 'execute flow p.f' is unknown: the connection to "
                              f"{server.url}/executor was lost")
    assert "check the running executions of p.f before trying again" in message
    assert SESSION_ID not in message


@pytest.mark.parametrize("call", [
    lambda c: c.cancel(3), lambda c: c.create_project("p", "d"),
    lambda c: c.delete_project("p"), lambda c: c.schedule_cron("p", "f", "0 0 * * * ?"),
    lambda c: c.add_permission("p", "bob", ["read"]), lambda c: c.change_description("p", "d"),
    lambda c: c.set_sla(1, [], []), lambda c: c.call("POST", "/executor", {"ajax": "x"}),
])
def test_every_state_change_is_sent_once(call) -> None:
    with FakeServer(lambda seen: Reply(reset=True)) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(OutcomeUnknown, match=r"is unknown"):
            call(client)
        assert len(server.seen) == 1


def test_a_read_is_repeated_once_after_a_reset() -> None:
    calls: list[int] = []

    def handler(seen: Seen) -> Reply:
        calls.append(1)
        return Reply(reset=True) if len(calls) == 1 else FLOWS

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        assert client.flows("p") == ["f"]
        assert len(server.seen) == 2


def test_a_read_that_keeps_failing_is_tried_twice() -> None:
    with FakeServer(lambda seen: Reply(reset=True)) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(ConnectionFailed, match=r"was lost before the answer arrived"):
            client.flows("p")
        assert len(server.seen) == 2


def test_read_timeout() -> None:
    with FakeServer(lambda seen: Reply(body="{ }", delay=0.6)) as server:
        client = AzkabanClient(server.url, timeout=(2, 0.2))
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(RequestTimedOut) as err:
            client.execution(5)
        assert str(err.value) == f"no answer from {server.url}/executor within 0.2 s"
        assert len(server.seen) == 1
        with pytest.raises(OutcomeUnknown, match=r"'cancel execution 5' is unknown: no answer"):
            client.cancel(5)


def test_html_error_page_becomes_a_short_reason() -> None:
    page = ("<html><head><title>Error 500 Missing required parameter &apos;flow&apos;."
            "</title></head><body><h2>HTTP ERROR: 500</h2><pre>Missing required parameter "
            "'flow'.</pre></body></html>")
    with FakeServer(lambda seen: Reply(500, page, "text/html; charset=iso-8859-1")) as server:
        client = logged_in(server.url)
        with pytest.raises(ServerError) as err:
            client.flow_graph("p", "f")
    assert str(err.value) == ("server error (HTTP 500) on graph of p.f: Missing required "
                              "parameter 'flow'.")


def test_flow_jobs_of_an_unknown_flow_is_not_found() -> None:
    def handler(seen: Seen) -> Reply:
        if seen.params.get("ajax") == "fetchflowjobs":
            return Reply(500, "<html><pre>java.lang.NullPointerException</pre></html>",
                         "text/html")
        return FLOWS

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Flow nope not found in project p$"):
            client.flow_jobs("p", "nope")
        with pytest.raises(ServerError, match=r"NullPointerException"):
            client.flow_jobs("p", "f")  # the flow exists: the server's failure stays


def test_empty_and_non_json_answers() -> None:
    bodies = iter(["", "not json at all"])
    with FakeServer(lambda seen: Reply(body=next(bodies), content_type=None)) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(BadResponse, match=r"empty answer to execution 3"):
            client.execution(3)
        with pytest.raises(BadResponse, match=r"is not JSON: not json at all"):
            client.execution(3)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeServer, Path]]:
    import ssl

    cert, key = self_signed_cert(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with FakeServer(answer_flows, tls=context) as server:
        yield server, cert


def test_tls_is_verified_by_default(tls_server: tuple[FakeServer, Path]) -> None:
    server, _ = tls_server
    client = AzkabanClient(server.url)
    with pytest.raises(ConnectionFailed) as err:
        client.login("azkaban", "azkaban")
    assert str(err.value).startswith(f"TLS failure with {server.url}: certificate verify failed")


def test_tls_with_a_ca_bundle(tls_server: tuple[FakeServer, Path]) -> None:
    server, cert = tls_server
    client = logged_in(server.url, verify=str(cert))
    assert client.flows("p") == ["f"]
    with pytest.raises(LocalError, match=r"CA bundle .* does not exist"):
        AzkabanClient(server.url, verify=str(cert) + ".missing")


def test_tls_unverified_is_quiet(tls_server: tuple[FakeServer, Path]) -> None:
    server, _ = tls_server
    with warnings.catch_warnings(record=True) as control:
        warnings.simplefilter("always")
        requests.get(server.url + "/status", verify=False, timeout=5)
    assert any(issubclass(w.category, InsecureRequestWarning) for w in control)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = logged_in(server.url, verify=False)
        assert client.flows("p") == ["f"]
    assert not [w for w in caught if issubclass(w.category, InsecureRequestWarning)]


@pytest.mark.parametrize(("exc", "mutating", "message"), [
    (requests.exceptions.ProxyError("Cannot connect to proxy. [Errno 111] Connection refused"),
     False, "cannot reach http://h:1 through the proxy: connection refused"),
    (requests.exceptions.ContentDecodingError("bad gzip"), False,
     "the answer from http://h:1/x could not be decoded"),
    (requests.exceptions.SSLError("something odd"), False,
     "TLS failure with http://h:1: the TLS handshake failed"),
    (requests.exceptions.InvalidHeader(f"bad header in /x?session.id={SESSION_ID}"), False,
     "request to http://h:1/x failed: InvalidHeader: bad header in /x?session.id=<session>"),
    (requests.exceptions.ConnectionError("Read timed out."), True,
     "the outcome of 'do x' is unknown: the connection to http://h:1/x was lost before the "
     "answer arrived; look at the server before trying again"),
])
def test_translation_of_rare_failures(exc: Exception, mutating: bool, message: str) -> None:
    from azshell.client.transport import Request, Transport

    transport = Transport("http://h:1")
    transport.adopt_session("u", SESSION_ID)
    error = transport.translate(exc, Request("GET", "/x", [], what="do x", mutating=mutating))
    assert str(error) == message


def test_observer_sees_failed_exchanges() -> None:
    seen: list[Exchange] = []
    with FakeServer(lambda s: Reply(body="{ }", delay=0.3)) as server:
        client = AzkabanClient(server.url, timeout=(2, 0.05), observer=seen.append)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(RequestTimedOut):
            client.execution(1)
    assert len(seen) == 1
    assert seen[0].status is None
    assert seen[0].error == f"no answer from {server.url}/executor within 0.05 s"
    assert seen[0].offline
    assert not seen[0].interrupted


def test_a_download_cut_short_leaves_no_file(tmp_path: Path) -> None:
    payload = b"PK" + b"z" * 300_000
    cut = Reply(body=payload, content_type="application/zip", short_by=1000)
    with FakeServer(lambda seen: cut) as server:
        client = logged_in(server.url)
        with pytest.raises(ConnectionFailed, match=r"was lost before the answer arrived"):
            client.download_project("p", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_an_upload_is_left_to_the_shell_with_a_note(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * 300_000)

    def progress(sent: int, total: int) -> None:
        if sent > 100_000:
            raise KeyboardInterrupt

    seen: list[Exchange] = []
    with FakeServer(lambda seen: Reply.json({})) as server:
        client = logged_in(server.url, observer=seen.append)
        with pytest.raises(KeyboardInterrupt):
            client.upload_project("p", archive, progress)
        note = seen[-1]
        assert client.last_exchange == note
        assert client.call("GET", "/index").status == 200  # the half-sent connection is gone
    assert note.status is None
    assert note.interrupted
    assert note.outcome_unknown
    assert not note.offline
    assert note.error == ("interrupted: the outcome of 'upload p.zip to project p' is "
                          "unknown; check the project log of p for a new version")


def test_the_proxy_of_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment is read once per client (not on every call), and still honoured."""
    with FakeServer(lambda seen: Reply.json({"status": "ok"})) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        client = AzkabanClient("http://azkaban.invalid:8081")
        client.adopt_session("azkaban", SESSION_ID)
        assert client.call("GET", "/status").status == 200
        assert proxy.seen[-1].headers.get("host") == "azkaban.invalid:8081"
        monkeypatch.setenv("NO_PROXY", "azkaban.invalid")
        direct = AzkabanClient("http://azkaban.invalid:8081")
        with pytest.raises(ConnectionFailed):
            direct.server_status()
        assert len(proxy.seen) == 1
