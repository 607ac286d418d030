"""What a loaded project is: flows of nodes, as both loaders produce them.

The sandbox installs uploads from this model and the client checks directories with it, so it
carries what Azkaban's ``Flow``/``Node`` carry (ids, types, props, edges) and no behaviour of
its own beyond graph questions (levels, dependents, an execution order).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    """One job (or embedded flow) of a flow."""

    name: str
    type: str
    props: dict[str, str]
    dependencies: list[str]
    condition: str | None = None
    embedded_flow: str | None = None
    source: str = ""


@dataclass
class Flow:
    """A DAG of nodes; ``embedded`` flows (2.0 ``parent:child``) are not listed on their own."""

    id: str
    nodes: dict[str, Node]
    props: dict[str, str]
    embedded: bool = False

    def _parents(self, name: str) -> list[str]:
        """Dependencies that exist in this flow (a missing one is a loader error, not an edge)."""
        return [d for d in self.nodes[name].dependencies if d in self.nodes and d != name]

    def dependents(self) -> dict[str, list[str]]:
        """node -> sorted ids of the nodes that depend on it."""
        result: dict[str, list[str]] = {name: [] for name in self.nodes}
        for name in self.nodes:
            for parent in self._parents(name):
                result[parent].append(name)
        return {name: sorted(children) for name, children in result.items()}

    def levels(self) -> dict[str, int]:
        """node -> longest distance from a start node (``Flow.initialize``'s levels).

        Nodes caught in a cycle keep the level they had when the cycle was reached.
        """
        order = self.topological_order()
        level: dict[str, int] = {}
        for name in order:
            parents = [p for p in self._parents(name) if p in level]
            level[name] = max((level[p] + 1 for p in parents), default=0)
        return level

    def topological_order(self) -> list[str]:
        """Every node once, parents before children, ties by name; cycle members last, sorted."""
        remaining = {name: set(self._parents(name)) for name in self.nodes}
        order: list[str] = []
        ready = sorted(name for name, parents in remaining.items() if not parents)
        children = self.dependents()
        while ready:
            name = ready.pop(0)
            order.append(name)
            del remaining[name]
            added = False
            for child in children[name]:
                parents = remaining.get(child)
                if parents is not None:
                    parents.discard(name)
                    if not parents:
                        ready.append(child)
                        added = True
            if added:
                ready.sort()
        order.extend(sorted(remaining))
        return order

    def start_nodes(self) -> list[str]:
        """Sorted ids of the nodes without dependencies inside the flow."""
        return sorted(name for name in self.nodes if not self._parents(name))

    def end_nodes(self) -> list[str]:
        """Sorted ids of the nodes nothing in the flow depends on."""
        return sorted(name for name, kids in self.dependents().items() if not kids)


@dataclass
class LoadedProject:
    """The loader's result: flows (embedded ones included), errors and warnings.

    ``unreached`` maps the Flow 1.0 jobs that belong to no flow to their dependencies: jobs
    caught in (or below) a dependency cycle that no flow's last job leads to. Azkaban installs
    them without a word and nothing can run them.
    """

    flow_version: str
    flows: dict[str, Flow] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreached: dict[str, list[str]] = field(default_factory=dict)

    def top_level_flows(self) -> list[str]:
        """Sorted ids of the flows ``fetchprojectflows`` lists."""
        return sorted(fid for fid, flow in self.flows.items() if not flow.embedded)

    def job_names(self) -> list[str]:
        """Sorted distinct node ids over every flow."""
        return sorted({name for flow in self.flows.values() for name in flow.nodes})

    @property
    def ok(self) -> bool:
        """True when Azkaban would install it."""
        return not self.errors
