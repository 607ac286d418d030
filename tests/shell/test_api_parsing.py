"""The new commands' words: how lines parse, what Tab offers, how they are highlighted, what
the NameBook learns from their answers, and the cron reading and next runs (no server)."""

from __future__ import annotations

import datetime as dt

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from azshell.errors import UsageError
from azshell.shell.handlers.admin import permissions_table, project_log_table
from azshell.shell.handlers.schedules import next_runs, read_cron, schedules_table
from azshell.shell.handlers.server import status_text
from azshell.shell.handlers.sla import sla_table
from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.interactive.lexer import highlight
from azshell.shell.line.commands import find
from azshell.shell.line.parser import parse
from azshell.shell.names.book import NameBook


@pytest.fixture
def book() -> NameBook:
    names = NameBook(None)
    names.add_projects([("demo", "")])
    names.add_flows("demo", [("main", "")])
    names.add_jobs("demo", "main", ["extract", "load"])
    return names


def offered(book: NameBook, text: str) -> list[str]:
    completer = ShellCompleter(lambda: book)
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


# -- parsing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    'schedule demo main "30 2 * * 1-5"',
    "schedule demo main 30 2 * * 1-5",
    "schedule demo main '30 2 * * 1-5'",
])
def test_cron_is_one_quoted_word_or_the_remaining_words(line: str) -> None:
    inv = parse(line)
    assert inv is not None
    assert " ".join(inv.values["cron"]) == "30 2 * * 1-5"


def test_schedule_takes_executes_options() -> None:
    shared = [o for o in find("schedule").options if o.dest != "yes"]  # --yes: replace it
    assert shared == list(find("execute").options[:len(shared)])
    inv = parse("schedule demo main @daily -d load -p a=1 --concurrent pipeline:2 "
                "--on-failure possible --notify-success x@y.z")
    assert inv is not None
    assert inv.values["disable"] == ["load"]
    assert inv.values["param"] == [("a", "1")]
    assert inv.values["concurrent"] == "pipeline:2"
    assert inv.values["notify_success"] == ["x@y.z"]
    with pytest.raises(UsageError, match="unknown option '--wait'"):
        parse("schedule demo main @daily --wait")


def test_sla_show_is_the_default_and_set_a_word() -> None:
    shown = parse("sla demo main")
    assert shown is not None
    assert (shown.values["action"], shown.values["project"]) == (None, "demo")
    explicit = parse("sla show demo main")
    assert explicit is not None
    assert explicit.values["action"] == "show"
    setting = parse("sla set demo main --rule finish --within 1:00 --kill")
    assert setting is not None
    assert (setting.values["action"], setting.values["flow"]) == ("set", "main")
    with pytest.raises(UsageError, match="--rule must be one of success, finish"):
        parse("sla set demo main --rule late")


def test_grant_and_revoke_words() -> None:
    granted = parse("grant demo ops READ write --group")
    assert granted is not None
    assert granted.values["perm"] == ["read", "write"]
    assert granted.values["group"] is True
    revoked = parse("revoke demo alice")
    assert revoked is not None
    assert revoked.values["perm"] == []


def test_describe_and_download_words() -> None:
    described = parse("describe demo Nightly   loads")
    assert described is not None
    assert described.values["description"] == ["Nightly", "loads"]
    with pytest.raises(UsageError, match="missing DESCRIPTION"):
        parse("describe demo")
    with pytest.raises(UsageError, match="--version must be a positive number"):
        parse("download demo --version latest")


# -- completion and highlighting ---------------------------------------------------------------

def test_completion_of_the_new_commands(book: NameBook) -> None:
    assert offered(book, "sla ") == ["show", "set", "demo"]  # `sla demo nightly` shows
    assert offered(book, "sla d") == ["demo"]
    assert offered(book, "sla set demo ") == ["main"]
    assert offered(book, "sla set demo main --job ") == ["extract", "load"]
    assert offered(book, "sla set demo main --rule ") == ["success", "finish"]
    assert offered(book, "schedule demo main 0 2 * * * --disable ") == ["extract", "load"]
    assert offered(book, "schedule demo main ") == []  # a cron is typed, not chosen
    assert offered(book, "grant demo alice ") == ["read", "write", "execute", "schedule",
                                                   "admin"]
    assert offered(book, "unschedule demo m") == ["main"]
    assert offered(book, "project-log d") == ["demo"]
    assert "--force" in offered(book, "download demo --")


def test_cron_words_are_highlighted() -> None:
    styles = {text: style for style, text in highlight("schedule demo main 30 2 * * 1-5")}
    assert styles["30"] == styles["1-5"] == "class:string"
    quoted = highlight('schedule demo main "0 30 2 ? * MON-FRI"')
    assert ("class:string", '"0 30 2 ? * MON-FRI"') in quoted
    assert ("class:error", "3;0") in highlight("schedule demo main 3;0")


# -- cron reading (no server) ------------------------------------------------------------------

def test_read_cron_says_how_it_read_it() -> None:
    assert read_cron(["30", "2", "*", "*", "1-5"]) == (
        "0 30 2 ? * 2-6", "read as Quartz '0 30 2 ? * 2-6' (seconds first)")
    assert read_cron("0 0 12 ? * WED")[0] == "0 0 12 ? * WED"
    with pytest.raises(UsageError, match="never fires again"):
        read_cron("0 0 0 1 1 ? 1999")


def test_next_runs_in_local_time() -> None:
    start = dt.datetime(2030, 1, 4, 12, 0)  # a Friday
    assert next_runs("0 30 2 ? * MON-FRI", 3, start) == [
        "2030-01-07 02:30:00", "2030-01-08 02:30:00", "2030-01-09 02:30:00"]
    assert next_runs("0 0 0 1 1 ? 2031", 3, start) == ["2031-01-01 00:00:00"]


# -- tables and learning -----------------------------------------------------------------------

def test_tables_of_the_new_answers() -> None:
    _, rows = schedules_table([{"scheduleId": 3, "projectname": "demo", "flowname": "main",
                                "cron": None, "period": 86_400_000, "nextRun": None}])
    assert rows == [(3, "demo", "main", "every 24h 00m", "-")]
    _, rows = permissions_table({"users": [{"name": "a", "permissions": ["READ"]}],
                                 "groups": [{"name": "g", "permissions": []}],
                                 "proxyUsers": ["p"]})
    assert rows == [("a", "user", "READ"), ("g", "group", "-"), ("p", "proxy user", "-")]
    _, rows = project_log_table({"events": [{"time": -1, "user": "u", "type": "CREATED",
                                             "message": None}]})
    assert rows == [("-", "u", "CREATED", "")]
    _, rows = sla_table({"settings": [{"id": "", "duration": "75m", "rule": "SUCCEED",
                                       "actions": ["EMAIL", "KILL"]},
                                      {"job": "load", "rule": "FINISH", "within": "0:30",
                                       "email": False, "kill": True}]})
    assert rows == [("(flow)", "SUCCEED", "1:15", "EMAIL, KILL"), ("load", "FINISH", "0:30",
                                                                  "KILL")]


def test_status_text_with_an_inactive_executor_and_no_memory_limit() -> None:
    text = status_text({"url": "http://az:8081", "version": "4.0.0", "usedMemory": 1536,
                        "isDatabaseUp": False,
                        "executorStatusMap": {"2": {"id": 2, "host": "b", "port": 1,
                                                    "isActive": False}}})
    assert "memory     1.5 KiB used" in text
    assert "database   DOWN" in text
    assert "executors  0 active of 1\n  2: b:1 INACTIVE" in text


def test_the_book_learns_projects_and_flows_from_schedules_and_slas() -> None:
    names = NameBook(None)
    names.learn("schedules", {}, [{"scheduleId": 1, "projectname": "p", "flowname": "f",
                                   "cron": "0 0 0 * * ?"}])
    assert names.has_flow("p", "f")
    names.learn("sla", {"project": "q", "flow": "g"}, {"project": "q", "flow": "g",
                                                       "allJobNames": ["a"]})
    assert names.has_flow("q", "g")
