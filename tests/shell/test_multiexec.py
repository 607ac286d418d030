"""execute PROJECT FLOW FLOW...: several flows started with the same options, checked before
any starts, followed on one display with one exit code (--wait), or listed (without it)."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from api_support import AZSHELL, make_shell

# flow ``ok`` is pre -> ok; ``bad`` fails; ``nap`` takes a second
FILES = {
    "pre.job": "type=command\ncommand=true\n",
    "ok.job": "type=command\ncommand=true\ndependencies=pre\n",
    "bad.job": "type=command\ncommand=false\n",
    "nap.job": "type=command\ncommand=sleep 1\n",
}


@pytest.fixture
def project(put_project: Any) -> str:
    return put_project(FILES, "multiexec test")


def runs(client: Any, project: str, flow: str) -> int:
    """How many executions the flow has had."""
    return int(client.flow_executions(project, flow, 0, 10)["total"])


def test_wait_all_succeeded_is_exit_0_with_one_document_each(client: Any,
                                                              project: str) -> None:
    sh = make_shell(client)
    code, out, err = sh(f"execute {project} ok nap --wait")
    assert code == 0, err
    documents = json.loads(out)
    assert [(d["flow"], d["status"]) for d in documents] == [("ok", "SUCCEEDED"),
                                                             ("nap", "SUCCEEDED")]
    assert sh.ctx.last_execid == documents[1]["execid"]


def test_one_failure_fails_the_whole_execute(client: Any, project: str) -> None:
    sh = make_shell(client)
    code, out, err = sh(f"execute {project} ok bad --wait")
    assert code == 1
    documents = json.loads(out)
    bad = documents[1]["execid"]
    assert [d["status"] for d in documents] == ["SUCCEEDED", "FAILED"]
    assert err.strip() == (f"error: not every execution succeeded: {bad} ({project}/bad) "
                           "FAILED")


def test_the_exit_status_of_a_script(sandbox: Any, project: str, tmp_path: Path) -> None:
    env = {"AZSHELL_PASSWORD": "azkaban", "HOME": str(tmp_path), "PATH": os.environ["PATH"],
           "AZSHELL_CONFIG": "/dev/null"}

    def run(line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c", line],
                              check=False, capture_output=True, text=True, timeout=60, env=env)

    good = run(f"execute {project} ok nap --wait")
    assert good.returncode == 0, good.stderr
    assert [d["status"] for d in json.loads(good.stdout)] == ["SUCCEEDED", "SUCCEEDED"]
    bad = run(f"execute {project} nap bad --wait")
    assert bad.returncode == 1, bad.stderr
    assert "not every execution succeeded" in bad.stderr
    typo = run(f"execute {project} ok nad --wait")
    assert typo.returncode == 1, typo.stderr
    assert "nothing was started" in typo.stderr


def test_without_wait_every_id_is_reported_json_in_a_pipe(client: Any, project: str) -> None:
    sh = make_shell(client)
    started = sh.json(f"execute {project} ok nap")
    assert [(s["project"], s["flow"]) for s in started] == [(project, "ok"), (project, "nap")]
    ids = [s["execid"] for s in started]
    assert ids[0] != ids[1]
    assert all(isinstance(i, int) for i in ids)
    assert {e.execid: (e.flow, e.status) for e in sh.ctx.names.executions()
            if e.execid in ids} == {ids[0]: ("ok", "PREPARING"), ids[1]: ("nap", "PREPARING")}
    assert sh.ctx.last_execid == ids[1]
    code, _, err = sh(f"wait {ids[0]} {ids[1]}")
    assert code == 0, err


def test_without_wait_a_sentence_on_a_terminal(client: Any, project: str) -> None:
    sh = make_shell(client, tty=True)
    code, out, err = sh(f"execute {project} nap ok")
    assert code == 0, err
    line = out.strip()
    assert line.startswith(f"started 2 executions of {project}: ")
    words = line.split(": ", 1)[1]
    ids = [int(w) for w in words.replace(",", " ").replace(";", " ").split() if w.isdigit()]
    assert words.startswith(f"{ids[0]} (nap), {ids[1]} (ok); ")
    assert line.endswith(f"'wait {ids[0]} {ids[1]}' follows them")
    sh("wait " + " ".join(map(str, ids)))


def test_a_mistyped_flow_starts_nothing(client: Any, project: str) -> None:
    sh = make_shell(client)
    message = sh.fails(f"execute {project} ok nad --wait")
    assert message == (f"error: execute: project {project} has no flow 'nad' (did you mean "
                       "'nap'?); nothing was started")
    assert runs(client, project, "ok") == 0
    assert not [x for x in sh.seen if "executeFlow" in repr(x)]


def test_a_mistyped_disable_starts_nothing_and_each_flow_skips_its_own(
        client: Any, project: str) -> None:
    sh = make_shell(client)
    message = sh.fails(f"execute {project} ok nap --disable prr")
    assert message.startswith(f"error: execute: --disable prr: none of the flows ok, nap of "
                              f"project {project} has a job 'prr' (did you mean 'pre'?)")
    assert message.endswith("; nothing was started")
    assert runs(client, project, "ok") == runs(client, project, "nap") == 0
    documents = json.loads(sh(f"execute {project} ok nap --disable pre --wait")[1])
    nodes = {d["flow"]: {n["id"]: n["status"] for n in d["nodes"]} for d in documents}
    assert nodes["ok"]["ok"] == "SUCCEEDED"
    assert nodes["ok"]["pre"] in ("DISABLED", "SKIPPED")
    assert nodes["nap"] == {"nap": "SUCCEEDED"}


def test_a_flow_named_twice_is_a_usage_error(client: Any, project: str) -> None:
    sh = make_shell(client)
    assert sh.fails(f"execute {project} ok nap ok", code=2) == (
        "error: execute: flow ok named twice; each flow starts once")
    assert runs(client, project, "ok") == 0


def test_a_refusal_part_way_names_what_started_and_retries_nothing(client: Any,
                                                                  project: str) -> None:
    sh = make_shell(client)
    assert sh(f"lock {project} bad")[0] == 0
    code, out, err = sh(f"execute {project} ok bad nap --wait")
    assert code == 1
    assert out == ""
    ok = client.flow_executions(project, "ok", 0, 10)["executions"]
    assert len(ok) == 1
    execid = ok[0]["execId"] if "execId" in ok[0] else ok[0]["execid"]
    assert err.strip() == (
        f"error: flow bad of project {project} is locked ('unlock {project} bad' lifts it); "
        f"started before it: execution {execid} of {project}/ok; not tried: nap; "
        f"'wait {execid}' follows the started ones")
    assert runs(client, project, "bad") == 0
    assert runs(client, project, "nap") == 0
    assert sum(1 for x in sh.seen if "executeFlow" in repr(x)) == 2  # ok, bad: once each
    assert sh.ctx.last_execid == execid
    assert sh(f"wait {execid}")[0] == 0


def test_the_first_flow_refused_says_no_flow_started(client: Any, project: str) -> None:
    sh = make_shell(client)
    assert sh(f"lock {project} bad")[0] == 0
    message = sh.fails(f"execute {project} bad ok")
    assert message.endswith("; not tried: ok (no flow was started)")
    assert runs(client, project, "ok") == 0


@pytest.mark.pty
def test_the_combined_display_of_execute_wait(shell: Any, sandbox: Any, client: Any,
                                              project: str) -> None:
    pyte = pytest.importorskip("pyte")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    seen = io.StringIO()
    sh.child.logfile_read = seen  # every byte the terminal got from here on
    sh.child.send(f"execute {project} nap ok bad --wait\r")
    sh.child.expect(r"waiting for 3 executions: \d still going")
    sh.child.expect(r"3 executions ended")
    sh.child.expect(sh.prompt)
    screen = pyte.Screen(120, 40)
    pyte.Stream(screen).feed(seen.getvalue())
    shown = [line.rstrip() for line in screen.display if line.strip()]
    board = next(i for i, line in enumerate(shown) if line == "3 executions ended")
    rows = [line.split() for line in shown[board + 1: board + 4]]
    assert [(r[1], r[2]) for r in rows] == [(f"{project}/nap", "SUCCEEDED"),
                                            (f"{project}/ok", "SUCCEEDED"),
                                            (f"{project}/bad", "FAILED")]
    assert sum(1 for line in shown if "still going" in line) == 0  # redrawn in place
    errors = [line for line in shown if line.startswith("error:")]
    assert errors
    assert f"{rows[2][0]} ({project}/bad) FAILED" in errors[0]


# -- the line: completion and highlighting of the more flows ---------------------------------

def _book() -> Any:
    from azshell.shell.names.book import NameBook

    book = NameBook(None)
    book.add_projects([("demo", "")])
    book.add_flows("demo", [("main", ""), ("cleanup", ""), ("audit", "")])
    book.add_jobs("demo", "main", ["extract", "load"])
    book.add_jobs("demo", "cleanup", ["sweep"])
    return book


def test_completion_offers_the_flows_not_named_yet_and_the_jobs_of_all() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from azshell.shell.interactive.completer import ShellCompleter

    book = _book()
    wanted: list[Any] = []
    completer = ShellCompleter(lambda: book, lambda *a: wanted.append(a))

    def texts(line: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(line), CompleteEvent())]

    assert texts("execute demo main ") == ["audit", "cleanup"]
    assert texts("execute demo main cleanup ") == ["audit"]
    assert texts("execute demo main cleanup --disable ") == ["extract", "load", "sweep"]
    assert texts("execute demo main -d ") == ["extract", "load"]  # one flow: as before
    assert texts("execute demo main audit -d ") == ["extract", "load"]
    assert ("jobs", "demo", "audit") in wanted  # audit's jobs were never seen: asked for


def test_a_job_of_any_named_flow_is_highlighted_known() -> None:
    from azshell.shell.interactive.lexer import highlight

    book = _book()
    styles = {text: style for style, text in highlight("execute demo main cleanup -d sweep "
                                                       "-d nope", book) if text.strip()}
    assert styles["cleanup"] == "class:name.known"
    assert styles["sweep"] == "class:name.known"
    assert styles["nope"] == "class:name.unknown"
    alone = {text: style for style, text in highlight("execute demo main -d sweep", book)}
    assert alone["sweep"] == "class:name.unknown"
