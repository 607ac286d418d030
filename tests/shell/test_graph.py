"""graph: the layered drawing (pure), DOT and Mermaid, and the command on the sandbox."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from api_support import AZSHELL, EXAMPLES, make_shell

from azshell.shell.run import graph as g

ETL = [g.Job("extract"), g.Job("transform_a", parents=["extract"]),
       g.Job("transform_b", parents=["extract"]),
       g.Job("load", parents=["transform_a", "transform_b"]),
       g.Job("finish", parents=["load", "extract"])]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def box_of(lines: list[str], name: str) -> tuple[int, int]:
    """(line, column) of the box label ``name``."""
    for y, line in enumerate(lines):
        x = line.find(f" {name} ")
        if x >= 0 and line[x - 1] in "│|":
            return y, x
    raise AssertionError(f"no box {name}:\n" + "\n".join(lines))


def test_layers_put_each_job_below_its_deepest_parent() -> None:
    assert g.layers(ETL) == [["extract"], ["transform_a", "transform_b"], ["load"], ["finish"]]


def test_the_drawing_has_a_box_per_job_in_layer_order_and_arrows_into_each_child() -> None:
    lines = g.draw(ETL, width=120)
    rows = {name: box_of(lines, name)[0] for name in ("extract", "transform_a", "transform_b",
                                                      "load", "finish")}
    assert rows["extract"] < rows["transform_a"] == rows["transform_b"] < rows["load"] \
        < rows["finish"]
    text = "\n".join(lines)
    assert text.count("┌") >= 5
    assert "▼" in text
    # one arrow over each child box per parent column that reaches it
    for name in ("transform_a", "transform_b", "load", "finish"):
        y, x = box_of(lines, name)
        above = lines[y - 2][x - 1: x + len(name) + 3]  # the line over the box's top border
        assert "▼" in above, (name, "\n".join(lines))


def test_the_long_edge_passes_beside_the_layer_it_skips() -> None:
    """extract -> finish skips two layers: a vertical line runs beside transform_* and load."""
    lines = g.draw(ETL, width=120)
    y, x = box_of(lines, "load")
    right = lines[y][x + len("load") + 3:]
    assert "│" in right, "\n".join(lines)


def test_ascii_fallback_has_no_box_drawing_characters() -> None:
    text = "\n".join(g.draw(ETL, width=120, ascii=True))
    assert "+" in text
    assert "|" in text
    assert "v" in text
    assert not re.search(r"[\u2500-\u257f▼▸◀]", text), text


def test_statuses_show_in_the_boxes_and_colour_only_when_asked() -> None:
    statuses = {"extract": "SUCCEEDED", "load": "FAILED"}
    plain = "\n".join(g.draw(ETL, statuses, width=120))
    assert "SUCCEEDED" in plain
    assert "FAILED" in plain
    assert "\x1b[" not in plain
    coloured = "\n".join(g.draw(ETL, statuses, width=120, color=True))
    assert "\x1b[31m" in coloured
    assert "\x1b[32m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_a_flow_wider_than_the_terminal_is_listed_by_layer_with_its_parents() -> None:
    lines = g.draw(ETL, width=30)
    assert lines[0] == "layer 1"
    assert any(re.fullmatch(r"  load\s+◀ transform_a, transform_b", line) for line in lines)
    assert all(len(line) <= 60 for line in lines)


def test_a_200_job_flow_stays_readable_one_job_a_line() -> None:
    jobs = [g.Job(f"job{i:03d}", parents=[f"job{i - 1:03d}"] if i % 10 else []) for i in
            range(200)]
    lines = g.draw(jobs, width=100)
    assert sum(1 for line in lines if line.startswith("  job")) == 200
    assert max(len(line) for line in lines) <= 100


def test_a_chain_is_drawn_as_one_straight_line() -> None:
    chain = [g.Job("a"), g.Job("bbbbbbbb", parents=["a"]), g.Job("c", parents=["bbbbbbbb"])]
    lines = g.draw(chain, width=80)
    columns = {line.index(mark) for line in lines for mark in "┬▼" if mark in line}
    assert len(columns) == 1, "\n".join(lines)


EMBEDDED = {"nodes": [
    {"id": "prepare", "type": "command"},
    {"id": "process", "type": "flow", "flowId": "pipeline:process", "in": ["prepare"],
     "nodes": [{"id": "step_a", "type": "command"},
               {"id": "step_b", "type": "command", "in": ["step_a"]}]},
    {"id": "publish", "type": "noop", "in": ["process"]}]}


def test_embedded_flows_are_collapsed_unless_expanded() -> None:
    jobs = g.jobs_of(EMBEDDED)
    collapsed = g.render(jobs, width=100)
    assert "process ▸" in collapsed
    assert "step_a" not in collapsed
    assert "--expand" in collapsed
    expanded = g.render(jobs, {"process:step_a": "FAILED"}, expand=True, width=100)
    assert "embedded flow process (pipeline:process)" in expanded
    assert "step_a" in expanded
    assert "FAILED" in expanded


def test_dot_and_mermaid_name_every_node_and_edge() -> None:
    jobs = g.jobs_of(EMBEDDED)
    dot = g.to_dot(jobs, {"process:step_a": "FAILED"}, name="demo/pipeline")
    assert dot.startswith('digraph "demo/pipeline" {')
    assert '"prepare" -> "process";' in dot
    assert '"process" -> "publish";' in dot
    assert '"process:step_a" -> "process:step_b";' in dot
    assert 'subgraph "cluster_process"' in dot
    assert '"process:step_a" [label="step_a\\nFAILED", color=red];' in dot
    mermaid = g.to_mermaid(jobs, {"process:step_a": "FAILED"})
    assert mermaid.startswith("flowchart TD\n")
    assert "n_prepare --> n_process" in mermaid
    assert "n_process_3a_step_a --> n_process_3a_step_b" in mermaid
    assert ":::failed" in mermaid
    assert "classDef failed" in mermaid


# -- the command on the sandbox ---------------------------------------------------------------


@pytest.fixture
def pipeline(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    client.create_project(project_name, "graph test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow2-pipeline",
                                                      tmp_path / "p.zip"))
    return project_name


def test_graph_of_an_execution_shows_each_jobs_status(client: Any, pipeline: str) -> None:
    from azshell.shell.follow.follower import Follower

    execid = client.execute(pipeline, "pipeline")
    Follower(client, execid).run()
    sh = make_shell(client, tty=True)
    code, out, err = sh(f"graph {pipeline} pipeline {execid} --expand")
    assert code == 0, err
    text = ANSI.sub("", out)
    assert f"{pipeline}/pipeline  execution {execid} SUCCEEDED" in text
    assert text.count("SUCCEEDED") >= 6  # title + prepare, process, publish, step_a, step_b


def test_graph_in_a_script_is_json_with_layers_and_statuses(client: Any, pipeline: str) -> None:
    sh = make_shell(client)
    data = sh.json(f"graph {pipeline} pipeline")
    assert [(n["id"], n["layer"], n["parents"]) for n in data["nodes"]] == [
        ("prepare", 1, []), ("process", 2, ["prepare"]), ("publish", 3, ["process"])]
    assert [n["id"] for n in data["nodes"][1]["nodes"]] == ["process:step_a", "process:step_b"]


def test_an_execution_of_another_flow_is_refused(client: Any, pipeline: str, make_zip: Any,
                                                 tmp_path: Path) -> None:
    other = pipeline + "b"  # a flow of the same name in another project
    client.create_project(other, "graph test")
    client.upload_project(other, make_zip(tmp_path, {"pipeline.job": "type=noop\n"}, "o.zip"))
    execid = client.execute(pipeline, "pipeline")
    sh = make_shell(client)
    line = sh.fails(f"graph {other} pipeline {execid}")
    assert line == (f"error: execution {execid} is a run of {pipeline}/pipeline, not of "
                    f"{other}/pipeline")


def test_follow_needs_an_execution(client: Any, pipeline: str) -> None:
    sh = make_shell(client)
    assert "needs an EXECID" in sh.fails(f"graph {pipeline} pipeline --follow", code=2)


def test_format_dot_writes_dot_in_a_pipe(sandbox: Any, client: Any, pipeline: str,
                                         tmp_path: Path) -> None:
    done = subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c",
                           f"graph {pipeline} pipeline --format dot"],
                          check=False, capture_output=True, text=True, timeout=60,
                          env={"AZSHELL_PASSWORD": "azkaban", "HOME": str(tmp_path),
                               "AZSHELL_CONFIG": "/dev/null", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f'digraph "{pipeline}/pipeline" {{')
    with pytest.raises(json.JSONDecodeError):
        json.loads(done.stdout)


@pytest.fixture
def slow(client: Any, tmp_path: Path, make_zip: Any, project_name: str) -> str:
    """A flow ``done``: ``nap`` (sleeps 1.5 s), then ``done``."""
    name = project_name + "s"
    client.create_project(name, "graph follow test")
    client.upload_project(name, make_zip(tmp_path, {
        "nap.job": "type=command\ncommand=sleep 1.5\n",
        "done.job": "type=noop\ndependencies=nap\n"}, "slow.zip"))
    return name


@pytest.mark.pty
def test_follow_redraws_the_graph_in_place_until_the_end(shell: Any, sandbox: Any,
                                                         client: Any, slow: str) -> None:
    import io

    pyte = pytest.importorskip("pyte")
    execid = client.execute(slow, "done")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    seen = io.StringIO()
    sh.child.logfile_read = seen
    sh.child.send(f"graph {slow} done {execid} --follow\r")
    sh.child.expect("RUNNING")
    sh.child.expect(f"execution {execid} SUCCEEDED")
    sh.expect_prompt()
    screen = pyte.Screen(120, 40)
    pyte.Stream(screen).feed(seen.getvalue())
    shown = [line.rstrip() for line in screen.display if line.strip()]
    titles = [line for line in shown if line.startswith(f"{slow}/done  execution {execid}")]
    assert titles == [f"{slow}/done  execution {execid} SUCCEEDED"], shown  # one drawing left
    assert not any("RUNNING" in line for line in shown), shown
    assert sum(line.count("SUCCEEDED") for line in shown) == 3  # title, nap, done
    # the job boxes are coloured by status on the way
    assert "\x1b[32m" in seen.getvalue()


@pytest.mark.pty
def test_ctrl_c_stops_the_drawing_never_the_flow(shell: Any, sandbox: Any, client: Any,
                                                 slow: str) -> None:
    execid = client.execute(slow, "done")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send(f"graph {slow} done {execid} --follow\r")
    sh.child.expect("RUNNING")
    sh.child.sendintr()
    out = sh.expect_prompt()
    assert f"interrupted: stopped drawing; execution {execid} goes on" in out
    assert client.execution(execid)["status"] in ("RUNNING", "SUCCEEDED")
    assert client.execution(execid)["status"] != "KILLED"
