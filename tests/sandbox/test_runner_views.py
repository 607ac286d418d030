"""The executor's JSON views as pure functions of a node tree: no engine, no thread, no job."""

from __future__ import annotations

from pathlib import Path

from azshell.project import load_directory
from azshell.sandbox.runner import views
from azshell.sandbox.runner.nodes import FlowRun, apply_disabled, build_flow, model_flows
from azshell.sandbox.runner.types import ExecutionOptions

FLOW = """\
config:
  retries: 1
nodes:
  - name: a
    type: noop
  - name: sub
    type: flow
    dependsOn: [a]
    nodes:
      - name: inner
        type: noop
"""


def tree(tmp_path: Path) -> FlowRun:
    (tmp_path / "t.project").write_text("azkaban-flow-version: 2.0\n")
    (tmp_path / "main.flow").write_text(FLOW)
    loaded = load_directory(tmp_path)
    assert not loaded.errors, loaded.errors
    flows = model_flows(loaded)
    root = build_flow(flows["main"], flows, "main", None)
    apply_disabled(root, ["a"])
    for stamp, node in enumerate(root.walk(), 10):
        node.update_time = stamp
    root.update_time = 20
    return root


def test_the_execution_document(tmp_path: Path) -> None:
    root = tree(tmp_path)
    doc = views.execution_json(root, execid=5, project="demo", project_id=7,
                               submit_user="azkaban", submit_time=3)
    assert {k: doc[k] for k in ("execid", "project", "projectId", "submitUser",
                                "submitTime")} == {"execid": 5, "project": "demo",
                                                    "projectId": 7, "submitUser": "azkaban",
                                                    "submitTime": 3}
    assert [n["id"] for n in doc["nodes"]] == ["a", "sub"]
    assert doc["nodes"][0]["status"] == "DISABLED"
    assert [n["id"] for n in doc["nodes"][1]["nodes"]] == ["inner"]


def test_an_update_lists_only_what_changed(tmp_path: Path) -> None:
    root = tree(tmp_path)
    everything = views.update_json(root, -1)
    assert everything["updateTime"] == 20
    assert {n["id"] for n in everything["nodes"]} == {"a", "sub"}
    later = views.update_json(root, 19)
    assert later["status"] == root.status
    assert not later.get("nodes")


def test_summary_and_flow_info(tmp_path: Path) -> None:
    root = tree(tmp_path)
    summary = views.summary_json(root, execid=5, flow_id="main", project_id=7,
                                 submit_user="azkaban", submit_time=3)
    assert summary["execId"] == 5
    assert summary["flowId"] == "main"
    options = ExecutionOptions(flow_parameters={"day": "mon"}, disabled=["a"])
    info = views.flow_info_json(root, options, failure_action="finishPossible",
                                pipeline_execid=None)
    assert "runtimeProperties" not in info  # only after 4.0.0 (3.90.0 and 4.0.0 lack it)
    assert info["failureAction"] == "finishPossible"
    assert info["nodeStatus"] == {"a": "DISABLED", "sub": "READY"}
    assert info["disabled"] == [{"name": "a", "children": None, "embeddedFlow": False}]
