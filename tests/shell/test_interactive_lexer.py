"""Input highlighting: the role of every word, from the table and the names seen."""

from __future__ import annotations

import pytest
from prompt_toolkit.document import Document

from azshell.shell.interactive.lexer import CommandLexer, highlight
from azshell.shell.names.book import NameBook


@pytest.fixture
def book() -> NameBook:
    book = NameBook(None)
    book.add_jobs("demo", "main", ["extract", "load"])
    return book


def styled(line: str, book: NameBook | None) -> list[tuple[str, str]]:
    """The non-blank fragments, with the "class:" prefix dropped."""
    return [(style.removeprefix("class:"), text) for style, text in highlight(line, book)
            if text.strip()]


def test_every_character_is_covered(book: NameBook) -> None:
    for line in ("", "  ", "execute  demo main --disable load  # c", 'create x "a b', "zz yy"):
        assert "".join(text for _, text in highlight(line, book)) == line


def test_command_options_and_known_names(book: NameBook) -> None:
    assert styled("execute demo main --disable load", book) == [
        ("command", "execute"), ("name.known", "demo"), ("name.known", "main"),
        ("option", "--disable"), ("name.known", "load")]


def test_unknown_names_are_marked(book: NameBook) -> None:
    assert styled("jobs demo nope", book) == [
        ("command", "jobs"), ("name.known", "demo"), ("name.unknown", "nope")]
    assert styled("flows other", book)[1] == ("name.unknown", "other")


def test_errors(book: NameBook) -> None:
    assert styled("frobnicate demo", book)[0] == ("error", "frobnicate")
    assert styled("flows demo extra", book)[2] == ("error", "extra")
    assert styled("projects --bogus", book)[1] == ("error", "--bogus")
    assert styled("execute demo main --concurrent sometimes", book)[4] == ("error", "sometimes")
    assert styled("show abc", book)[1] == ("error", "abc")


def test_a_command_being_typed_is_not_an_error_yet(book: NameBook) -> None:
    assert styled("exe", book) == [("", "exe")]


def test_values_numbers_strings_keyvalues_and_comments(book: NameBook) -> None:
    assert styled("show 42", book)[1] == ("number", "42")
    assert styled("set output table", book)[1:] == [("value", "output"), ("value", "table")]
    assert styled('create demo "Nightly loads"', book)[2] == ("string", '"Nightly loads"')
    assert styled("execute demo main -p day=monday", book)[4:] == [
        ("key", "day"), ("", "="), ("string", "monday")]
    assert styled("projects # all of them", book)[1] == ("comment", "# all of them")
    assert styled("execute demo main --concurrent=skip", book)[3:] == [
        ("option", "--concurrent="), ("value", "skip")]
    assert styled("upload demo ./dir", book)[2] == ("path", "./dir")


def test_the_lexer_reads_the_current_book(book: NameBook) -> None:
    current: list[NameBook | None] = [None]
    lexer = CommandLexer(lambda: current[0])
    get_line = lexer.lex_document(Document("flows demo"))
    assert ("", "demo") in get_line(0)
    current[0] = book
    get_line = lexer.lex_document(Document("flows demo\nflows x"))
    assert ("class:name.known", "demo") in get_line(0)
    assert ("class:name.unknown", "x") in get_line(1)
    assert get_line(5) == []


def test_a_setting_whose_values_are_suggestions_takes_any_value() -> None:
    """`set tz` lists local and UTC but takes any zone; `set output` takes its choices only."""
    assert "class:error" not in {style for style, _ in highlight("set tz Europe/Paris")}
    assert "class:error" not in {style for style, _ in highlight("set query '[].name'")}
    assert ("class:error", "pretty") in highlight("set output pretty")
