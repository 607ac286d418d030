"""The background refresher against a real sandbox: names, wanted names, session states."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from azshell.client import AzkabanClient
from azshell.shell.interactive.refresh import Refresher
from azshell.shell.interactive.toolbar import Status
from azshell.shell.names.book import NameBook
from azshell.shell.session.settings import Settings


def context(url: str, session_id: str | None, book: NameBook) -> Any:
    client = AzkabanClient(url)
    if session_id:
        client.adopt_session("azkaban", session_id)
    return SimpleNamespace(session=SimpleNamespace(connected=client), names=book,
                           settings=Settings(url=url, timeout=10.0))


def run(refresher: Refresher) -> None:
    refresher.start()
    assert refresher.idle.wait(20)
    refresher.stop()


def test_refresh_loads_the_cache_learns_projects_and_flows_and_saves(
        sandbox: Any, session_id: str, project_name: str, upload_example: Any,
        tmp_path: Path) -> None:
    upload_example("flow1-etl", project_name)
    path = tmp_path / "names.json"
    cached = NameBook(path)
    cached.add_projects([("only-in-the-cache", "")])
    cached.save()
    book = NameBook(path)
    status = Status()
    changes: list[str] = []
    refresher = Refresher(context(sandbox.url, session_id, book), status, changes.append)
    # the refresh of flows takes the projects used before first: make this one "used"
    book.add_flows(project_name, [("old", "")])
    run(refresher)
    assert book.loaded.is_set()
    assert status.session == "valid"
    assert status.names == ""
    assert not book.has_project("only-in-the-cache")  # the server's full list replaced it
    assert [f for f, _ in book.flows(project_name)] == ["audit", "finish"]
    assert "names" in changes
    assert project_name in path.read_text()


def test_wanted_flows_and_jobs(sandbox: Any, session_id: str, project_name: str,
                               upload_example: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("azshell.shell.interactive.refresh.FLOW_REFRESH_LIMIT", 0)
    upload_example("flow1-etl", project_name)
    book = NameBook(None)
    changes: list[str] = []
    refresher = Refresher(context(sandbox.url, session_id, book), Status(), changes.append)
    refresher.start()
    assert refresher.idle.wait(20)
    assert not book.knows_flows(project_name)
    refresher.want("flows", project_name)
    refresher.want("flows", "no-such-project-here")
    assert refresher.idle.wait(20)
    assert [f for f, _ in book.flows(project_name)] == ["audit", "finish"]
    refresher.want("jobs", project_name, "finish")
    assert refresher.idle.wait(20)
    refresher.stop()
    assert "load" in book.jobs(project_name, "finish")
    assert book.flows(project_name)[1] == ("finish", "5 jobs")
    assert changes.count("wanted") == 2
    assert not book.has_project("no-such-project-here")


def test_wanted_permissions(sandbox: Any, session_id: str, project_name: str,
                            upload_example: Any) -> None:
    upload_example("flow1-etl", project_name)
    book = NameBook(None)
    book.add_projects([(project_name, "")])
    refresher = Refresher(context(sandbox.url, session_id, book), Status())
    refresher.start()
    assert refresher.idle.wait(20)
    assert book.principals(project_name) is None
    refresher.want("permissions", project_name)
    assert refresher.idle.wait(20)
    refresher.stop()
    assert ("azkaban", "user") in (book.principals(project_name) or [])


def test_an_expired_session_is_reported_and_nothing_is_fetched(fresh_sandbox: Any,
                                                               login: Any) -> None:
    old = login(fresh_sandbox.url)
    fresh_sandbox.expire_sessions()
    book = NameBook(None)
    status = Status()
    run(Refresher(context(fresh_sandbox.url, old, book), status))
    assert status.session == "expired"
    assert book.projects() == []


def test_a_server_that_is_gone_is_offline(tmp_path: Path) -> None:
    book = NameBook(None)
    status = Status()
    run(Refresher(context("http://127.0.0.1:9", "sid", book), status))
    assert status.session == "offline"


def test_not_connected_does_nothing() -> None:
    book = NameBook(None)
    status = Status()
    ctx = SimpleNamespace(session=SimpleNamespace(connected=None), names=book, settings=Settings())
    run(Refresher(ctx, status))
    assert status.session == "unknown"
    assert book.loaded.is_set()


def test_a_watched_execution_is_followed_until_it_ends_then_left_alone(
        client: Any, project_name: str, zip_directory: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("azshell.shell.interactive.refresh.WATCH_EVERY", 0.05)
    project = tmp_path / "nap"
    project.mkdir()
    (project / "nap.job").write_text("type=command\ncommand=sleep 0.5\n")
    client.create_project(project_name, "watch test")
    client.upload_project(project_name, zip_directory(project, tmp_path / "nap.zip"))
    execid = client.execute(project_name, "nap")
    book = NameBook(None)
    book.add_execution(execid, project_name, "nap", "PREPARING")
    changes: list[str] = []
    refresher = Refresher(context(client.url, client.session_id, book), Status(), changes.append)
    refresher.start()
    refresher.watch(execid)
    seen = set()
    deadline = time.monotonic() + 20
    while book.execution(execid).status != "SUCCEEDED" and time.monotonic() < deadline:
        seen.add(book.execution(execid).status)
        time.sleep(0.01)
    assert book.execution(execid).status == "SUCCEEDED"
    assert "RUNNING" in seen  # it was looked at while it ran, not only at the end
    looks = changes.count("status")
    time.sleep(0.3)  # several watch periods: an ended execution is not asked about again
    assert changes.count("status") == looks
    assert refresher.idle.is_set()
    refresher.stop()
    known = book.execution(execid)
    assert (known.project, known.flow) == (project_name, "nap")  # kept from before


def test_the_watch_survives_a_server_that_is_away_for_a_while(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fakes import FakeServer, Reply, Seen

    monkeypatch.setattr("azshell.shell.interactive.refresh.WATCH_EVERY", 0.02)
    polls: list[int] = []

    def script(seen: Seen) -> Reply:
        if seen.params.get("ajax") != "fetchexecflowupdate":
            return Reply.json({})
        polls.append(1)
        if len(polls) <= 2:
            return Reply(status=502, body="<html>bad gateway</html>", content_type="text/html")
        return Reply.json({"status": "RUNNING" if len(polls) < 4 else "SUCCEEDED",
                           "updateTime": len(polls), "startTime": 1, "nodes": []})

    with FakeServer(script) as server:
        book = NameBook(None)
        book.add_execution(7, "p", "f", "RUNNING")
        refresher = Refresher(context(server.url, "sid", book), Status())
        refresher.start()
        refresher.watch(7)
        deadline = time.monotonic() + 10
        while book.execution(7).status != "SUCCEEDED" and time.monotonic() < deadline:
            time.sleep(0.01)
        refresher.stop()
    assert book.execution(7).status == "SUCCEEDED"  # two failed looks did not end the watch
    assert len(polls) == 4
