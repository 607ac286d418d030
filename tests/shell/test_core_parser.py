"""The line parser: strict parsing, tolerant splitting, and what is typed at the cursor."""

from __future__ import annotations

import re

import pytest

from azshell.errors import UsageError
from azshell.shell.line.parser import parse, position, split, tokens


def values(line: str) -> dict:
    inv = parse(line)
    assert inv is not None
    return inv.values


@pytest.mark.parametrize("line", ["", "   ", "# a comment", "   # indented comment"])
def test_blank_and_comment_lines_are_nothing(line: str) -> None:
    assert parse(line) is None


def test_quotes_and_escapes() -> None:
    assert split('create demo "Nightly loads"') == ["create", "demo", "Nightly loads"]
    assert split("create demo 'it''s'") == ["create", "demo", "its"]
    assert split(r"create demo a\ b") == ["create", "demo", "a b"]
    assert split(r'create demo "say \"hi\""') == ["create", "demo", 'say "hi"']
    assert split("flows demo # trailing comment") == ["flows", "demo"]
    assert split("create demo a#b") == ["create", "demo", "a#b"]


def test_split_tolerates_an_unfinished_quote() -> None:
    assert split('upload "my pro') == ["upload", "my pro"]
    assert tokens('upload "my pro')[-1].open_quote == '"'


def test_unfinished_quote_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unfinished"):
        parse('create demo "oops')


def test_execute_with_every_option() -> None:
    got = values(
        "execute demo main -d a --disable=b -p day=2024-01-31 --param x=1=2 "
        "--concurrent pipeline:2 --on-failure possible --notify-failure a@x.org,b@x.org "
        "--notify-success 'c@x.org; d@x.org'"
    )
    assert got == {
        "project": "demo", "flow": "main", "more_flows": [], "disable": ["a", "b"],
        "param": [("day", "2024-01-31"), ("x", "1=2")], "concurrent": "pipeline:2",
        "on_failure": "possible", "notify_failure": ["a@x.org", "b@x.org"],
        "notify_success": ["c@x.org", "d@x.org"], "wait": False, "timeout": None,
        "notify": False, "on_done": None,
    }


def test_defaults_when_options_are_absent() -> None:
    got = values("execute demo main")
    assert got["disable"] == []
    assert got["param"] == []
    assert got["concurrent"] is None
    assert got["on_failure"] is None
    assert values("projects") == {"all": False}
    assert values("projects -a") == {"all": True}


def test_unique_prefix_of_a_long_option() -> None:
    assert values("projects --al")["all"] is True
    assert values("upload p x.zip --cr")["create"] is True


def test_call_method_is_optional() -> None:
    assert values("call /status") == {"method": None, "path": "/status", "params": []}
    assert values("call post /executor ajax=x project=p") == {
        "method": "POST", "path": "/executor", "params": [("ajax", "x"), ("project", "p")],
    }


@pytest.mark.parametrize("word", ["FOO", "DELETE"])
def test_an_unknown_upper_case_method_is_named_as_such(word: str) -> None:
    with pytest.raises(UsageError, match=f"^call: METHOD must be one of GET, POST, not '{word}'$"):
        parse(f"call {word} /x")


def test_an_option_of_one_value_given_twice_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^lock: option --message given twice; it takes one "
                                         r"value \(usage: "):
        parse("lock demo main -m a --message b")
    assert values("execute demo main -d a -d b")["disable"] == ["a", "b"]  # repeatable
    assert values("delete demo --yes --yes")["yes"] is True  # a flag twice is harmless


@pytest.mark.parametrize(("line", "message"), [
    ("purge 99999999999999999999", "purge: PROJECT_ID 99999999999999999999 is too large "
                                   "(at most 999999999)"),
    ("executions demo main --limit 1000000000", "executions: --limit 1000000000 is too large"),
])
def test_numbers_too_large_say_so(line: str, message: str) -> None:
    with pytest.raises(UsageError, match="^" + re.escape(message)):
        parse(line)
    assert values("purge 999999999")["project_id"] == 999_999_999


def test_double_dash_ends_options() -> None:
    assert values("create demo -- -not-an-option")["description"] == "-not-an-option"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("flws demo", "unknown command 'flws' (did you mean 'flows'?)"),
        ("frobnicate", "unknown command 'frobnicate'; type 'help' for the list"),
        ("show x", "show: EXECID must be a positive execution id, not 'x'"),
        ("show 0", "positive execution id"),
        ("execute demo", "execute: missing FLOW (usage: execute PROJECT FLOW"),
        ("flows a b", "flows: unexpected argument 'b' (usage: flows PROJECT)"),
        ("projects --bad", "projects: unknown option '--bad'"),
        ("execute a b --concurrent sometimes", "--concurrent must be one of skip, ignore"),
        ("execute a b --concurrent pipeline:0", "--concurrent must be one of"),
        ("execute a b --param novalue", "--param must look like KEY=VALUE"),
        ("execute a b --disable", "option --disable needs a value"),
        ("projects --all=yes", "option --all takes no value"),
        ("set output", None),
    ],
)
def test_usage_errors_are_one_line(line: str, message: str | None) -> None:
    if message is None:
        assert parse(line) is not None
        return
    with pytest.raises(UsageError) as err:
        parse(line)
    text = str(err.value)
    assert message in text
    assert "\n" not in text


def test_a_long_usage_folds_its_options_and_names_help() -> None:
    """`execute`'s full syntax is 300 characters: a terminal would break it mid-word."""
    with pytest.raises(UsageError) as caught:
        parse("execute demo")
    assert str(caught.value) == ("execute: missing FLOW (usage: execute PROJECT FLOW [FLOW]... "
                                 "[OPTIONS]; 'help execute' lists the options)")
    with pytest.raises(UsageError) as short:
        parse("flows a b")
    assert str(short.value).endswith("(usage: flows PROJECT)")  # short enough: whole


def test_command_names_are_case_insensitive() -> None:
    inv = parse("PROJECTS")
    assert inv is not None
    assert inv.command.name == "projects"


def test_position_at_the_command() -> None:
    pos = position("exe")
    assert (pos.command, pos.expecting, pos.word, pos.word_start) == (None, "command", "exe", 0)
    assert position("").expecting == "command"


def test_position_walks_arguments() -> None:
    pos = position("execute ")
    assert pos.command is not None
    assert pos.command.name == "execute"
    assert pos.arg is not None
    assert pos.arg.kind == "project"
    assert pos.expecting == "option-or-arg"
    pos = position("execute demo ma")
    assert pos.arg is not None
    assert pos.arg.kind == "flow"
    assert pos.previous_values == {"project": "demo"}
    assert (pos.word, pos.word_start) == ("ma", 13)


def test_position_after_an_option_that_takes_a_value() -> None:
    pos = position("execute demo main --disable ")
    assert pos.expecting == "option-value"
    assert pos.option is not None
    assert pos.option.kind == "job"
    assert pos.previous_values == {"project": "demo", "flow": "main"}
    pos = position("execute demo main --concurrent pi")
    assert pos.option is not None
    assert pos.option.dest == "concurrent"
    assert pos.word == "pi"


def test_position_in_an_unfinished_quote() -> None:
    pos = position('upload "my pro')
    assert pos.arg is not None
    assert pos.arg.kind == "project"
    assert pos.word == "my pro"
    assert pos.word_start == 7


def test_position_skips_an_optional_choice_that_does_not_fit() -> None:
    assert position("call ").arg.name == "METHOD"
    assert position("call /manager ").arg.kind == "ajax-param"
    assert position("call GET ").arg.name == "PATH"
    assert position("call G").arg.name == "METHOD"  # still typing: the start of GET fits
    assert position("call /ma").arg.name == "PATH"


def test_position_of_an_unknown_command() -> None:
    pos = position("nope ")
    assert pos.command is None
    assert pos.expecting == "arg"


def test_position_never_raises_on_bad_input() -> None:
    for line in ["show x ", "execute a b --nope ", "execute a b c d e ", 'x "', "--", "- -"]:
        position(line)
