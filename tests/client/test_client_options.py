"""ExecuteOptions and SlaSetting → the protocol's parameters (§6.1, §7.6); pure tests."""

from __future__ import annotations

import json

import pytest

from azshell.client import ExecuteOptions, SlaSetting, parse_duration
from azshell.client.options import disabled_tree, sla_params
from azshell.errors import UsageError


def test_defaults_send_the_servers_defaults_explicitly() -> None:
    assert ExecuteOptions().to_params() == [("concurrentOption", "skip"),
                                            ("failureAction", "finishCurrent")]


def test_every_option() -> None:
    options = ExecuteOptions(
        disabled=["a", "b"], params={"day": "mon", "n": "1"}, concurrent="pipeline:2",
        on_failure="cancel", notify_failure=["x@e.org", "y@e.org"], notify_success=["z@e.org"],
        notify_failure_first=False, notify_failure_last=True)
    params = options.to_params()
    assert params == [
        ("disabled", '["a", "b"]'),
        ("concurrentOption", "pipeline"), ("pipelineLevel", "2"),
        ("failureAction", "cancelImmediately"), ("failureActionOverride", "true"),
        ("failureEmails", "x@e.org,y@e.org"), ("failureEmailsOverride", "true"),
        ("successEmails", "z@e.org"), ("successEmailsOverride", "true"),
        ("notifyFailureFirst", "false"), ("notifyFailureLast", "true"),
        ("flowOverride[day]", "mon"), ("flowOverride[n]", "1"),
    ]


def test_defaults_are_not_shared_between_instances() -> None:
    first = ExecuteOptions()
    first.disabled.append("x")
    assert ExecuteOptions().disabled == []


@pytest.mark.parametrize(("choice", "params"), [
    ("skip", [("concurrentOption", "skip")]),
    ("ignore", [("concurrentOption", "ignore")]),
    ("IGNORE", [("concurrentOption", "ignore")]),
    ("pipeline:1", [("concurrentOption", "pipeline"), ("pipelineLevel", "1")]),
    ("queue", [("concurrentOption", "queue"), ("queueLevel", "1")]),
    ("queue:3", [("concurrentOption", "queue"), ("queueLevel", "3")]),
])
def test_concurrency_choices(choice: str, params: list[tuple[str, str]]) -> None:
    assert ExecuteOptions(concurrent=choice).to_params()[: len(params)] == params


@pytest.mark.parametrize("choice", ["pipeline", "pipeline:3", "skip:1", "always", "queue:x", ""])
def test_bad_concurrency_is_a_usage_error(choice: str) -> None:
    with pytest.raises(UsageError, match=r"bad concurrency option"):
        ExecuteOptions(concurrent=choice).to_params()


@pytest.mark.parametrize(("choice", "action", "override"), [
    ("finish", "finishCurrent", False),
    ("cancel", "cancelImmediately", True),
    ("possible", "finishPossible", True),
    ("finishPossible", "finishPossible", True),
    ("Cancel", "cancelImmediately", True),
])
def test_failure_actions(choice: str, action: str, override: bool) -> None:
    params = dict(ExecuteOptions(on_failure=choice).to_params())
    assert params["failureAction"] == action
    assert ("failureActionOverride" in params) is override


def test_bad_failure_action() -> None:
    with pytest.raises(UsageError, match=r"bad failure action 'stop'"):
        ExecuteOptions(on_failure="stop").to_params()


def test_bad_flow_parameter_name() -> None:
    with pytest.raises(UsageError, match=r"bad flow parameter name"):
        ExecuteOptions(params={"a]b": "1"}).to_params()


def test_disabled_embedded_jobs_become_a_tree() -> None:
    tree = disabled_tree(["a", "sub:b", "sub:c", "sub:inner:d", "whole", "whole:x"])
    assert tree == ["a", {"id": "sub", "children": ["b", "c", {"id": "inner",
                                                               "children": ["d"]}]}, "whole"]
    params = dict(ExecuteOptions(disabled=["sub:b"]).to_params())
    assert json.loads(params["disabled"]) == [{"id": "sub", "children": ["b"]}]


@pytest.mark.parametrize("bad", ["", ":a", "a:"])
def test_bad_disabled_names(bad: str) -> None:
    with pytest.raises(UsageError, match=r"bad job name to disable"):
        disabled_tree([bad])


def test_sla_setting_param() -> None:
    assert SlaSetting("success", 90).to_param() == ",SUCCESS,1:30,true,false"
    assert SlaSetting("FINISH", 5, job="load", email=False, kill=True).to_param() \
        == "load,FINISH,0:05,false,true"
    assert SlaSetting("succeed", 60).to_param().startswith(",SUCCESS,1:00")


@pytest.mark.parametrize(("setting", "message"), [
    (SlaSetting("fail", 5), "bad SLA rule"),
    (SlaSetting("success", 0), "at least one minute"),
    (SlaSetting("success", 5, email=False, kill=False), "needs an action"),
    (SlaSetting("success", 5, job="a,b"), "bad job name"),
])
def test_bad_sla_settings(setting: SlaSetting, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        setting.to_param()


def test_sla_params() -> None:
    assert sla_params(4, [SlaSetting("success", 30), SlaSetting("finish", 60, job="j")],
                      ["a@e.org", "b@e.org"]) == [
        ("scheduleId", "4"),
        ("settings[0]", ",SUCCESS,0:30,true,false"),
        ("settings[1]", "j,FINISH,1:00,true,false"),
        ("slaEmails", "a@e.org,b@e.org"),
    ]


@pytest.mark.parametrize(("text", "minutes"), [
    ("90", 90), ("1:30", 90), ("0:05", 5), ("90m", 90), ("2h", 120), ("1h30m", 90),
    ("1h 30min", 90), (" 45 m ", 45),
])
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "1:xx", "h", "-5"])
def test_parse_bad_duration(text: str) -> None:
    with pytest.raises(UsageError, match=r"bad duration"):
        parse_duration(text)


def test_the_options_of_an_execution_carry_over_to_a_rerun() -> None:
    from azshell.client.options import options_of_execution

    info = {"flowParam": {"day": "mon"}, "runtimeProperties": {"ROOT": {"env": "prod"},
                                                               "load": {"x": "1"}},
            "failureAction": "finishPossible", "failureEmailsOverride": True,
            "failureEmails": ["ops@example.com"], "successEmailsOverride": False,
            "successEmails": ["flow@example.com"], "concurrentOptions": "pipeline",
            "pipelineLevel": 2, "notifyFailureFirst": True}
    again = options_of_execution(info, ["a"])
    assert again.options == ExecuteOptions(
        disabled=["a"], params={"day": "mon", "env": "prod"}, concurrent="pipeline:2",
        on_failure="finishPossible", notify_failure=["ops@example.com"], notify_success=[],
        notify_failure_first=True, notify_failure_last=None)
    assert again.warnings == ("warning: job-level properties of load are not carried over",)
    odd = options_of_execution({"concurrentOptions": "pipeline", "pipelineLevel": 7}, [])
    assert odd.options.concurrent == "skip"
    assert "pipeline (level 7) is not carried over" in odd.warnings[0]
