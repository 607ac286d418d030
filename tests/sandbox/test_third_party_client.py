"""A real third-party client, ``azkaban`` 0.9.14 (``azkaban.remote.Session``), against the
sandbox: it sends the session as a cookie, uploads with its own multipart encoder, runs a flow
and reads its logs, so it exercises paths our own client never takes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from azkaban import remote  # a test dependency: missing, these tests fail (never skip)


@pytest.fixture
def session(sandbox_url: str) -> object:
    host = sandbox_url.split("://", 1)[1]
    return remote.Session(f"http://azkaban:azkaban@{host}")


def _wait(session: object, execid: int) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = session.get_execution_status(execid)
        if status["status"] in ("SUCCEEDED", "FAILED", "KILLED"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"execution {execid} did not finish")


def test_upload_run_and_read_logs(session: object, project_name: str, tmp_path: Path,
                                  make_zip: Callable[..., Path]) -> None:
    session.create_project(project_name, "made by the azkaban package")
    archive = make_zip(tmp_path, {
        "first.job": "type=command\ncommand=echo ${message}\n",
        "last.job": "type=command\ncommand=echo last\ndependencies=first\n",
    })
    uploaded = session.upload_project(project_name, str(archive))
    assert uploaded["version"] == "1"
    assert session.get_workflows(project_name)["flows"] == [{"flowId": "last"}]
    jobs = session.get_workflow_info(project_name, "last")
    assert [n["id"] for n in jobs["nodes"]] == ["first", "last"]
    started = session.run_workflow(project_name, "last",
                                   properties={"message": "hello from a third party"})
    execid = started["execid"]
    status = _wait(session, execid)
    assert status["status"] == "SUCCEEDED"
    job_log = session.get_job_logs(execid, "first")
    assert "hello from a third party" in job_log["data"]
    flow_log = session.get_execution_logs(execid)
    assert flow_log["length"] > 0
    lines = list(remote.Execution(session, execid).job_logs("first", delay=0))
    assert any("hello from a third party" in line for line in lines)
    assert any(p["projectName"] == project_name for p in session.get_projects()["projects"])


def test_session_refresh_after_expiry(sandbox, project_name: str) -> None:
    host = sandbox.url.split("://", 1)[1]
    session = remote.Session(f"http://azkaban:azkaban@{host}")
    session.create_project(project_name, "d")
    first_id = session.id
    assert session.is_valid()
    sandbox.sessions.remove(first_id)  # only this session: the shared sandbox keeps the others
    assert not session.is_valid()
    assert session._get_project_id(project_name) > 0  # re-logs in transparently
    assert session.id != first_id


def test_delete_project(session: object, project_name: str) -> None:
    session.create_project(project_name, "d")
    session.delete_project(project_name)
    assert all(p["projectName"] != project_name for p in session.get_projects()["projects"])
