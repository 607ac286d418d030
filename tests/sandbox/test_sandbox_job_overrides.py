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


def test_a_new_upload_drops_the_overrides(api: Api, etl: str, tmp_path: Path,
                                          zip_directory: Callable[[Path, Path], Path]) -> None:
    """Overrides are stored with the project version: version 2 starts without them."""
    _override(api, etl, "finish", "extract", type="command", command="echo overridden")
    example = Path(__file__).resolve().parents[2] / "examples" / "flow1-etl"
    assert api.upload(etl, zip_directory(example, tmp_path / "again.zip")).status_code == 200
    info = api.manager("fetchJobInfo", etl, flowName="finish", jobName="extract")
    assert info["overrideParams"] == info["generalParams"]
    assert "hello from extract of orders" in api.read_log(_run(api, etl, "finish"), "extract")
