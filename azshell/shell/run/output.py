"""Where text goes: results to stdout (through the pager when they do not fit), the rest to stderr.

Results are the only thing on stdout, so a pipe always gets clean JSON; errors, progress, verbose
and timing lines go to stderr. The pager is used only on a terminal and only when the answer is
taller than the screen.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

# An error line names what it is about (a project, a path, a value the user typed), and a word
# pasted by mistake (a 2 MB project name) must not become a 2 MB line. A longer word keeps its
# start and end around "…"; the whole line stops at LINE_LIMIT, which still leaves room for a
# server's own message (a validator report of a few jobs). The full text goes to the --debug log.
WORD_LIMIT = 160
LINE_LIMIT = 1000
_LONG_WORD = re.compile(rf"\S{{{WORD_LIMIT + 1},}}")
_log = logging.getLogger("azshell.shell")


def shorten_words(text: str) -> str:
    """``text`` with each word over WORD_LIMIT characters cut in the middle."""
    head = WORD_LIMIT * 3 // 4
    tail = WORD_LIMIT - head - 1
    return _LONG_WORD.sub(lambda m: f"{m[0][:head]}…{m[0][-tail:]}", text)


def error_line(message: str) -> str:
    """A message as one error line of a sane length (see WORD_LIMIT)."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    line = shorten_words("; ".join(lines) or "failed")
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"


# What a terminal would act on rather than show: C0 controls but tab and newline, DEL, the C1
# controls (U+009B is a CSI on its own), and a carriage return that does not end a line. An
# answer's text can carry them (a job's log, a project's description, an error message): shown
# raw they set the window title, clear the screen or hide a line. On a terminal they are shown
# as ``\x1b``; in a pipe nothing is changed. The colour sequences azshell adds itself (SGR,
# ``ESC [ digits m``) are kept where the text is azshell's own (``keep_sgr``).
_SGR = r"\x1b\[[0-9;]{0,32}m"
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n|\Z)")
_UNSAFE_KEEPING_SGR = re.compile(f"({_SGR})|{_UNSAFE.pattern}")


def _shown(char: str) -> str:
    return f"\\x{ord(char):02x}"


def visible(text: str, *, keep_sgr: bool = False) -> str:
    """``text`` with every control character a terminal would interpret shown as ``\\xNN``."""
    if keep_sgr:
        return _UNSAFE_KEEPING_SGR.sub(lambda m: m[1] or _shown(m[0]), text)
    return _UNSAFE.sub(lambda m: _shown(m[0]), text)


def visible_data(data: object) -> object:
    """A copy of a JSON value with :func:`visible` strings (keys too), for tables."""
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, dict):
        return {visible(str(k)): visible_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [visible_data(v) for v in data]
    return data


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Output:
    """The shell's writer; ``location`` (``script.az:3``) prefixes errors in scripts."""

    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        *,
        color: str = "auto",
        pager: bool = True,
        pager_command: str = "less -R",
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.stdout_tty = _isatty(self.stdout)
        self.stderr_tty = _isatty(self.stderr)
        self.color_setting = color
        self.pager = pager
        self.pager_command = pager_command
        self.location: str | None = None
        self.secrets: Callable[[], Iterable[str]] = tuple  # passwords never shown (the context's)

    @property
    def color(self) -> bool:
        """Colour on stdout: ``on``, or ``auto`` on a terminal (NO_COLOR made it ``off``)."""
        if self.color_setting == "on":
            return True
        return self.color_setting == "auto" and self.stdout_tty

    def size(self) -> tuple[int, int]:
        """(columns, lines) of the terminal, or a sensible default in a pipe."""
        size = shutil.get_terminal_size((100, 40))
        return size.columns, size.lines

    def result(self, text: str, *, page: bool = True) -> None:
        """Print one answer, paging it when it is taller than the terminal (and ``page``)."""
        if not text.endswith("\n"):
            text += "\n"
        if self.stdout_tty:  # the last guard: no answer drives the terminal
            text = visible(text, keep_sgr=True)
        if page and self.wants_pager(text):
            with contextlib.suppress(OSError):
                if self.page(text):
                    return
        self.stdout.write(text)
        self.stdout.flush()

    def wants_pager(self, text: str) -> bool:
        if not (self.pager and self.stdout_tty):
            return False
        columns, lines = self.size()
        height = sum(max(1, -(-len(line) // max(columns, 1))) for line in text.splitlines())
        return height > lines - 1

    def page(self, text: str) -> bool:
        """Show ``text`` in the pager; False if no pager could run (the caller prints it)."""
        for command in (self.pager_command, "less -R", "more"):
            argv = shlex.split(command)
            if not argv or not shutil.which(argv[0]):
                continue
            env = dict(os.environ)
            if os.path.basename(argv[0]) == "less" and "LESS" not in env:
                # -R: colours pass; -X: what was shown stays on the screen after q
                has_x = any(a.startswith("-") and "X" in a for a in argv[1:])
                env["LESS"] = "-R" if has_x else "-RX"
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env, text=True)
            try:
                assert proc.stdin is not None
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.write(text)
                    proc.stdin.close()
                while True:
                    try:
                        proc.wait()
                        break
                    except KeyboardInterrupt:  # the pager handles Ctrl-C itself
                        continue
            finally:
                if proc.poll() is None:
                    proc.kill()
            return True
        return False

    def hide(self, text: str) -> str:
        """``text`` with every password the shell knows replaced by ``<password>``."""
        for secret in sorted(self.secrets(), key=len, reverse=True):
            text = text.replace(secret, "<password>")
        return text

    def error(self, message: str) -> None:
        """One line on stderr: ``file:line: error: message`` in scripts, ``error: message`` else."""
        prefix = f"{self.location}: error: " if self.location else "error: "
        line = error_line(self.hide(message))
        if len(line) < len(message.strip()):
            _log.debug("error line shortened; in full: %s", message)
        if self.stderr_tty:
            line = visible(line, keep_sgr=True)
        self.stderr.write(prefix + line + "\n")
        self.stderr.flush()

    def paragraph(self, message: str) -> None:
        """A long note, wrapped at whole words to the terminal's width with a hanging indent
        (the terminal itself would break words anywhere); a pipe gets it on one line."""
        if self.stderr_tty:
            import textwrap

            width = max(40, self.size()[0] - 1)
            message = "\n".join(textwrap.wrap(message, width, subsequent_indent="  ",
                                              break_long_words=False, break_on_hyphens=False))
        self.note(message)

    def note(self, message: str) -> None:
        """An informational line on stderr (progress, verbose, timing, warnings)."""
        text = self.hide(message.rstrip("\n"))
        if self.stderr_tty:
            text = visible(text, keep_sgr=True)
        self.stderr.write(text + "\n")
        self.stderr.flush()
