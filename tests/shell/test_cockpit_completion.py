"""Completion of the operator's commands (graph, stats, top, wait, log), from the table."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.names.book import NameBook


@pytest.fixture
def book() -> NameBook:
    book = NameBook(None)
    book.add_projects([("demo", ""), ("etl", "")])
    book.add_flows("demo", [("main", ""), ("cleanup", "")])
    book.add_execution(41, "demo", "main", "SUCCEEDED", 1_700_000_000_000)
    book.add_execution(42, "demo", "cleanup", "FAILED", 1_700_000_100_000)
    return book


def texts(book: NameBook, text: str) -> list[str]:
    completer = ShellCompleter(lambda: book, None)
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


def test_graph_stats_and_top_complete_projects_and_flows(book: NameBook) -> None:
    for command in ("graph", "stats", "top"):
        assert texts(book, f"{command} de") == ["demo"]
        assert sorted(texts(book, f"{command} demo ")) == ["cleanup", "main"]


def test_options_and_their_choices(book: NameBook) -> None:
    assert texts(book, "graph demo main --format ") == ["text", "dot", "mermaid"]
    assert texts(book, "top --status RU") == ["RUNNING"]
    assert "--grep" in texts(book, "log 42 --")
    assert "--failed" in texts(book, "log 42 --")
    assert "--on-done" in texts(book, "wait 41 --")


def test_wait_completes_one_execution_id_after_another(book: NameBook) -> None:
    assert set(texts(book, "wait ")) >= {"41", "42"}
    assert set(texts(book, "wait 41 ")) >= {"42"}


def test_set_tz_offers_local_and_utc(book: NameBook) -> None:
    assert texts(book, "set tz ") == ["local", "UTC"]
