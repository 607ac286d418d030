"""``azshell sandbox`` in the foreground: banner, serving, clean Ctrl-C and SIGTERM."""

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
