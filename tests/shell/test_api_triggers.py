"""trigger, trigger pause and trigger resume against the sandbox (§8.2): a Flow 2.0 flow's
trigger as one JSON document and as a readable block, the paused flag changed on the server,
the refusals, the parsing of the verb and its completion."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Az, Shell, documents, make_shell
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from azshell.client import AzkabanClient
from azshell.sandbox import Sandbox
from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.names.book import NameBook

FILES = {
    "t.project": "azkaban-flow-version: 2.0\n",
    "nightly.flow": "trigger:\n  maxWaitMins: 45\n  schedule:\n    type: cron\n"
                    "    value: 0 15 4 ? * *\n  triggerDependencies:\n"
                    "    - name: orders\n      type: dali-dataset\n"
                    "      params:\n        view: sales.orders\n        unit: daily\n"
                    "nodes:\n  - name: load\n    type: noop\n",
    "plain.flow": "nodes:\n  - name: c\n    type: noop\n",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def project(put_project: Callable[..., str]) -> str:
    return put_project(FILES, "flow triggers")


@pytest.fixture
def sh(client: AzkabanClient, project: str) -> Shell:
    return make_shell(client)


def paused(sandbox: Sandbox, project: str, flow: str) -> bool:
    """The sandbox's own record of the flag (the API does not report it)."""
    state = sandbox.state
    found = sandbox.context.extra["flow_triggers"].find(state, state.active_project(project).id,
                                                        flow)
    assert found is not None
    return found.paused


def test_trigger_as_one_document(sh: Shell, project: str) -> None:
    answer = sh.json(f"trigger {project} nightly")
    assert answer["project"] == project
    assert answer["flow"] == "nightly"
    assert answer["cron"] == "0 15 4 ? * *"
    assert answer["paused"] is None  # not in any answer of the API
    assert answer["maxWaitMin"] == 45
    assert answer["submitUser"] == "azkaban"
    assert answer["nextExecTime"].endswith("04:15:00")
    assert answer["dependencies"] == [{"name": "orders", "type": "dali-dataset",
                                       "params": {"view": "sales.orders", "unit": "daily"}}]
    assert sh.json(f"trigger show {project} nightly") == answer


def test_trigger_on_a_terminal(client: AzkabanClient, project: str) -> None:
    code, out, err = make_shell(client, tty=True)(f"trigger {project} nightly")
    assert (code, err) == (0, "")
    text = ANSI.sub("", out)
    assert re.search(r"^cron\s+0 15 4 \? \* \* \(\S+\)$", text, re.M)
    assert re.search(r"^paused\s+unknown: Azkaban's API does not report it$", text, re.M)
    assert re.search(r"^max wait\s+45 min$", text, re.M)
    assert re.search(r"^  orders\s+dali-dataset: view=sales\.orders, unit=daily$", text, re.M)
    assert "uploaded by azkaban" in text


def test_pause_and_resume(sh: Shell, sandbox: Sandbox, project: str, client: AzkabanClient,
                          ) -> None:
    answer = sh.json(f"trigger pause {project} nightly")
    assert answer == {"ok": True, "project": project, "flow": "nightly", "action": "pause",
                      "paused": True, "cron": "0 15 4 ? * *"}
    assert paused(sandbox, project, "nightly")
    code, out, _ = make_shell(client, tty=True)(f"trigger resume {project} nightly")
    assert code == 0
    assert f"the trigger of {project}/nightly is active" in ANSI.sub("", out)
    assert not paused(sandbox, project, "nightly")


def test_a_flow_without_trigger(sh: Shell, project: str) -> None:
    for line in (f"trigger {project} plain", f"trigger pause {project} plain"):
        error = sh.fails(line)
        assert f"flow {project}.plain has no flow trigger" in error


def test_a_missing_project(sh: Shell) -> None:
    assert "nosuchproject" in sh.fails("trigger nosuchproject nightly")


def test_pause_needs_admin(sandbox: Sandbox, project: str) -> None:
    reader = AzkabanClient(sandbox.url)
    reader.login("reader", "reader")
    error = make_shell(reader).fails(f"trigger pause {project} nightly")
    assert error == "error: Permission denied. Need ADMIN access."
    assert not paused(sandbox, project, "nightly")


@pytest.mark.parametrize(("line", "problem"), [
    ("trigger pause demo", "missing FLOW"),
    ("trigger", "missing PROJECT"),
    ("trigger stop demo nightly", "unexpected argument 'nightly'"),  # stop: no verb, a project
    ("trigger demo nightly extra", "unexpected argument 'extra'"),
])
def test_usage_errors(sh: Shell, line: str, problem: str) -> None:
    assert sh.fails(line, 2) == (f"error: trigger: {problem} "
                                 "(usage: trigger [show|pause|resume] PROJECT FLOW)")
    assert sh.seen == []  # nothing was sent


def test_completion_offers_the_verbs_then_names() -> None:
    book = NameBook(None)
    book.add_projects([("demo", "")])
    book.add_flows("demo", [("nightly", "")])
    completer = ShellCompleter(lambda: book)

    def offered(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert offered("trigger ") == ["show", "pause", "resume", "demo"]  # the verb is optional
    assert offered("trigger d") == ["demo"]  # the verb may be left out
    assert offered("trigger demo ") == ["nightly"]
    assert offered("trigger pause d") == ["demo"]
    assert offered("trigger pause demo ") == ["nightly"]


def test_the_example_in_a_script(sandbox: Sandbox, project_name: str, tmp_path: Path,
                                 ) -> None:
    """examples/flow2-trigger uploaded and shown by the installed azshell: one JSON document
    per command."""
    az = Az(tmp_path, sandbox.url)
    done = az("-c", f"upload {project_name} {EXAMPLES / 'flow2-trigger'} --create",
              "-c", f"trigger {project_name} nightly",
              "-c", f"trigger pause {project_name} nightly")
    assert done.returncode == 0, done.stderr
    docs: list[Any] = documents(done.stdout)
    shown = docs[-2]
    assert shown["cron"] == "0 30 2 ? * *"
    assert shown["maxWaitMin"] == 60
    assert [d["name"] for d in shown["dependencies"]] == ["orders"]
    assert docs[-1]["paused"] is True
    assert paused(sandbox, project_name, "nightly")
