"""Flow 2.0 YAML as lint reads it: unknown keys and wrong value types with their lines.

Azkaban's loader refuses both (SnakeYAML's binding to ``NodeBean``) but says only the file, and
only its first problem; composing the YAML keeps every node's line, so each problem is told
where it is, with the key that was probably meant.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from .findings import ERROR, WARNING, Finding, did_you_mean
from .flow2 import DEPENDENCY_KEYS, NODE_KEYS, TRIGGER_KEYS

PROJECT_KEYS = ("azkaban-flow-version",)


def project_file_findings(name: str, data: bytes) -> list[Finding]:
    """A ``.project`` file has one key Azkaban reads; any other is ignored, often a typo."""
    try:
        node = yaml.compose(data.decode("utf-8", errors="replace"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []  # the loader reports it
    if not isinstance(node, yaml.MappingNode):
        return []
    found = []
    for key, _value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value not in PROJECT_KEYS:
            found.append(Finding(name, key.start_mark.line + 1, WARNING, "yaml-key",
                                 f"unknown key {key.value!r}: Azkaban reads only "
                                 "azkaban-flow-version from a .project file", did_you_mean(
                                     key.value, PROJECT_KEYS, "remove it")))
    return found


def flow_yaml_findings(name: str, data: bytes) -> Iterator[Finding]:
    """Unknown keys and wrong value types of a ``.flow`` file, with their lines; dependencies
    on nodes outside the node's own list (another flow's, the parent flow's)."""
    try:
        root = yaml.compose(data.decode("utf-8", errors="replace"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        yield Finding(name, mark.line + 1 if mark else None, ERROR, "yaml",
                      f"not valid YAML: {str(exc).splitlines()[0]}",
                      "fix the YAML syntax (indentation, a ':' after each key)")
        return
    if root is None:
        return
    yield from _bean(name, root, "flow", NODE_KEYS, top=True)
    yield from _dependencies(name, root, [])


_KINDS = {"name": "text", "type": "text", "condition": "text", "config": "map",
          "dependsOn": "list", "nodes": "nodes", "trigger": "trigger",
          "maxWaitMins": "text", "schedule": "map", "triggerDependencies": "deps",
          "params": "map"}


def _bean(file: str, node: yaml.Node, what: str, known: tuple[str, ...],
          top: bool = False) -> Iterator[Finding]:
    if not isinstance(node, yaml.MappingNode):
        yield _wrong(file, node, what, "a mapping of keys")
        return
    keys = set()
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        keys.add(key.value)
        if key.value not in known:
            yield Finding(file, key.start_mark.line + 1, ERROR, "yaml-key",
                          f"unknown key {key.value!r} in {what}: Azkaban refuses the file "
                          f"('Unable to find property {key.value!r}')",
                          did_you_mean(key.value, known, f"use one of {', '.join(known)}"))
            continue
        yield from _value(file, key.value, value, what)
    if what == "node" and "type" not in keys:
        yield Finding(file, node.start_mark.line + 1, ERROR, "yaml-type",
                      f"a node without 'type'{_named(node)}: Azkaban refuses the file",
                      "add type: command (or noop, flow, ...)")
    if what == "node" and "name" not in keys:
        yield Finding(file, node.start_mark.line + 1, ERROR, "yaml-type",
                      "a node without 'name': Azkaban refuses the file", "add name: ...")


def _value(file: str, key: str, value: yaml.Node, what: str) -> Iterator[Finding]:
    null = isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null"
    if null:
        return
    check = _CHECKS[_KINDS.get(key, "text")]
    yield from check(file, key, value, what)


def _check_text(file: str, key: str, value: yaml.Node, what: str) -> Iterator[Finding]:
    if not isinstance(value, yaml.ScalarNode):
        yield _wrong(file, value, f"{key} of {what}", "a single value (text)")


def _check_map(file: str, key: str, value: yaml.Node, what: str) -> Iterator[Finding]:
    if not isinstance(value, yaml.MappingNode):
        yield _wrong(file, value, f"{key} of {what}", "a mapping of names to values")
        return
    for sub_key, sub_value in value.value:
        if not isinstance(sub_value, yaml.ScalarNode):
            label = sub_key.value if isinstance(sub_key, yaml.ScalarNode) else "?"
            yield _wrong(file, sub_value, f"{key}.{label} of {what}",
                         "a single value (quote it to keep it as text)")


def _check_list(file: str, key: str, value: yaml.Node, what: str) -> Iterator[Finding]:
    if not isinstance(value, yaml.SequenceNode):
        yield _wrong(file, value, f"{key} of {what}", "a list of names (- name)")
        return
    for item in value.value:
        if not isinstance(item, yaml.ScalarNode):
            yield _wrong(file, item, f"an item of {key}", "a name")


def _check_nodes(file: str, key: str, value: yaml.Node, what: str) -> Iterator[Finding]:
    if not isinstance(value, yaml.SequenceNode):
        yield _wrong(file, value, f"nodes of {what}", "a list of nodes (- name: ...)")
        return
    for item in value.value:
        yield from _bean(file, item, "node", NODE_KEYS)


def _check_trigger(file: str, key: str, value: yaml.Node, what: str) -> Iterator[Finding]:
    yield from _bean(file, value, "trigger", TRIGGER_KEYS)


def _check_deps(file: str, key: str, value: yaml.Node, what: str) -> Iterator[Finding]:
    if not isinstance(value, yaml.SequenceNode):
        yield _wrong(file, value, "triggerDependencies", "a list of dependencies")
        return
    for item in value.value:
        yield from _bean(file, item, "trigger dependency", DEPENDENCY_KEYS)


_CHECKS = {"text": _check_text, "map": _check_map, "list": _check_list, "nodes": _check_nodes,
           "trigger": _check_trigger, "deps": _check_deps}


def _dependencies(file: str, node: yaml.Node, outer: list[set[str]]) -> Iterator[Finding]:
    """``dependsOn`` may name only nodes of the same ``nodes`` list; a node of an enclosing
    flow is out of reach (the embedded flow is one node of its parent)."""
    nodes = _mapping_get(node, "nodes")
    if not isinstance(nodes, yaml.SequenceNode):
        return
    names = {_scalar(_mapping_get(item, "name")) for item in nodes.value} - {None}
    for item in nodes.value:
        deps = _mapping_get(item, "dependsOn")
        if isinstance(deps, yaml.SequenceNode):
            for dep in deps.value:
                if not isinstance(dep, yaml.ScalarNode) or dep.value in names:
                    continue
                if any(dep.value in level for level in outer):
                    message = (f"node {_scalar(_mapping_get(item, 'name'))} depends on "
                               f"{dep.value}, a node of an enclosing flow: a dependency must "
                               "be in the same nodes list")
                    fix = (f"make the embedded flow itself depend on {dep.value} (dependsOn "
                           "of its type: flow node)")
                else:
                    message = (f"node {_scalar(_mapping_get(item, 'name'))} depends on "
                               f"{dep.value}, which is not a node of this flow")
                    fix = did_you_mean(dep.value, tuple(sorted(n for n in names if n)),
                                        "name a node of the same nodes list")
                yield Finding(file, dep.start_mark.line + 1, ERROR, "cross-flow", message,
                              fix)
        if _scalar(_mapping_get(item, "type")) == "flow":
            yield from _dependencies(file, item, [*outer, names])


def _mapping_get(node: Any, key: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _scalar(node: Any) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _named(node: yaml.MappingNode) -> str:
    name = _scalar(_mapping_get(node, "name"))
    return f" ({name})" if name else ""


def _wrong(file: str, node: yaml.Node, what: str, expected: str) -> Finding:
    got = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}.get(type(node),
                                                                          "a single value")
    return Finding(file, node.start_mark.line + 1, ERROR, "yaml-type",
                   f"{what} is {got}, where Azkaban wants {expected}: it refuses the file",
                   f"write {what} as {expected}")
