"""diff: two project trees compared by the files Azkaban reads, told as flows, jobs and files."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from azshell.project.diff import compare_dirs, unified
from azshell.project.tree import project_tree, read_contents

Tree = Callable[[dict[str, str]], Path]
BASE = {"a.job": "type=command\ncommand=echo a\n",
        "b.job": "type=command\ncommand=echo b\ndependencies=a\nretries=1\n"}


def changed(tree: Tree, new_files: dict[str, str | None]) -> dict:
    """The diff from BASE to BASE updated with ``new_files`` (None removes a file)."""
    files = {**BASE, **{k: v for k, v in new_files.items() if v is not None}}
    for name, text in new_files.items():
        if text is None:
            files.pop(name)
    return compare_dirs(tree(BASE), tree(files)).to_dict()


def job(data: dict, flow: str, name: str) -> dict:
    return next(j for j in data["jobs"] if (j["flow"], j["job"]) == (flow, name))


def test_the_same_files_are_no_change(tree: Tree) -> None:
    data = compare_dirs(tree(BASE), tree(BASE)).to_dict()
    assert data["changed"] is False
    assert data["files"] == []
    assert data["jobs"] == []
    assert data["flows"]["unchanged"] == ["b"]


def test_a_flow_added(tree: Tree) -> None:
    data = changed(tree, {"c.job": "type=noop\n"})
    assert data["flows"]["added"] == ["c"]
    assert job(data, "c", "c")["status"] == "added"
    assert data["files"][0]["status"] == "added"


def test_a_flow_removed(tree: Tree) -> None:
    data = changed(tree, {"c.job": "type=noop\ndependencies=b\n"})  # b is no end any more
    assert data["flows"]["removed"] == ["b"]
    assert data["flows"]["added"] == ["c"]


def test_a_job_added_and_one_removed(tree: Tree) -> None:
    data = changed(tree, {"z.job": "type=noop\n", "b.job": "type=command\ncommand=echo b\n"
                                                           "dependencies=z\nretries=1\n"})
    assert job(data, "b", "z")["status"] == "added"
    assert job(data, "b", "a")["status"] == "removed"
    assert data["flows"]["changed"] == ["b"]


def test_type_command_dependencies_and_properties(tree: Tree) -> None:
    data = changed(tree, {"a.job": "type=noop\n",
                          "b.job": "type=command\ncommand=echo B\ndependencies=a\nretries=3\n"
                                   "x=1\n"})
    assert job(data, "b", "a")["changes"][0] == "type: command -> noop"
    assert "command: echo a -> -" in job(data, "b", "a")["changes"]
    changes = job(data, "b", "b")["changes"]
    assert "command: echo b -> echo B" in changes
    assert "property retries: 1 -> 3" in changes
    assert "property + x=1" in changes


def test_dependencies_changed(tree: Tree) -> None:
    data = changed(tree, {"c.job": "type=noop\n",
                          "b.job": "type=command\ncommand=echo b\ndependencies=a,c\nretries=1\n"})
    assert "dependencies: a -> a, c" in job(data, "b", "b")["changes"]


def test_a_property_inherited_from_a_properties_file(tree: Tree) -> None:
    data = changed(tree, {"common.properties": "env=prod\n"})
    assert "property + env=prod" in job(data, "b", "a")["changes"]
    assert data["files"][0]["path"] == "common.properties"


def test_a_unified_diff_of_each_changed_file(tree: Tree) -> None:
    data = changed(tree, {"b.job": "type=command\ncommand=echo b\ndependencies=a\nretries=2\n"})
    (change,) = data["files"]
    assert change["status"] == "changed"
    assert change["diff"].splitlines() == [
        "--- a/b.job", "+++ b/b.job", "@@ -1,4 +1,4 @@", " type=command", " command=echo b",
        " dependencies=a", "-retries=1", "+retries=2"]


def test_a_script_that_changes_is_a_file_change_without_job_change(tree: Tree) -> None:
    old = tree({**BASE, "run.sh": "echo 1\n"})
    new = tree({**BASE, "run.sh": "echo 2\n"})
    data = compare_dirs(old, new).to_dict()
    assert data["changed"]
    assert data["jobs"] == []
    assert [f["path"] for f in data["files"]] == ["run.sh"]


def test_only_the_executable_bit(tree: Tree) -> None:
    old = tree({**BASE, "run.sh": "echo\n"})
    new = tree({**BASE, "run.sh": "echo\n"})
    os.chmod(new / "run.sh", 0o755)
    (change,) = compare_dirs(old, new).files
    assert (change.status, change.diff) == ("mode", "mode: now executable")


def test_binary_files_and_missing_newlines() -> None:
    assert unified("x.bin", b"\0\1", b"\0\2") == ("Binary file x.bin differs", True)
    text, binary = unified("a.job", b"type=noop", b"type=noop\n")
    assert not binary
    assert "\\ No newline at end of file" in text


def test_nothing_deployed_yet_is_all_added(tree: Tree) -> None:
    data = compare_dirs(None, tree(BASE)).to_dict()
    assert data["flows"]["added"] == ["b"]
    assert {f["status"] for f in data["files"]} == {"added"}


def test_zips_compare_by_their_files_not_their_bytes(tree: Tree, tmp_path: Path) -> None:
    """The same files zipped with other time stamps, order and compression are the same."""
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    with zipfile.ZipFile(one, "w", zipfile.ZIP_STORED) as out:
        for name in sorted(BASE):
            out.writestr(zipfile.ZipInfo(name, (1990, 1, 1, 0, 0, 0)), BASE[name])
    with zipfile.ZipFile(two, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(BASE, reverse=True):
            out.writestr(zipfile.ZipInfo(name, (2020, 5, 5, 5, 5, 6)), BASE[name])
    assert one.read_bytes() != two.read_bytes()
    with project_tree(one) as a, project_tree(two) as b:
        assert read_contents(a) == read_contents(b)
        assert compare_dirs(a, b).changed is False


def test_editor_junk_is_not_a_change(tree: Tree) -> None:
    old = tree(BASE)
    new = tree({**BASE, ".DS_Store": "x", "b.job~": "old"})
    assert compare_dirs(old, new).changed is False


def test_a_condition_changed_and_a_job_moved_to_another_file(tree: Tree) -> None:
    old = tree({"p.project": "azkaban-flow-version: 2.0\n",
                "f.flow": "nodes:\n  - name: a\n    type: noop\n  - name: b\n    type: noop\n"
                          "    dependsOn: [a]\n"})
    new = tree({"p.project": "azkaban-flow-version: 2.0\n",
                "f.flow": "nodes:\n  - name: a\n    type: noop\n  - name: b\n    type: noop\n"
                          "    dependsOn: [a]\n    condition: all_done\n"})
    data = compare_dirs(old, new).to_dict()
    assert job(data, "f", "b")["changes"] == ["condition: - -> all_done"]
    moved = compare_dirs(tree(BASE), tree({"a.job": BASE["a.job"],
                                           "sub/b.job": BASE["b.job"]})).to_dict()
    assert job(moved, "b", "b")["changes"] == ["file: b.job -> sub/b.job"]
