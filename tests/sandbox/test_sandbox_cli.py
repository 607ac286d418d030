"""``azshell sandbox`` in the foreground: banner, serving, clean Ctrl-C and SIGTERM, --host."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests


def _start(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen([sys.executable, "-m", "azshell", "sandbox", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    banner = ""
    deadline = time.monotonic() + 20
    while "Ctrl-C" not in banner and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        banner += line
    match = re.search(r"URL\s+(http://\S+)", banner)
    assert match, banner
    return proc, match.group(1), banner


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_foreground_sandbox_stops_cleanly(stop_signal: signal.Signals) -> None:
    proc, url, banner = _start("--port", "0", "--session-ttl", "60")
    try:
        assert url.startswith("http://127.0.0.1:")
        for user in ("azkaban/azkaban", "metrics/metrics", "reader/reader"):
            assert user in banner
        assert f'curl -X POST --data "action=login&username=azkaban&password=azkaban" {url}' \
            in banner
        login = requests.post(url, data={"action": "login", "username": "reader",
                                         "password": "reader"}, timeout=5)
        assert login.json()["status"] == "success"
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Traceback" not in err
    assert "sandbox stopped" in out


def test_the_sandbox_listens_on_the_host_given() -> None:
    """Linux routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 is a second local address."""
    proc, url, _ = _start("--host", "127.0.0.2", "--port", "0")
    try:
        match = re.fullmatch(r"http://127\.0\.0\.2:(\d+)", url)
        assert match, url
        port = int(match.group(1))
        assert port > 0
        status = requests.get(f"{url}/status", timeout=5)
        assert status.status_code == 200
        assert status.json()["version"].startswith("azshell-sandbox-")
        login = requests.post(url, data={"action": "login", "username": "azkaban",
                                         "password": "azkaban"}, timeout=5)
        assert login.json()["status"] == "success"
        with pytest.raises(requests.ConnectionError):  # not on the usual loopback address
            requests.get(f"http://127.0.0.1:{port}/status", timeout=5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "sandbox stopped" in out


def test_port_in_use_is_one_line_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "azshell", "sandbox", "--port", str(port)],
                              capture_output=True, text=True, timeout=20, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"azshell sandbox: cannot listen on 127.0.0.1:{port}")


def test_bad_port_is_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "azshell", "sandbox", "--port", "70000"],
                          capture_output=True, text=True, timeout=20, check=False)
    assert done.returncode == 2
    assert "invalid port" in done.stderr
