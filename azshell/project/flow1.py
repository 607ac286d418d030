"""Flow 1.0: ``.job`` and ``.properties`` files (Azkaban's ``DirectoryFlowLoader``).

Flows are derived: every job nothing depends on (or with ``root.node=true``) roots a flow named
after it, holding its transitive dependencies. Errors are collected, not raised, and worded as
Azkaban words them; their order is Java's ``HashSet`` order (see :mod:`.javaorder`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from azshell.errors import ProjectLoadError

from .checks import condition_errors, memory_errors
from .files import files_with_suffix, relative, subdirectories
from .javaorder import java_order
from .model import Flow, LoadedProject, Node
from .properties import PropertiesSyntaxError, decode_properties_file, properties_load

_LIST_SEPARATOR = re.compile(r"\s*,\s*")


def _read_props(path: Path) -> dict[str, str]:
    """Parse one properties file; a bad ``\\u`` escape is an exception in Azkaban too."""
    try:
        text = decode_properties_file(path.read_bytes())
        return properties_load(text)
    except PropertiesSyntaxError as exc:
        raise ProjectLoadError(str(exc)) from None


def string_list(value: str | None) -> list[str]:
    """``Props.getStringList``: comma separated, blanks dropped, order kept, no repeats."""
    if value is None or not value.strip():
        return []
    items = (item.strip() for item in _LIST_SEPARATOR.split(value.strip()))
    return list(dict.fromkeys(item for item in items if item))


class _Flow1Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []
        self.nodes: dict[str, Node] = {}
        self.max_nodes = 0
        self.duplicates: set[str] = set()
        self.forced_roots: set[str] = set()
        # job -> {dependency: error or None}, in declaration order
        self.deps: dict[str, dict[str, str | None]] = {}
        self.flows: dict[str, Flow] = {}
        self.embedded: dict[str, list[str]] = {}

    # -- reading files -----------------------------------------------------------------
    def load_dir(self, directory: Path, parent: dict[str, str], seen: set[str]) -> None:
        for path in files_with_suffix(directory, ".properties"):
            try:
                parent = {**parent, **_read_props(path)}
            except OSError as exc:
                self.errors.append(f"Error loading properties {path.name}:{exc.strerror}")
        for path in files_with_suffix(directory, ".job"):
            self.load_job(path, parent)
        for sub in subdirectories(directory, seen):
            self.load_dir(sub, parent, seen)

    def load_job(self, path: Path, parent: dict[str, str]) -> None:
        name = path.name.rsplit(".", 1)[0]
        if name in self.duplicates:
            return
        if name in self.nodes:
            self.errors.append(f"Duplicate job names found '{name}'.")
            self.duplicates.add(name)
            del self.nodes[name]
            return
        try:
            props = {**parent, **_read_props(path)}
        except OSError as exc:
            self.errors.append(f"Error loading job file {path.name}:{exc.strerror}")
            return
        job_type = props.get("type")
        if job_type is None:
            self.errors.append(f"Job doesn't have type set '{name}'.")
        if name == "ROOT":
            self.errors.append("ROOT is not allowed as a name. Pick some other name.")
        if props.get("root.node", "").lower() == "true":   # Boolean.parseBoolean
            self.forced_roots.add(name)
        node = Node(
            name=name,
            type=job_type or "",
            props=props,
            dependencies=string_list(props.get("dependencies")),
            condition=props.get("condition"),
            source=relative(self.root, path),
        )
        if job_type == "flow":
            node.embedded_flow = props.get("flow.name")
        self.nodes[name] = node
        self.max_nodes = max(self.max_nodes, len(self.nodes))

    # -- edges and flows ---------------------------------------------------------------
    def node_order(self) -> list[str]:
        return java_order(self.nodes, self.max_nodes)

    def resolve_dependencies(self) -> None:
        for name in self.node_order():
            edges: dict[str, str | None] = {}
            for dep in self.nodes[name].dependencies:
                if dep not in self.nodes:
                    if dep in self.duplicates:
                        edges[dep] = "Ambiguous Dependency. Duplicates found."
                        self.errors.append(f"{name} has ambiguous dependency {dep}")
                    else:
                        edges[dep] = "Dependency not found."
                        self.errors.append(f"{name} cannot find dependency {dep}")
                elif dep == name:
                    edges[dep] = "Self cycle found."
                    self.errors.append(f"{name} has a self cycle")
                else:
                    edges[dep] = None
            if edges:
                self.deps[name] = edges

    def valid_parents(self, name: str) -> list[str]:
        return [d for d, err in self.deps.get(name, {}).items() if err is None]

    def build_flows(self) -> None:
        non_roots = {dep for edges in self.deps.values() for dep in edges}
        cyclic = self._nodes_reaching_cycles()
        for name in self.node_order():
            if name in self.forced_roots or name not in non_roots:
                members: dict[str, Node] = {}
                self._construct(name, members, cyclic)
                self.flows[name] = Flow(
                    id=name, nodes=members, props=dict(self.nodes[name].props)
                )

    def _ordered_parents(self, name: str) -> list[str]:
        edges = self.deps.get(name, {})
        return [dep for dep in java_order(edges) if edges[dep] is None]

    def _construct(self, root: str, members: dict[str, Node], cyclic: set[str]) -> None:
        """``constructFlow``: depth first along dependencies, reporting edges back onto the path.

        Below a node that cannot reach a cycle there is nothing to report, so that part is added
        without walking every path (which could take exponential time). Iterative, so long
        chains do not exhaust Python's stack.
        """
        self._add_member(root, self.nodes[root], members)
        frames: list[tuple[str, list[str], int]] = [(root, self._ordered_parents(root), 0)]
        on_path = {root}
        while frames:
            name, parents, index = frames[-1]
            if index == len(parents):
                frames.pop()
                on_path.discard(name)
                continue
            frames[-1] = (name, parents, index + 1)
            dep = parents[index]
            if dep in on_path:
                self.errors.append(f"Cyclical dependency found at {dep}>>{name}")
            elif dep in cyclic:
                self._add_member(root, self.nodes[dep], members)
                frames.append((dep, self._ordered_parents(dep), 0))
                on_path.add(dep)
            else:
                self._add_closure(root, dep, members)

    def _add_member(self, flow_id: str, node: Node, members: dict[str, Node]) -> None:
        members[node.name] = node
        if node.type == "flow":
            targets = self.embedded.setdefault(flow_id, [])
            target = node.embedded_flow if node.embedded_flow is not None else "null"
            if target not in targets:
                targets.append(target)

    def _add_closure(self, flow_id: str, start: str, members: dict[str, Node]) -> None:
        stack = [start]
        while stack:
            name = stack.pop()
            if name in members:
                continue
            self._add_member(flow_id, self.nodes[name], members)
            stack.extend(reversed(java_order(self.valid_parents(name))))

    def _nodes_reaching_cycles(self) -> set[str]:
        """Nodes from which a dependency cycle (of two or more jobs) can be reached."""
        on_cycle = self._cycle_members()
        dependents: dict[str, list[str]] = {}
        for name in self.nodes:
            for parent in self.valid_parents(name):
                dependents.setdefault(parent, []).append(name)
        reaching = set(on_cycle)
        pending = list(on_cycle)
        while pending:
            for child in dependents.get(pending.pop(), ()):
                if child not in reaching:
                    reaching.add(child)
                    pending.append(child)
        return reaching

    def _cycle_members(self) -> set[str]:
        """Nodes on some dependency cycle found by an iterative depth-first search."""
        state: dict[str, int] = {}
        on_cycle: set[str] = set()
        for start in self.nodes:
            if start in state:
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            trail: list[str] = []
            while stack:
                name, index = stack.pop()
                if index == 0:
                    state[name] = 1
                    trail.append(name)
                parents = self.valid_parents(name)
                if index < len(parents):
                    stack.append((name, index + 1))
                    dep = parents[index]
                    if state.get(dep) == 1:
                        on_cycle.update(trail[trail.index(dep):])
                    elif dep not in state:
                        stack.append((dep, 0))
                else:
                    state[name] = 2
                    trail.pop()
        return on_cycle

    def resolve_embedded_flows(self) -> None:
        for flow_id in java_order(self.embedded):
            self._resolve_embedded(flow_id, set())

    def _resolve_embedded(self, flow_id: str, visited: set[str]) -> None:
        targets = self.embedded.get(flow_id)
        if targets is None:
            return
        visited.add(flow_id)
        for target in java_order(targets):
            if target in visited:
                self.errors.append(f"Embedded flow cycle found in {flow_id}->{target}")
                return
            if target not in self.flows:
                self.errors.append(f"Flow {flow_id} depends on {target} but can't be found.")
                return
            self._resolve_embedded(target, visited)
        visited.discard(flow_id)

    def check_jobs(self) -> None:
        for name in self.node_order():
            node = self.nodes[name]
            self.errors.extend(
                condition_errors(
                    name, node.condition, lambda n: n in self.nodes,
                    lambda n: self.nodes[n].dependencies,
                )
            )
        self.errors.extend(memory_errors((n, self.nodes[n].props) for n in self.node_order()))


def load_flow1(root: Path) -> LoadedProject:
    """Load a Flow 1.0 project directory (no ``.project`` file found)."""
    loader = _Flow1Loader(root)
    loader.load_dir(root, {}, {os.path.realpath(root)})
    loader.resolve_dependencies()
    loader.build_flows()
    loader.resolve_embedded_flows()
    loader.check_jobs()
    reached = {name for flow in loader.flows.values() for name in flow.nodes}
    return LoadedProject(
        flow_version="1.0",
        flows=loader.flows,
        errors=java_order(loader.errors),
        warnings=[],
        unreached={name: loader.valid_parents(name)
                   for name in sorted(loader.nodes) if name not in reached},
    )
