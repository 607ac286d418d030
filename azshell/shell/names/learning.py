"""Learning names from answers: what each kind of Azkaban answer tells the NameBook.

The walk goes by the *shape* of an answer, not by the command that produced it, so that a new
command (or ``call``, which returns the server's raw JSON) teaches the book without a change here.
What an answer's shape cannot say (a delete, a list that replaces the one known) a command's
table entry declares as an effect (``Command.learns``, one of ``EFFECTS``). The shapes:
a dict with ``projectName`` is a project, one with ``execid``/``execId`` an execution, one with
``nodes`` and a flow id a flow graph, ``flows`` a flow list, ``execIds`` running executions,
``items`` with ``projectname``/``flowname`` schedules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.shell.names.book import NameBook

MAX_DEPTH = 4


def learn(book: NameBook, command: str, values: dict[str, Any], result: object) -> None:
    """Teach ``book`` what a successful ``command`` with ``values`` and ``result`` names: the
    effect its table entry declares (``Command.learns``), else the names the answer holds."""
    from azshell.shell.line.commands import find

    found = find(command)
    project = _text(values.get("project"))
    flow = _text(values.get("flow"))
    effect = EFFECTS.get(found.learns) if found is not None and found.learns else None
    if effect is not None and effect(book, project, flow, values, result):
        return
    if project and not book.has_project(project):
        book.add_projects([(project, "")])  # the command succeeded: the project exists
    _walk(book, result, project, flow, 0)


# An effect is told (book, project, flow, values, result) and returns True when it taught the
# book everything (no walk of the answer after it).
Effect = Callable[["NameBook", str, str, dict[str, Any], object], bool]


def _gone_project(book: NameBook, project: str, flow: str, values: dict[str, Any],
                  result: object) -> bool:
    if project:
        book.remove_project(project)
    return True


def _new_project(book: NameBook, project: str, flow: str, values: dict[str, Any],
                 result: object) -> bool:
    if project:
        book.add_projects([(project, _text(values.get("description")))])
    return False


def _started(book: NameBook, project: str, flow: str, values: dict[str, Any],
             result: object) -> bool:
    if isinstance(result, list):  # several flows started: [{"execid", "project", "flow"}]
        taught = [_started(book, project, _text(item.get("flow")), values, item)
                  for item in result if isinstance(item, dict)]
        return bool(taught) and all(taught)
    execid = result.get("execid") if isinstance(result, dict) else result
    if not (project and flow and isinstance(execid, int) and not isinstance(execid, bool)):
        return False
    _known(book, project)
    book.add_execution(execid, project, flow, "PREPARING", int(time.time() * 1000))
    return True


def _flow_list(book: NameBook, project: str, flow: str, values: dict[str, Any],
               result: object) -> bool:
    """The project's flows, all of them (an upload replaces every flow)."""
    names = _flow_names(result) if project else None
    if names is None:
        return False
    _known(book, project)
    book.replace_flows(project, [(f, "") for f in names])
    return True


def _project_list(book: NameBook, project: str, flow: str, values: dict[str, Any],
                  result: object) -> bool:
    """``projects --all`` lists every project: the book's list is replaced."""
    found = _projects_in(result) if values.get("all") else None
    if found is None:
        return False
    book.replace_projects(found)
    return True


def _principals(kind: str) -> Effect:
    def effect(book: NameBook, project: str, flow: str, values: dict[str, Any],
               result: object) -> bool:
        if not project:
            return False
        _known(book, project)
        _learn_principals(book, kind, project, result)
        return True

    return effect


EFFECTS: dict[str, Effect] = {
    "gone-project": _gone_project,  # delete
    "new-project": _new_project,  # create: with its description
    "started": _started,  # execute: the new execution, PREPARING
    "flow-list": _flow_list,  # flows, upload
    "project-list": _project_list,  # projects --all
    "holders": _principals("holders"),  # permissions: who holds what, and the proxy users
    "holder": _principals("holder"),  # grant, revoke: one user or group changed
    "proxy-users": _principals("proxy-users"),  # proxy add/remove
}


def _known(book: NameBook, project: str) -> None:
    if not book.has_project(project):
        book.add_projects([(project, "")])


def _learn_principals(book: NameBook, kind: str, project: str, result: object) -> None:
    """Who holds a permission on ``project``, and its proxy users: for completing grant, revoke
    and proxy NAME."""
    if not isinstance(result, dict):
        return
    proxies = [(str(name), "proxy") for name in result.get("proxyUsers") or []]
    if kind == "holders":
        book.set_principals(project, proxies + [
            (str(entry["name"]), who)
            for key, who in (("users", "user"), ("groups", "group"))
            for entry in result.get(key) or [] if isinstance(entry, dict) and entry.get("name")])
    elif kind == "proxy-users":
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


def _projects_in(result: object) -> list[tuple[str, str]] | None:
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
        projects = _projects_in(obj)
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
