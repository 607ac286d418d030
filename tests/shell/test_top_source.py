"""top's list of executions (source.py) on a sandbox, and its layout (view.py), without a
terminal: what is found, what a refresh costs, the incomplete mark, and the offline state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from azshell.client import AzkabanClient, ExecuteOptions
from azshell.shell.follow.follower import Follower
from azshell.shell.top import view
from azshell.shell.top.source import Row, Source

IGNORE = ExecuteOptions(concurrent="ignore")


class Meter:
    def __init__(self) -> None:
        self.requests: list[str] = []

    def __call__(self, exchange: Any) -> None:
        self.requests.append(dict(exchange.params).get("ajax", exchange.path))


@pytest.fixture
def server(fresh_sandbox: Any, make_zip: Any, tmp_path: Path) -> AzkabanClient:
    """A private sandbox (ids from 1) with project ``p``: ``quick`` (noop) and ``slow``."""
    client = AzkabanClient(fresh_sandbox.url)
    client.login("azkaban", "azkaban")
    client.create_project("p", "top source test")
    client.upload_project("p", make_zip(tmp_path, {
        "quick.job": "type=noop\n", "nap.job": "type=command\ncommand=sleep 20\n",
        "slow.job": "type=noop\ndependencies=nap\n"}))
    return client


def _refresh_until_complete(source: Source, limit: int = 20) -> int:
    for rounds in range(1, limit + 1):
        source.refresh()
        if not source.incomplete:
            return rounds
    raise AssertionError(source.incomplete)


def _ended(client: AzkabanClient, count: int) -> list[int]:
    ids = [client.execute("p", "quick", IGNORE) for _ in range(count)]
    Follower(client, ids[-1]).run()
    return ids


def test_finds_the_recent_past_new_executions_and_running_ones(server: AzkabanClient) -> None:
    ended = _ended(server, 12)
    source = Source(server, window=8)
    _refresh_until_complete(source)
    assert sorted(source.rows) == ended[-8:]  # the window: the highest and those below it
    slow = server.execute("p", "slow", IGNORE)
    source.refresh()
    assert source.rows[slow].status in ("RUNNING", "PREPARING")
    assert source.rows[slow].total == 2
    server.cancel(slow)
    Follower(server, slow).run()
    source.refresh()
    assert source.rows[slow].status == "KILLED"


def test_an_old_execution_still_running_is_found_by_its_flow(server: AzkabanClient) -> None:
    slow = server.execute("p", "slow", IGNORE)
    _ended(server, 10)
    source = Source(server, window=3)  # slow is far below the window
    _refresh_until_complete(source)
    assert slow in source.rows
    assert not source.rows[slow].finished
    server.cancel(slow)


def test_a_steady_refresh_costs_what_changes_not_the_history(server: AzkabanClient) -> None:
    costs = {}
    meter = Meter()
    server.observer = meter
    for size in (3, 30):
        _ended(server, size)
        source = Source(server, window=10)
        _refresh_until_complete(source)
        meter.requests.clear()
        source.refresh()
        costs[size] = list(meter.requests)
    assert costs[3] == costs[30]
    # nothing running: one probe for a new id, one flow's getRunning
    assert sorted(costs[30]) == ["fetchexecflow", "getRunning"]


def test_the_budget_bounds_a_refresh(server: AzkabanClient) -> None:
    _ended(server, 20)
    meter = Meter()
    server.observer = meter
    source = Source(server, window=20, budget=6)
    source.refresh()
    assert len(meter.requests) <= 6
    assert source.incomplete  # the rest comes with the next refreshes
    _refresh_until_complete(source)
    assert len(source.rows) == 20


def test_a_project_filter_seeds_from_the_flows_executions(server: AzkabanClient,
                                                          make_zip: Any,
                                                          tmp_path: Path) -> None:
    mine = _ended(server, 2)
    server.create_project("other", "noise")
    server.upload_project("other", make_zip(tmp_path, {"n.job": "type=noop\n"}, "o.zip"))
    noise = [server.execute("other", "n", IGNORE) for _ in range(15)]
    Follower(server, noise[-1]).run()
    source = Source(server, project="p", window=5)
    _refresh_until_complete(source)
    rows = view.select(source.snapshot())
    assert {r.execid for r in rows if r.project == "p"} == set(mine)
    assert source.flows == {("p", "quick"), ("p", "slow")}  # the other project's are not asked


def test_offline_keeps_the_last_data(fresh_sandbox: Any, server: AzkabanClient) -> None:
    ended = _ended(server, 2)
    source = Source(server)
    _refresh_until_complete(source)
    fresh_sandbox.stop()
    source.refresh()
    assert source.offline
    assert sorted(source.rows) == ended


def _row(execid: int, status: str, start: int, end: int = -1, flow: str = "f") -> Row:
    return Row(execid, "p", flow, status, "alice", start, start, end, 1, 2, ["job"])


def test_sorts_and_filters() -> None:
    rows = [_row(1, "SUCCEEDED", 1000, 9000), _row(2, "RUNNING", 5000, flow="a"),
            _row(3, "FAILED", 6000, 7000)]
    assert [r.execid for r in view.sort(rows, "newest", 10000)] == [3, 2, 1]
    assert [r.execid for r in view.sort(rows, "status", 10000)] == [2, 3, 1]
    assert [r.execid for r in view.sort(rows, "longest", 10000)] == [1, 2, 3]
    assert [r.execid for r in view.sort(rows, "flow", 10000)] == [2, 3, 1]
    assert [r.execid for r in view.select(rows, text="p/a")] == [2]
    assert [r.execid for r in view.select(rows, text="fail")] == [3]
    assert [r.execid for r in view.select(rows, statuses=("RUNNING",))] == [2]
    assert view.select(rows, user="bob") == []


@pytest.mark.parametrize("width", [40, 60, 80, 100, 160])
def test_rows_fit_the_width_and_drop_columns_when_narrow(width: int) -> None:
    row = _row(123456, "RUNNING", 1000)
    row.project, row.flow = "a_rather_long_project_name", "and_a_long_flow_name"
    text = "".join(t for _, t in view.row_fragments(row, width, 5000, color=False))
    assert len(text) <= width
    assert len(view.header_line(width)) <= width
    assert "123456" in text
    if width >= 80:
        assert "RUNNING" in text
        assert "alice" in text
    if width >= 100:
        assert "RUNNING JOBS" in view.header_line(width)


@pytest.mark.parametrize("hint", [0, 5, 9, 500])
def test_the_highest_id_is_found_from_any_hint(server: AzkabanClient, hint: int) -> None:
    ended = _ended(server, 9)
    source = Source(server, highest_hint=hint, window=2)
    source.refresh()
    assert source.highest == ended[-1]


def test_r_reruns_with_the_succeeded_jobs_disabled(client: Any, tmp_path: Path,
                                                   zip_directory: Any, project_name: str) -> None:
    from api_support import EXAMPLES, make_shell

    from azshell.shell.top.actions import rerun

    client.create_project(project_name, "top rerun test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-failing",
                                                      tmp_path / "p.zip"))
    old = client.execute(project_name, "end")
    Follower(client, old).run()
    sh = make_shell(client, tty=True)
    message = rerun(sh.ctx, client, old)
    new = int(message.split(" as ")[1].split()[0])
    assert message.startswith(f"rerun of {old} as {new}")
    assert [d["name"] for d in client.execution_options(new)["disabled"]] == ["fine"]
    assert sh.out.getvalue() == sh.err.getvalue() == ""  # nothing written over the view
    Follower(client, new).run()


def test_top_in_a_script_prints_the_list_once_as_json(server: AzkabanClient) -> None:
    from api_support import make_shell

    ended = _ended(server, 3)
    data = make_shell(server).json("top p quick")
    assert [e["execid"] for e in data["executions"]] == ended[::-1]
    assert {e["status"] for e in data["executions"]} == {"SUCCEEDED"}
    assert data["incomplete"] == ""
    assert make_shell(server).json("top --status FAILED")["executions"] == []
