"""The follow logic: the execution model, its merging of §6.4 updates, the pacing of the polls,
the time limit and the log follower, against the sandbox (and a few pure cases)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from azshell.client import ExecuteOptions
from azshell.client.execution_model import Change, Execution, done_jobs
from azshell.shell.follow.follower import Follower, StillRunning
from azshell.shell.follow.log import LogFollower

NESTED_FLOW = """\
nodes:
  - name: first
    type: command
    config:
      command: sleep 0.3
  - name: sub
    type: flow
    dependsOn: [first]
    nodes:
      - name: inner_a
        type: command
        config:
          command: echo a
      - name: inner_b
        type: command
        dependsOn: [inner_a]
        config:
          command: sleep 0.2
  - name: last
    type: noop
    dependsOn: [sub]
"""


def put_project(client: Any, make_zip: Any, tmp_path: Path, name: str,
                files: dict[str, str]) -> None:
    client.create_project(name, "follow test")
    client.upload_project(name, make_zip(tmp_path, files, f"{name}.zip"))


@pytest.fixture
def nested(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """A Flow 2.0 project: first (0.3 s) -> embedded sub (inner_a -> inner_b) -> last."""
    put_project(client, make_zip, tmp_path, project_name,
                {"p.project": "azkaban-flow-version: 2.0\n", "nested.flow": NESTED_FLOW})
    return project_name


@pytest.fixture
def sleeper(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """Flow ``nap``: one job that sleeps 5 s (cancelled by the tests that start it)."""
    put_project(client, make_zip, tmp_path, project_name,
                {"nap.job": "type=command\ncommand=sleep 5\n"})
    return project_name


class Recorder:
    """A Listener that keeps what it was told."""

    def __init__(self) -> None:
        self.starts: list[str] = []
        self.changes: list[Change] = []
        self.statuses: list[str] = []

    def started(self, model: Execution) -> None:
        self.starts.append(model.status)

    def changed(self, model: Execution, changes: list[Change], old_status: str) -> None:
        self.changes += changes
        if model.status != old_status:
            self.statuses.append(model.status)


def shape(document: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Every node by path with what a follower must get right."""
    out: dict[str, tuple[Any, ...]] = {"": (document["status"], document["endTime"])}

    def walk(nodes: list[dict[str, Any]], prefix: str) -> None:
        for node in nodes:
            path = prefix + node["id"]
            out[path] = (node["status"], node["startTime"], node["endTime"], node["updateTime"])
            walk(node.get("nodes") or [], path + ":")

    walk(document["nodes"], "")
    return out


def test_the_merged_model_ends_equal_to_fetchexecflow(client: Any, nested: str) -> None:
    execid = client.execute(nested, "nested")
    rec = Recorder()
    follower = Follower(client, execid, listener=rec, first_interval=0.05, max_interval=0.2)
    model = follower.run()
    assert model.status == "SUCCEEDED"
    assert follower.polls >= 1  # the first job alone takes 0.3 s
    assert shape(model.document) == shape(client.execution(execid))
    assert model.counts() == (4, 4)
    paths = [c.path for c in rec.changes if c.new == "SUCCEEDED"]
    assert sorted(paths) == ["first", "last", "sub:inner_a", "sub:inner_b"]
    assert paths.index("sub:inner_a") < paths.index("sub:inner_b") < paths.index("last")
    assert rec.statuses[-1] == "SUCCEEDED"


def test_each_change_is_reported_once(client: Any, nested: str) -> None:
    execid = client.execute(nested, "nested")
    rec = Recorder()
    Follower(client, execid, listener=rec, first_interval=0.02, max_interval=0.05).run()
    seen: dict[str, list[str]] = {}
    for change in rec.changes:
        assert change.old != change.new
        seen.setdefault(change.path, []).append(change.new)
    for path, statuses in seen.items():
        assert statuses[-1] == "SUCCEEDED", path
        assert len(statuses) == len(set(statuses)), (path, statuses)


def wait_for_job(client: Any, execid: int, job: str, status: str) -> None:
    deadline = time.monotonic() + 10
    while Execution(client.execution(execid)).node(job)["status"] != status:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_polls_slow_down_while_nothing_moves(client: Any, sleeper: str) -> None:
    execid = client.execute(sleeper, "nap")
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    follower = Follower(client, execid, sleep=sleep, timeout=1.2, first_interval=0.05,
                        max_interval=0.15)
    try:
        wait_for_job(client, execid, "nap", "RUNNING")  # from now on nothing changes
        with pytest.raises(StillRunning) as late:
            follower.run()
    finally:
        client.cancel(execid)
    assert late.value.model.status == "RUNNING"
    assert late.value.timeout == 1.2
    assert pauses[:4] == pytest.approx([0.05, 0.075, 0.1125, 0.15])
    assert max(pauses) == pytest.approx(0.15)
    assert 0.6 <= sum(pauses) <= 1.2 + 1e-9  # it waited the time given, never longer


def test_timeout_stops_waiting_but_never_the_flow(client: Any, sleeper: str) -> None:
    execid = client.execute(sleeper, "nap")
    started = time.monotonic()
    try:
        with pytest.raises(StillRunning, match=f"execution {execid} still RUNNING after 0.3 s"):
            Follower(client, execid, timeout=0.3, first_interval=0.05).run()
        assert time.monotonic() - started < 2
        assert client.execution(execid)["status"] == "RUNNING"
    finally:
        client.cancel(execid)


def test_a_finished_execution_needs_no_poll(client: Any, nested: str) -> None:
    execid = client.execute(nested, "nested")
    Follower(client, execid, first_interval=0.02).run()
    again = Follower(client, execid)
    assert again.run().status == "SUCCEEDED"
    assert again.polls == 0


def test_unknown_execution_is_a_one_line_error(client: Any) -> None:
    from azshell.errors import NotFound

    with pytest.raises(NotFound, match="there is no execution 987654 on this server"):
        Follower(client, 987654).run()


# -- the model alone ------------------------------------------------------------------------------

def document() -> dict[str, Any]:
    return {
        "execid": 5, "project": "demo", "flowId": "main", "status": "RUNNING",
        "startTime": 1000, "endTime": -1, "updateTime": 1010,
        "nodes": [
            {"id": "a", "type": "command", "status": "SUCCEEDED", "startTime": 1001,
             "endTime": 1002, "updateTime": 1002},
            {"id": "sub", "type": "flow", "status": "RUNNING", "updateTime": 1005,
             "nodes": [
                 {"id": "x", "type": "command", "status": "SUCCEEDED", "updateTime": 1004},
                 {"id": "y", "type": "command", "status": "RUNNING", "updateTime": 1005},
                 {"id": "deep", "type": "flow", "status": "READY", "updateTime": 1000,
                  "nodes": [{"id": "z", "type": "command", "status": "READY",
                             "updateTime": 1000}]},
             ]},
            {"id": "b", "type": "command", "status": "FAILED", "updateTime": 1003},
            {"id": "c", "type": "noop", "status": "DISABLED", "updateTime": 1000},
        ],
    }


def test_merge_nested_updates_and_report_job_changes_only() -> None:
    model = Execution(document())
    assert model.since == 1009
    changes = model.merge({
        "status": "FAILED_FINISHING", "updateTime": 1020, "flow": "main", "id": "main",
        "nodes": [{"id": "sub", "status": "RUNNING", "updateTime": 1020, "flow": "main:sub",
                   "nodes": [{"id": "y", "status": "FAILED", "startTime": 1006,
                              "endTime": 1019, "updateTime": 1019},
                             {"id": "deep", "status": "CANCELLED", "updateTime": 1020,
                              "nodes": [{"id": "z", "status": "CANCELLED",
                                         "updateTime": 1020}]}]}],
    })
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("sub:y", "RUNNING", "FAILED"), ("sub:deep:z", "READY", "CANCELLED")]
    assert model.status == "FAILED_FINISHING"
    assert model.flow == "main"  # the update's "flow"/"id" never rename the model
    assert model.since == 1019
    assert model.node("sub:y")["endTime"] == 1019
    assert model.node("sub:nope") is None
    assert model.failed() == ["sub:y", "b"]
    assert model.counts() == (5, 6)
    assert not model.finished
    model.merge({"status": "FAILED", "startTime": 1000, "endTime": 1030, "updateTime": 1030})
    assert model.finished


def test_done_jobs_names_whole_embedded_flows_when_they_are_done() -> None:
    doc = document()
    assert done_jobs(doc) == ["a", "sub:x"]
    doc["nodes"][1]["nodes"][1]["status"] = "SUCCEEDED"
    doc["nodes"][1]["nodes"][2]["nodes"][0]["status"] = "SKIPPED"
    assert done_jobs(doc) == ["a", "sub"]
    doc["nodes"][3]["status"] = "SKIPPED"
    assert done_jobs(doc) == ["a", "c", "sub"]  # sorted, whatever the nodes order



class Answers:
    """The two calls a Follower makes, answered from a list (a pure test: no server)."""

    def __init__(self, first: dict[str, Any], updates: list[dict[str, Any]]) -> None:
        self.first = first
        self.updates = updates
        self.asked: list[int] = []

    def execution_model(self, execid: int) -> Execution:
        return Execution(self.first)

    def update_execution(self, model: Execution) -> list[Change]:
        self.asked.append(model.since)
        return model.merge(self.updates.pop(0))

    def settle(self, execid: int, project: str, flow: str) -> bool:
        return True  # the server lets go of a finished execution at once


def test_execution_stopped_ends_the_follow_as_a_failure() -> None:
    from azshell.shell.handlers.follow import failure_message

    stopped = {"status": "EXECUTION_STOPPED", "startTime": 1000, "endTime": 1040,
               "updateTime": 1040, "flow": "main", "id": "main",
               "nodes": [{"id": "sub", "status": "EXECUTION_STOPPED", "updateTime": 1040,
                          "nodes": [{"id": "y", "status": "EXECUTION_STOPPED",
                                     "updateTime": 1040}]}]}
    answers = Answers(document(), [stopped, {"status": "RUNNING"}])
    model = Follower(answers, 5, sleep=lambda _: None).run()
    assert answers.asked == [1009]  # one poll: EXECUTION_STOPPED is final, no second one
    assert model.finished
    assert model.status == "EXECUTION_STOPPED"
    assert model.failed() == ["sub:y", "b"]
    assert failure_message(model) == ("execution 5 (demo/main) ended EXECUTION_STOPPED; "
                                      "failed jobs: sub:y, b")
    assert Execution({**document(), "status": "EXECUTION_STOPPED"}).finished

# -- log --follow ---------------------------------------------------------------------------------

@pytest.fixture
def talker(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """Flow ``talk``: ``wait`` (0.4 s) then ``talk`` prints a line, sleeps, prints another."""
    put_project(client, make_zip, tmp_path, project_name, {
        "wait.job": "type=command\ncommand=sleep 0.4\n",
        "talk.job": "type=command\ndependencies=wait\n"
                    "command=sh -c 'echo first-line; sleep 0.5; echo \"second <line> &\"'\n",
    })
    return project_name


def test_log_follower_waits_for_the_job_and_reads_all_of_it(client: Any, talker: str) -> None:
    execid = client.execute(talker, "talk")
    pieces: list[str] = []
    waited: list[str] = []
    follower = LogFollower(client, execid, "talk", write=pieces.append, waiting=waited.append,
                           first_interval=0.05, max_interval=0.2)
    follower.run()
    text = "".join(pieces)
    assert waited == ["talk"]  # the job had no log file yet: told once, then waited
    assert "first-line" in text
    assert "second <line> &" in text  # HTML-unescaped
    assert text == client.read_job_log(execid, "talk")
    assert len(pieces) >= 2  # it came in more than one read: followed, not read at the end
    assert follower.offset == len(text.encode())


def test_log_follower_of_the_flow_ends_with_the_flow(client: Any, talker: str) -> None:
    execid = client.execute(talker, "talk")
    pieces: list[str] = []
    LogFollower(client, execid, write=pieces.append, first_interval=0.05).run()
    assert client.execution(execid)["status"] == "SUCCEEDED"
    assert "".join(pieces) == client.read_flow_log(execid)


def test_log_follower_of_a_job_that_never_runs_ends_with_the_flow(client: Any, talker: str,
                                                                  ) -> None:
    execid = client.execute(talker, "talk", ExecuteOptions(disabled=["talk"]))
    pieces: list[str] = []
    LogFollower(client, execid, "talk", write=pieces.append, first_interval=0.05).run()
    assert "".join(pieces) == ""
    assert client.execution(execid)["status"] == "SUCCEEDED"


def test_a_follow_ends_once_the_server_no_longer_counts_the_execution_running() -> None:
    """So that `log` or `rerun` right after `wait` meets a server that has caught up."""
    settled: list[tuple[int, str, str]] = []

    class Settling(Answers):
        def settle(self, execid: int, project: str, flow: str) -> bool:
            settled.append((execid, project, flow))
            return True

    done = {"status": "SUCCEEDED", "updateTime": 1040, "endTime": 1040}
    Follower(Settling(document(), [done]), 5, sleep=lambda _: None).run()
    assert settled == [(5, "demo", "main")]
