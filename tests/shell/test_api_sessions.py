"""whoami's server version, logging in as another user in a running shell and what that user may
not do, and the flows table on a terminal: in-process against the sandbox, and the installed
azshell in a script."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from api_support import Az, Shell, documents, make_shell


@pytest.fixture
def sh(client: Any) -> Shell:
    return make_shell(client)


@pytest.fixture
def project(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """Three independent jobs, so three flows; created in an order that is not sorted."""
    client.create_project(project_name, "gaps test")
    client.upload_project(project_name, make_zip(tmp_path, {
        "zeta.job": "type=noop\n", "alpha.job": "type=noop\n", "mid.job": "type=noop\n"}))
    return project_name


def test_whoami_reports_the_servers_version(sh: Shell, sandbox: Any) -> None:
    version = requests.get(f"{sandbox.url}/status", timeout=10).json()["version"]
    assert version.startswith("azshell-sandbox-")
    who = sh.json("whoami")
    assert who["server_version"] == version
    assert (who["user"], who["session"]) == ("azkaban", "valid")


def test_login_as_reader_then_a_write_is_refused(sh: Shell, client: Any, project: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_login_as_reader_in_a_script(tmp_path: Path, sandbox: Any, project: str) -> None:
    az = Az(tmp_path / "home", sandbox.url)
    az.env["AZSHELL_PASSWORD"] = "reader"  # the password login reads in a script
    done = az("-c", "login reader", "-c", "whoami", "-c", f"describe {project} taken over")
    assert done.returncode == 1
    logged, who = documents(done.stdout)
    assert logged["user"] == "reader"
    assert (who["user"], who["session"]) == ("reader", "valid")
    assert done.stderr == "-c:3: error: Permission denied. Need WRITE access.\n"


def test_the_flows_table_on_a_terminal(client: Any, project: str) -> None:
    flows = client.flows(project)
    assert sorted(flows) == ["alpha", "mid", "zeta"]
    code, out, err = make_shell(client, tty=True)(f"flows {project}")
    assert (code, err) == (0, "")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert plain == "FLOW\n" + "".join(f"{flow}\n" for flow in flows)
    assert out.startswith("\x1b[1mFLOW\x1b[0m\n")  # a bold header on a colour terminal
