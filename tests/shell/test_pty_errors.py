"""Errors that point at the fix, in a real pseudo-terminal: an untrusted certificate at start-up
is named with -k and --ca-cert, and `connect` takes them without a restart."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty




def save_session(home: Path, url: str) -> None:
    """A session saved by an earlier run (say, one with -k): the shell adopts it quietly."""
    store = home / "state" / "azshell"
    store.mkdir(parents=True, mode=0o700)
    (store / "sessions.json").write_text(json.dumps(
        {f"azkaban@{url}": {"session_id": "5d1a9c3e-8f2b-4e6d-a7c1-0b9e8d7f6a5c", "saved": 1}}))
    (store / "sessions.json").chmod(0o600)


def https_shell(shell: Any, url: str, **env: str) -> Any:
    """The harness's shell, its prompt matched with the ``https://`` the prompt shows."""
    sh = shell(url, **env)
    sh.prompt = r"(?s)\x1b\[\?2004h.*?" + re.escape(f"azkaban@{url}>")
    return sh


HINT = re.compile(r"error: TLS failure with https://127\.0\.0\.1:\d+: certificate verify "
                  r"failed: self-signed certificate \(if you trust this server, give the CA "
                  r"that signed its certificate with --ca-cert FILE, or skip verification "
                  r"with -k\)")


def test_an_untrusted_certificate_at_start_up_is_named_with_the_fix(
        shell: Any, pty_home: Path, tls: tuple[str, Path]) -> None:
    url, cert = tls
    save_session(pty_home, url)
    sh = https_shell(shell, url)
    sh.expect_prompt()
    sh.child.expect(HINT)  # said above the prompt by itself, not only `offline` in the toolbar
    sh.expect_prompt()  # drawn again below it
    out = sh.line(f"connect {url} --ca-cert {cert}")
    assert '"ok": true' in out, out
    assert "error" not in out
    assert '"flows"' not in out
    listed = sh.line("flows p")
    assert "f" in listed.split()
    assert "error" not in listed
    assert sh.exit() == 0


def test_connect_k_without_a_restart(shell: Any, tls: tuple[str, Path]) -> None:
    url, _ = tls
    sh = https_shell(shell, url, AZSHELL_PASSWORD="azkaban")
    sh.child.expect(HINT)  # the login at start-up failed, and says why
    sh.expect_prompt()
    out = sh.line(f"connect {url} -k")
    assert '"session": "new"' in out, out
    assert "f" in sh.line("flows p").split()
    assert sh.exit() == 0
