"""Learning names from answers: what each kind of Azkaban answer tells the NameBook.

The walk goes by the *shape* of an answer, not by the command that produced it, so that a new
command (or ``call``, which returns the server's raw JSON) teaches the book without a change here:
a dict with ``projectName`` is a project, one with ``execid``/``execId`` an execution, one with
``nodes`` and a flow id a flow graph, ``flows`` a flow list, ``execIds`` running executions,
``items`` with ``projectname``/``flowname`` schedules.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.shell.names import NameBook

MAX_DEPTH = 4


def learn(book: NameBook, command: str, values: dict[str, Any], result: object) -> None:
    """Teach ``book`` what a successful ``command`` with ``values`` and ``result`` names."""
    project = _text(values.get("project"))
    flow = _text(values.get("flow"))
    if command == "delete":
        if project:
            book.remove_project(project)
        return
    if command == "create" and project:
        book.add_projects([(project, _text(values.get("description")))])
    elif project and not book.has_project(project):
        book.add_projects([(project, "")])  # the command succeeded: the project exists
    if command == "execute" and project and flow:
        execid = result.get("execid") if isinstance(result, dict) else result
        if isinstance(execid, int) and not isinstance(execid, bool):
            book.add_execution(execid, project, flow, "PREPARING", int(time.time() * 1000))
            return
    if command in ("flows", "upload") and project:  # an upload replaces every flow
        names = _flow_names(result)
        if names is not None:
            book.replace_flows(project, [(f, "") for f in names])
            return
    if command in ("permissions", "grant", "revoke", "proxy") and project:
        _learn_principals(book, command, project, result)
        return
    if command == "projects" and values.get("all"):
        found = _project_list(result)
        if found is not None:
            book.replace_projects(found)
            return
    _walk(book, result, project, flow, 0)


def _learn_principals(book: NameBook, command: str, project: str, result: object) -> None:
    """Who holds a permission on ``project``, and its proxy users: for completing grant, revoke
    and proxy NAME."""
    if not isinstance(result, dict):
        return
    proxies = [(str(name), "proxy") for name in result.get("proxyUsers") or []]
    if command == "permissions":
        book.set_principals(project, proxies + [
            (str(entry["name"]), kind)
            for key, kind in (("users", "user"), ("groups", "group"))
            for entry in result.get(key) or [] if isinstance(entry, dict) and entry.get("name")])
    elif command == "proxy":
        kept = [entry for entry in book.principals(project) or [] if entry[1] != "proxy"]
        book.set_principals(project, kept + proxies)
    elif isinstance(result.get("name"), str) and result.get("kind") in ("user", "group"):
        book.change_principal(project, result["name"], result["kind"],
                              present=bool(result.get("permissions")))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def project_meta(item: dict[str, Any]) -> str:
    """A SimplifiedProject's menu text: its description if any, else who and when."""
    description = _text(item.get("description"))
    if description:
        return description
    who = _text(item.get("createdBy"))
    when = item.get("createdTime")
    day = _day(when) if isinstance(when, int) else ""
    return " ".join(p for p in (who, day) if p)


def _day(ms: int) -> str:
    if ms <= 0:
        return ""
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d")


def _project_list(result: object) -> list[tuple[str, str]] | None:
    """``[(name, meta)]`` from a project list (a list or ``{"projects": [...]}``)."""
    if isinstance(result, dict):
        result = result.get("projects")
    if not isinstance(result, list):
        return None
    return [
        (item["projectName"], project_meta(item))
        for item in result
        if isinstance(item, dict) and isinstance(item.get("projectName"), str)
    ]


def _flow_names(result: object) -> list[str] | None:
    """Flow ids from ``["f"]``, ``[{"flowId": "f"}]`` or ``{"flows": [...]}``."""
    if isinstance(result, dict):
        result = result.get("flows")
    if not isinstance(result, list):
        return None
    names = []
    for item in result:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("flowId") or item.get("flow") or item.get("id")
            if isinstance(name, str):
                names.append(name)
    return names


def _node_ids(nodes: Sequence[Any], prefix: str = "") -> list[str]:
    """Job ids of a graph, embedded flows' jobs as colon paths (``sub:jobA``)."""
    out: list[str] = []
    for node in nodes:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            continue
        out.append(prefix + node["id"])
        inner = node.get("nodes")
        if isinstance(inner, list):
            out += _node_ids(inner, f"{prefix}{node['id']}:")
    return out


def _execution(book: NameBook, item: dict[str, Any], project: str, flow: str) -> None:
    execid = item.get("execid", item.get("execId"))
    if not isinstance(execid, int) or isinstance(execid, bool):
        return
    when = -1
    for key in ("startTime", "submitTime"):
        value = item.get(key)
        if isinstance(value, int) and value > 0:
            when = value
            break
    book.add_execution(
        execid,
        _text(item.get("project")) or _text(item.get("projectName")) or project,
        _text(item.get("flowId")) or _text(item.get("flow")) or flow,
        _text(item.get("status")),
        when,
    )


def _walk(book: NameBook, obj: object, project: str, flow: str, depth: int) -> None:
    """Look for names in ``obj`` by its shape (see the module's docstring)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(obj, list):
        projects = _project_list(obj)
        if projects:
            book.add_projects(projects)
            return
        for item in obj:
            if isinstance(item, dict):
                _walk(book, item, project, flow, depth + 1)
    elif isinstance(obj, dict):
        _walk_dict(book, obj, project, flow, depth)


def _walk_dict(book: NameBook, obj: dict[str, Any], project: str, flow: str, depth: int) -> None:
    project = _text(obj.get("project")) or _text(obj.get("projectname")) or project
    if isinstance(obj.get("projectName"), str):
        book.add_projects([(obj["projectName"], project_meta(obj))])
    if isinstance(obj.get("projects"), list):
        _walk(book, obj["projects"], project, flow, depth + 1)
    if "execid" in obj or "execId" in obj:
        _execution(book, obj, project, flow)
        return  # an execution's nodes are its run, not necessarily today's flow graph
    named = _text(obj.get("flowId")) or _text(obj.get("flow")) or _text(obj.get("flowname"))
    if project:
        _flows_and_jobs(book, obj, project, named, flow)
    for key in ("executions", "items"):
        if isinstance(obj.get(key), list):
            _walk(book, obj[key], project, named or flow, depth + 1)


def _flows_and_jobs(
    book: NameBook, obj: dict[str, Any], project: str, flow: str, asked_flow: str
) -> None:
    """Flow lists, flow graphs, a flow named alone, and the running ids of a flow."""
    if isinstance(obj.get("flows"), list):
        names = _flow_names(obj["flows"]) or []
        book.add_flows(project, [(f, "") for f in names])
    if flow and isinstance(obj.get("nodes"), list):
        book.add_jobs(project, flow, _node_ids(obj["nodes"]))
    elif flow:
        book.add_flows(project, [(flow, "")])
    if isinstance(obj.get("execIds"), list):
        for execid in obj["execIds"]:
            if isinstance(execid, int):
                book.add_execution(execid, project, flow or asked_flow, "RUNNING")
