"""The examples run for real in the sandbox: upload (zipped by ``packaged``), execute, statuses."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from azshell.project import packaged

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _install(url: str, session: str, name: str, example: str, *, create, upload) -> None:
    create(url, session, name)
    with packaged(EXAMPLES / example) as archive:
        reply = upload(url, session, name, archive)
    assert reply.status_code == 200, reply.text
    assert "error" not in reply.json()


def _run(url: str, session: str, project: str, flow: str) -> dict[str, Any]:
    reply = requests.get(f"{url}/executor", params={
        "ajax": "executeFlow", "project": project, "flow": flow, "session.id": session,
    }, timeout=10).json()
    assert "execid" in reply, reply
    execid = reply["execid"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = requests.get(f"{url}/executor", params={
            "ajax": "fetchexecflow", "execid": execid, "session.id": session,
        }, timeout=10).json()
        if state.get("status") in ("SUCCEEDED", "FAILED", "KILLED"):
            return state
        time.sleep(0.05)
    pytest.fail(f"flow {flow} did not finish")


def _statuses(state: dict[str, Any]) -> dict[str, str]:
    result = {}
    for node in state["nodes"]:
        result[node["id"]] = node["status"]
        for child in node.get("nodes", []):
            result[f"{node['id']}:{child['id']}"] = child["status"]
    return result


def _log(url: str, session: str, execid: int, job: str) -> str:
    reply = requests.get(f"{url}/executor", params={
        "ajax": "fetchExecJobLogs", "execid": execid, "jobId": job, "offset": 0,
        "length": 100000, "session.id": session,
    }, timeout=10).json()
    return reply.get("data", "")


def test_etl_example_runs(sandbox_url, session_id, project_name, create_project, upload):
    _install(sandbox_url, session_id, project_name, "flow1-etl",
             create=create_project, upload=upload)
    state = _run(sandbox_url, session_id, project_name, "finish")
    assert state["status"] == "SUCCEEDED"
    assert set(_statuses(state).values()) == {"SUCCEEDED"}
    assert "hello from extract of orders" in _log(
        sandbox_url, session_id, state["execid"], "extract")
    audit = _run(sandbox_url, session_id, project_name, "audit")
    assert "audit hello as csv" in _log(sandbox_url, session_id, audit["execid"], "audit")


def test_pipeline_example_runs(sandbox_url, session_id, project_name, create_project, upload):
    _install(sandbox_url, session_id, project_name, "flow2-pipeline",
             create=create_project, upload=upload)
    state = _run(sandbox_url, session_id, project_name, "pipeline")
    assert state["status"] == "SUCCEEDED"
    assert _statuses(state) == {
        "prepare": "SUCCEEDED", "process": "SUCCEEDED", "process:step_a": "SUCCEEDED",
        "process:step_b": "SUCCEEDED", "publish": "SUCCEEDED",
    }
    assert "hello from prepare" in _log(sandbox_url, session_id, state["execid"], "prepare")
    assert "step a of batch 7" in _log(
        sandbox_url, session_id, state["execid"], "process:step_a")


def test_failing_example_fails(sandbox_url, session_id, project_name, create_project, upload):
    _install(sandbox_url, session_id, project_name, "flow1-failing",
             create=create_project, upload=upload)
    state = _run(sandbox_url, session_id, project_name, "end")
    assert state["status"] == "FAILED"
    assert _statuses(state) == {
        "boom": "FAILED", "fine": "SUCCEEDED", "after_boom": "CANCELLED", "end": "CANCELLED",
    }
    assert "boom" in _log(sandbox_url, session_id, state["execid"], "boom")
