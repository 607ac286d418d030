"""Flow 2.0 loader and the choice of loader (FlowLoaderFactory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from azshell.errors import ProjectLoadError
from azshell.project import load_directory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

PROJECT = "azkaban-flow-version: 2.0\n"
SIMPLE = """
nodes:
  - name: a
    type: command
    config:
      command: echo a
  - name: b
    type: noop
    dependsOn: [a]
"""


def test_pipeline_example():
    loaded = load_directory(EXAMPLES / "flow2-pipeline")
    assert loaded.flow_version == "2.0"
    assert loaded.errors == []
    assert loaded.top_level_flows() == ["pipeline"]
    assert sorted(loaded.flows) == ["pipeline", "pipeline:process"]
    pipeline = loaded.flows["pipeline"]
    assert pipeline.props["greeting"] == "hello"
    assert pipeline.levels() == {"prepare": 0, "process": 1, "publish": 2}
    process = pipeline.nodes["process"]
    assert (process.type, process.embedded_flow) == ("flow", "pipeline:process")
    inner = loaded.flows["pipeline:process"]
    assert inner.embedded
    assert inner.nodes["step_b"].dependencies == ["step_a"]
    step_a = inner.nodes["step_a"]
    assert step_a.props["command"] == "echo step a of batch ${batch}"
    assert step_a.props["batch"] == "7"
    assert step_a.props["greeting"] == "hello"
    assert step_a.props["type"] == "command"
    assert step_a.source == "pipeline.flow"
    assert loaded.job_names() == ["prepare", "process", "publish", "step_a", "step_b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("azkaban-flow-version: 2\n", "Invalid azkaban-flow-version in the project YAML file."),
        ('azkaban-flow-version: "2.0"\n', "Invalid azkaban-flow-version in the project YAML file."),
        ("azkaban-flow-version: 2.1\n", "Invalid azkaban-flow-version in the project YAML file."),
        ("azkaban-flow-version: 1.0\n", "Invalid azkaban-flow-version in the project YAML file."),
        ("name: x\n", "azkaban-flow-version is not specified in the project YAML file."),
        ("", "azkaban-flow-version is not specified in the project YAML file."),
    ],
)
def test_bad_project_files_raise(tree, text, message):
    root = tree({"p.project": text, "f.flow": SIMPLE})
    with pytest.raises(ProjectLoadError) as info:
        load_directory(root)
    assert str(info.value) == message


def test_flow_version_2_00_is_the_number_two(load):
    assert load({"p.project": "azkaban-flow-version: 2.00\n", "f.flow": SIMPLE}).flow_version \
        == "2.0"


def test_duplicate_project_files(tree):
    root = tree({"a.project": PROJECT, "b.project": PROJECT})
    with pytest.raises(ProjectLoadError, match=r"^Duplicate project YAML files found in the "
                       r"project directory\. Only one is allowed\.$"):
        load_directory(root)


def test_project_file_in_a_subdirectory_selects_flow2(load):
    loaded = load({"top/p.project": PROJECT, "top/f.flow": SIMPLE, "x.job": "type=noop\n"})
    assert loaded.flow_version == "2.0"
    assert loaded.top_level_flows() == ["f"]


def test_dot_project_alone_and_hidden_project_files_are_ignored(load):
    loaded = load({".project": PROJECT, ".x.project": PROJECT, "x.job": "type=noop\n"})
    assert loaded.flow_version == "1.0"


def test_scalars_stay_text_as_snakeyaml_binds_them(load):
    loaded = load({"p.project": PROJECT, "f.flow": """
config:
  retries: 3
  flag: yes
  ratio: 1.50
nodes:
  - name: a
    type: noop
"""})
    assert loaded.errors == []
    props = loaded.flows["f"].props
    assert (props["retries"], props["flag"], props["ratio"]) == ("3", "yes", "1.50")


def _errors(load, flow_text: str, name: str = "f.flow") -> list[str]:
    return load({"p.project": PROJECT, name: flow_text}).errors


VALIDATE = ("Failed to validate nodeBean for f.flow. Duplicate nodes found or dependency "
            "undefined or ROOT used as a name.")


@pytest.mark.parametrize(
    "nodes",
    [
        "  - {name: a, type: noop}\n  - {name: a, type: noop}\n",
        "  - {name: a, type: noop, dependsOn: [zz]}\n",
        "  - {name: ROOT, type: noop}\n",
    ],
)
def test_validate_failures(load, nodes):
    assert _errors(load, "nodes:\n" + nodes) == [VALIDATE]


def test_cycle(load):
    text = "nodes:\n  - {name: a, type: noop, dependsOn: [b]}\n" \
           "  - {name: b, type: noop, dependsOn: [a]}\n"
    assert _errors(load, text) == ["Cycles found at a>>b"]


def test_self_cycle(load):
    assert _errors(load, "nodes:\n  - {name: a, type: noop, dependsOn: [a]}\n") == [
        "Cycles found at a>>a"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "nodes:\n  - name: a\n",                                   # no type
        "config: {x: y}\n",                                         # no nodes
        "nodes:\n  - {name: e, type: flow}\n",                      # embedded flow without nodes
        "nodes:\n  - name: e\n    type: flow\n    nodes:\n"
        "      - {name: a, type: noop, dependsOn: [zz]}\n",        # undefined dep, embedded
    ],
)
def test_java_null_pointer_cases(load, text):
    assert _errors(load, text) == ["Error loading flow yaml file f.flow:null"]


def test_empty_flow_file(load):
    assert _errors(load, "") == [
        "Error loading flow yaml file f.flow:Failed to load flow file f.flow. Node bean is null ."
    ]


def test_unknown_key_and_bad_yaml(load):
    unknown = _errors(load, "nodes:\n  - {name: a, type: noop, depends: [b]}\n")
    assert len(unknown) == 1
    assert unknown[0].startswith(
        "Error loading flow yaml file f.flow:Cannot create property=depends"
    )
    broken = _errors(load, "nodes: [\n")
    assert len(broken) == 1
    assert broken[0].startswith("Error loading flow yaml file f.flow:")


def test_duplicate_flow_names(load):
    loaded = load({"p.project": PROJECT, "a/f.flow": SIMPLE, "b/f.flow": SIMPLE})
    assert loaded.errors == ["Duplicate flows found in the project with name f"]
    assert loaded.top_level_flows() == ["f"]


def test_nested_embedded_flows_and_props(load):
    loaded = load({"p.project": PROJECT, "top.flow": """
config: {level: top, keep: yes}
nodes:
  - name: mid
    type: flow
    config: {level: mid}
    nodes:
      - name: low
        type: flow
        nodes:
          - {name: job, type: command, config: {command: echo}}
"""})
    assert loaded.errors == []
    assert sorted(loaded.flows) == ["top", "top:mid", "top:mid:low"]
    assert loaded.flows["top:mid"].nodes["low"].embedded_flow == "top:mid:low"
    job = loaded.flows["top:mid:low"].nodes["job"]
    assert (job.props["level"], job.props["keep"]) == ("mid", "yes")
    assert loaded.top_level_flows() == ["top"]


def test_conditions(load):
    text = """
nodes:
  - {name: a, type: noop}
  - {name: b, type: noop, dependsOn: [a], condition: "${a:x} == 1 && one_success"}
  - {name: c, type: noop, dependsOn: [a], condition: "all_done && one_failed"}
  - {name: d, type: noop, dependsOn: [a], condition: "${zz:x} == 'v'"}
  - {name: e, type: noop, dependsOn: [a], condition: "nonsense"}
  - {name: f, type: noop, condition: "${g:x} == 2"}
  - {name: g, type: noop, dependsOn: [f]}
"""
    assert sorted(_errors(load, text)) == [
        "Invalid condition for c: cannot combine more than one conditionOnJobStatus macros.",
        "Invalid condition for d: zz doesn't exist in the flow.",
        "Invalid condition for e: cannot resolve the condition. "
        "Please check the syntax for supported conditions.",
        "Invalid condition for f: should not define condition on its descendant node g.",
    ]


def test_trigger_validation(load):
    good = """
trigger:
  schedule: {type: cron, value: "0 0 10 ? * MON"}
nodes:
  - {name: a, type: noop}
"""
    assert _errors(load, good) == []
    bad_cron = good.replace("0 0 10 ? * MON", "0 0 10 * * MON")
    assert _errors(load, bad_cron) == [
        "Error loading flow yaml file f.flow:flow trigger schedule value must be a valid cron "
        "expression"
    ]
    seconds = good.replace("0 0 10 ? * MON", "5 0 10 ? * MON")
    assert _errors(load, seconds) == [
        "Error loading flow yaml file f.flow:interval of flow trigger schedule has to be larger "
        "than 1 min"
    ]
    waitless = good.replace("nodes:", "  triggerDependencies:\n    - {name: d, type: t}\nnodes:")
    assert _errors(load, waitless) == [
        "Error loading flow yaml file f.flow:max wait min cannot be null unless no dependency "
        "is defined"
    ]


def _trigger(body: str, nodes: str = "nodes:\n  - {name: a, type: noop}\n") -> str:
    return "trigger:\n" + "".join(f"  {line}\n" for line in body.strip("\n").split("\n")) + nodes


CRON = 'schedule: {type: cron, value: "0 0 10 ? * MON"}'
WAIT = "maxWaitMins: 30"


def _deps(*items: str) -> str:
    return "triggerDependencies:\n" + "\n".join(f"  - {item}" for item in items)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # FlowTriggerDependency: blank name or type, or no params (checkArgument, no message)
        (f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t}"), "null"),
        (f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t, params: }"), "null"),
        (f"{CRON}\n{WAIT}\n" + _deps('{name: "", type: t, params: {a: b}}'), "null"),
        (f"{CRON}\n{WAIT}\n" + _deps('{name: "  ", type: t, params: {a: b}}'), "null"),
        (f"{CRON}\n{WAIT}\n" + _deps('{name: d, type: "\\t", params: {a: b}}'), "null"),
        (f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t, params: {a: b}}", "{name: e, type: u}"),
         "null"),
        # validateNameAndTypeArePresent (a null list item is Java's NullPointerException)
        (f"{CRON}\n{WAIT}\n" + _deps("{type: t, params: {a: b}}"), "dependency name is required"),
        (f"{CRON}\n{WAIT}\n" + _deps("{name: d, params: {a: b}}"),
         "dependency type is required for d"),
        (f"{CRON}\n{WAIT}\n" + _deps("", "{type: t}"), "null"),
        # the dependency checks come before max wait, the FlowTriggerDependency ones after it
        (f"{CRON}\n" + _deps("{name: d, params: {a: b}}"), "dependency type is required for d"),
        (f"{CRON}\n" + _deps("{name: d, type: t}"),
         "max wait min cannot be null unless no dependency is defined"),
        # unique names, then unique type + params (null params of the first: NullPointer)
        (f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t, params: {a: b}}",
                                      "{name: d, type: u, params: {a: c}}"),
         "duplicate dependency.name d found, dependency.name should be unique"),
        (f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t, params: {a: b}}",
                                      "{name: e, type: t, params: {a: b}}"),
         "duplicate dependencyconfig d found, dependency config should be unique"),
        (f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t}", "{name: e, type: t, params: {}}"),
         "null"),
        # max wait: at least 1 once given
        (f"{CRON}\nmaxWaitMins: 0", "max wait min must be at least 1 min(s)"),
        (f"{CRON}\nmaxWaitMins: -5\n" + _deps("{name: d, type: t, params: {a: b}}"),
         "max wait min must be at least 1 min(s)"),
        # the schedule: present, type cron, a valid value, nothing else
        ("maxWaitMins: 5", "flow trigger schedule must not be null"),
        ("schedule: {value: \"0 0 10 ? * MON\"}", "flow trigger schedule type must be cron"),
        ('schedule: {type: interval, value: "0 0 10 ? * MON"}',
         "flow trigger schedule type must be cron"),
        ('schedule: {type: , value: "0 0 10 ? * MON"}', "null"),
        ("schedule: {type: cron}", "flow trigger schedule value must be a valid cron expression"),
        ("schedule: {type: cron, value: }", "cronExpression cannot be null"),
        ('schedule: {type: cron, value: "0 0 10 ? * MON", zone: UTC}',
         "flow trigger schedule must contain type and value only"),
    ],
)
def test_trigger_rules(load, body, message):
    """NodeBeanLoader.toFlowTrigger: each refusal is 'Error loading flow yaml file f.flow:<Java
    message>' and loads no flow."""
    loaded = load({"p.project": PROJECT, "f.flow": _trigger(body)})
    assert loaded.errors == [f"Error loading flow yaml file f.flow:{message}"]
    assert loaded.flows == {}


@pytest.mark.parametrize(
    "body",
    [
        CRON,
        f"{CRON}\nmaxWaitMins: 1",
        f"{CRON}\nmaxWaitMins: 999999\n" + _deps("{name: d, type: t, params: {a: b}}"),
        f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t, params: {}}",
                                     "{name: e, type: t, params: {a: b}}",
                                     "{name: f, type: u, params: {}}"),
        f"{CRON}\n{WAIT}\n" + _deps("{name: d, type: t, params: {a: b}}",
                                     "{name: e, type: u, params: {a: b}}"),
    ],
)
def test_trigger_accepted(load, body):
    """What passes: no dependencies without a wait, a wait beyond the maximum (cut when read),
    the same params under another type, empty params."""
    assert _errors(load, _trigger(body)) == []


def test_trigger_of_an_embedded_flow_is_checked(load):
    """toAzkabanNode converts an embedded flow's trigger the same way."""
    text = ("nodes:\n  - name: sub\n    type: flow\n    trigger:\n      " + CRON + "\n"
            "      maxWaitMins: 5\n      triggerDependencies:\n        - {name: d, type: t}\n"
            "    nodes:\n      - {name: a, type: noop}\n")
    assert _errors(load, text) == ["Error loading flow yaml file f.flow:null"]


def test_memory_limit_uses_flow_and_node_name(load):
    text = "nodes:\n  - {name: a, type: command, config: {Xms: 2G}}\n"
    assert _errors(load, text) == [
        "f:a: Xms value has exceeded the allowed limit (max Xms = 1G)"
    ]


def test_long_chain(load):
    lines = ["nodes:", "  - {name: n0, type: noop}"]
    lines += [f"  - {{name: n{i}, type: noop, dependsOn: [n{i - 1}]}}" for i in range(1, 1500)]
    loaded = load({"p.project": PROJECT, "f.flow": "\n".join(lines) + "\n"})
    assert loaded.errors == []
    assert loaded.flows["f"].levels()["n1499"] == 1499
