"""Input highlighting from the command table: what each word of the line is, as you type.

Each word's role comes from the parser's own ``position`` (the same grammar that will run the
line), so the colours never disagree with what the line means: a command, an option, a name the
shell has seen or one it has not, a number, a quoted string, a comment, or an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from prompt_toolkit.document import Document
from prompt_toolkit.lexers import Lexer

from azshell.shell.line.commands import Opt, all_words, find
from azshell.shell.line.kinds import KINDS
from azshell.shell.line.parser import (
    Token,
    fits_choices,
    is_option,
    looks_like_execid,
    position,
    split_redirect,
    tokens,
)

if TYPE_CHECKING:
    from azshell.shell.names.book import NameBook

if TYPE_CHECKING:  # prompt_toolkit's own type, without importing it for scripts
    from prompt_toolkit.formatted_text import StyleAndTextTuples as Fragments
else:
    Fragments = list
_CRON = re.compile(r"@?[0-9A-Za-z*?/,#\- ]+")

def highlight(line: str, book: NameBook | None = None) -> Fragments:
    """``[(style, text), ...]`` covering every character of ``line``."""
    out: Fragments = []
    done = 0
    toks = tokens(line)
    for index, tok in enumerate(toks):
        out.append(("", line[done : tok.start]))
        out += _token(line, tok, index, book)
        done = tok.end
    command_text, operator, target = split_redirect(line)
    rest = command_text[done:]
    hash_at = rest.find("#")
    if hash_at >= 0:
        out += [("", rest[:hash_at]), ("class:comment", rest[hash_at:])]
    else:
        out.append(("", rest))
    if operator:
        out += [("class:redirect", operator), ("class:redirect.target", target)]
    return [f for f in out if f[1]]


def _token(line: str, tok: Token, index: int, book: NameBook | None) -> Fragments:
    raw = line[tok.start : tok.end]
    if index == 0:
        return [(_command_style(tok.text), raw)]
    pos = position(line[: tok.end])
    if pos.command is None:
        return [("", raw)]
    kind, choices = "", cast("tuple[str, ...]", ())
    if pos.expecting == "option-value" and pos.option is not None:
        kind, choices = pos.option.kind, pos.option.choices
    elif is_option(tok.text) and pos.expecting == "option-or-arg" and not tok.open_quote:
        opt = pos.command.option(tok.text.partition("=")[0])
        return _option(opt, raw, pos.previous_values, book)
    elif pos.arg is None:
        return [("class:error", raw)]
    else:
        kind, choices = pos.arg.kind, _choices(pos.arg, pos.previous_values)
    if _style(kind) == "keyvalue":
        return _keyvalue(raw)
    return [(_value_style(kind, choices, tok, pos.previous_values, book), raw)]


def _command_style(word: str) -> str:
    if find(word) or find(word.lower()):
        return "class:command"
    if any(w.startswith(word.lower()) for w in all_words()):
        return ""  # still being typed
    return "class:error"


def _option(opt: Opt | None, raw: str, values: dict[str, Any], book: NameBook | None) -> Fragments:
    if opt is None:
        return [("class:error", raw)]
    flag, eq, inline = raw.partition("=")
    if not eq:
        return [("class:option", raw)]
    if not opt.takes_value:
        return [("class:option", flag), ("class:error", eq + inline)]
    value = Token(inline, 0, len(inline))
    return [("class:option", flag + eq),
            (_value_style(opt.kind, opt.choices, value, values, book), inline)]


def _keyvalue(raw: str) -> Fragments:
    key, eq, value = raw.partition("=")
    if not eq:
        return [("class:error" if not raw.startswith(("'", '"')) else "class:string", raw)]
    return [("class:key", key), ("", eq), ("class:string", value)]


def _choices(arg: Any, values: dict[str, Any]) -> tuple[str, ...]:
    """The choices a value must be one of (some depend on an earlier argument: ``set NAME
    VALUE``; none where the listed ones are only suggestions: ``set tz Europe/Paris``)."""
    choices: tuple[str, ...] = arg.limits_for(values)
    return choices


def _value_style(
    kind: str, choices: tuple[str, ...], tok: Token, values: dict[str, Any], book: NameBook | None
) -> str:
    text, style = tok.text, _style(kind)
    if style == "execid":
        return "class:number" if looks_like_execid(text) and text[:1] != "0" else "class:error"
    if style == "choice" and choices:
        return "class:value" if fits_choices(text, choices) else "class:error"
    if style in ("path", "cron"):  # cron: a field, or a whole quoted expression
        return "class:path" if style == "path" else _cron_style(text)
    if style == "name" and book is not None:
        return "class:name.known" if _known(book, kind, text, values) else "class:name.unknown"
    if tok.open_quote or style == "text":
        return "class:string"
    return ""


# The values of Kind.style this lexer shows (azshell.shell.line.kinds), each a rule in _value_style.
STYLES = ("execid", "choice", "path", "cron", "name", "text", "keyvalue")


def _style(kind: str) -> str:
    """How a value of ``kind`` is shown (``Kind.style`` in azshell.shell.line.kinds)."""
    found = KINDS.get(kind)
    return found.style if found is not None else ""


def _cron_style(text: str) -> str:
    return "class:string" if _CRON.fullmatch(text) else "class:error"


def _known(book: NameBook, kind: str, text: str, values: dict[str, Any]) -> bool:
    project = str(values.get("project") or "")
    if kind == "project":
        return book.has_project(text)
    if kind == "flow":
        return book.has_flow(project, text)
    flows = [values.get("flow"), *(values.get("more_flows") or [])]  # execute P F1 F2
    return any(text in book.jobs(project, str(flow or "")) for flow in flows)


class CommandLexer(Lexer):
    """A prompt_toolkit lexer over :func:`highlight`; ``book`` is looked up on every line so
    that a NameBook replaced after ``connect`` is seen at once."""

    def __init__(self, book: Callable[[], NameBook | None]) -> None:
        self.book = book

    def lex_document(self, document: Document) -> Callable[[int], Fragments]:
        lines = document.lines
        book = self.book()

        def get_line(number: int) -> Fragments:
            return highlight(lines[number], book) if number < len(lines) else []

        return get_line
