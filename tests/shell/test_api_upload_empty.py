"""upload refuses a project Azkaban would install with no flow (which would replace a working
project's flows with nothing) before anything is sent; --allow-empty uploads it anyway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, make_shell

from azshell.errors import NotFound

JOB = "type=command\ncommand=echo hi\n"


@pytest.fixture
def working(client: Any, project_name: str) -> str:
    """A project whose current version has the flows of examples/flow1-etl."""
    sh = make_shell(client)
    code, _, err = sh(f"upload {project_name} {EXAMPLES / 'flow1-etl'} --create")
    assert code == 0, err
    return project_name


@pytest.mark.parametrize(("files", "reason"), [
    ({}, "it is empty"),
    ({"README": "hello"}, "it has no .job file (Flow 1.0) and no .project file (Flow 2.0)"),
    ({"a.job": JOB + "dependencies=b\n", "b.job": JOB + "dependencies=a\n"},
     "its jobs depend on one another in a cycle (a -> b -> a), so no job ends a flow"),
])
def test_a_project_without_flows_is_refused_before_sending(
        client: Any, working: str, tmp_path: Path, files: dict[str, str], reason: str) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name, text in files.items():
        (source / name).write_text(text)
    sh = make_shell(client)
    line = sh.fails(f"upload {working} {source}")
    assert line == (f"error: upload: {source} has no flows: {reason}; Azkaban would install it "
                    f"as project {working} with no flows (if the project exists, its flows and "
                    "their schedules would go): add --allow-empty to upload it anyway")
    assert sh.seen == []
    assert client.flows(working) == ["audit", "finish"]


def test_the_refusal_claims_no_project_that_may_not_exist(client: Any, project_name: str,
                                                          tmp_path: Path) -> None:
    """No such project, no --create: the words must not suggest it has flows to lose."""
    sh = make_shell(client)
    line = sh.fails(f"upload {project_name} {tmp_path}")
    assert f"as project {project_name} with no flows (if the project exists," in line
    assert "leave project" not in line
    assert sh.seen == []
    with pytest.raises(NotFound):
        client.project_id(project_name)


def test_a_zip_with_a_readme_only_is_refused(client: Any, working: str, tmp_path: Path,
                                             make_zip: Any) -> None:
    archive = make_zip(tmp_path, {"readme.txt": "hello"})
    sh = make_shell(client)
    assert "has no flows: it has no .job file" in sh.fails(f"upload {working} {archive}")
    assert client.flows(working) == ["audit", "finish"]


def test_allow_empty_uploads_it_anyway(client: Any, working: str, tmp_path: Path) -> None:
    source = tmp_path / "empty"
    source.mkdir()
    sh = make_shell(client)
    answer = sh.json(f"upload {working} {source} --allow-empty")
    assert (answer["ok"], answer["flows"]) == (True, [])
    assert client.flows(working) == []


def test_jobs_no_flow_reaches_are_a_warning(client: Any, project_name: str,
                                            tmp_path: Path) -> None:
    source = tmp_path / "partly"
    source.mkdir()
    (source / "a.job").write_text(JOB + "dependencies=b\n")
    (source / "b.job").write_text(JOB + "dependencies=a\n")
    (source / "solo.job").write_text(JOB)
    sh = make_shell(client)
    code, out, err = sh(f"upload {project_name} {source} --create")
    assert code == 0, err
    assert err == ("warning: 2 job(s) belong to no flow: a, b; a dependency cycle (a -> b -> a) "
                   "that no flow leads to. Azkaban installs them, but nothing can run them\n")
    assert '"solo"' in out
