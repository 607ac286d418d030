"""The sandbox's executor engine, driven directly: real flows, real subprocesses, real logs.

Projects are Flow 2.0 directories written to ``tmp_path`` and loaded with the shared loader;
each test submits a flow and polls ``to_json()`` every 20 ms until the state it waits for.
Jobs are tiny shell commands (``echo``, ``exit 1``, short ``sleep``s) so the file stays fast.
"""

from __future__ import annotations

import html
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from textwrap import dedent, indent

import pytest

from azshell.project import load_directory
from azshell.sandbox.runner.engine import (
    AlreadyFinished,
    Engine,
    EngineError,
    Execution,
    ExecutionOptions,
    JobLogMissing,
    NotRunning,
    ProjectVersion,
)
from azshell.sandbox.runner.joblog import LogBuffer, escape_html

POLL = 0.02
WAIT = 15.0


# Helpers -------------------------------------------------------------------------------------


def make_project(tmp_path: Path, flows: dict[str, str], files: dict[str, str] | None = None):
    """A Flow 2.0 project (``<name>.flow`` YAML texts) loaded into a ProjectVersion."""
    root = tmp_path / "project"
    root.mkdir(parents=True, exist_ok=True)
    (root / "test.project").write_text("azkaban-flow-version: 2.0\n")
    for name, text in flows.items():
        (root / f"{name}.flow").write_text(dedent(text))
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    loaded = load_directory(root)
    assert not loaded.errors, loaded.errors
    return ProjectVersion(project_id=7, project_name="demo", version=3, directory=root,
                          loaded=loaded)


def flow_yaml(*nodes: str, config: str = "") -> str:
    """``nodes:`` YAML from node snippets (each a dedented YAML mapping)."""
    text = ""
    if config:
        text += "config:\n" + indent(dedent(config), "  ")
    text += "nodes:\n"
    for node in nodes:
        body = dedent(node).strip("\n").splitlines()
        text += "  - " + body[0] + "\n" + "".join(f"    {line}\n" for line in body[1:])
    return text


def job(name: str, command: str = "echo ok", deps: tuple[str, ...] = (), *, extra: str = "",
        condition: str = "", job_type: str = "command") -> str:
    lines = [f"name: {name}", f"type: {job_type}"]
    if condition:
        lines.append(f"condition: {condition}")
    if deps:
        lines.append("dependsOn:")
        lines += [f"  - {dep}" for dep in deps]
    lines.append("config:")
    if job_type == "command":
        quoted = command.replace("'", "''")
        lines.append(f"  command: '{quoted}'")
    lines += [f"  {line}" for line in dedent(extra).strip("\n").splitlines()]
    if lines[-1] == "config:":
        lines[-1] = "config: {}"
    return "\n".join(lines)


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(POLL)
    raise AssertionError("condition not reached in time")


def finish(execution: Execution, timeout: float = WAIT) -> dict:
    wait_for(execution.is_finished, timeout)
    return execution.to_json()


def nodes_by_id(obj: dict) -> dict[str, dict]:
    return {node["id"]: node for node in obj["nodes"]}


def node_status(execution: Execution, path: str) -> str:
    obj = execution.to_json()
    for part in path.split(":"):
        obj = nodes_by_id(obj)[part]
    return obj["status"]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = Engine(tmp_path / "work", job_timeout=20)
    yield eng
    eng.shutdown()


def submit(engine: Engine, project: ProjectVersion, flow: str, **options) -> Execution:
    return engine.submit(project, flow, "azkaban", ExecutionOptions(**options))


# Ordering, statuses, JSON --------------------------------------------------------------------


def test_dependencies_run_in_order_and_branches_in_parallel(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a"),
        job("b", "sleep 0.3", ("a",)),
        job("c", "sleep 0.3", ("a",)),
        job("d", "echo done", ("b", "c")),
    )})
    result = finish(submit(engine, project, "main"))
    nodes = nodes_by_id(result)
    assert result["status"] == "SUCCEEDED"
    assert {n["status"] for n in nodes.values()} == {"SUCCEEDED"}
    a, b, c, d = (nodes[k] for k in "abcd")
    assert a["endTime"] <= b["startTime"]
    assert a["endTime"] <= c["startTime"]
    assert b["startTime"] < c["endTime"]
    assert c["startTime"] < b["endTime"]
    assert d["startTime"] >= max(b["endTime"], c["endTime"])
    assert result["submitTime"] <= result["startTime"] <= a["startTime"]
    assert result["endTime"] >= d["endTime"]


def test_fetchexecflow_shape(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a"), job("b", deps=("a",), condition="all_done"),
    )})
    execution = submit(engine, project, "main")
    result = finish(execution)
    assert list(result)[:5] == ["execid", "project", "projectId", "submitUser", "submitTime"]
    assert result["execid"] == execution.execid == 1
    assert (result["project"], result["projectId"], result["submitUser"]) == ("demo", 7, "azkaban")
    assert result["id"] == result["flow"] == result["flowId"] == result["nestedId"] == "main"
    assert result["type"] is None
    assert result["attempt"] == 0
    a, b = nodes_by_id(result)["a"], nodes_by_id(result)["b"]
    assert set(a) == {"id", "type", "status", "startTime", "endTime", "updateTime", "nestedId",
                      "attempt"}
    assert b["in"] == ["a"]
    assert b["condition"] == "all_done"
    assert a["type"] == "command"
    assert a["nestedId"] == "a"


def test_submit_starts_preparing_and_queue_waits_for_the_earlier_run(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(job("a", "sleep 0.4"))})
    first = submit(engine, project, "main")
    wait_for(lambda: first.status == "RUNNING")
    second = submit(engine, project, "main", concurrent_option="queue")
    assert second.status == "PREPARING"
    assert second.to_json()["startTime"] == -1
    assert engine.running_ids(7, "main") == [1, 2]
    time.sleep(0.2)
    assert second.status == "PREPARING"
    assert finish(second)["status"] == "SUCCEEDED"
    assert second.start_time >= first.end_time
    assert engine.running_ids(7, "main") == []


def test_update_json_returns_only_changed_nodes(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a"), job("b", "sleep 0.4", ("a",)),
    )})
    execution = submit(engine, project, "main")
    wait_for(lambda: node_status(execution, "b") == "RUNNING")
    seen = execution.to_json()["updateTime"]
    assert execution.update_json(seen) == {
        "status": "RUNNING", "startTime": execution.start_time, "endTime": -1,
        "updateTime": seen,
    }
    finish(execution)
    update = execution.update_json(seen)
    assert [n["id"] for n in update["nodes"]] == ["b"]
    assert set(update["nodes"][0]) == {"id", "status", "startTime", "endTime", "updateTime",
                                       "attempt"}
    assert update["flow"] == "main"
    assert update["id"] == "main"
    assert update["attempt"] == 0
    assert update["status"] == "SUCCEEDED"
    assert {n["id"] for n in execution.update_json(-1)["nodes"]} == {"a", "b"}


def test_update_times_strictly_increase(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a"), job("b", deps=("a",)), job("c", deps=("a",)), job("d", deps=("b", "c")),
    )})
    execution = submit(engine, project, "main")
    stamps = []
    while not execution.is_finished():
        stamps.append(execution.update_time)
        time.sleep(0.005)
    result = execution.to_json()
    assert stamps == sorted(stamps)
    times = [n["updateTime"] for n in result["nodes"]]
    assert len(set(times)) == len(times)
    assert result["updateTime"] > max(times)


def test_disabled_job_is_skipped_and_downstream_runs(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a"), job("b", "exit 1", ("a",)), job("c", deps=("b",)),
    )})
    execution = submit(engine, project, "main", disabled=["b"])
    assert node_status(execution, "b") in ("DISABLED", "SKIPPED")
    result = finish(execution)
    nodes = nodes_by_id(result)
    assert nodes["b"]["status"] == "SKIPPED"
    assert nodes["c"]["status"] == "SUCCEEDED"
    assert result["status"] == "SUCCEEDED"
    info = execution.flow_info_json()
    assert info["disabled"] == [{"name": "b", "children": None, "embeddedFlow": False}]
    assert info["nodeStatus"] == {"a": "SUCCEEDED", "b": "SKIPPED", "c": "SUCCEEDED"}


# Failure actions -----------------------------------------------------------------------------

FAILING = flow_yaml(
    job("bad", "exit 3"),
    job("slow", "sleep 0.5"),
    job("after_slow", deps=("slow",)),
    job("after_bad", deps=("bad",)),
)


def test_finish_current_lets_running_jobs_finish_and_cancels_the_rest(tmp_path, engine):
    project = make_project(tmp_path, {"main": FAILING})
    execution = submit(engine, project, "main")
    wait_for(lambda: execution.status == "FAILED_FINISHING")
    assert node_status(execution, "slow") == "RUNNING"
    nodes = nodes_by_id(finish(execution))
    assert execution.status == "FAILED"
    assert nodes["bad"]["status"] == "FAILED"
    assert nodes["slow"]["status"] == "SUCCEEDED"
    assert nodes["after_slow"]["status"] == "CANCELLED"
    assert nodes["after_bad"]["status"] == "CANCELLED"


def test_cancel_immediately_kills_running_jobs(tmp_path, engine):
    project = make_project(tmp_path, {"main": FAILING.replace("sleep 0.5", "sleep 30")})
    execution = submit(engine, project, "main", failure_action="cancelImmediately")
    started = time.monotonic()
    nodes = nodes_by_id(finish(execution))
    assert time.monotonic() - started < 5
    assert nodes["bad"]["status"] == "FAILED"
    assert nodes["slow"]["status"] == "KILLED"
    assert nodes["after_slow"]["status"] == "CANCELLED"
    assert nodes["after_bad"]["status"] == "CANCELLED"
    # FlowRunner.setFlowFailed calls kill() for CANCEL_ALL: the flow ends KILLED, as in Azkaban.
    assert execution.status == "KILLED"


def test_finish_possible_keeps_running_independent_jobs(tmp_path, engine):
    project = make_project(tmp_path, {"main": FAILING.replace("sleep 0.5", "sleep 0.2")})
    execution = submit(engine, project, "main", failure_action="finishPossible")
    nodes = nodes_by_id(finish(execution))
    assert execution.status == "FAILED"
    assert nodes["after_slow"]["status"] == "SUCCEEDED"
    assert nodes["after_bad"]["status"] == "CANCELLED"


def test_yaml_failure_action_applies_unless_overridden(tmp_path, engine):
    text = FAILING.replace("sleep 0.5", "sleep 0.2")
    text = "config:\n  failure.action: finish_all_possible\n" + text
    project = make_project(tmp_path, {"main": text})
    declared = submit(engine, project, "main")
    assert nodes_by_id(finish(declared))["after_slow"]["status"] == "SUCCEEDED"
    assert declared.flow_info_json()["failureAction"] == "finishPossible"
    overridden = submit(engine, project, "main", failure_action_override=True)
    assert nodes_by_id(finish(overridden))["after_slow"]["status"] == "CANCELLED"


# Conditions ----------------------------------------------------------------------------------


def test_status_macros(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("ok"),
        job("bad", "exit 1"),
        job("on_failure", deps=("bad",), condition="all_failed"),
        job("always", deps=("ok", "bad"), condition="all_done"),
        job("any_ok", deps=("ok", "bad"), condition="one_success"),
        job("any_bad", deps=("ok", "bad"), condition="one_failed"),
        job("never", deps=("ok",), condition="one_failed"),
        job("all_ok", deps=("ok", "bad")),
    )})
    # all_ok's default all_success makes bad's failure fail the flow; finishPossible lets the
    # conditions decide (finishCurrent would cancel every job not yet started).
    execution = submit(engine, project, "main", failure_action="finishPossible")
    nodes = nodes_by_id(finish(execution))
    assert execution.status == "FAILED"
    assert nodes["on_failure"]["status"] == "SUCCEEDED"
    assert nodes["always"]["status"] == "SUCCEEDED"
    assert nodes["any_ok"]["status"] == "SUCCEEDED"
    assert nodes["any_bad"]["status"] == "SUCCEEDED"
    assert nodes["never"]["status"] == "CANCELLED"
    assert nodes["all_ok"]["status"] == "CANCELLED"


def test_failure_handled_by_a_conditional_job_does_not_fail_the_flow(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("bad", "exit 1"), job("cleanup", deps=("bad",), condition="all_failed"),
    )})
    execution = submit(engine, project, "main")
    nodes = nodes_by_id(finish(execution))
    assert nodes["cleanup"]["status"] == "SUCCEEDED"
    assert execution.status == "SUCCEEDED"


def test_condition_on_output_properties(tmp_path, engine):
    write = """echo '{"flag": "yes", "count": 3}' > "$JOB_OUTPUT_PROP_FILE\""""
    project = make_project(tmp_path, {"main": flow_yaml(
        job("probe", write),
        job("yes", deps=("probe",), condition="${probe:flag} == \"yes\" && ${probe:count} > 2"),
        job("no", deps=("probe",), condition="${probe:flag} == 'no'"),
        job("uses", "echo got ${flag}", ("probe",)),
    )})
    execution = submit(engine, project, "main")
    nodes = nodes_by_id(finish(execution))
    assert nodes["yes"]["status"] == "SUCCEEDED"
    assert nodes["no"]["status"] == "CANCELLED"
    assert "got yes" in execution.job_log_text("uses")


# Controls --------------------------------------------------------------------------------------


def test_cancel_kills_running_job_and_cancels_pending(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a", "sleep 30"), job("b", deps=("a",)),
    )})
    execution = submit(engine, project, "main")
    # RUNNING comes just before the process is spawned: a kill in between never reaches it
    wait_for(lambda: "Spawned process" in execution.job_log_text("a"))
    engine.cancel(execution.execid)
    assert execution.status in ("KILLING", "KILLED")
    nodes = nodes_by_id(finish(execution, timeout=5))
    assert execution.status == "KILLED"
    assert nodes["a"]["status"] == "KILLED"
    assert nodes["b"]["status"] == "CANCELLED"
    with pytest.raises(NotRunning, match=r"^Execution 1 of flow main isn't running\.$"):
        engine.cancel(1)
    assert "Kill has been called." in execution.job_log_text("a")


def test_pause_holds_new_jobs_and_resume_continues(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a", "sleep 0.5"), job("b", deps=("a",)),
    )})
    execution = submit(engine, project, "main")
    wait_for(lambda: node_status(execution, "a") == "RUNNING")
    engine.pause(execution.execid)
    engine.pause(execution.execid)  # pausing a paused flow is fine
    assert execution.status == "PAUSED"
    wait_for(lambda: node_status(execution, "a") == "SUCCEEDED")
    time.sleep(0.3)
    assert node_status(execution, "b") == "READY"
    assert execution.status == "PAUSED"
    engine.resume(execution.execid)
    assert execution.status == "RUNNING"
    engine.resume(execution.execid)  # resuming a running flow is fine
    assert finish(execution)["status"] == "SUCCEEDED"
    for action in (engine.pause, engine.resume, engine.cancel):
        with pytest.raises(NotRunning, match="isn't running"):
            action(execution.execid)


def test_retry_failed_reruns_failed_jobs_of_a_failing_flow(tmp_path, engine):
    marker = tmp_path / "fixed"
    project = make_project(tmp_path, {"main": flow_yaml(
        job("flaky", f"test -f {marker}"),
        job("slow", "sleep 0.6"),
        job("after", deps=("flaky",)),
    )})
    execution = submit(engine, project, "main")
    wait_for(lambda: execution.status == "FAILED_FINISHING")
    marker.write_text("")
    engine.retry_failed(execution.execid)
    result = finish(execution)
    nodes = nodes_by_id(result)
    assert result["status"] == "SUCCEEDED"
    flaky = nodes["flaky"]
    assert flaky["status"] == "SUCCEEDED"
    assert flaky["attempt"] == 1
    assert [a["status"] for a in flaky["pastAttempts"]] == ["FAILED"]
    assert set(flaky["pastAttempts"][0]) == {"attempt", "startTime", "endTime", "status"}
    assert nodes["after"]["status"] == "SUCCEEDED"
    with pytest.raises(AlreadyFinished, match=r"^Flow has already finished\. Please re-execute\.$"):
        engine.retry_failed(execution.execid)


def test_retry_failed_refusals(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(job("bad", "exit 1")),
                                      "long": flow_yaml(job("a", "sleep 30"))})
    failed = submit(engine, project, "main")
    finish(failed)
    with pytest.raises(AlreadyFinished):
        engine.retry_failed(failed.execid)
    killed = submit(engine, project, "long")
    wait_for(lambda: killed.status == "RUNNING")
    engine.cancel(killed.execid)
    finish(killed)
    with pytest.raises(NotRunning, match=f"^Execution {killed.execid} of flow long isn't"):
        engine.retry_failed(killed.execid)
    with pytest.raises(EngineError, match=r"^Cannot find execution '99'$"):
        engine.cancel(99)


# Embedded flows --------------------------------------------------------------------------------

EMBEDDED = flow_yaml(
    job("start"),
    """
    name: sub
    type: flow
    dependsOn:
      - start
    nodes:
      - name: inner1
        type: command
        config:
          command: echo inner one
      - name: inner2
        type: command
        dependsOn:
          - inner1
        config:
          command: echo inner two
    """,
    job("final", deps=("sub",)),
)


def test_embedded_flow_runs_inside_its_node(tmp_path, engine):
    project = make_project(tmp_path, {"main": EMBEDDED})
    execution = submit(engine, project, "main")
    result = finish(execution)
    assert result["status"] == "SUCCEEDED"
    sub = nodes_by_id(result)["sub"]
    assert sub["type"] == "flow"
    assert sub["status"] == "SUCCEEDED"
    assert sub["flow"] == sub["flowId"] == "main:sub"
    inner = nodes_by_id(sub)
    assert inner["inner1"]["nestedId"] == "sub:inner1"
    assert inner["inner2"]["in"] == ["inner1"]
    assert sub["startTime"] <= inner["inner1"]["startTime"]
    assert nodes_by_id(result)["final"]["startTime"] >= sub["endTime"] >= inner["inner2"]["endTime"]
    assert "inner two" in html.unescape(execution.read_job_log("sub:inner2", 0, 100000)["data"])
    update = execution.update_json(inner["inner2"]["updateTime"] - 1)
    changed = nodes_by_id(update)
    assert set(changed) == {"sub", "final"}
    assert [n["id"] for n in changed["sub"]["nodes"]] == ["inner2"]


def test_disabled_and_failing_jobs_inside_an_embedded_flow(tmp_path, engine):
    project = make_project(tmp_path, {"main": EMBEDDED})
    skip_inner = submit(engine, project, "main", disabled=[{"id": "sub", "children": ["inner1"]}])
    finish(skip_inner)
    assert node_status(skip_inner, "sub:inner1") == "SKIPPED"
    assert node_status(skip_inner, "sub:inner2") == "SUCCEEDED"
    failing = make_project(tmp_path / "f", {"main": EMBEDDED.replace("echo inner one", "exit 1")})
    execution = submit(engine, failing, "main")
    result = finish(execution)
    assert result["status"] == "FAILED"
    assert node_status(execution, "sub") == "FAILED"
    assert node_status(execution, "sub:inner2") == "CANCELLED"
    assert node_status(execution, "final") == "CANCELLED"


# Properties --------------------------------------------------------------------------------------


def test_unresolvable_variable_fails_the_job(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(job("a", "echo ${missing.value}"))})
    execution = submit(engine, project, "main")
    finish(execution)
    assert execution.status == "FAILED"
    assert node_status(execution, "a") == "FAILED"
    assert ("Bad property definition! Could not find variable substitution for variable(s) "
            "[command->missing.value]") in execution.job_log_text("a")


def test_substitution_values(tmp_path, engine):
    command = ("echo greet=${greeting} who=${who} job=${azkaban.job.id} "
               "exec=${azkaban.flow.execid} flow=${azkaban.flow.flowid} "
               "project=${azkaban.flow.projectname} x=${x}")
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a", command, extra="greeting: hello\nwho: nobody\nx: plain\n"),
        job("b", command, ("a",), extra="greeting: hi\nwho: b\nx: plain\n"),
    )})
    execution = submit(engine, project, "main", flow_parameters={"who": "world"},
                       runtime_properties={"b": {"x": "special"}})
    finish(execution)
    assert ("greet=hello who=world job=a exec=1 flow=main project=demo x=plain"
            in execution.job_log_text("a"))
    assert ("greet=hi who=world job=b exec=1 flow=main project=demo x=special"
            in execution.job_log_text("b"))


def test_command_sequence_env_and_working_directory(tmp_path, engine):
    project = make_project(
        tmp_path,
        {"main": flow_yaml(job("a", "cat input.txt", extra="""
            command.1: pwd
            command.2: echo "var=$MYVAR" > produced.txt
            working.dir: data
            env.MYVAR: from-env
        """), job("b", "echo first", extra="command.1: exit 4\ncommand.2: echo never\n"))},
        files={"data/input.txt": "payload line\n"},
    )
    execution = submit(engine, project, "main")
    finish(execution)
    log = execution.job_log_text("a")
    assert "payload line" in log
    assert "3 commands to execute." in log
    workdir = execution.exec_dir / "data"
    assert f"INFO - {workdir}" in log
    assert (workdir / "produced.txt").read_text() == "var=from-env\n"
    assert not (project.directory / "data" / "produced.txt").exists()
    b_log = execution.job_log_text("b")
    assert "first" in b_log
    assert "never" not in b_log
    assert "Process exited with code 4" in b_log
    assert node_status(execution, "b") == "FAILED"


def test_noop_and_unknown_job_types(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("nothing", job_type="noop"), job("weird", job_type="hadoopJava", deps=("nothing",)),
    )})
    execution = submit(engine, project, "main")
    finish(execution)
    assert node_status(execution, "nothing") == "SUCCEEDED"
    assert node_status(execution, "weird") == "FAILED"
    assert "Job type hadoopJava is unrecognized" in execution.job_log_text("weird")


# Retries and time-outs -----------------------------------------------------------------------


def test_retries_record_past_attempts_and_keep_logs_per_attempt(tmp_path, engine):
    counter = tmp_path / "count"
    command = f'echo x >> {counter}; test $(wc -l < {counter}) -ge 3'
    project = make_project(tmp_path, {"main": flow_yaml(
        job("flaky", command, extra="retries: 3\nretry.backoff: 50\n"),
        job("hopeless", "exit 2", extra="retries: 1\nretry.backoff: 10\n"),
    )})
    execution = submit(engine, project, "main", failure_action="finishPossible")
    nodes = nodes_by_id(finish(execution))
    flaky = nodes["flaky"]
    assert flaky["status"] == "SUCCEEDED"
    assert flaky["attempt"] == 2
    assert [a["attempt"] for a in flaky["pastAttempts"]] == [0, 1]
    assert [a["status"] for a in flaky["pastAttempts"]] == ["FAILED", "FAILED"]
    second = flaky["pastAttempts"][1]
    # the back-off is waited on the monotonic clock; wall-clock stamps may drift a little from it
    assert second["startTime"] - flaky["pastAttempts"][0]["endTime"] >= 40
    assert flaky["startTime"] > second["endTime"]
    hopeless = nodes["hopeless"]
    assert hopeless["status"] == "FAILED"
    assert hopeless["attempt"] == 1
    first_log = html.unescape(execution.read_job_log("flaky", 0, 100000, attempt=0)["data"])
    assert "attempt: 0" in first_log
    assert "status FAILED" in first_log
    last_log = execution.job_log_text("flaky")
    assert "attempt: 2" in last_log
    assert "status SUCCEEDED" in last_log
    assert "Job 'flaky' will be retried. Attempt 0 of 3" in execution.flow_log.text()


def test_job_timeout_kills_the_process_group(tmp_path):
    eng = Engine(tmp_path / "work", job_timeout=0.3)
    try:
        project = make_project(tmp_path, {"main": flow_yaml(job("slow", "sleep 30 & sleep 30"))})
        started = time.monotonic()
        execution = submit(eng, project, "main")
        result = finish(execution, timeout=5)
        assert time.monotonic() - started < 4
        assert result["status"] == "FAILED"
        assert nodes_by_id(result)["slow"]["status"] == "FAILED"
        assert "time limit of 0.3 seconds" in execution.job_log_text("slow")
    finally:
        eng.shutdown()


def test_shutdown_leaves_no_process_or_thread(tmp_path):
    before = threading.active_count()
    eng = Engine(tmp_path / "work", job_timeout=60)
    pid_file = tmp_path / "pid"
    command = f"echo $$ > {pid_file}; sleep 30"
    project = make_project(tmp_path, {"main": flow_yaml(job("a", command))})
    execution = submit(eng, project, "main")
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip() != "")
    pid = int(pid_file.read_text())
    eng.shutdown()
    assert execution.is_finished()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert threading.active_count() <= before
    with pytest.raises(EngineError):
        submit(eng, project, "main")


# Logs -------------------------------------------------------------------------------------------


def test_escape_html_like_commons_lang():
    assert escape_html('a<b>&"c\'') == "a&lt;b&gt;&amp;&quot;c'"
    assert escape_html("café €") == "caf&eacute; &euro;"
    assert escape_html("日😀") == "&#26085;&#128512;"
    text = "x<é>€日😀&"
    assert html.unescape(escape_html(text)) == text


def test_log_pages_cut_at_utf8_boundaries():
    log = LogBuffer("job", clock=lambda: 0.0)
    log.info("héllo 日本 😀 <tag>")
    raw = log.text().encode("utf-8")
    pieces, offset = [], 0
    while True:
        page = log.read(offset, 7)
        if page["length"] == 0:
            break
        assert page["offset"] == offset
        assert 0 < page["length"] <= 7
        pieces.append(html.unescape(page["data"]))
        offset = page["offset"] + page["length"]
    assert "".join(pieces).encode("utf-8") == raw
    middle = raw.index("日".encode()) + 1  # inside a 3-byte character
    page = log.read(middle, 100)
    assert page["offset"] == middle + 2
    assert html.unescape(page["data"]).startswith("本")
    assert log.read(len(raw), 100) == {"data": "", "offset": len(raw), "length": 0}


def test_job_and_flow_logs_through_the_execution(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("talk", "echo 'naïve <b> & 日本'; echo oops >&2; sleep 0.3; echo late"),
        job("later", deps=("talk",)),
    )})
    execution = submit(engine, project, "main")
    wait_for(lambda: "naïve" in execution.job_log_text("talk"))
    assert "INFO - late" not in execution.job_log_text("talk")  # readable while it runs
    with pytest.raises(JobLogMissing):
        execution.read_job_log("later", 0, 1000)
    with pytest.raises(EngineError, match=r"^Job nope doesn't exist in 1$"):
        execution.read_job_log("nope", 0, 1000)
    finish(execution)
    page = execution.read_job_log("talk", 0, 100000)
    assert "na&iuml;ve &lt;b&gt; &amp; &#26085;&#26412;" in page["data"]
    text = html.unescape(page["data"])
    assert " talk INFO - Starting job talk at " in text
    assert " talk ERROR - oops" in text
    assert "Process with id " in text
    assert "completed successfully in 0 seconds." in text
    assert text.rstrip().endswith("with status SUCCEEDED")
    assert page["length"] == len(text.encode("utf-8"))
    assert execution.read_job_log("talk", page["length"], 100) == {
        "data": "", "offset": page["length"], "length": 0}
    flow_text = html.unescape(execution.read_flow_log(0, 100000)["data"])
    for line in ("Running execid:1 flow:main project:7 version:3", "Submitting job 'talk' to run.",
                 "Job talk finished with status SUCCEEDED", "Flow 'main' is set to SUCCEEDED"):
        assert line in flow_text


def test_log_of_a_job_that_never_ran_on_a_finished_flow_is_empty(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("bad", "exit 1"), job("never", deps=("bad",)),
    )})
    execution = submit(engine, project, "main")
    finish(execution)
    assert execution.read_job_log("never", 5, 100) == {"data": "", "offset": 5, "length": 0}


# Listings ---------------------------------------------------------------------------------------


def test_executions_summaries_and_last_successful(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(job("a", "test -f ${marker}"))})
    marker = tmp_path / "m"
    first = submit(engine, project, "main", flow_parameters={"marker": str(marker)})
    finish(first)
    assert engine.last_successful(7, "main") is None
    marker.write_text("")
    second = submit(engine, project, "main", flow_parameters={"marker": str(marker)})
    finish(second)
    assert [ex.execid for ex in engine.executions(7, "main")] == [2, 1]
    assert engine.executions(7, "other") == []
    assert engine.last_successful(7, "main") is second
    assert engine.get(1) is first
    assert engine.get(3) is None
    summary = first.summary_json()
    assert summary == {
        "execId": 1, "flowId": "main", "projectId": 7, "status": "FAILED",
        "submitTime": first.submit_time, "startTime": first.start_time,
        "endTime": first.end_time, "submitUser": "azkaban",
    }


def test_flow_info_json(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(job("a"), job("b", deps=("a",)))})
    execution = submit(
        engine, project, "main", failure_emails=["ops@example.com"],
        failure_emails_override=True, flow_parameters={"k": "v"}, concurrent_option="ignore",
        disabled=["b"],
    )
    finish(execution)
    info = execution.flow_info_json()
    assert info["failureEmails"] == ["ops@example.com"]
    assert info["successEmails"] == []
    assert info["failureEmailsOverride"] is True
    assert info["successEmailsOverride"] is False
    assert info["flowParam"] == {"k": "v"}
    assert "runtimeProperties" not in info  # as 4.0.0 answers (a key of later releases)
    assert info["failureAction"] == "finishCurrent"
    assert info["concurrentOptions"] == "ignore"
    assert info["notifyFailureFirst"] is True
    assert info["notifyFailureLast"] is False
    assert info["pipelineLevel"] is None
    assert info["pipelineExecution"] is None
    assert info["queueLevel"] == 0  # never set: queueLevel= sets the pipeline level (sic)
    assert info["nodeStatus"] == {"a": "SUCCEEDED", "b": "SKIPPED"}


def test_pipeline_level_one_waits_for_the_same_job(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("a", "sleep 0.4"), job("b", deps=("a",)),
    )})
    first = submit(engine, project, "main")
    wait_for(lambda: node_status(first, "a") == "RUNNING")
    second = submit(engine, project, "main", concurrent_option="pipeline", pipeline_level=1)
    finish(second)
    finish(first)
    a_first = nodes_by_id(first.to_json())["a"]
    a_second = nodes_by_id(second.to_json())["a"]
    assert a_second["startTime"] >= a_first["endTime"]
    assert second.flow_info_json()["pipelineExecution"] == first.execid


def test_retry_failed_reruns_a_failed_embedded_flow(tmp_path, engine):
    marker = tmp_path / "fixed"
    text = EMBEDDED.replace("echo inner one", f"test -f {marker}")
    text += "  - name: slow\n    type: command\n    config:\n      command: sleep 0.6\n"
    project = make_project(tmp_path, {"main": text})
    execution = submit(engine, project, "main")
    wait_for(lambda: execution.status == "FAILED_FINISHING")
    assert node_status(execution, "sub") == "FAILED"
    marker.write_text("")
    engine.retry_failed(execution.execid)
    result = finish(execution)
    assert result["status"] == "SUCCEEDED"
    sub = nodes_by_id(result)["sub"]
    assert sub["status"] == "SUCCEEDED"
    assert sub["endTime"] >= sub["startTime"]
    inner1 = nodes_by_id(sub)["inner1"]
    assert inner1["attempt"] == 1
    assert inner1["pastAttempts"][0]["status"] == "FAILED"
    assert nodes_by_id(sub)["inner2"]["status"] == "SUCCEEDED"
    assert node_status(execution, "final") == "SUCCEEDED"


def test_disabling_a_whole_embedded_flow_skips_it(tmp_path, engine):
    project = make_project(tmp_path, {"main": EMBEDDED})
    execution = submit(engine, project, "main", disabled=["sub"])
    result = finish(execution)
    assert result["status"] == "SUCCEEDED"
    assert node_status(execution, "sub") == "SKIPPED"
    assert node_status(execution, "sub:inner1") == "SKIPPED"
    assert node_status(execution, "final") == "SUCCEEDED"
    assert execution.read_job_log("sub:inner1", 0, 100)["length"] == 0


def test_cancel_of_a_queued_execution_fails_it_before_dispatch(tmp_path, engine):
    """§6.2: a run still queued on the web side is finalized FAILED (failEverything: READY
    nodes become KILLING, DISABLED ones stay), never reaches the executor, and frees the queue.
    failEverything sets no update time and no flow start time, and no executor writes a flow
    log for it: a poll sees the new status only in the flow keys."""
    project = make_project(tmp_path, {"main": EMBEDDED.replace("'echo ok'", "'sleep 0.5'", 1)})
    first = submit(engine, project, "main")
    wait_for(lambda: first.status == "RUNNING")
    second = submit(engine, project, "main", concurrent_option="queue", disabled=["final"])
    third = submit(engine, project, "main", concurrent_option="queue")
    assert second.status == "PREPARING"
    seen = second.update_time
    engine.cancel(second.execid)
    result = second.to_json()  # at once: no executor is involved
    assert result["status"] == "FAILED"
    nodes = nodes_by_id(result)
    assert {k: n["status"] for k, n in nodes.items()} == {
        "start": "KILLING", "sub": "KILLING", "final": "DISABLED"}
    assert {n["status"] for n in nodes_by_id(nodes["sub"]).values()} == {"KILLING"}
    ended = result["endTime"]
    assert ended == nodes["start"]["startTime"] == nodes["start"]["endTime"] > 0
    assert result["startTime"] == -1
    assert nodes["final"]["startTime"] == nodes["final"]["endTime"] == -1
    assert result["updateTime"] == seen
    assert {n["updateTime"] for n in nodes.values()} == {seen}
    update = second.update_json(seen)
    assert update == {"status": "FAILED", "startTime": -1, "endTime": ended, "updateTime": seen}
    assert second.flow_log.text() == ""
    assert not second.exec_dir.exists()
    with pytest.raises(NotRunning):
        engine.cancel(second.execid)
    assert finish(first)["status"] == "SUCCEEDED"
    assert finish(third)["status"] == "SUCCEEDED"  # the cancelled run no longer holds the flow
    assert second.to_json()["status"] == "FAILED"


def test_pause_resume_and_retry_of_a_queued_execution_are_refused(tmp_path, engine):
    """A run the web side still queues is on no executor: pause, resume and retry answer
    "isn't running." (ExecutorManager finds no running execution) and change nothing."""
    project = make_project(tmp_path, {"main": flow_yaml(job("a", "sleep 0.4"))})
    first = submit(engine, project, "main")
    wait_for(lambda: first.status == "RUNNING")
    queued = submit(engine, project, "main", concurrent_option="queue")
    seen = queued.update_time
    for control in (engine.pause, engine.resume, engine.retry_failed):
        with pytest.raises(NotRunning, match=rf"^Execution {queued.execid} of flow main "
                                             r"isn't running\.$"):
            control(queued.execid)
    assert (queued.status, queued.update_time) == ("PREPARING", seen)
    assert queued.flow_log.text() == ""
    assert finish(queued)["status"] == "SUCCEEDED"  # not paused: it runs once dispatched


def test_cancel_between_dispatch_and_start_kills(tmp_path, engine, monkeypatch):
    """Once dispatched the executor owns the run: a cancel before it starts ends KILLED."""
    entered, gate = threading.Event(), threading.Event()
    prepare = Execution._prepare_directory

    def held(self: Execution) -> None:  # the runner stops between dispatch and its start
        entered.set()
        gate.wait(WAIT)
        prepare(self)

    monkeypatch.setattr(Execution, "_prepare_directory", held)
    project = make_project(tmp_path, {"main": flow_yaml(job("a"), job("b", deps=("a",)))})
    execution = submit(engine, project, "main")
    assert entered.wait(WAIT)
    engine.cancel(execution.execid)
    gate.set()
    result = finish(execution)
    assert result["status"] == "KILLED"
    assert {n["status"] for n in result["nodes"]} == {"CANCELLED"}
    assert "was cancelled before execution had started" in execution.flow_log.text()


def test_flow_1_0_jobs_run_in_their_directory_with_shared_properties(tmp_path, engine):
    root = tmp_path / "legacy"
    (root / "jobs").mkdir(parents=True)
    (root / "jobs" / "common.properties").write_text("greeting=bonjour\n")
    (root / "jobs" / "data.txt").write_text("local file\n")
    (root / "jobs" / "first.job").write_text("type=command\ncommand=cat data.txt\n")
    (root / "jobs" / "last.job").write_text(
        "type=command\ndependencies=first\ncommand=echo ${greeting} from ${azkaban.job.id}\n")
    loaded = load_directory(root)
    assert not loaded.errors, loaded.errors
    project = ProjectVersion(project_id=1, project_name="legacy", version=1, directory=root,
                             loaded=loaded)
    execution = submit(engine, project, "last")
    assert finish(execution)["status"] == "SUCCEEDED"
    assert "INFO - local file" in execution.job_log_text("first")
    assert "INFO - bonjour from last" in execution.job_log_text("last")


def test_update_from_minus_one_lists_every_node_even_before_they_change(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(job("a", "sleep 0.4"), job("b"))})
    first = submit(engine, project, "main")
    wait_for(lambda: first.status == "RUNNING")
    queued = submit(engine, project, "main", concurrent_option="queue")
    for since in (-1, 0):
        update = queued.update_json(since)
        assert update["status"] == "PREPARING"
        assert {n["id"]: n["status"] for n in update["nodes"]} == {"a": "READY", "b": "READY"}
    assert "nodes" not in queued.update_json(queued.update_time)
    finish(queued)


def test_log_stops_growing_at_its_limit():
    log = LogBuffer("job", clock=lambda: 0.0, max_bytes=300)
    for index in range(20):
        log.info(f"line {index}")
    text = log.text()
    assert "line 0" in text
    assert "line 19" not in text
    assert text.rstrip().endswith("Log truncated: the sandbox keeps 300 bytes of a log.")
    size = len(log)
    log.info("more")
    assert len(log) == size


def test_job_waiting_out_its_retry_backoff_is_queued_and_can_be_killed(tmp_path, engine):
    project = make_project(tmp_path, {"main": flow_yaml(
        job("flaky", "exit 1", extra="retries: 2\nretry.backoff: 5000\n"),
    )})
    execution = submit(engine, project, "main")

    def backing_off() -> bool:
        node = nodes_by_id(execution.to_json())["flaky"]
        return node["attempt"] == 1 and node["status"] == "QUEUED"

    wait_for(backing_off)
    node = nodes_by_id(execution.to_json())["flaky"]
    assert node["startTime"] == -1
    assert node["pastAttempts"][0]["status"] == "FAILED"
    with pytest.raises(JobLogMissing):
        execution.read_job_log("flaky", 0, 100)
    assert "status FAILED" in html.unescape(
        execution.read_job_log("flaky", 0, 100000, attempt=0)["data"])
    engine.cancel(execution.execid)
    result = finish(execution, timeout=3)
    assert result["status"] == "KILLED"
    assert nodes_by_id(result)["flaky"]["status"] == "KILLED"
    assert nodes_by_id(result)["flaky"]["attempt"] == 1
