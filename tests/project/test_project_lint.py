"""lint: one test per kind of finding, each with its file, line, severity and fix; clean
projects give none; a zip is linted as the upload would unpack it."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from azshell.errors import LocalError
from azshell.project.lint import BUILTIN_PROPERTIES, Finding, check_path, lint, script_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Tree = Callable[[dict[str, str]], Path]


def only(findings: list[Finding], check: str) -> Finding:
    found = [f for f in findings if f.check == check]
    assert len(found) == 1, findings
    return found[0]


def checks(path: Path) -> list[str]:
    return sorted(f.check for f in lint(path).findings)


@pytest.mark.parametrize("example", ["flow1-etl", "flow1-failing", "flow2-pipeline",
                                     "flow2-trigger"])
def test_the_examples_have_no_error_nor_warning(example: str) -> None:
    report = lint(EXAMPLES / example)
    assert report.errors == [], report.findings
    assert report.warnings == [], report.findings


def test_a_loader_error_is_an_error_naming_the_job_file(tree: Tree) -> None:
    report = lint(tree({"a.job": "type=command\ncommand=echo\ndependencies=nope\n"}))
    finding = only(report.findings, "loader")
    assert (finding.file, finding.severity) == ("a.job", "error")
    assert finding.message == "a cannot find dependency nope"
    assert report.to_dict()["ok"] is False


def test_a_project_file_that_does_not_load_is_one_error(tree: Tree) -> None:
    report = lint(tree({"x.project": "azkaban-flow-version: 3.0\n", "x.flow": "nodes: []\n"}))
    finding = only(report.findings, "loader")
    assert "Invalid azkaban-flow-version" in finding.message
    assert report.loaded is None


def test_non_ascii_bytes_in_a_job_file_name_the_line_and_the_escape(tree: Tree) -> None:
    root = tree({"a.job": "type=command\n# fine\ncommand=echo caf\u00e9\n"})
    finding = only(lint(root).findings, "non-ascii")
    assert (finding.file, finding.line, finding.severity) == ("a.job", 3, "warning")
    assert "ISO-8859-1" in finding.message
    assert "\\u00e9" in finding.message
    assert "\\uXXXX" in finding.fix


def test_non_ascii_in_a_properties_file_counts_the_other_lines(tree: Tree) -> None:
    root = tree({"a.job": "type=noop\n", "p.properties": "x=\u00e9\ny=\u00fc\nz=\u00f6\n"})
    finding = only(lint(root).findings, "non-ascii")
    assert (finding.file, finding.line) == ("p.properties", 1)
    assert "and 2 more lines" in finding.message


def test_an_escaped_character_is_fine(tree: Tree) -> None:
    assert "non-ascii" not in checks(tree({"a.job": "type=command\ncommand=echo caf\\u00e9\n"}))


def test_crlf_line_ends_in_a_script_and_in_properties(tree: Tree) -> None:
    root = tree({"a.job": "type=command\ncommand=sh run.sh\n",
                 "run.sh": "#!/bin/sh\necho one\r\necho two\r\n",
                 "p.properties": "x=1\r\n"})
    found = [f for f in lint(root).findings if f.check == "crlf"]
    assert sorted((f.file, f.line) for f in found) == [("p.properties", 1), ("run.sh", 2)]
    assert "2 lines end in CRLF" in next(f.message for f in found if f.file == "run.sh")
    assert all("dos2unix" in f.fix for f in found)


def test_a_missing_script_is_an_error_at_the_command_line(tree: Tree) -> None:
    root = tree({"jobs/a.job": "type=command\n# run it\ncommand=./bin/run.sh --all\n"})
    finding = only(lint(root).findings, "script-missing")
    assert (finding.file, finding.line, finding.severity) == ("jobs/a.job", 3, "error")
    assert "jobs/bin/run.sh" in finding.message  # commands run in the job file's directory
    assert "add jobs/bin/run.sh" in finding.fix


def test_a_script_run_by_an_interpreter_must_exist_but_need_not_be_executable(
        tree: Tree) -> None:
    root = tree({"a.job": "type=command\ncommand=python3 -u load.py\n"
                          "command.1=bash steps.sh\n", "steps.sh": "echo\n"})
    finding = only(lint(root).findings, "script-missing")
    assert finding.line == 2
    assert "load.py" in finding.message
    assert "script-not-executable" not in checks(root)


def test_a_script_that_is_not_executable(tree: Tree) -> None:
    root = tree({"a.job": "type=command\ncommand=./run.sh\n", "run.sh": "#!/bin/sh\necho\n"})
    finding = only(lint(root).findings, "script-not-executable")
    assert (finding.file, finding.line, finding.severity) == ("a.job", 2, "error")
    assert finding.fix.startswith("chmod +x run.sh")
    os.chmod(root / "run.sh", 0o755)
    assert checks(root) == []


def test_the_executable_bit_of_a_zip_entry_counts(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.job", "type=command\ncommand=./run.sh\n")
        info = zipfile.ZipInfo("run.sh")
        info.external_attr = 0o100644 << 16
        out.writestr(info, "#!/bin/sh\n")
    assert checks(archive) == ["script-not-executable"]


@pytest.mark.parametrize(("command", "expected"), [
    ("./run.sh a b", ("./run.sh", True)), ("bin/x", ("bin/x", True)),
    ("sh -x run.sh", ("run.sh", False)), ("python3 -m pkg.tool", None),
    ("bash -c 'echo hi'", None), ("echo ./x", None), ("/usr/bin/env true", ("/usr/bin/env", True)),
    ("./${script}", None), ("sh 'unfinished", None), ("", None),
    ("./run.sh ${day}", ("./run.sh", True)), ("sh $(pick) x.sh", None),
])
def test_which_file_a_command_runs(command: str, expected: tuple[str, bool] | None) -> None:
    assert script_of(command) == expected


def test_an_absolute_path_is_a_file_of_the_executors_not_of_the_project(tree: Tree) -> None:
    assert checks(tree({"a.job": "type=command\ncommand=/usr/bin/env true\n"})) == []


def test_an_unresolved_reference_names_its_line_and_the_jobs(tree: Tree) -> None:
    root = tree({"a.job": "type=command\ncommand=echo ${day} ${greeting}\n",
                 "b.job": "type=command\ndependencies=a\ncommand=echo ${day}\n",
                 "common.properties": "greeting=hi\n"})
    finding = only(lint(root).findings, "unresolved")
    assert (finding.file, finding.line, finding.severity) == ("a.job", 2, "warning")
    assert "${day}" in finding.message
    assert "jobs a, b" in finding.message
    assert "--param day=VALUE" in finding.fix


def test_built_ins_and_flow_config_resolve(tree: Tree) -> None:
    root = tree({"p.project": "azkaban-flow-version: 2.0\n",
                 "f.flow": "config:\n  who: me\nnodes:\n  - name: a\n    type: command\n"
                           "    config:\n      command: echo ${who} ${azkaban.flow.execid}\n"})
    assert checks(root) == []


def test_every_built_in_the_sandbox_sets_is_known() -> None:
    from azshell.sandbox.runner.props import flow_builtins, job_builtins

    names = set(flow_builtins(execid=1, flow_id="f", project_id=1, project_name="p",
                              version=1, submit_user="u", start_seconds=0))
    names |= set(job_builtins(job_id="j", nested_id="f:j", attempt=0, in_nodes=[],
                              out_nodes=[]))
    assert names <= BUILTIN_PROPERTIES


def test_an_unknown_job_type_suggests_the_close_one(tree: Tree) -> None:
    root = tree({"a.job": "# x\ntype=comand\ncommand=echo\n"})
    finding = only(lint(root).findings, "job-type")
    assert (finding.line, finding.severity) == (2, "warning")
    assert finding.fix.startswith("did you mean type=command?")


def test_the_servers_job_types_replace_the_common_ones(tree: Tree) -> None:
    root = tree({"a.job": "type=spark\n"})
    assert checks(root) == []
    assert [f.check for f in lint(root, job_types=["command", "noop"]).findings] == ["job-type"]


def test_a_job_in_two_flows_is_a_note(tree: Tree) -> None:
    root = tree({"base.job": "type=noop\n", "a.job": "type=noop\ndependencies=base\n",
                 "b.job": "type=noop\ndependencies=base\n"})
    finding = only(lint(root).findings, "shared-job")
    assert finding.severity == "note"
    assert "flows a, b" in finding.message


FLOW_HEAD = "nodes:\n"


def flow2(tree: Tree, text: str) -> list[Finding]:
    return lint(tree({"p.project": "azkaban-flow-version: 2.0\n", "f.flow": text})).findings


def test_an_unknown_yaml_key_has_its_line_and_a_suggestion(tree: Tree) -> None:
    found = flow2(tree, FLOW_HEAD + "  - name: a\n    type: noop\n  - name: b\n    type: noop\n"
                        "    depends_on:\n      - a\n")
    finding = only(found, "yaml-key")
    assert (finding.file, finding.line, finding.severity) == ("f.flow", 6, "error")
    assert finding.fix == "did you mean 'dependsOn'?"
    assert not [f for f in found if f.check == "loader"]  # said once, with the line


def test_a_wrong_type_for_a_known_key(tree: Tree) -> None:
    found = flow2(tree, FLOW_HEAD + "  - name: a\n    type: command\n    config:\n"
                        "      command:\n        nested: map\n    dependsOn: a\n")
    kinds = sorted((f.line, f.message.split(" is ")[0]) for f in found if f.check == "yaml-type")
    assert kinds == [(6, "config.command of node"), (7, "dependsOn of node")]


def test_a_node_without_a_type(tree: Tree) -> None:
    finding = only(flow2(tree, FLOW_HEAD + "  - name: a\n"), "yaml-type")
    assert finding.line == 2
    assert "without 'type' (a)" in finding.message


def test_an_embedded_node_depending_on_a_node_of_the_parent_flow(tree: Tree) -> None:
    found = flow2(tree, FLOW_HEAD + "  - name: first\n    type: noop\n  - name: sub\n"
                        "    type: flow\n    nodes:\n      - name: inner\n        type: noop\n"
                        "        dependsOn:\n          - first\n")
    finding = only(found, "cross-flow")
    assert (finding.line, finding.severity) == (10, "error")
    assert "a node of an enclosing flow" in finding.message
    assert "dependsOn of its type: flow node" in finding.fix


def test_a_dependency_that_is_no_node(tree: Tree) -> None:
    finding = only(flow2(tree, FLOW_HEAD + "  - name: load\n    type: noop\n"
                               "    dependsOn: [lod]\n"), "cross-flow")
    assert "lod, which is not a node of this flow" in finding.message


def test_invalid_yaml_has_its_line(tree: Tree) -> None:
    finding = only(flow2(tree, "nodes:\n  - name: a\n   type: [\n"), "yaml")
    assert finding.severity == "error"
    assert finding.line is not None


def test_an_unknown_key_of_the_project_file(tree: Tree) -> None:
    root = tree({"p.project": "azkaban-flow-version: 2.0\nazkaban-flow-versoin: 2.0\n",
                 "f.flow": "nodes:\n  - name: a\n    type: noop\n"})
    finding = only(lint(root).findings, "yaml-key")
    assert (finding.file, finding.line, finding.severity) == ("p.project", 2, "warning")


def test_errors_come_first(tree: Tree) -> None:
    root = tree({"a.job": "type=comand\n", "b.job": "type=command\ncommand=./gone.sh\n"})
    assert [(f.file, f.severity) for f in lint(root).findings] == [("b.job", "error"),
                                                                   ("a.job", "warning")]


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(LocalError, match="lint: no such file or directory"):
        check_path(tmp_path / "gone", "lint")
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(LocalError, match=r"neither a directory nor a \.zip"):
        check_path(tmp_path / "x.txt", "lint")
