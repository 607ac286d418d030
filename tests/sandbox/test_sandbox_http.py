"""The HTTP layer: keep-alive latency, chunked bodies, methods, routing, /status, stop()."""

from __future__ import annotations

import http.client
import socket
import statistics
import struct
import time
from collections.abc import Callable

import pytest
import requests

from azshell.sandbox import Sandbox, jackson


def test_keepalive_latency_has_no_nagle_stall(sandbox_url: str, login: Callable[..., str]) -> None:
    """200 sequential calls on one connection: a 40 ms Nagle/delayed-ACK stall would show."""
    http = requests.Session()
    params = {"ajax": "fetchallprojects", "session.id": login(sandbox_url)}
    http.get(sandbox_url + "/index", params=params)  # open the connection
    durations = []
    for _ in range(200):
        start = time.perf_counter()
        reply = http.get(sandbox_url + "/index", params=params)
        durations.append(time.perf_counter() - start)
        assert reply.status_code == 200
    assert statistics.median(durations) < 0.020


def test_keepalive_post_latency(sandbox_url: str, login: Callable[..., str]) -> None:
    http = requests.Session()
    data = {"ajax": "getProjectId", "project": "nosuch", "session.id": login(sandbox_url)}
    durations = []
    for _ in range(50):
        start = time.perf_counter()
        http.post(sandbox_url + "/manager", data=data)
        durations.append(time.perf_counter() - start)
    assert statistics.median(durations) < 0.020


def test_response_is_one_segment(sandbox: Sandbox, login: Callable[..., str]) -> None:
    """Head and body arrive together: the first recv() already holds the whole body."""
    sid = login(sandbox.url)
    with socket.create_connection(("127.0.0.1", sandbox.port)) as conn:
        conn.sendall(f"GET /index?ajax=fetchallprojects&session.id={sid} HTTP/1.1\r\n"
                     f"Host: x\r\n\r\n".encode())
        time.sleep(0.05)
        data = conn.recv(1 << 20)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    assert len(body) == length > 0


def test_chunked_request_body(sandbox: Sandbox, login: Callable[..., str]) -> None:
    sid = login(sandbox.url)

    def chunks():
        yield b"action=login&user"
        yield b"name=azkaban&pass"
        yield b"word=azkaban"

    reply = requests.post(sandbox.url + "/manager", data=chunks(),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.json()["status"] == "success"
    # and the connection stays usable after a chunked body
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port)
    conn.putrequest("POST", "/index")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.endheaders()
    body = f"session.id={sid}&ajax=x".encode()
    conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    first = conn.getresponse()
    assert first.status == 200
    assert first.read() == b""  # POST /index: empty body
    conn.request("GET", f"/index?ajax=fetchallprojects&session.id={sid}")
    assert b"projects" in conn.getresponse().read()
    conn.close()


def test_chunked_multipart_upload(sandbox_url: str, login: Callable[..., str]) -> None:
    sid = login(sandbox_url)
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"session.id\"\r\n\r\n{sid}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"ajax\"\r\n\r\nupload\r\n"
            f"--{boundary}--\r\n").encode()
    reply = requests.post(sandbox_url + "/manager", data=iter([body[:50], body[50:]]),
                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert reply.status_code == 400
    assert reply.json() == {"error": "No project name found."}


def test_unsupported_methods(sandbox_url: str) -> None:
    put = requests.put(sandbox_url + "/manager")
    assert put.status_code == 405
    assert put.headers["Content-Type"].startswith("text/html")
    assert requests.patch(sandbox_url + "/manager").status_code == 501
    assert requests.put(sandbox_url + "/status").status_code == 405
    options = requests.options(sandbox_url + "/manager")
    assert "POST" in options.headers["Allow"]


def test_delete_with_session_is_empty(sandbox_url: str, login: Callable[..., str]) -> None:
    reply = requests.delete(sandbox_url + "/manager", params={"session.id": login(sandbox_url)})
    assert reply.status_code == 200
    assert reply.content == b""


def test_post_index_is_empty(sandbox_url: str, login: Callable[..., str]) -> None:
    reply = requests.post(sandbox_url + "/index", data={"session.id": login(sandbox_url),
                                                        "ajax": "fetchallprojects"})
    assert reply.status_code == 200
    assert reply.content == b""


def test_unknown_path_redirects_to_index(sandbox_url: str, login: Callable[..., str]) -> None:
    sid = login(sandbox_url)
    reply = requests.get(sandbox_url + "/nosuch/page", params={"session.id": sid},
                         allow_redirects=False)
    assert reply.status_code == 302
    assert reply.headers["Location"] == sandbox_url + "/index"
    root = requests.get(sandbox_url + "/", params={"session.id": sid}, allow_redirects=False)
    assert root.headers["Location"] == sandbox_url + "/index"
    anonymous = requests.get(sandbox_url + "/nosuch")
    assert '<form id="login-form"' in anonymous.text
    ajax = requests.get(sandbox_url + "/nosuch", params={"ajax": "x"})
    assert ajax.json() == {"error": "session"}


def test_history_fetch_is_empty_object(sandbox_url: str, login: Callable[..., str]) -> None:
    reply = requests.get(sandbox_url + "/history", params={"ajax": "fetch",
                                                           "session.id": login(sandbox_url)})
    assert reply.text == "{ }"


def test_static_paths_are_not_found(sandbox_url: str) -> None:
    assert requests.get(sandbox_url + "/css/azkaban.css").status_code == 404


def test_quirk_26_status_needs_no_session(sandbox_url: str) -> None:
    reply = requests.get(sandbox_url + "/status")
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    for key in ("version", "pid", "installationPath", "usedMemory", "xmx", "isDatabaseUp",
                "executorStatusMap"):
        assert key in body
    assert isinstance(body["pid"], str)
    assert body["isDatabaseUp"] is True
    assert requests.post(sandbox_url + "/status").status_code == 405
    no_ping = requests.get(sandbox_url + "/executor", params={"ajax": "ping"})
    assert no_ping.json() == {"error": "session"}


def test_quirk_06_missing_parameter_is_html_500(sandbox_url: str,
                                                login: Callable[..., str]) -> None:
    sid = login(sandbox_url)
    reply = requests.post(sandbox_url + "/manager", data={"ajax": "getProjectId",
                                                          "session.id": sid})
    assert reply.status_code == 500
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "Missing required parameter 'project'." in reply.text
    assert "HTTP ERROR 500" in reply.text
    bad_int = requests.get(sandbox_url + "/executor", params={
        "ajax": "fetchexecflow", "execid": "abc", "session.id": sid})
    assert bad_int.status_code == 500
    assert 'For input string: "abc"' in bad_int.text


def test_quirk_07_jackson_pretty_printing() -> None:
    value = {"a": 1, "b": [], "c": {}, "d": ["x", "y"], "e": [{"f": None}],
             "g": {"h": True}}
    assert jackson.pretty(value) == (
        '{\n  "a" : 1,\n  "b" : [ ],\n  "c" : { },\n  "d" : [ "x", "y" ],\n'
        '  "e" : [ {\n    "f" : null\n  } ],\n  "g" : {\n    "h" : true\n  }\n}')
    assert jackson.pretty({}) == "{ }"
    assert jackson.compact({"a": [1, "b"], "c": None}) == '{"a":[1,"b"],"c":null}'
    assert jackson.pretty("tab\there \"q\" \x01") == '"tab\\there \\"q\\" \\u0001"'


def test_stop_closes_keepalive_connections(login: Callable[..., str]) -> None:
    sandbox = Sandbox()
    http = requests.Session()
    assert http.get(sandbox.url + "/status").status_code == 200
    workdir = sandbox.workdir
    sandbox.stop()
    with pytest.raises(requests.ConnectionError):
        http.get(sandbox.url + "/status", timeout=2)
    assert not workdir.exists()
    sandbox.stop()  # twice is harmless


def test_context_manager_and_free_port() -> None:
    with Sandbox() as first, Sandbox() as second:
        assert first.port != second.port
        assert first.url.startswith("http://127.0.0.1:")
        assert requests.get(second.url + "/status").status_code == 200


def test_head_has_length_but_no_body(sandbox: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port)
    conn.request("HEAD", "/status")
    reply = conn.getresponse()
    assert reply.status == 200
    assert int(reply.getheader("Content-Length")) > 0
    assert reply.read() == b""
    conn.request("GET", "/status")  # the connection is still in sync
    assert b"executorStatusMap" in conn.getresponse().read()
    conn.close()


def test_a_client_that_resets_its_connection_is_not_an_error(sandbox, capfd) -> None:
    """A dropped keep-alive connection is ordinary; the server must not print a traceback."""
    sock = socket.create_connection(("127.0.0.1", sandbox.port))
    sock.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # linger 0: the peer sees a reset
    requests.get(sandbox.url + "/status", timeout=5)  # the server goes on serving
    time.sleep(0.2)
    assert "Traceback" not in capfd.readouterr().err


def test_json_objects_are_written_in_java_hashmap_order() -> None:
    """Real 3.90.0 and 4.0.0 write their HashMap answers in HashMap order (recorded in
    tests/conformance/data): executeFlow's keys, and fetchprojectflows' flows by id."""
    from azshell.sandbox.jackson import Ordered, compact, java_hash, java_hash_order

    assert java_hash("hello") == 99162322  # "hello".hashCode() in Java
    answer = {"project": "p", "flow": "f", "message": "m", "execid": 1}
    assert compact(answer) == '{"project":"p","message":"m","flow":"f","execid":1}'
    assert java_hash_order(["hello", "mixed", "pair", "slow"]) == ["slow", "mixed", "hello",
                                                                   "pair"]
    bean = Ordered({"version": "x", "pid": "1"})
    assert compact(bean) == '{"version":"x","pid":"1"}'
