"""The writer: results on stdout, one-line errors on stderr, the pager only when needed."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from azshell.shell.run.output import Output


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def small_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("LINES", "10")


def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A PAGER that copies what it is given into a file, between markers."""
    target = tmp_path / "paged.txt"
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\n{{ echo BEGIN; cat; echo END; }} > {target}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), target


def test_short_answers_are_not_paged(tmp_path: Path, small_screen: None) -> None:
    command, target = fake_pager(tmp_path)
    out = Output(TTY(), TTY(), pager=True, pager_command=command)
    out.result("one\ntwo")
    assert out.stdout.getvalue() == "one\ntwo\n"
    assert not target.exists()


def test_tall_answers_are_paged_on_a_terminal(tmp_path: Path, small_screen: None) -> None:
    command, target = fake_pager(tmp_path)
    out = Output(TTY(), TTY(), pager=True, pager_command=command)
    text = "\n".join(f"line {i}" for i in range(30))
    out.result(text)
    assert out.stdout.getvalue() == ""
    assert target.read_text() == f"BEGIN\n{text}\nEND\n"


def test_long_lines_count_as_several(tmp_path: Path, small_screen: None) -> None:
    command, target = fake_pager(tmp_path)
    out = Output(TTY(), TTY(), pager=True, pager_command=command)
    out.result("x" * 400)  # 10 screen lines at 40 columns
    assert target.exists()


def test_never_paged_in_a_pipe_or_when_off(tmp_path: Path, small_screen: None) -> None:
    command, target = fake_pager(tmp_path)
    text = "\n".join(str(i) for i in range(100))
    Output(io.StringIO(), io.StringIO(), pager=True, pager_command=command).result(text)
    Output(TTY(), TTY(), pager=False, pager_command=command).result(text)
    assert not target.exists()


def test_a_missing_pager_falls_back(tmp_path: Path, small_screen: None,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither less nor more can be found
    out = Output(TTY(), TTY(), pager=True, pager_command="no-such-pager -x")
    out.result("\n".join(str(i) for i in range(100)))
    assert out.stdout.getvalue().startswith("0\n1\n")


def test_errors_are_one_line() -> None:
    out = Output(io.StringIO(), io.StringIO())
    out.error("first\n  second\n")
    out.location = "x.az:2"
    out.error("boom")
    assert out.stderr.getvalue() == "error: first; second\nx.az:2: error: boom\n"
    assert out.stdout.getvalue() == ""


def test_colour_follows_the_setting_and_the_terminal() -> None:
    assert Output(TTY(), TTY(), color="auto").color is True
    assert Output(io.StringIO(), io.StringIO(), color="auto").color is False
    assert Output(io.StringIO(), io.StringIO(), color="on").color is True
    assert Output(TTY(), TTY(), color="off").color is False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_paragraph_wraps_whole_words_on_a_terminal_and_stays_one_line_in_a_pipe(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The --sandbox banner: a terminal of 60 columns broke '(only' as '(o' + 'nly'."""
    monkeypatch.setenv("COLUMNS", "60")
    text = ("users: azkaban/azkaban (admin, you are logged in as it), reader/reader (reads "
            "every project, changes nothing), alice/alice (only what a project grants her)")
    screen = _Terminal()
    Output(io.StringIO(), screen).paragraph(text)
    lines = screen.getvalue().splitlines()
    assert len(lines) > 1
    assert all(len(line) < 60 for line in lines)
    assert all(line.startswith("  ") for line in lines[1:])  # the hanging indent
    assert " ".join(line.strip() for line in lines) == text  # no word broken
    pipe = io.StringIO()
    Output(io.StringIO(), pipe).paragraph(text)
    assert pipe.getvalue() == text + "\n"
