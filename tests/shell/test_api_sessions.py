"""whoami and login in-process against the sandbox: the server's version, and logging in as another
user in a running shell and what that user may not do."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from api_support import Shell, make_shell


@pytest.fixture
def sh(client: Any) -> Shell:
    return make_shell(client)


def test_whoami_reports_the_servers_version(sh: Shell, sandbox: Any) -> None:
    version = requests.get(f"{sandbox.url}/status", timeout=10).json()["version"]
    assert version.startswith("azshell-sandbox-")
    who = sh.json("whoami")
    assert who["serverVersion"] == version
    assert (who["user"], who["session"]) == ("azkaban", "valid")


def test_login_as_reader_then_a_write_is_refused(sh: Shell, client: Any, three_flows: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    project = three_flows
    monkeypatch.setenv("AZSHELL_PASSWORD", "reader")
    logged = sh.json("login reader")
    assert (logged["user"], logged["session"]) == ("reader", "new")
    who = sh.json("whoami")
    assert (who["user"], who["session"]) == ("reader", "valid")
    assert sh.fails(f"describe {project} taken over") == ("error: Permission denied. Need "
                                                          "WRITE access.")
    assert client.project_id(project) > 0
    assert sh.fails(f"delete {project} --yes") == ("error: Cannot delete. User 'reader' is not "
                                                   "an ADMIN.")
    assert sh.json(f"flows {project}")  # reading is still allowed
