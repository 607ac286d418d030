"""The prompt text and the bottom toolbar's content."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from azshell.shell.interactive.toolbar import (
    Status,
    make_toolbar,
    prompt_text,
    server_label,
    usage_fragments,
)
from azshell.shell.line.commands import find
from azshell.shell.line.parser import position
from azshell.shell.names.book import NameBook
from azshell.shell.session.settings import Settings


def ctx(url: str | None = "http://localhost:8081", user: str | None = "azkaban",
        client: Any = None, last: int | None = None) -> Any:
    return SimpleNamespace(session=SimpleNamespace(connected=client),
                           settings=Settings(url=url, user=user),
                           last_execid=last)


def test_server_label() -> None:
    assert server_label("http://localhost:8081") == "localhost:8081"
    assert server_label("http://localhost:8081/") == "localhost:8081"
    assert server_label("https://az.example.com") == "https://az.example.com"
    assert server_label("http://host/azkaban") == "host/azkaban"
    assert server_label(None) == ""


def test_prompt_shows_user_and_server() -> None:
    assert prompt_text(ctx()) == "azkaban@localhost:8081> "
    client = SimpleNamespace(url="http://127.0.0.1:9000", user="reader")
    assert prompt_text(ctx(client=client)) == "reader@127.0.0.1:9000> "
    assert prompt_text(ctx(url=None, user=None)) == "azshell> "
    assert prompt_text(ctx(user=None)) == "localhost:8081> "


def text_of(fragments: list[tuple[str, str]]) -> str:
    return "".join(text for _, text in fragments)


def test_usage_marks_the_word_at_the_cursor() -> None:
    command = find("execute")
    assert command is not None
    fragments = usage_fragments(command, position("execute demo "))
    assert text_of(fragments) == command.usage()
    assert ("class:bottom-toolbar.current", "FLOW") in fragments
    fragments = usage_fragments(command, position("execute demo main --disable "))
    assert ("class:bottom-toolbar.current", "[--disable JOB]...") in fragments


def test_toolbar_shows_session_names_last_execution_and_syntax() -> None:
    book = NameBook(None)
    book.add_execution(42, "demo", "main", "RUNNING")
    status = Status(session="valid", names="refreshing")
    line = ["upload demo "]
    toolbar = make_toolbar(ctx(last=42), status, lambda: book, lambda: line[0])
    text = text_of(toolbar())
    assert text.startswith(" upload PROJECT PATH [--create]")
    assert "azkaban@localhost:8081" in text
    assert "session valid" in text
    assert "names refreshing" in text
    assert "last exec 42 RUNNING" in text
    assert ("class:status.running", "RUNNING") in toolbar()  # in the live view's colour
    line[0] = ""
    assert "upload" not in text_of(toolbar())
    status.set(session="expired", note="cannot connect")
    assert "session expired" in text_of(toolbar())
    assert "cannot connect" in text_of(toolbar())


def test_toolbar_when_not_connected() -> None:
    toolbar = make_toolbar(ctx(url=None, user=None), Status(), lambda: None, lambda: "")
    assert "not connected" in text_of(toolbar())


def test_a_long_syntax_gives_way_to_the_session_part() -> None:
    book = NameBook(None)
    status = Status(session="valid")
    line = ["execute demo main --on-failure "]
    toolbar = make_toolbar(ctx(), status, lambda: book, lambda: line[0], lambda: 110)
    fragments = toolbar()
    text = text_of(fragments)
    assert len(text) <= 110
    assert text.startswith(" execute PROJECT FLOW [FLOW]... [OPTIONS] [--on-failure ACTION]")
    assert text.endswith("session valid ")
    assert ("class:bottom-toolbar.current", "[--on-failure ACTION]") in fragments
    line[0] = "execute "
    assert text_of(toolbar()).startswith(" execute PROJECT FLOW [FLOW]... [OPTIONS]  |")


def test_a_very_narrow_terminal_shows_the_syntax_cut() -> None:
    toolbar = make_toolbar(ctx(), Status(session="valid"), lambda: None,
                           lambda: "execute demo ", lambda: 30)
    text = text_of(toolbar())
    assert len(text) <= 30
    assert text.startswith(" execute PROJECT FLOW")
    assert text.endswith("…")
