"""The words of the follow commands: pasted execution addresses, `log [EXECID] [JOB]`, the new
options, and what completion and highlighting make of them."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from azshell.errors import UsageError
from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.interactive.lexer import highlight
from azshell.shell.line.parser import execution_url, parse
from azshell.shell.names.book import NameBook

UI = "http://azkaban.example.com:8081/executor"


@pytest.mark.parametrize(("word", "found"), [
    (f"{UI}?execid=42", (42, None)),
    (f"{UI}?execid=42&job=load", (42, "load")),
    (f"{UI}?execid=42&jobId=sub:inner", (42, "sub:inner")),
    (f"{UI}?execid=42#jobslist", (42, None)),
    (f"{UI}?execid=42&job=load#log", (42, "load")),
    ("https://az/executor?execid=7&job=a%20b", (7, "a b")),
    ("executor?execid=5&job=x", (5, "x")),
    (f"{UI}?execid=0", None),
    (f"{UI}?execid=abc", None),
    (f"{UI}?project=demo", None),
    ("42", None),
    ("execid=42", None),
])
def test_execution_url(word: str, found: tuple[int, str | None] | None) -> None:
    assert execution_url(word) == found


def values(line: str) -> dict:
    inv = parse(line)
    assert inv is not None
    return inv.values


def test_a_pasted_address_is_the_execid_and_fills_the_job() -> None:
    assert values(f"log {UI}?execid=42&job=load") == {
        "execid": 42, "job": "load", "follow": False}
    assert values(f"log {UI}?execid=42&job=load other")["job"] == "other"  # typed wins
    assert values(f"log {UI}?execid=42&job=load --job other")["job"] == "other"
    assert values(f"log {UI}?execid=42 -f")["job"] is None
    assert values(f"wait {UI}?execid=42&job=load#jobslist") == {"execid": 42, "timeout": None}
    assert values(f"cancel {UI}?execid=42")["execid"] == 42
    assert values(f"rerun {UI}?execid=42 --all --wait")["execid"] == 42


def test_log_takes_a_job_without_an_execid() -> None:
    assert values("log load") == {"execid": None, "job": "load", "follow": False}
    assert values("log 42 sub:inner --follow") == {"execid": 42, "job": "sub:inner",
                                                   "follow": True}
    assert values("log -j load 42") == {"execid": 42, "job": "load", "follow": False}


def test_bad_words_are_one_line_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"^wait: EXECID must be a positive execution id"):
        parse("wait soon")
    with pytest.raises(UsageError, match=r"^wait: --timeout must be a positive number"):
        parse("wait 4 --timeout 0")
    with pytest.raises(UsageError, match=r"^log: unexpected argument 'b'"):
        parse("log a b c")
    with pytest.raises(UsageError, match=r"^rerun: unknown option '--everything'"):
        parse("rerun 4 --everything")


@pytest.fixture
def book() -> NameBook:
    book = NameBook(None)
    book.add_jobs("demo", "main", ["extract", "load", "sub:inner"])
    book.add_execution(42, "demo", "main", "FAILED", 1_700_000_100_000)
    book.add_execution(41, "demo", "main", "SUCCEEDED", 1_700_000_000_000)
    return book


def texts(book: NameBook, text: str, last: int | None = None) -> list[str]:
    completer = ShellCompleter(lambda: book, None, lambda: last)
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


def test_completion_of_execids_and_of_the_job_of_an_execution(book: NameBook) -> None:
    assert texts(book, "wait ") == ["42", "41"]
    assert texts(book, "rerun 4") == ["42", "41"]
    assert texts(book, "log 42 ") == ["extract", "load", "sub:inner"]
    assert texts(book, "log 42 lo") == ["load"]
    assert texts(book, f"log {UI}?execid=42 su") == ["sub:inner"]
    assert texts(book, "log lo", last=42) == ["load"]  # the last execution's jobs
    assert "--follow" in texts(book, "log 42 load --f")
    assert texts(book, "execute demo main --w") == ["--wait"]


def test_highlighting_accepts_a_pasted_address(book: NameBook) -> None:
    styles = {text: style for style, text in highlight(f"log {UI}?execid=42 load", book)}
    assert styles[f"{UI}?execid=42"] == "class:number"
    assert styles["load"].startswith("class:name")  # a job, not an error
    assert {t: s for s, t in highlight("wait 4x", book)}["4x"] == "class:error"
