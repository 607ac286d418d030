"""Flow 2.0 conditions: the job-status macro and ``${job:param}`` comparisons.

Azkaban decides a conditional node in two steps (FlowRunner.getImpliedStatus): the status macro
(``all_success`` when none is written) says whether the node must wait, run or be cancelled;
then the rest of the expression, with the macro replaced by ``true`` and each ``${job:param}``
by that parent's output property, is evaluated by a JavaScript engine. This module does both with
a small safe evaluator that accepts the same operators.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from azshell.sandbox.runner.types import FINISHED, STATUS_FAILED, STATUS_SUCCEEDED

MACROS = ("all_success", "all_failed", "all_done", "one_success", "one_failed")
MACRO = re.compile(r"\b(" + "|".join(MACROS) + r")\b", re.IGNORECASE)
JOB_VARIABLE = re.compile(r"\$\{([^:{}]+):([^:{}]+)\}")

PENDING = "PENDING"
MET = "MET"
UNMET = "UNMET"


def status_macro(condition: str | None) -> str:
    """The job-status macro of a condition, ``all_success`` when there is none."""
    if condition:
        match = MACRO.search(condition)
        if match:
            return match.group(1).lower()
    return "all_success"


def _status_meets(status: str, macro: str) -> bool:
    if macro in ("all_success", "one_success"):
        return status in STATUS_SUCCEEDED
    if macro in ("all_failed", "one_failed"):
        return status in STATUS_FAILED
    return status in FINISHED


def check_status_macro(macro: str, parent_statuses: Sequence[str]) -> str:
    """PENDING (wait), MET or UNMET for a node whose parents have these statuses."""
    if macro.startswith("one_"):
        for status in parent_statuses:
            if status in FINISHED and _status_meets(status, macro):
                return MET
        if all(status in FINISHED for status in parent_statuses):
            return UNMET if parent_statuses else MET
        return PENDING
    if not all(status in FINISHED for status in parent_statuses):
        return PENDING
    if all(_status_meets(status, macro) for status in parent_statuses):
        return MET
    return UNMET


def check_variables(condition: str | None, lookup: Callable[[str, str], str | None]) -> bool:
    """Evaluate the non-macro part of a condition; an unparsable condition is false."""
    if not condition:
        return True
    text = MACRO.sub("true", condition, count=1)

    def replace(match: re.Match) -> str:
        value = lookup(match.group(1), match.group(2))
        if value is None:
            return match.group(0)
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    text = JOB_VARIABLE.sub(replace, text)
    try:
        return bool(_Parser(text).parse())
    except ValueError:
        return False


_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\")"
    r"|(?P<op>==|!=|>=|<=|&&|\|\||[<>!()])|(?P<word>[A-Za-z_]\w*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"unexpected text at {pos}: {text[pos:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float):
        return value
    try:
        return float(str(value))
    except ValueError:
        return None


def _compare(op: str, left: object, right: object) -> bool:
    """JavaScript-like loose comparison: numbers when both sides look numeric."""
    lnum, rnum = _as_number(left), _as_number(right)
    if lnum is not None and rnum is not None:
        a, b = lnum, rnum
    else:
        a, b = str(left), str(right)  # type: ignore[assignment]
    return {
        "==": a == b,
        "!=": a != b,
        ">": a > b,
        ">=": a >= b,
        "<": a < b,
        "<=": a <= b,
    }[op]


class _Parser:
    """Recursive descent over ``|| && ! == != < <= > >= ( )``, strings, numbers, booleans."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def parse(self) -> object:
        if not self.tokens:
            return True
        value = self._or()
        if self.pos != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ValueError("unexpected end")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _or(self) -> object:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = bool(value) or bool(right)
        return value

    def _and(self) -> object:
        value = self._not()
        while self._peek() == "&&":
            self._take()
            right = self._not()
            value = bool(value) and bool(right)
        return value

    def _not(self) -> object:
        if self._peek() == "!":
            self._take()
            return not self._not()
        return self._comparison()

    def _comparison(self) -> object:
        value = self._atom()
        while self._peek() in ("==", "!=", ">", ">=", "<", "<="):
            op = self._take()[1]
            value = _compare(op, value, self._atom())
        return value

    def _atom(self) -> object:
        kind, text = self._take()
        if text == "(":
            value = self._or()
            if self._take()[1] != ")":
                raise ValueError("missing )")
            return value
        if kind == "num":
            return float(text)
        if kind == "str":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "word" and text in ("true", "false"):
            return text == "true"
        raise ValueError(f"unexpected {text!r}")
