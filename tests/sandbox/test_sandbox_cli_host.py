"""``azshell sandbox --host``: the server listens on the address given, and only there.

Linux routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 is a second local address.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

AZSHELL = str(Path(sys.executable).with_name("azshell"))


def test_the_sandbox_listens_on_the_host_given() -> None:
    proc = subprocess.Popen([AZSHELL, "sandbox", "--host", "127.0.0.2", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        banner = ""
        deadline = time.monotonic() + 20
        while "Ctrl-C" not in banner and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            banner += line
        match = re.search(r"URL\s+http://127\.0\.0\.2:(\d+)\n", banner)
        assert match, banner
        port = int(match.group(1))
        assert port > 0
        status = requests.get(f"http://127.0.0.2:{port}/status", timeout=5)
        assert status.status_code == 200
        assert status.json()["version"].startswith("azshell-sandbox-")
        login = requests.post(f"http://127.0.0.2:{port}",
                              data={"action": "login", "username": "azkaban",
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
