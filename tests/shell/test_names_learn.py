"""NameBook.learn from answers of every kind, shaped as the real server and the handlers give them.

The shapes follow docs in /work/shared/azkaban-protocol.md (§4, §5.6, §6.3, §6.6, §7.4); a last
test feeds the book real answers from the sandbox through the client.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from azshell.errors import AzshellError
from azshell.shell.names.book import NameBook

PROJECTS = [
    {"projectId": 12, "projectName": "demo", "createdBy": "azkaban",
     "createdTime": 1690000000000,
     "userPermissions": [{"first": "azkaban", "second": {"types": ["ADMIN"]}}],
     "groupPermissions": []},
    {"projectId": 13, "projectName": "etl", "createdBy": "alice", "createdTime": 1690000000000,
     "userPermissions": [], "groupPermissions": []},
]


def execs(book: NameBook) -> list[tuple[int, str, str, str]]:
    return [(e.execid, e.project, e.flow, e.status) for e in book.executions()]


def test_project_list_as_a_list_and_as_the_raw_answer() -> None:
    book = NameBook(None)
    book.learn("projects", {"all": False}, PROJECTS)
    names = dict(book.projects())
    assert set(names) == {"demo", "etl"}
    assert names["etl"].startswith("alice 2023-07-")
    raw = NameBook(None)
    raw.learn("call", {}, {"projects": PROJECTS})
    assert dict(raw.projects()).keys() == {"demo", "etl"}


def test_projects_all_is_the_full_list_so_missing_ones_are_gone() -> None:
    book = NameBook(None)
    book.add_flows("deleted-elsewhere", [("f", "")])
    book.learn("projects", {"all": False}, PROJECTS[:1])
    assert book.has_project("deleted-elsewhere")  # a user's list is not everything
    book.learn("projects", {"all": True}, PROJECTS)
    assert not book.has_project("deleted-elsewhere")


def test_create_keeps_the_description_and_delete_forgets() -> None:
    book = NameBook(None)
    book.learn("create", {"project": "demo", "description": "Nightly loads"},
               {"ok": True, "project": "demo", "created": True})
    assert book.projects() == [("demo", "Nightly loads")]
    book.learn("delete", {"project": "demo", "yes": True}, {"ok": True, "deleted": True})
    assert book.projects() == []


def test_upload_answer_replaces_the_flows_of_the_project() -> None:
    book = NameBook(None)
    book.add_flows("demo", [("gone", ""), ("finish", "3 jobs")])
    answer = {"ok": True, "project": "demo", "projectId": 3, "version": 2, "warnings": None,
              "flows": ["finish", "report"]}
    book.learn("upload", {"project": "demo", "path": "x.zip", "create": False}, answer)
    assert book.flows("demo") == [("finish", "3 jobs"), ("report", "")]


def test_flow_list_replaces_the_flows_of_the_project() -> None:
    book = NameBook(None)
    book.add_flows("demo", [("old", "")])
    book.learn("flows", {"project": "demo"}, ["main", "side"])
    assert [f for f, _ in book.flows("demo")] == ["main", "side"]
    raw = NameBook(None)
    raw.learn("call", {"params": [("ajax", "fetchprojectflows")]},
              {"project": "demo", "projectId": 3, "flows": [{"flowId": "main"}]})
    assert raw.flows("demo") == [("main", "")]


def test_flow_graph_gives_jobs_including_embedded_ones() -> None:
    graph = {"project": "demo", "projectId": 3, "flow": "main", "nodes": [
        {"id": "extract", "type": "command"},
        {"id": "load", "type": "command", "in": ["extract"]},
        {"id": "sub", "type": "flow", "flowId": "inner", "flow": "inner",
         "nodes": [{"id": "a", "type": "noop"}]},
    ]}
    book = NameBook(None)
    book.learn("jobs", {"project": "demo", "flow": "main"}, graph)
    assert book.jobs("demo", "main") == ["extract", "load", "sub", "sub:a"]
    assert book.flows("demo") == [("main", "4 jobs")]


def test_execute_result_is_an_execution() -> None:
    book = NameBook(None)
    book.learn("execute", {"project": "demo", "flow": "main"},
               {"execid": 7, "project": "demo", "flow": "main"})
    book.learn("execute", {"project": "demo", "flow": "main"}, 8)
    assert execs(book) == [(8, "demo", "main", "PREPARING"), (7, "demo", "main", "PREPARING")]
    assert book.executions()[0].when_ms > 0


def test_fetchexecflow_answer() -> None:
    answer = {"execid": 5, "project": "demo", "projectId": 3, "submitUser": "azkaban",
              "submitTime": 1690000000000, "id": "main", "flow": "main", "flowId": "main",
              "nestedId": "main", "type": None, "status": "SUCCEEDED",
              "startTime": 1690000001000, "endTime": 1690000002000, "attempt": 0,
              "nodes": [{"id": "a", "status": "SUCCEEDED"}]}
    book = NameBook(None)
    book.learn("show", {"execid": 5}, answer)
    assert execs(book) == [(5, "demo", "main", "SUCCEEDED")]
    assert book.executions()[0].when_ms == 1690000001000


def test_flow_executions_list_takes_the_project_from_the_command() -> None:
    answer = {"project": "demo", "projectId": 3, "flow": "main", "total": 2, "from": 0,
              "length": 10, "executions": [
                  {"execId": 9, "flowId": "main", "projectId": 3, "status": "RUNNING",
                   "submitTime": 1, "startTime": 2, "endTime": -1, "submitUser": "azkaban"},
                  {"execId": 8, "flowId": "main", "projectId": 3, "status": "KILLED",
                   "submitTime": 1, "startTime": -1, "endTime": -1, "submitUser": "azkaban"}]}
    book = NameBook(None)
    book.learn("executions", {"project": "demo", "flow": "main"}, answer)
    assert execs(book) == [(9, "demo", "main", "RUNNING"), (8, "demo", "main", "KILLED")]


def test_running_ids_are_executions_of_the_flow_named() -> None:
    book = NameBook(None)
    book.learn("running", {"project": "demo", "flow": "main"}, {"execIds": [12, 13]})
    assert execs(book) == [(13, "demo", "main", "RUNNING"), (12, "demo", "main", "RUNNING")]


def test_schedules_name_projects_and_flows() -> None:
    answer = {"items": [{"scheduleId": 3, "flowname": "main", "projectname": "demo",
                         "time": 1, "cron": "0 0 9 ? * *", "period": 0, "history": False}]}
    book = NameBook(None)
    book.learn("schedules", {}, answer)
    assert book.has_flow("demo", "main")


def test_a_command_that_succeeded_proves_its_project_exists() -> None:
    book = NameBook(None)
    book.learn("whatever", {"project": "demo"}, None)
    assert book.has_project("demo")


def test_permissions_grant_and_revoke_teach_who_holds_a_permission() -> None:
    book = NameBook(None)
    book.learn("permissions", {"project": "demo"}, {
        "project": "demo", "users": [{"name": "azkaban", "permissions": ["ADMIN"]}],
        "groups": [{"name": "ops", "permissions": ["READ"]}], "proxyUsers": ["azkaban"]})
    assert book.principals("demo") == [("azkaban", "proxy"), ("azkaban", "user"),
                                       ("ops", "group")]
    book.learn("grant", {"project": "demo", "name": "alice"},
               {"ok": True, "project": "demo", "name": "alice", "kind": "user",
                "permissions": ["READ"]})
    book.learn("revoke", {"project": "demo", "name": "ops"},
               {"ok": True, "project": "demo", "name": "ops", "kind": "group",
                "permissions": []})
    assert book.principals("demo") == [("alice", "user"), ("azkaban", "proxy"),
                                       ("azkaban", "user")]
    assert book.principals("etl") is None
    book.learn("proxy", {"project": "demo", "name": "etl", "action": "add"},
               {"ok": True, "project": "demo", "name": "etl", "action": "add",
                "proxyUsers": ["azkaban", "etl"], "before": ["azkaban"]})
    assert book.principals() == [("alice", "user"), ("azkaban", "proxy"), ("azkaban", "user"),
                                 ("etl", "proxy")]


def test_unexpected_shapes_teach_nothing_and_do_not_fail() -> None:
    book = NameBook(None)
    for result in (None, 3, "text", [1, 2], {"nodes": "x"}, {"execid": "x"}, {"execid": True},
                   [[[[[[{"projectName": "deep"}]]]]]]):
        book.learn("call", {}, result)
    assert book.projects() == []
    assert book.executions() == []


def test_real_answers_from_the_sandbox(client: Any, project_name: str, tmp_path: Path,
                                       zip_directory: Any) -> None:
    """What the client really returns, fed to learn() the way the dispatcher does."""
    examples = Path(__file__).resolve().parents[2] / "examples" / "flow1-etl"
    client.create_project(project_name, "etl test")
    client.upload_project(project_name, zip_directory(examples, tmp_path / "etl.zip"))
    book = NameBook(None)
    book.learn("projects", {"all": True}, client.projects(all=True))
    assert book.has_project(project_name)
    flows = client.flows(project_name)
    book.learn("flows", {"project": project_name}, flows)
    assert [f for f, _ in book.flows(project_name)] == sorted(flows)
    flow = flows[0]
    book.learn("jobs", {"project": project_name, "flow": flow},
               client.flow_graph(project_name, flow))
    assert book.jobs(project_name, flow)
    execid = client.execute(project_name, flow)
    book.learn("show", {"execid": execid}, client.execution(execid))
    latest = book.executions()[0]
    assert (latest.execid, latest.project, latest.flow) == (execid, project_name, flow)
    assert latest.status
    with contextlib.suppress(AzshellError):
        client.cancel(execid)
