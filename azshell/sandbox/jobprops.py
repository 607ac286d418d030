"""A job's own properties and its override key, the way Azkaban stores them.

The loader (``azshell.project``) merges into a node's props what the job inherits: a Flow 1.0
job the shared ``.properties`` files of its directories, a Flow 2.0 node the configs of the
flows around it. Azkaban keeps these apart. It stores each ``.job`` file with its own keys only
(``PropsUtils.toJSONString(props, true)``) and reads a Flow 2.0 node as ``NodeBean.getProps``:
its ``config`` plus ``type``. ``fetchJobInfo`` answers those own properties, and a job override
(per project version: a ``<job>.jor`` property for Flow 1.0, a new version of the flow file for
Flow 2.0) takes their place when the job runs, over the shared properties that stay beneath.

So these helpers read the installed files again; when a file cannot be read they fall back on
the loader's merged props, which is what a job had before the split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azshell.project.files import files_with_suffix
from azshell.project.flow2 import NodeBean, load_bean
from azshell.project.properties import decode_properties_file, properties_load


def is_flow2(loaded: Any) -> bool:
    return getattr(loaded, "flow_version", None) == "2.0"


def override_key(loaded: Any, flow_id: str, job_id: str) -> str:
    """Where Azkaban keeps a job's override: ``<job>`` (Flow 1.0: shared by every flow holding
    the job) or the node path ``<flow>:<job>`` (Flow 2.0: one flow file)."""
    return f"{flow_id}:{job_id}" if is_flow2(loaded) else job_id


def own_props(directory: Path, loaded: Any, flow_id: str, node: Any) -> dict[str, str]:
    """The job's own properties: its ``.job`` file, or its YAML ``config`` plus ``type``."""
    try:
        if is_flow2(loaded):
            found = _yaml_node(directory / node.source, f"{flow_id}:{node.name}")
            if found is not None:
                return {**found.config, "type": found.type or ""}
        else:
            return _read(directory / node.source)
    except Exception:  # a broken file: the loader's props are all there is
        pass
    return _strings(getattr(node, "props", None))


def shared_props(directory: Path, node: Any) -> dict[str, str]:
    """A Flow 1.0 job's shared properties: every ``.properties`` file from the project root
    down to the job's directory, later (deeper) files winning, as ``DirectoryFlowLoader``
    chains them."""
    merged: dict[str, str] = {}
    folder = directory
    parts = Path(node.source).parts[:-1]
    for index in range(len(parts) + 1):
        if index:
            folder = folder / parts[index - 1]
        for path in files_with_suffix(folder, ".properties"):
            try:
                merged.update(_read(path))
            except Exception:  # the loader reported it; nothing to add
                continue
    return merged


def override_props(override: dict[str, str], own: dict[str, str], loaded: Any) -> dict[str, str]:
    """What an override becomes once stored. Flow 2.0 rewrites the node (``setPropsInYamlFile``):
    its ``type`` only when the override has one, its ``config`` = the rest; read back with
    ``type`` added. Flow 1.0 keeps the override as given."""
    if not is_flow2(loaded):
        return dict(override)
    config = {k: v for k, v in override.items() if k != "type"}
    return {**config, "type": override.get("type", own.get("type", ""))}


def _read(path: Path) -> dict[str, str]:
    return properties_load(decode_properties_file(path.read_bytes()))


def _yaml_node(path: Path, node_path: str) -> NodeBean | None:
    """``findPropsFromNodeBean``: follow ``flow:sub:job`` from the file's root bean."""
    bean: NodeBean | None = load_bean(path)
    names = node_path.split(":")
    if bean is None or bean.name != names[0]:
        return None
    for name in names[1:]:
        bean = next((b for b in (bean.nodes or []) if b.name == name), None)
        if bean is None:
            return None
    return bean


def _strings(props: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in dict(props or {}).items()}
