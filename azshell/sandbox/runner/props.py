"""Job properties the way Azkaban's executor builds them: layers, built-ins, ``${...}``.

A job sees (lowest precedence first) the built-in ``azkaban.flow.*`` properties, the configs of
the flows around it, the output properties of its parents, its own properties, then the flow
parameters of the execution (``flowOverride`` / ``runtimeProperty[ROOT]``) and the runtime
properties aimed at it or at an embedded flow containing it. ``${name}`` references are then
resolved over that whole set (``azshell.project.properties.resolve_props``, Azkaban's rules and
messages).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from datetime import datetime

from azshell.project.properties import SubstitutionError, resolve_props

PropsError = SubstitutionError  # the engine's name for an unresolvable property


def flow_builtins(
    *,
    execid: int,
    flow_id: str,
    project_id: int,
    project_name: str,
    version: int,
    submit_user: str,
    start_seconds: float,
) -> dict[str, str]:
    """The ``azkaban.flow.*`` properties Azkaban adds for every job (CommonJobProperties)."""
    start = datetime.fromtimestamp(start_seconds).astimezone()
    return {
        "azkaban.flow.flowid": flow_id,
        "azkaban.flow.execid": str(execid),
        "azkaban.flow.projectid": str(project_id),
        "azkaban.flow.projectname": project_name,
        "azkaban.flow.projectversion": str(version),
        "azkaban.flow.submituser": submit_user,
        "azkaban.flow.executionsource": "adhoc",
        "azkaban.flow.uuid": str(uuid.uuid4()),
        "azkaban.flow.start.timestamp": start.isoformat(timespec="milliseconds"),
        "azkaban.flow.start.year": start.strftime("%Y"),
        "azkaban.flow.start.month": start.strftime("%m"),
        "azkaban.flow.start.day": start.strftime("%d"),
        "azkaban.flow.start.hour": start.strftime("%H"),
        "azkaban.flow.start.minute": start.strftime("%M"),
        "azkaban.flow.start.second": start.strftime("%S"),
        "azkaban.flow.start.milliseconds": f"{start.microsecond // 1000:03d}",
        "azkaban.flow.start.timezone": start.tzname() or time.strftime("%Z"),
    }


def job_builtins(
    *, job_id: str, nested_id: str, attempt: int, in_nodes: list[str], out_nodes: list[str]
) -> dict[str, str]:
    """The per-job properties JobRunner and ProcessJob put into a job's props."""
    parent_path = nested_id.rsplit(":", 1)[0] if ":" in nested_id else ""
    props = {
        "azkaban.job.id": job_id,
        "azkaban.job.attempt": str(attempt),
        "azkaban.job.innodes": ",".join(in_nodes),
        "azkaban.job.outnodes": ",".join(out_nodes),
    }
    if parent_path:
        props["azkaban.flow.nested.path"] = parent_path
    return props


def runtime_layers(runtime: Mapping[str, Mapping[str, str]], nested_id: str) -> list[dict]:
    """Runtime properties for a node, from its outermost embedded flow down to itself."""
    parts = nested_id.split(":")
    layers = []
    for depth in range(1, len(parts) + 1):
        key = ":".join(parts[:depth])
        if key in runtime:
            layers.append(dict(runtime[key]))
    return layers


def layered(*layers: Mapping[str, str] | None) -> dict[str, str]:
    """Merge property layers; later layers win."""
    merged: dict[str, str] = {}
    for layer in layers:
        if layer:
            merged.update({str(k): "" if v is None else str(v) for k, v in layer.items()})
    return merged


def parse_output_props(text: str) -> dict[str, str]:
    """A job's ``JOB_OUTPUT_PROP_FILE``: a JSON object (Azkaban's format) or ``key=value`` lines."""
    text = text.strip()
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    props = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            props[key.strip()] = value.strip()
    return props


def props_file_text(props: Mapping[str, str]) -> str:
    """Java-properties-like text for ``JOB_PROP_FILE`` (one ``key=value`` per line)."""
    lines = []
    for key in sorted(props):
        value = props[key].replace("\\", "\\\\").replace("\n", "\\n")
        lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


__all__ = [
    "PropsError",
    "flow_builtins",
    "job_builtins",
    "layered",
    "parse_output_props",
    "props_file_text",
    "resolve_props",
    "runtime_layers",
]
