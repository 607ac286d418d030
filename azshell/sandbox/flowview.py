"""Read-only helpers over ``azshell.project`` flows, shaped for the servlets' JSON answers.

Kept apart so that the servlets do not depend on the loader's container types (a flow's
``nodes`` may be a mapping or a list; an embedded flow may be referenced by id or by object).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def nodes(flow: Any) -> list[Any]:
    found = flow.nodes
    return list(found.values()) if isinstance(found, dict) else list(found)


def node(flow: Any, name: str) -> Any | None:
    found = flow.nodes
    if isinstance(found, dict):
        return found.get(name)
    return next((n for n in found if n.name == name), None)


def parents(flow: Any, name: str) -> list[str]:
    item = node(flow, name)
    return list(item.dependencies) if item is not None else []


def children(flow: Any, name: str) -> list[str]:
    deps = flow.dependents()
    return list(deps.get(name, ())) if isinstance(deps, dict) else []


def level(flow: Any, name: str) -> int:
    levels = flow.levels()
    if isinstance(levels, dict):
        return int(levels.get(name, 0))
    for index, names in enumerate(levels):  # a list of levels, each a list of names
        if name in names:
            return index
    return 0


def embedded_flow_id(item: Any) -> str | None:
    embedded = getattr(item, "embedded_flow", None)
    if embedded is None:
        return None
    return embedded if isinstance(embedded, str) else embedded.id


def props(item: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(getattr(item, "props", None) or {}).items()}


def flow_props(flow: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(getattr(flow, "props", None) or {}).items()}


def emails(flow: Any, key: str) -> list[str]:
    """``success.emails``/``failure.emails`` of a flow (Flow 1.0: its root job's props)."""
    from azshell.sandbox.servlets.base import split_emails

    found = flow_props(flow).get(key)
    if found is None:
        for item in nodes(flow):
            if not children(flow, item.name):
                found = props(item).get(key) or props(item).get("notify.emails")
                if found:
                    break
    return split_emails(found)


def graph(flows: dict[str, Any], flow_id: str) -> dict[str, Any] | None:
    """``fillFlowInfo``: ``flow`` + ``nodes`` sorted by id, embedded flows nested."""
    flow = flows.get(flow_id)
    if flow is None:
        return None
    items = []
    for item in nodes(flow):
        obj: dict[str, Any] = {"id": item.name, "type": item.type}
        if getattr(item, "condition", None):
            obj["condition"] = item.condition
        embedded = embedded_flow_id(item)
        if embedded is not None:
            obj["flowId"] = embedded
            inner = graph(flows, embedded)
            if inner is not None:
                obj.update(inner)
        ins = sorted(parents(flow, item.name))
        if ins:
            obj["in"] = ins
        items.append(obj)
    items.sort(key=lambda o: o["id"])
    return {"flow": flow_id, "nodes": items}


def has_flow_trigger(directory: Path, loaded: Any, flow_id: str) -> bool:
    """``ProjectManager.hasFlowTrigger``: the flow's own ``<id>.flow`` file declares a
    ``trigger`` (Flow 2.0 only; an embedded flow has no file). The loader's model keeps no
    trigger, so the installed file is read again, as Azkaban reads the stored one."""
    if getattr(loaded, "flow_version", None) != "2.0":
        return False
    for path in sorted(directory.rglob("*.flow")):
        if path.stem == flow_id and path.is_file():
            try:
                data = yaml.safe_load(path.read_bytes())
            except (OSError, yaml.YAMLError):
                return False
            return isinstance(data, dict) and data.get("trigger") is not None
    return False
