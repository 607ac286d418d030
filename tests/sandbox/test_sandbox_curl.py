"""The curl commands of the Azkaban Ajax API documentation, run with the real ``curl`` binary.

The documented upload forces ``-H "Content-Type: multipart/mixed"``: curl then appends its
boundary but labels every part ``Content-Disposition: attachment``, which commons-fileupload
skips, so a real server sees no field at all and answers ``Login error. Need username and
password`` (azkaban#509). The sandbox reproduces that, and the same command without the forced
header works.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")

JOBS = {"hello.job": "type=command\ncommand=echo hello from curl\n"}


def curl(*args: str) -> str:
    done = subprocess.run(["curl", "-s", "-k", *args], capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


@pytest.fixture
def curl_session(sandbox_url: str) -> str:
    reply = curl("-X", "POST", "--data", "action=login&username=azkaban&password=azkaban",
                 sandbox_url)
    body = json.loads(reply)
    assert body["status"] == "success"
    return body["session.id"]


@pytest.fixture
def curl_project(sandbox_url: str, curl_session: str, project_name: str,
                 create_project: Callable[..., None]) -> str:
    create_project(sandbox_url, curl_session, project_name)
    return project_name


def test_documented_login(sandbox_url: str) -> None:
    reply = curl("-i", "-X", "POST", "--data", "action=login&username=azkaban&password=azkaban",
                 sandbox_url)
    assert "Set-Cookie: azkaban.browser.session.id=" in reply
    assert '"status" : "success"' in reply


def test_documented_create(sandbox_url: str, curl_session: str, project_name: str) -> None:
    reply = curl("-X", "POST", "--data-urlencode", f"session.id={curl_session}",
                 "--data-urlencode", f"name={project_name}",
                 "--data-urlencode", "description=made with curl",
                 f"{sandbox_url}/manager?action=create")
    assert reply == (f'{{"path":"manager?project={project_name}","action":"redirect",'
                     '"status":"success"}')


def test_documented_upload_with_forced_multipart_mixed(
        sandbox_url: str, curl_session: str, curl_project: str, tmp_path: Path,
        make_zip: Callable[..., Path]) -> None:
    project_name = curl_project
    archive = make_zip(tmp_path, JOBS, name="myproject.zip")
    form = ["--form", f"session.id={curl_session}", "--form", "ajax=upload",
            "--form", f"file=@{archive};type=application/zip", "--form", f"project={project_name}"]
    forced = curl("-i", "-H", "Content-Type: multipart/mixed", "-X", "POST", *form,
                  f"{sandbox_url}/manager")
    assert forced.startswith("HTTP/1.1 200")
    assert forced.endswith("\n\nLogin error. Need username and password")
    plain = curl("-X", "POST", *form, f"{sandbox_url}/manager")
    assert json.loads(plain)["version"] == "1"


def test_forced_multipart_mixed_with_session_in_url_is_empty(
        sandbox_url: str, curl_session: str, curl_project: str, tmp_path: Path,
        make_zip: Callable[..., Path]) -> None:
    """The session is found, but no form field is: neither ajax nor action → empty 200."""
    project_name = curl_project
    archive = make_zip(tmp_path, JOBS)
    reply = curl("-i", "-H", "Content-Type: multipart/mixed", "-X", "POST",
                 "--form", "ajax=upload", "--form", f"file=@{archive};type=application/zip",
                 "--form", f"project={project_name}",
                 f"{sandbox_url}/manager?session.id={curl_session}")
    assert reply.startswith("HTTP/1.1 200")
    assert "Content-Length: 0" in reply


@pytest.fixture
def uploaded_project(sandbox_url: str, curl_session: str, curl_project: str, *, tmp_path: Path,
                     make_zip: Callable[..., Path], upload: Callable[..., object]) -> str:
    upload(sandbox_url, curl_session, curl_project, make_zip(tmp_path, JOBS))
    return curl_project


def test_documented_execute_with_get(sandbox_url: str, curl_session: str,
                                     uploaded_project: str) -> None:
    project_name = uploaded_project
    reply = curl("--get", "--data", f"session.id={curl_session}", "--data", "ajax=executeFlow",
                 "--data", f"project={project_name}", "--data", "flow=hello",
                 f"{sandbox_url}/executor")
    body = json.loads(reply)
    assert body["message"] == f"Execution queued successfully with exec id {body['execid']}"
    status = curl("--get", "--data", f"session.id={curl_session}", "--data",
                  "ajax=fetchexecflow", "--data", f"execid={body['execid']}",
                  f"{sandbox_url}/executor")
    assert json.loads(status)["flow"] == "hello"


def test_curl_large_upload_expect_continue(sandbox_url: str, curl_session: str,
                                           curl_project: str, tmp_path: Path) -> None:
    """curl sends ``Expect: 100-continue`` for big bodies; the sandbox must answer it."""
    import zipfile

    project_name = curl_project
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as handle:
        handle.writestr("hello.job", JOBS["hello.job"])
        handle.writestr("blob.bin", bytes(range(256)) * 8000)
    reply = curl("-X", "POST", "--form", f"session.id={curl_session}", "--form", "ajax=upload",
                 "--form", f"file=@{archive};type=application/zip",
                 "--form", f"project={project_name}", f"{sandbox_url}/manager")
    assert json.loads(reply)["version"] == "1"
