"""Errors that point at the fix (issue 13), in scripts and in-process against the sandbox or a
scripted loopback server: each names the cause and the command or option that fixes it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Az, Shell, make_shell
from fakes import FakeServer, Reply, free_port, self_signed_cert


@pytest.fixture
def etl(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    client.create_project(project_name, "errors test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-etl", tmp_path / "e.zip"))
    return project_name


@pytest.fixture
def sh(client: Any) -> Shell:
    return make_shell(client)


class NoPassword(Az):
    """`azshell URL --user azkaban ...` with no password anywhere."""

    def __init__(self, home: Path, url: str) -> None:
        super().__init__(home, url)
        del self.env["AZSHELL_PASSWORD"]


def only_error(done: Any, code: int) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


# -- a dead server, a wrong port, a 404 at login -------------------------------------------------

def test_a_dead_server_is_unreachable_not_a_missing_password(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    line = only_error(NoPassword(tmp_path, url)("-c", "projects"), 3)
    assert line == f"-c:1: error: cannot connect to {url}: connection refused"


def test_a_live_server_without_a_password_still_asks_for_one(tmp_path: Path,
                                                             sandbox: Any) -> None:
    line = only_error(NoPassword(tmp_path, sandbox.url)("-c", "projects"), 3)
    assert "a password is needed" in line


def test_a_404_at_login_suggests_a_path_prefix(tmp_path: Path) -> None:
    with FakeServer(lambda seen: Reply(404, "<html>Not Found</html>", "text/html"),
                    login=False) as server:
        line = only_error(Az(tmp_path, server.url)("-c", "projects"), 3)
    assert line == (f"-c:1: error: {server.url} answered the login with 404 Not Found: no "
                    "Azkaban web server answers at that address. Behind a reverse proxy it may "
                    f"need the path prefix it is served under, such as {server.url}/azkaban")


# -- TLS -----------------------------------------------------------------------------------------



def test_an_untrusted_certificate_names_k_and_ca_cert(tmp_path: Path,
                                                      tls: tuple[str, Path]) -> None:
    url, _ = tls
    line = only_error(Az(tmp_path, url)("-c", "flows p"), 3)
    assert "certificate verify failed" in line
    assert line.endswith("(if you trust this server, give the CA that signed its certificate "
                         "with --ca-cert FILE, or skip verification with -k)")


def test_a_ca_bundle_that_does_not_vouch_for_the_server_is_named(
        tmp_path: Path, tls: tuple[str, Path]) -> None:
    url, _ = tls
    other, _ = self_signed_cert(tmp_path)
    line = only_error(Az(tmp_path, url)("--ca-cert", str(other), "-c", "flows p"), 3)
    assert f"(the CA bundle {other} does not vouch for this server" in line


def test_a_file_that_is_no_ca_bundle_is_named_as_such(tmp_path: Path,
                                                      tls: tuple[str, Path]) -> None:
    url, _ = tls
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    line = only_error(Az(tmp_path, url)("--ca-cert", str(junk), "-c", "flows p"), 2)
    assert line.startswith(f"-c:1: error: --ca-cert {junk} is not a CA bundle (")
    assert line.endswith("): give a PEM file of the CA certificates to trust")


@pytest.mark.parametrize("how", ["-k", "--ca-cert", "--profile"])
def test_connect_takes_k_ca_cert_and_profile(tmp_path: Path, tls: tuple[str, Path],
                                             how: str) -> None:
    url, cert = tls
    az = Az(tmp_path, url)
    if how == "--profile":
        config = tmp_path / "config" / "azshell"
        config.mkdir(parents=True)
        (config / "config.toml").write_text(
            f'[profiles.test]\nurl = "{url}"\nuser = "azkaban"\nca_cert = "{cert}"\n')
        connect = "connect --profile test"
    else:
        connect = f"connect {url} " + ("-k" if how == "-k" else f"--ca-cert {cert}")
    refused = az("-c", "flows p")
    assert refused.returncode == 3
    done = az("-c", connect, "-c", "flows p")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith('[\n  "f"\n]')


def test_connect_needs_a_url_or_a_profile(sh: Shell) -> None:
    assert "give a URL or --profile NAME" in sh.fails("connect", 2)


# -- the server's refusals, in azshell's words ---------------------------------------------------

def test_an_upload_to_a_missing_project_suggests_create(sh: Shell, project_name: str) -> None:
    path = EXAMPLES / "flow1-etl"
    line = sh.fails(f"upload {project_name} {path}")
    assert line == (f"error: upload: there is no project {project_name} on the server (nothing "
                    f"was installed); 'upload {project_name} {path} --create' creates it first")


def test_a_refused_upload_teaches_no_flows(sh: Shell, project_name: str) -> None:
    """The local flows are learnt once the server has them, never before: a failed upload
    leaves completion without flows the server does not have."""
    sh.fails(f"upload {project_name} {EXAMPLES / 'flow1-etl'}")
    assert sh.ctx.names.flows(project_name) == []
    sh.json(f"upload {project_name} {EXAMPLES / 'flow1-etl'} --create")
    assert sh.ctx.names.flows(project_name) == [("audit", "2 jobs"), ("finish", "5 jobs")]


def test_retry_of_a_finished_execution_suggests_rerun(sh: Shell, client: Any, etl: str) -> None:
    execid = sh.json(f"execute {etl} audit")["execid"]
    wait_for_end(client, execid)
    line = sh.fails(f"retry {execid}")
    assert f"execution {execid} has already finished" in line
    assert f"'rerun {execid}'" in line


def test_sla_set_on_an_unscheduled_flow_suggests_schedule(sh: Shell, etl: str) -> None:
    line = sh.fails(f"sla set {etl} finish --rule success --within 1:00 --kill")
    assert line == (f"error: sla set: flow finish of project {etl} has no schedule, and an SLA "
                    f"belongs to a schedule: schedule it first ('schedule {etl} finish CRON', "
                    "e.g. @daily)")


def test_executing_a_running_flow_names_running_and_concurrent(
        sh: Shell, client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> None:
    client.create_project(project_name, "slow")
    client.upload_project(project_name,
                          make_zip(tmp_path, {"nap.job": "type=command\ncommand=sleep 20\n"}))
    first = sh.json(f"execute {project_name} nap")["execid"]
    try:
        line = sh.fails(f"execute {project_name} nap")
        assert f"flow nap of project {project_name} is already running (execution {first}; " \
               f"'running {project_name} nap' lists them)" in line
        assert "--concurrent ignore runs it anyway" in line
    finally:
        client.cancel(first)


def wait_for_end(client: Any, execid: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if client.execution(execid)["status"] in ("SUCCEEDED", "FAILED", "KILLED"):
            return
        time.sleep(0.1)
    raise AssertionError(f"execution {execid} did not end")
