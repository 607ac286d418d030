"""Split and parse one shell line against the command table.

Three consumers share one state machine: ``parse`` (strict: the dispatcher and scripts),
``position`` (tolerant: what the completer, the lexer and the toolbar see at the cursor) and
``split`` (tolerant of an unfinished quote). Quoting follows the POSIX shell's basic rules:
single quotes, double quotes, backslash escapes, and ``#`` at the start of a word begins a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from azshell.errors import UsageError
from azshell.shell.line.commands import Arg, Command, Opt, all_words, find
from azshell.shell.line.kinds import KINDS, execution_url, fits_choices, looks_like_execid

__all__ = ["Invocation", "Position", "Token", "convert", "execution_url", "fits_choices",
           "is_option", "looks_like_execid", "parse", "position", "split", "suggest", "tokens"]


# eq and repr are not generated: start-up speed (line/commands.py says why)
@dataclass(frozen=True, eq=False, repr=False)
class Token:
    """One word of a line: its unquoted text and where it sits in the raw line."""

    text: str
    start: int
    end: int
    open_quote: str = ""  # the quote left unfinished at the end of the line, if any


@dataclass(frozen=True)
class Redirect:
    """Where a line's answer goes instead of the screen: ``| shell pipeline``, ``> FILE`` or
    ``>> FILE`` (as in pgcli and iredis); ``target`` is the pipeline's text or the file."""

    operator: str  # "|", ">" or ">>"
    target: str


@dataclass(frozen=True, eq=False, repr=False)
class Invocation:
    """A parsed line: the command and its values (``Arg.key`` / ``Opt.dest`` → value)."""

    command: Command
    values: dict[str, Any]
    line: str
    redirect: Redirect | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Position:
    """What the word at the end of the line is, for completion, highlighting and the toolbar."""

    command: Command | None
    arg: Arg | None
    option: Opt | None
    expecting: str  # "command" | "arg" | "option-value" | "option-or-arg"
    previous_values: dict[str, Any] = field(default_factory=dict)
    word: str = ""  # the (unquoted) word being typed, "" after a space
    word_start: int = 0  # its offset in the line


def command_end(line: str) -> int | None:
    """Where the command ends: the offset of the first ``|`` or ``>`` outside quotes (not in a
    comment), else None. What follows is a shell pipeline or a file, not the command's words."""
    i, n, quote, word_start = 0, len(line), "", True
    while i < n:
        ch = line[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"':
                i += 1
        elif ch in "'\"":
            quote, word_start = ch, False
        elif ch == "\\":
            i += 1
            word_start = False
        elif ch in "|>":
            return i
        elif ch.isspace():
            word_start = True
        elif ch == "#" and word_start:
            return None
        else:
            word_start = False
        i += 1
    return None


def split_redirect(line: str) -> tuple[str, str, str]:
    """``(command text, operator, the rest)``; the operator is "" when the line has none."""
    end = command_end(line)
    if end is None:
        return line, "", ""
    operator = ">>" if line.startswith(">>", end) else line[end]
    return line[:end], operator, line[end + len(operator):]


def tokens(line: str) -> list[Token]:
    """The words of the command in ``line`` (up to a ``|`` or ``>``); an unfinished quote runs
    to the end of the line."""
    out: list[Token] = []
    end = command_end(line)
    i, n = 0, len(line) if end is None else end
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        if line[i] == "#":
            break
        start, buf, quote = i, [], ""
        while i < n and (quote or not line[i].isspace()):
            ch = line[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and quote == '"' and i + 1 < n and line[i + 1] in '"\\$`':
                    i += 1
                    buf.append(line[i])
                else:
                    buf.append(ch)
            elif ch in "'\"":
                quote = ch
            elif ch == "\\" and i + 1 < n:
                i += 1
                buf.append(line[i])
            elif ch != "\\":
                buf.append(ch)
            i += 1
        out.append(Token("".join(buf), start, i, quote))
    return out


def split(line: str) -> list[str]:
    """The unquoted words of ``line``, never failing on an unfinished quote."""
    return [t.text for t in tokens(line)]


def is_option(word: str) -> bool:
    """``-a``/``--all`` are options; ``-`` alone and negative numbers are values."""
    return len(word) > 1 and word[0] == "-" and not re.fullmatch(r"-\d+", word)


class _Walker:
    """Feeds the words after the command name through the command's grammar."""

    def __init__(self, command: Command, strict: bool) -> None:
        self.command = command
        self.strict = strict
        self.values: dict[str, Any] = {}
        self.arg_index = 0
        self.pending: Opt | None = None  # an option waiting for its value
        self.options_done = False
        self.url_job: str | None = None  # the job named by a pasted execution address
        self.given: set[str] = set()  # options with a value seen so far (one value each)
        for opt in command.options:
            self.values[opt.dest] = [] if opt.repeat else (False if not opt.takes_value else None)
        for arg in command.args:
            self.values[arg.key] = [] if arg.repeat else None

    def fail(self, message: str) -> None:
        if self.strict:
            raise UsageError(f"{self.command.name}: {message} {self.command.error_usage()}")

    def feed(self, word: str) -> None:
        if self.pending is not None:
            opt, self.pending = self.pending, None
            self.set_option(opt, word)
        elif word == "--" and not self.options_done:
            self.options_done = True
        elif is_option(word) and not self.options_done:
            self.start_option(word)
        else:
            self.positional(word)

    def start_option(self, word: str) -> None:
        flag, eq, inline = word.partition("=")
        opt = self.command.option(flag)
        if opt is None:
            self.fail(f"unknown option {flag!r}")
            return
        if not opt.takes_value:
            if eq:
                self.fail(f"option {opt.long} takes no value")
            self.values[opt.dest] = True
        elif eq:
            self.set_option(opt, inline)
        else:
            self.pending = opt

    def convert(self, kind: str, word: str, choices: tuple[str, ...], what: str) -> Any:
        try:
            return convert(kind, word, choices, what, self.strict)
        except UsageError as err:
            raise UsageError(f"{self.command.name}: {err}") from None

    def set_option(self, opt: Opt, word: str) -> None:
        value = self.convert(opt.kind, word, opt.choices, opt.long)
        self.note_url(opt.kind, word)
        if opt.repeat:
            self.values[opt.dest].append(value)
            return
        if opt.long in self.given:  # which one was meant? (`lock -m a -m b`)
            self.fail(f"option {opt.long} given twice; it takes one value")
        self.given.add(opt.long)
        self.values[opt.dest] = value

    def next_arg(self, word: str | None, partial: bool = False) -> Arg | None:
        """The argument ``word`` would fill, skipping an optional choice it does not fit
        (``partial``: the word is still being typed, so the start of a choice fits too)."""
        args = self.command.args
        while self.arg_index < len(args):
            arg = args[self.arg_index]
            later_required = any(not a.optional for a in args[self.arg_index + 1 :])
            if (
                word is not None and arg.optional and arg.choices and later_required
                and not fits_choices(word, arg.choices)
                and not (partial and any(c.lower().startswith(word.lower())
                                         for c in arg.choices))
                and not (arg.kind == "method" and word.isalpha() and word.isupper())  # DELETE
            ):
                self.arg_index += 1
                continue
            if (  # `log load`: a name where an optional execution id may stand
                word is not None and arg.optional and arg.kind == "execid"
                and self.arg_index + 1 < len(args) and not looks_like_execid(word)
            ):
                self.arg_index += 1
                continue
            return arg
        return None

    def positional(self, word: str) -> None:
        arg = self.next_arg(word)
        if arg is None:
            self.fail(f"unexpected argument {word!r}")
            return
        value = self.convert(arg.kind, word, arg.choices, arg.name)
        self.note_url(arg.kind, word)
        if arg.repeat:
            self.values[arg.key].append(value)
        else:
            self.values[arg.key] = value
            self.arg_index += 1

    def note_url(self, kind: str, word: str) -> None:
        if kind == "execid":
            found = execution_url(word)
            if found is not None and found[1]:
                self.url_job = found[1]

    def fill_job(self) -> None:
        """A pasted address's job fills the command's JOB, if it has one and it is empty."""
        if self.url_job is None:
            return
        targets = [a.key for a in self.command.args if a.kind == "job" and not a.repeat]
        targets += [o.dest for o in self.command.options if o.kind == "job" and not o.repeat]
        if targets and not self.values.get(targets[0]):
            self.values[targets[0]] = self.url_job

    def finish(self) -> None:
        self.fill_job()
        if self.pending is not None:
            self.fail(f"option {self.pending.long} needs a value")
        for arg in self.command.args[self.arg_index :]:
            if not arg.optional and not (arg.repeat and self.values[arg.key]):
                self.fail(f"missing {arg.name}")



def convert(kind: str, word: str, choices: tuple[str, ...], what: str, strict: bool = True) -> Any:
    """Check and convert one value by its kind (azshell.shell.line.kinds); the tolerant mode keeps
    the raw word."""
    return KINDS[kind].convert(word, choices, what) if strict else word


def suggest(word: str) -> str:
    """`` (did you mean 'flows'?)`` or ``""``."""
    import difflib  # only for a mistyped command

    close = difflib.get_close_matches(word.lower(), all_words(), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


HELP_FLAGS = ("--help", "-h")


def _asks_for_help(command: Command, words: list[str]) -> bool:
    """``execute --help`` and ``execute -h`` (before a ``--``) mean ``help execute``, unless
    the command has such an option of its own."""
    for word in words:
        if word == "--":
            return False
        if word in HELP_FLAGS and command.option(word) is None:
            return True
    return False


def _redirect(operator: str, rest: str) -> Redirect:
    """The target after ``|``, ``>`` or ``>>``: a pipeline as typed, or exactly one file."""
    if operator == "|":
        if not rest.strip():
            raise UsageError("| needs a command to pipe the answer to")
        return Redirect(operator, rest.strip())
    words = _scan_words(rest)
    if len(words) != 1 or words[0].open_quote:
        raise UsageError(f"{operator} needs one file name")
    return Redirect(operator, words[0].text)


def _scan_words(text: str) -> list[Token]:
    """The words of ``text`` with the line's quoting, where ``|`` and ``>`` are plain."""
    escaped = "".join(f"\\{ch}" if ch in "|>" else ch for ch in text)
    return tokens(escaped)


def parse(line: str) -> Invocation | None:
    """Parse one line; None for a blank or comment line; UsageError with one line otherwise."""
    toks = tokens(line)
    _, operator, rest = split_redirect(line)
    if not toks:
        if operator:
            raise UsageError(f"a command must come before {operator}")
        return None
    if toks[-1].open_quote:
        raise UsageError(f"unfinished {toks[-1].open_quote} quote")
    name = toks[0].text
    command = find(name) or find(name.lower())
    if command is None:
        from azshell.shell.line.secretwords import looks_like_secret

        if looks_like_secret(name):  # a password typed where no password was asked
            raise UsageError(f"unknown command ({len(name)} characters that look like a "
                             "password: not shown, not kept in the history); type 'help' "
                             "for the list")
        raise UsageError(f"unknown command {name!r}{suggest(name)}; type 'help' for the list")
    if _asks_for_help(command, [tok.text for tok in toks[1:]]):
        helper = find("help")
        if helper is not None:
            return Invocation(helper, {"command": command.name}, line,
                              _redirect(operator, rest) if operator else None)
    walker = _Walker(command, strict=True)
    for tok in toks[1:]:
        walker.feed(tok.text)
    walker.finish()
    redirect = _redirect(operator, rest) if operator else None
    return Invocation(command, walker.values, line, redirect)


def position(line: str) -> Position:
    """What is being typed at the end of ``line`` (the text before the cursor); after a ``|``
    it is a shell pipeline (``expecting="pipeline"``), after ``>`` a file (``"file"``)."""
    toks = tokens(line)
    command_text, operator, rest = split_redirect(line)
    if operator:
        done_toks = tokens(command_text)
        command = (find(done_toks[0].text) or find(done_toks[0].text.lower())
                   if done_toks else None)
        word = "" if not rest.strip() or rest[-1:].isspace() else rest.split()[-1]
        return Position(command, None, None, "pipeline" if operator == "|" else "file", {},
                        word, len(line) - len(word))
    at_new_word = not toks or (line[-1:].isspace() and not toks[-1].open_quote) or (
        toks[-1].end < len(line) and not toks[-1].open_quote
    )
    if at_new_word:
        done, word, word_start = toks, "", len(line)
    else:
        done, word, word_start = toks[:-1], toks[-1].text, toks[-1].start
    if not done:
        return Position(None, None, None, "command", {}, word, word_start)
    command = find(done[0].text) or find(done[0].text.lower())
    if command is None:
        return Position(None, None, None, "arg", {}, word, word_start)
    walker = _Walker(command, strict=False)
    for tok in done[1:]:
        walker.feed(tok.text)
    values = {k: v for k, v in walker.values.items() if v not in (None, [], False)}
    if walker.pending is not None:
        return Position(command, None, walker.pending, "option-value", values, word, word_start)
    arg = walker.next_arg(None if is_option(word) else (word or None), partial=True)
    expecting = "option-or-arg" if command.options and not walker.options_done else "arg"
    return Position(command, arg, None, expecting, values, word, word_start)
