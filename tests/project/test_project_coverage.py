"""Projects Azkaban installs with no flow (empty, a README only, a .project without .flow
files, Flow 1.0 jobs all in a cycle) are refused by the client's check unless allowed; jobs
that no flow reaches are reported."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from azshell.project import NoFlows, load_directory, unreached_warning, validate
from azshell.project.coverage import dependency_cycle

Tree = Callable[[dict[str, str]], Path]


def job(deps: str = "") -> str:
    return "type=command\ncommand=echo hi\n" + (f"dependencies={deps}\n" if deps else "")


def refusal(path: Path) -> str:
    with pytest.raises(NoFlows) as err:
        validate(path)
    assert validate(path, allow_empty=True).top_level_flows() == []
    return str(err.value)


def test_an_empty_directory(tree: Tree) -> None:
    path = tree({})
    path.mkdir()
    assert refusal(path) == f"{path} has no flows: it is empty"


def test_a_directory_with_a_readme_only(tree: Tree) -> None:
    path = tree({"README": "hello", "docs/notes.txt": "x"})
    assert refusal(path) == (f"{path} has no flows: it has no .job file (Flow 1.0) and no "
                             ".project file (Flow 2.0)")


def test_junk_alone_counts_as_empty(tree: Tree) -> None:
    path = tree({".DS_Store": "x", ".git/config": "x"})
    assert refusal(path).endswith(": it is empty")


def test_zips_with_a_readme_only_or_nothing(tmp_path: Path) -> None:
    readme, empty = tmp_path / "readme.zip", tmp_path / "empty.zip"
    with zipfile.ZipFile(readme, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("only-a-dir/", "")
    assert refusal(readme).endswith(": it has no .job file (Flow 1.0) and no .project file "
                                    "(Flow 2.0)")
    assert refusal(empty) == f"{empty} has no flows: it is empty"


def test_a_flow2_project_without_flow_files(tree: Tree) -> None:
    path = tree({"p.project": "azkaban-flow-version: 2.0\n", "README.md": "x"})
    assert refusal(path).endswith(": it has a .project file for Flow 2.0 but no .flow file")


def test_jobs_all_in_a_cycle_load_without_error_and_without_flow(tree: Tree) -> None:
    """As DirectoryFlowLoader: no job is a flow's last, so no flow is walked, no error."""
    loaded = load_directory(tree({"a.job": job("b"), "b.job": job("a")}))
    assert (loaded.flows, loaded.errors) == ({}, [])
    assert loaded.unreached == {"a": ["b"], "b": ["a"]}


def test_a_pure_cycle_is_refused_with_the_cycle_named(tree: Tree) -> None:
    path = tree({"x/a.job": job("b"), "x/b.job": job("c"), "c.job": job("a,d"),
                 "d.job": job()})
    assert refusal(path) == (f"{path} has no flows: its jobs depend on one another in a cycle "
                             "(a -> b -> c -> a), so no job ends a flow")


def test_the_cycle_is_found_from_a_job_below_it() -> None:
    # d is a dependency of c; walking up from d reaches the cycle
    assert dependency_cycle({"c": ["a", "d"], "a": ["b"], "b": ["c"], "d": []}) == [
        "a", "b", "c", "a"]
    assert dependency_cycle({}) == []


def test_jobs_no_flow_reaches_are_a_warning_when_there_are_flows(tree: Tree) -> None:
    loaded = validate(tree({"a.job": job("b"), "b.job": job("a"), "solo.job": job()}))
    assert loaded.top_level_flows() == ["solo"]
    assert unreached_warning(loaded) == (
        "2 job(s) belong to no flow: a, b; a dependency cycle (a -> b -> a) that no flow leads "
        "to. Azkaban installs them, but nothing can run them")


def test_a_project_with_flows_has_no_warning(tree: Tree) -> None:
    loaded = validate(tree({"a.job": job("b"), "b.job": job()}))
    assert loaded.top_level_flows() == ["a"]
    assert loaded.unreached == {}
    assert unreached_warning(loaded) is None
