"""The executable node tree of one execution and its JSON (protocol §6.3, §6.4).

Mirrors Azkaban's ExecutableFlow / ExecutableFlowBase / ExecutableNode: every job and every
embedded flow of the submitted flow becomes a node with a status, times, attempts and logs; an
embedded flow node holds its own children, whose ``nestedId`` is the colon path ("sub:jobA").
The loader's model (``azshell.project``) is read through a few attribute accessors only.
"""

from __future__ import annotations

import threading
from typing import Any

from azshell.sandbox.jackson import Ordered, java_hash_order
from azshell.sandbox.runner.joblog import LogBuffer
from azshell.sandbox.runner.types import DISABLED, READY


def model_nodes(flow: Any) -> list[Any]:
    """The nodes of a loader Flow, whichever container the loader uses."""
    nodes = getattr(flow, "nodes", None) or []
    return list(nodes.values()) if isinstance(nodes, dict) else list(nodes)


def model_flows(loaded: Any) -> dict[str, Any]:
    """The flows of a LoadedProject by id."""
    flows = getattr(loaded, "flows", None) or {}
    if isinstance(flows, dict):
        return dict(flows)
    return {flow.id: flow for flow in flows}


def int_prop(props: dict, key: str, default: int = 0) -> int:
    try:
        return int(str(props.get(key, default)).strip())
    except ValueError:
        return default


def topological(nodes: list[Any]) -> list[Any]:
    """Nodes ordered so that parents come first, keeping declaration order among equals."""
    by_name = {node.name: node for node in nodes}
    placed: dict[str, Any] = {}
    remaining = list(nodes)
    while remaining:
        progressed = False
        for node in list(remaining):
            deps = [d for d in (node.dependencies or []) if d in by_name]
            if all(d in placed for d in deps):
                placed[node.name] = node
                remaining.remove(node)
                progressed = True
        if not progressed:  # a cycle the loader should have rejected: keep going anyway
            for node in remaining:
                placed[node.name] = node
            break
    return list(placed.values())


class NodeRun:
    """One job (or, as FlowRun, one embedded flow) inside an execution."""

    def __init__(self, node_id: str, node_type: str | None, parent: FlowRun | None) -> None:
        self.id = node_id
        self.type = node_type
        self.parent = parent
        self.model: Any = None
        self.props: dict[str, str] = {}
        self.condition: str | None = None
        self.in_nodes: list[str] = []
        self.out_nodes: list[str] = []
        self.status = READY
        self.start_time = -1
        self.end_time = -1
        self.update_time = -1
        self.attempt = 0
        self.past_attempts: list[dict] = []
        self.retries = 0
        self.retry_backoff_ms = 0
        self.delay_ms = 0
        self.logs: dict[int, LogBuffer] = {}
        self.output_props: dict[str, str] | None = None
        # live state of a running job
        self.thread: threading.Thread | None = None
        self.process: Any = None
        self.kill_requested = False
        self.initially_disabled = False

    @property
    def nested_id(self) -> str:
        if self.parent is None or self.parent.parent is None:
            return self.id
        return f"{self.parent.nested_id}:{self.id}"

    def to_json(self) -> dict:
        """fetchexecflow's node object (ES.getExecutableNodeInfo)."""
        obj: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "status": self.status,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "updateTime": self.update_time,
            "nestedId": self.nested_id,
            "attempt": self.attempt,
        }
        if self.condition:
            obj["condition"] = self.condition
        if self.attempt > 0:
            obj["pastAttempts"] = [dict(a) for a in self.past_attempts]
        if self.in_nodes:
            obj["in"] = java_hash_order(self.in_nodes)  # a HashSet on a real server
        return obj

    def update_json(self, last_update_time: int) -> dict:
        """fetchexecflowupdate's node object, empty when nothing changed since the time given."""
        if self.update_time <= last_update_time:
            return {}
        return self._update_keys({})

    def _update_keys(self, obj: dict) -> dict:
        obj.update(
            {
                "id": self.id,
                "status": self.status,
                "startTime": self.start_time,
                "endTime": self.end_time,
                "updateTime": self.update_time,
                "attempt": self.attempt,
            }
        )
        if self.attempt > 0:
            obj["pastAttempts"] = [dict(a) for a in self.past_attempts]
        return obj

    def record_attempt(self) -> None:
        """Keep the finished attempt in pastAttempts (ExecutableNode.resetForRetry)."""
        self.past_attempts.append(
            {
                "attempt": self.attempt,
                "startTime": self.start_time,
                "endTime": self.end_time,
                "status": self.status,
            }
        )


class FlowRun(NodeRun):
    """An embedded flow (or the root flow) with its own child nodes."""

    def __init__(self, node_id: str, flow_id: str, parent: FlowRun | None) -> None:
        super().__init__(node_id, "flow" if parent is not None else None, parent)
        self.flow_id = flow_id
        self.flow_props: dict[str, str] = {}
        self.children: dict[str, NodeRun] = {}

    def end_nodes(self) -> list[NodeRun]:
        return [child for child in self.children.values() if not child.out_nodes]

    def walk(self):
        """Every descendant node, depth first."""
        for child in self.children.values():
            yield child
            if isinstance(child, FlowRun):
                yield from child.walk()

    def find(self, path: str) -> NodeRun | None:
        """The node at a colon path relative to this flow ("sub:jobA")."""
        node: NodeRun | None = self
        for part in path.split(":"):
            if not isinstance(node, FlowRun):
                return None
            node = node.children.get(part)
            if node is None:
                return None
        return node

    def ordered_children(self) -> list:
        """The nodes in the order of the HashMap a real executor keeps them in (by id)."""
        return [self.children[key] for key in java_hash_order(self.children)]

    def to_json(self) -> dict:
        obj = super().to_json()
        obj["flow"] = self.flow_id
        obj["flowId"] = self.flow_id
        obj["nodes"] = [child.to_json() for child in self.ordered_children()]
        return obj

    def update_json(self, last_update_time: int) -> dict:
        changed = [child.update_json(last_update_time) for child in self.ordered_children()]
        changed = [c for c in changed if c]
        obj: dict[str, Any] = {}
        if changed:
            obj["flow"] = self.flow_id
            obj["nodes"] = changed
        if self.update_time > last_update_time or obj:
            self._update_keys(obj)
        return obj


def build_flow(
    flow: Any, flows: dict[str, Any], node_id: str, parent: FlowRun | None, depth: int = 0
) -> FlowRun:
    """The FlowRun of a loader Flow, recursively expanding embedded flows."""
    run = FlowRun(node_id, flow.id, parent)
    run.model = flow
    run.flow_props = {str(k): str(v) for k, v in (getattr(flow, "props", None) or {}).items()}
    ordered = topological(model_nodes(flow))
    names = {node.name for node in ordered}
    for node in ordered:
        child = _build_node(node, flows, run, depth)
        child.in_nodes = [d for d in (node.dependencies or []) if d in names]
        run.children[node.name] = child
    for child in run.children.values():
        for parent_id in child.in_nodes:
            run.children[parent_id].out_nodes.append(child.id)
    return run


def _build_node(node: Any, flows: dict[str, Any], parent: FlowRun, depth: int) -> NodeRun:
    embedded = getattr(node, "embedded_flow", None)
    child: NodeRun
    if node.type == "flow" and embedded in flows and depth < 32:
        child = build_flow(flows[embedded], flows, node.name, parent, depth + 1)
    else:
        child = NodeRun(node.name, node.type, parent)
    child.model = node
    child.props = {str(k): "" if v is None else str(v) for k, v in (node.props or {}).items()}
    child.condition = getattr(node, "condition", None) or None
    child.retries = int_prop(child.props, "retries")
    child.retry_backoff_ms = int_prop(child.props, "retry.backoff")
    return child


def apply_disabled(flow: FlowRun, disabled: list) -> None:
    """Mark disabled jobs DISABLED (FlowUtils.applyDisabledJobs): ids or {"id", "children"}."""
    for item in disabled or []:
        if isinstance(item, dict):
            name = str(item.get("id", item.get("name", "")))
            children = item.get("children")
            node = flow.children.get(name)
            if node is None:
                continue
            if children and isinstance(node, FlowRun):
                apply_disabled(node, list(children))
                continue
            node.status = DISABLED
        else:
            node = flow.children.get(str(item))
            if node is not None:
                node.status = DISABLED


def disabled_json(disabled: list) -> list[dict]:
    """flowInfo's ``disabled``: DisabledJob beans ``{"name", "children", "embeddedFlow"}``."""
    out: list[dict] = []
    for item in disabled or []:
        if isinstance(item, dict):
            children = item.get("children")
            out.append(
                Ordered({
                    "name": str(item.get("id", item.get("name", ""))),
                    "children": disabled_json(list(children)) if children else None,
                    "embeddedFlow": bool(children),
                })
            )
        else:
            out.append(Ordered({"name": str(item), "children": None, "embeddedFlow": False}))
    return out
