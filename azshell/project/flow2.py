"""Flow 2.0: one ``<flow>.flow`` YAML file per flow (Azkaban's ``DirectoryYamlFlowLoader``).

A ``type: flow`` node holds an embedded flow whose id is ``<parent>:<node>``. Problems inside one
file become one error line; like Azkaban, a Java exception while converting a file (a node
without ``type``, a missing ``nodes`` list, an undefined dependency in an embedded flow) is
reported as ``Error loading flow yaml file <file>:null``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import condition_errors, memory_errors
from .files import files_with_suffix, relative, subdirectories
from .javaorder import java_order
from .model import Flow, LoadedProject, Node
from .yamlbind import (
    BindError,
    compose_text,
    expect_mapping,
    expect_string,
    expect_string_list,
    expect_string_map,
    reject_unknown,
)

NODE_KEYS = ("name", "config", "dependsOn", "type", "condition", "nodes", "trigger")
TRIGGER_KEYS = ("maxWaitMins", "schedule", "triggerDependencies")
DEPENDENCY_KEYS = ("name", "type", "params")


class JavaException(Exception):
    """Stands for an exception Azkaban's loader catches; ``str()`` is Java's ``getMessage()``."""


class NullPointer(JavaException):
    """A ``NullPointerException``: its message is ``null``."""

    def __init__(self) -> None:
        super().__init__("null")


@dataclass
class NodeBean:
    """``NodeBean`` after binding; ``nodes`` is None when the YAML has none."""

    name: str | None
    type: str | None
    config: dict[str, str]
    depends_on: list[str]
    condition: str | None = None
    nodes: list[NodeBean] | None = None
    trigger: dict[str, Any] | None = None
    children: dict[str, NodeBean] = field(default_factory=dict)


def bind_node(data: Any) -> NodeBean:
    """Bind a mapping to a ``NodeBean`` the way SnakeYAML would, recursively."""
    mapping = expect_mapping(data, "NodeBean")
    if mapping is None:
        raise NullPointer()
    reject_unknown(mapping, NODE_KEYS, "NodeBean")
    raw_nodes = mapping.get("nodes")
    nodes = None
    if raw_nodes is not None:
        if not isinstance(raw_nodes, list):
            raise BindError(
                "Cannot create property=nodes for JavaBean=azkaban.project.NodeBean; "
                "'nodes' must be a list"
            )
        nodes = [bind_node(item) for item in raw_nodes]
    trigger = expect_mapping(mapping.get("trigger"), "FlowTriggerBean")
    return NodeBean(
        name=expect_string(mapping.get("name"), "name", "NodeBean"),
        type=expect_string(mapping.get("type"), "type", "NodeBean"),
        config=expect_string_map(mapping.get("config"), "config", "NodeBean") or {},
        depends_on=expect_string_list(mapping.get("dependsOn"), "dependsOn", "NodeBean") or [],
        condition=expect_string(mapping.get("condition"), "condition", "NodeBean"),
        nodes=nodes,
        trigger=trigger,
    )


def load_bean(path: Path) -> NodeBean:
    """``NodeBeanLoader.load``: the flow takes the file's base name and type ``flow``."""
    data = compose_text(path.read_bytes().decode("utf-8", errors="replace"))
    if data is None:
        raise JavaException(f"Failed to load flow file {path.name}. Node bean is null .")
    bean = bind_node(data)
    bean.name = path.name[: -len(".flow")]
    bean.type = "flow"
    return bean


def top_level_valid(bean: NodeBean) -> bool:
    """``NodeBeanLoader.validate``: unique names, known dependencies, no ``ROOT``.

    Only the top level is checked, as in Azkaban.
    """
    if bean.nodes is None:
        raise NullPointer()
    names: set[str | None] = set()
    for node in bean.nodes:
        if node.name in names:
            return False
        names.add(node.name)
    if any(dep not in names for node in bean.nodes for dep in node.depends_on):
        return False
    return "ROOT" not in names


def prepare(bean: NodeBean) -> None:
    """``toAzkabanNode``: check types, index children by name (a repeated name replaces), and
    validate triggers — raising what Java would throw."""
    if bean.type is None or bean.name is None:
        raise NullPointer()
    if bean.type != "flow":
        return
    if bean.nodes is None:
        raise NullPointer()
    for child in bean.nodes:
        prepare(child)
        bean.children[child.name] = child  # type: ignore[index]
    if bean.trigger is not None:
        validate_trigger(bean.trigger)


def validate_trigger(trigger: dict[str, Any]) -> None:
    """``NodeBeanLoader.toFlowTrigger``: ``validateFlowTriggerBean`` (schedule, dependencies,
    max wait), then a ``FlowTriggerDependency`` of each dependency, which refuses a blank name
    or type and null params with no message (``:null``)."""
    reject_unknown(trigger, TRIGGER_KEYS, "FlowTriggerBean")
    _validate_schedule(trigger.get("schedule"))
    deps = _trigger_dependencies(trigger.get("triggerDependencies"))
    _validate_trigger_dependencies(deps)
    _validate_max_wait(trigger.get("maxWaitMins"), bool(deps))
    for dep in deps:
        if _java_blank(dep["name"]) or _java_blank(dep["type"]) or dep["params"] is None:
            raise JavaException("null")


def _validate_schedule(raw: Any) -> None:
    """``validateSchedule``: a cron type and a valid value, whole minutes, nothing else."""
    schedule = expect_string_map(raw, "schedule", "FlowTriggerBean")
    if schedule is None:
        raise JavaException("flow trigger schedule must not be null")
    if "type" in raw and raw["type"] is None:
        raise NullPointer()  # scheduleMap.get("type").equals("cron")
    if schedule.get("type") != "cron":
        raise JavaException("flow trigger schedule type must be cron")
    if "value" in raw and raw["value"] is None:
        raise JavaException("cronExpression cannot be null")  # Quartz's CronExpression(null)
    value = schedule.get("value")
    if value is None or not _valid_cron(value):
        raise JavaException("flow trigger schedule value must be a valid cron expression")
    if value.split()[0] != "0":
        raise JavaException("interval of flow trigger schedule has to be larger than 1 min")
    if len(schedule) != 2:
        raise JavaException("flow trigger schedule must contain type and value only")


def _validate_max_wait(raw: Any, has_deps: bool) -> None:
    """``validateMaxWaitMins``: required once there is a dependency, at least 1 (a larger one
    than the default maximum is cut to it when the trigger is read, not refused)."""
    raw_wait = expect_string(raw, "maxWaitMins", "FlowTriggerBean")
    if has_deps and raw_wait is None:
        raise JavaException("max wait min cannot be null unless no dependency is defined")
    if raw_wait is not None:
        try:
            wait = int(raw_wait)
        except ValueError:
            raise BindError(f'For input string: "{raw_wait}"') from None
        if wait < 1:
            raise JavaException("max wait min must be at least 1 min(s)")


def _java_blank(text: str | None) -> bool:
    """``StringUtils.isBlank``: None, empty, or only ``Character.isWhitespace`` characters (which
    leaves out the no-break spaces and NEL that Python counts as space)."""
    return text is None or all(c.isspace() and c not in "\u00a0\u2007\u202f\x85" for c in text)


def _valid_cron(value: str) -> bool:
    from azshell.quartz import CronError, parse

    try:
        parse(value)
    except CronError:
        return False
    return True


def _trigger_dependencies(raw: Any) -> list[dict[str, Any] | None]:
    """The ``TriggerDependencyBean`` list; a null item stays None, as in Java's list."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BindError("'triggerDependencies' must be a list")
    deps: list[dict[str, Any] | None] = []
    for item in raw:
        mapping = expect_mapping(item, "TriggerDependencyBean")
        if mapping is None:
            deps.append(None)
            continue
        reject_unknown(mapping, DEPENDENCY_KEYS, "TriggerDependencyBean")
        deps.append({
            "name": expect_string(mapping.get("name"), "name", "TriggerDependencyBean"),
            "type": expect_string(mapping.get("type"), "type", "TriggerDependencyBean"),
            "params": expect_string_map(mapping.get("params"), "params", "TriggerDependencyBean"),
        })
    return deps


def _validate_trigger_dependencies(deps: list[Any]) -> None:
    """``validateTriggerDependencies``: name and type given, unique names, unique type+params
    (``getParams().equals``: null params of the first of two same-typed ones is a
    NullPointerException)."""
    for dep in deps:
        if dep is None:
            raise NullPointer()
        if dep["name"] is None:
            raise JavaException("dependency name is required")
        if dep["type"] is None:
            raise JavaException(f"dependency type is required for {dep['name']}")
    seen: set[str] = set()
    for dep in deps:
        if dep["name"] in seen:
            raise JavaException(
                f"duplicate dependency.name {dep['name']} found, dependency.name should be unique"
            )
        seen.add(dep["name"])
    for i, first in enumerate(deps):
        for second in deps[i + 1 :]:
            if first["type"] != second["type"]:
                continue
            if first["params"] is None:
                raise NullPointer()
            if first["params"] == second["params"]:
                raise JavaException(
                    f"duplicate dependencyconfig {first['name']} found, dependency config "
                    "should be unique"
                )


class _Flow2Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []
        self.flows: dict[str, Flow] = {}
        self.job_props: list[tuple[str, dict[str, str]]] = []

    def convert_dir(self, directory: Path, seen: set[str]) -> None:
        for path in files_with_suffix(directory, ".flow"):
            self.convert_file(path)
        for sub in subdirectories(directory, seen):
            self.convert_dir(sub, seen)

    def convert_file(self, path: Path) -> None:
        try:
            bean = load_bean(path)
            if not top_level_valid(bean):
                self.errors.append(
                    f"Failed to validate nodeBean for {path.name}. Duplicate nodes found or "
                    "dependency undefined or ROOT used as a name."
                )
                return
            prepare(bean)
            if bean.name in self.flows:
                self.errors.append(f"Duplicate flows found in the project with name {bean.name}")
                return
            flow = self.convert_flow(bean, bean.name, {}, relative(self.root, path))  # type: ignore[arg-type]
            self.flows[flow.id] = flow
        except (JavaException, BindError, OSError, RecursionError) as exc:
            self.errors.append(f"Error loading flow yaml file {path.name}:{exc}")

    def convert_flow(
        self, bean: NodeBean, flow_id: str, inherited: dict[str, str], source: str,
        embedded: bool = False,
    ) -> Flow:
        """``convertAzkabanFlowToFlow``: nodes (embedded flows first registered), then edges."""
        flow_props = {**inherited, **bean.config}
        nodes: dict[str, Node] = {}
        for name in java_order(bean.children):
            child = bean.children[name]
            nodes[name] = self.convert_node(child, bean, flow_id, flow_props, source)
        self.check_edges(bean, flow_id)
        return Flow(id=flow_id, nodes=nodes, props=flow_props, embedded=embedded)

    def convert_node(
        self, child: NodeBean, parent: NodeBean, flow_id: str, flow_props: dict[str, str],
        source: str,
    ) -> Node:
        name = child.name or ""
        self.errors.extend(
            condition_errors(
                name, child.condition, lambda n: n in parent.children,
                lambda n: parent.children[n].depends_on,
            )
        )
        own = {**child.config, "type": child.type or ""}
        node = Node(
            name=name,
            type=child.type or "",
            props={**flow_props, **own},
            dependencies=list(dict.fromkeys(child.depends_on)),
            condition=child.condition,
            source=source,
        )
        if child.type == "flow":
            embedded_id = f"{flow_id}:{name}"
            node.embedded_flow = embedded_id
            self.flows[embedded_id] = self.convert_flow(
                child, embedded_id, flow_props, source, embedded=True
            )
        self.job_props.append((f"{flow_id}:{name}", child.config))
        return node

    def check_edges(self, bean: NodeBean, flow_id: str) -> None:
        """``buildFlowEdges``: report edges back onto the search stack; a dependency with no
        node is Java's NullPointerException. Iterative, so long chains are fine."""
        visited: set[str | None] = set()
        for name in java_order(bean.children):
            self._visit(bean, bean.children[name], visited)

    def _visit(self, bean: NodeBean, start: NodeBean, visited: set[str | None]) -> None:
        if start.name in visited:
            return
        visited.add(start.name)
        on_stack = {start.name}
        frames: list[tuple[NodeBean, int]] = [(start, 0)]
        while frames:
            node, index = frames[-1]
            if index == len(node.depends_on):
                frames.pop()
                on_stack.discard(node.name)
                continue
            frames[-1] = (node, index + 1)
            parent = node.depends_on[index]
            if parent in on_stack:
                self.errors.append(f"Cycles found at {parent}>>{node.name}")
                continue
            target = bean.children.get(parent)
            if target is None:
                raise NullPointer()
            if target.name not in visited:
                visited.add(target.name)
                on_stack.add(target.name)
                frames.append((target, 0))


def load_flow2(root: Path) -> LoadedProject:
    """Load a Flow 2.0 project directory (its ``.project`` file has already been checked)."""
    loader = _Flow2Loader(root)
    loader.convert_dir(root, {os.path.realpath(root)})
    loader.errors.extend(memory_errors(loader.job_props))
    return LoadedProject(
        flow_version="2.0",
        flows=loader.flows,
        errors=java_order(loader.errors),
        warnings=[],
    )
