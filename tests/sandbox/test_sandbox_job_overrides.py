"""Job properties as Azkaban keeps them (§5.6 fetchJobInfo / setJobOverrideProperty): a job's
own properties apart from the shared ones, overrides per project version, and runs that use the
override in place of the job file (FlowRunner.loadJobProps)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sandbox_calls import Api


@pytest.fixture
def api(sandbox_url: str) -> Api:
    return Api(sandbox_url)


@pytest.fixture
def etl(upload_example: Callable[..., dict[str, Any]], project_name: str) -> str:
    """examples/flow1-etl: common.properties (greeting, source.name) shared by every job."""
    upload_example("flow1-etl", project_name)
    return project_name


@pytest.fixture
def pipeline(upload_example: Callable[..., dict[str, Any]], project_name: str) -> str:
    """examples/flow2-pipeline: flow config greeting, embedded flow process (config batch)."""
    name = project_name + "f2"
    upload_example("flow2-pipeline", name)
    return name


def _override(api: Api, project: str, flow: str, job: str, **props: str) -> dict[str, Any]:
    return api.post("/manager", ajax="setJobOverrideProperty", project=project, flowName=flow,
                    jobName=job, **{f"jobOverride[{k}]": v for k, v in props.items()}).json()


def _run(api: Api, project: str, flow: str) -> int:
    execid = api.execute(project, flow)["execid"]
    assert api.wait(execid)["status"] == "SUCCEEDED", api.read_log(execid)
    return execid


def test_general_params_are_the_job_files_own(api: Api, etl: str) -> None:
    """ajaxFetchJobInfo answers the stored job props: the .job file's own keys, nothing from
    the shared common.properties (greeting, source.name) or reports.properties."""
    info = api.manager("fetchJobInfo", etl, flowName="finish", jobName="extract")
    assert info["generalParams"] == {
        "type": "command", "command": "echo ${greeting} from extract of ${source.name}"}
    assert info["overrideParams"] == info["generalParams"]
    assert info["jobType"] == "command"
    audit = api.manager("fetchJobInfo", etl, flowName="audit", jobName="audit")["generalParams"]
    assert set(audit) == {"type", "dependencies", "command"}


def test_job_type_comes_from_the_own_properties(api: Api, project_name: str, tmp_path: Path,
                                                make_zip: Callable[..., Path]) -> None:
    """jobType is the stored props' type: null for a job whose type is only shared."""
    api.create(project_name)
    files = {"base.properties": "type=command\n", "solo.job": "command=echo solo\n"}
    assert api.upload(project_name, make_zip(tmp_path, files)).status_code == 200
    info = api.manager("fetchJobInfo", project_name, flowName="solo", jobName="solo")
    assert info["jobType"] is None
    assert info["generalParams"] == {"command": "echo solo"}


def test_flow2_general_params_are_the_nodes_config_and_type(api: Api, pipeline: str) -> None:
    """NodeBean.getProps: the node's config plus type, not the flow's config."""
    info = api.manager("fetchJobInfo", pipeline, flowName="pipeline", jobName="prepare")
    assert info["generalParams"] == {"type": "command",
                                     "command": "echo ${greeting} from prepare"}
    inner = api.manager("fetchJobInfo", pipeline, flowName="pipeline:process", jobName="step_a")
    assert inner["generalParams"] == {"type": "command",
                                      "command": "echo step a of batch ${batch}"}


def test_a_run_uses_the_override_over_the_shared_properties(api: Api, etl: str) -> None:
    """Flow 1.0: the <job>.jor override replaces the job file; common.properties stays beneath.
    The override belongs to the job, not the flow it was set through."""
    answer = _override(api, etl, "finish", "extract", type="command",
                       command="echo overridden ${greeting}")
    assert set(answer) == {"project", "projectId"}
    execid = _run(api, etl, "finish")
    log = api.read_log(execid, "extract")
    assert "overridden hello" in log
    assert "from extract" not in log
    audit = api.manager("fetchJobInfo", etl, flowName="audit", jobName="extract")
    assert audit["overrideParams"] == {"type": "command", "command": "echo overridden ${greeting}"}
    assert "overridden hello" in api.read_log(_run(api, etl, "audit"), "extract")


def test_an_override_without_command_fails_the_job(api: Api, etl: str) -> None:
    """The override replaces the whole job file: no command left, no command run."""
    _override(api, etl, "finish", "load", type="command", dependencies="transform_a,transform_b")
    execid = api.execute(etl, "finish")["execid"]
    assert api.wait(execid)["status"] == "FAILED"
    assert "Missing required property 'command'" in api.read_log(execid, "load")


def test_flow2_override_keeps_the_type_and_runs(api: Api, pipeline: str) -> None:
    """Flow 2.0 rewrites the node: config = the override, type kept unless given; the flow's
    config still reaches the job."""
    _override(api, pipeline, "pipeline", "prepare", command="echo ${greeting} again")
    info = api.manager("fetchJobInfo", pipeline, flowName="pipeline", jobName="prepare")
    assert info["overrideParams"] == {"type": "command", "command": "echo ${greeting} again"}
    _override(api, pipeline, "pipeline:process", "step_b", type="noop")
    execid = _run(api, pipeline, "pipeline")
    assert "hello again" in api.read_log(execid, "prepare")
    step_b = api.read_log(execid, "process:step_b")
    assert "Building noop job executor." in step_b
    assert "step b" not in step_b


def test_flow2_embedded_flow_jobs_inherit_the_nodes_override(api: Api, pipeline: str) -> None:
    """prepareJobProperties loads an embedded flow's node like a job (the rewritten node's
    config, override included), and its jobs take those props as their parent flow's."""
    _override(api, pipeline, "pipeline", "process", batch="9", extra="${greeting} too")
    _override(api, pipeline, "pipeline:process", "step_b", command="echo ${extra}")
    execid = _run(api, pipeline, "pipeline")
    step_a = api.read_log(execid, "process:step_a")
    assert "step a of batch 9" in step_a
    assert "batch 7" not in step_a
    assert "hello too" in api.read_log(execid, "process:step_b")


def test_a_new_upload_drops_the_overrides(api: Api, etl: str, tmp_path: Path,
                                          zip_directory: Callable[[Path, Path], Path]) -> None:
    """Overrides are stored with the project version: version 2 starts without them."""
    _override(api, etl, "finish", "extract", type="command", command="echo overridden")
    example = Path(__file__).resolve().parents[2] / "examples" / "flow1-etl"
    assert api.upload(etl, zip_directory(example, tmp_path / "again.zip")).status_code == 200
    info = api.manager("fetchJobInfo", etl, flowName="finish", jobName="extract")
    assert info["overrideParams"] == info["generalParams"]
    assert "hello from extract of orders" in api.read_log(_run(api, etl, "finish"), "extract")


def test_flow1_jobs_see_no_properties_of_the_flows_root_job(
        api: Api, project_name: str, tmp_path: Path, make_zip: Callable[..., Path]) -> None:
    """A Flow 1.0 flow hands its jobs only built-ins and flow parameters: a key of the root
    job's file stays the root job's. An embedded flow hands its type=flow job's own keys."""
    files = {
        "a.job": "type=command\ncommand=echo ${only.root}\n",
        "root.job": "type=noop\ndependencies=a\nonly.root=x\n",
        "inner.job": "type=command\ncommand=echo inner sees ${who}\n",
        "outer.job": "type=flow\nflow.name=inner\nwho=outer\n",
    }
    api.create(project_name)
    assert api.upload(project_name, make_zip(tmp_path, files)).status_code == 200
    bad = api.execute(project_name, "root")["execid"]
    assert api.wait(bad)["status"] == "FAILED"
    assert "only.root" in api.read_log(bad, "a")
    assert "inner sees outer" in api.read_log(_run(api, project_name, "outer"), "outer:inner")


def test_retries_come_from_the_override(api: Api, project_name: str, tmp_path: Path,
                                        make_zip: Callable[..., Path]) -> None:
    """ExecutableNode.getRetries reads the job's input props: an override's retries count."""
    api.create(project_name)
    files = {"flaky.job": "type=command\ncommand=false\n"}
    assert api.upload(project_name, make_zip(tmp_path, files)).status_code == 200
    _override(api, project_name, "flaky", "flaky", type="command", command="false", retries="1")
    execid = api.execute(project_name, "flaky")["execid"]
    flow = api.wait(execid)
    assert flow["status"] == "FAILED"
    (node,) = flow["nodes"]
    assert node["attempt"] == 1
    assert [a["status"] for a in node["pastAttempts"]] == ["FAILED"]


def test_flow_node_data_props_are_the_job_files_own(api: Api, etl: str, pipeline: str) -> None:
    """fetchflownodedata maps the same stored job props, local keys only."""
    node = api.manager("fetchflownodedata", etl, flow="finish", node="extract")
    assert node["props"] == {"type": "command",
                             "command": "echo ${greeting} from extract of ${source.name}"}
    sub = api.manager("fetchflownodedata", pipeline, flow="pipeline", node="process")
    assert sub["props"] == {"type": "flow", "batch": "7"}
