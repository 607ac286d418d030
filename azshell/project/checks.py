"""Checks both loaders share: job conditions and the memory limits of ``checkJobProperties``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from azshell.errors import ProjectLoadError

STATUS_MACROS = ("all_success", "all_failed", "all_done", "one_failed", "one_success")
_STATUS = re.compile(r"(?i)\b(" + "|".join(STATUS_MACROS) + r")\b")
_LITERAL = re.compile(r"\d+|'.*'|\".*\"", re.DOTALL)
_VARIABLE = re.compile(r"\$\{([^:{}]+):([^:{}]+)\}")
# Same alternation order as Azkaban: ">" is tried before ">=", so ">=" leaves an "=..." operand.
_OPERATORS = re.compile(r"&&|\|\||==|!=|>|>=|<|<=")
_VARIABLE_ONLY = re.compile(r"\$\{([a-zA-Z_.0-9]+)\}")

MAX_XMS = "1G"
MAX_XMX = "2G"


def java_split(text: str, pattern: re.Pattern[str]) -> list[str]:
    """``String.split(regex)``: like ``re.split`` but trailing empty strings are dropped."""
    parts = pattern.split(text)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if parts == [""] and text:
        return []
    return parts


def condition_errors(
    job: str,
    condition: str | None,
    exists: Callable[[str], bool],
    parents: Callable[[str], list[str]],
) -> list[str]:
    """Errors Azkaban's ``validateCondition`` reports for one job's ``condition``.

    ``exists(name)`` says whether a job of that name is in the flow; ``parents(name)`` gives its
    declared dependencies (used to refuse a condition on a descendant).
    """
    if condition is None:
        return []
    errors: list[str] = []
    found_macro = False
    flat = re.sub(r"\s+|\(|\)", "", condition)
    for operand in java_split(flat, _OPERATORS):
        if _STATUS.fullmatch(operand):
            if found_macro:
                errors.append(
                    f"Invalid condition for {job}: cannot combine more than one "
                    "conditionOnJobStatus macros."
                )
            found_macro = True
            continue
        value = operand[1:] if operand.startswith("!") else operand
        if value == "":
            errors.append(f"Invalid condition for {job}: operand is an empty string.")
        elif not _LITERAL.fullmatch(value):
            errors.extend(_variable_errors(job, value, exists, parents))
    return errors


def _variable_errors(
    job: str, operand: str, exists: Callable[[str], bool], parents: Callable[[str], list[str]]
) -> list[str]:
    match = _VARIABLE.fullmatch(operand)
    if not match:
        return [
            f"Invalid condition for {job}: cannot resolve the condition. "
            "Please check the syntax for supported conditions."
        ]
    other = match.group(1)
    if not exists(other):
        return [f"Invalid condition for {job}: {other} doesn't exist in the flow."]
    if _is_descendant(other, job, exists, parents, set()):
        return [
            f"Invalid condition for {job}: should not define condition on its "
            f"descendant node {other}."
        ]
    return []


def _is_descendant(
    current: str,
    target: str,
    exists: Callable[[str], bool],
    parents: Callable[[str], list[str]],
    seen: set[str],
) -> bool:
    """True when ``current`` depends, directly or not, on ``target`` (iterative: long chains)."""
    pending = [current]
    while pending:
        name = pending.pop()
        if name in seen or not exists(name):
            continue
        seen.add(name)
        deps = parents(name)
        if target in deps:
            return True
        pending.extend(deps)
    return False


def parse_mem_string(text: str) -> int:
    """``Utils.parseMemString``: a size in KiB from ``512M``, ``2g``, ``100k`` or bytes."""
    units = {"g": 1024 * 1024, "m": 1024, "k": 1}
    try:
        if text and text[-1].lower() in units:
            return int(text[:-1]) * units[text[-1].lower()]
        return int(text) // 1024
    except ValueError:
        # Java's NumberFormatException escapes the loader: an exception, not a report line.
        number = text[:-1] if text and text[-1].lower() in units else text
        raise ProjectLoadError(f'For input string: "{number}"') from None


def memory_errors(jobs: Iterable[tuple[str, Mapping[str, str]]]) -> list[str]:
    """``checkJobProperties``: ``Xms``/``Xmx`` above the server's limits (defaults 1G / 2G)."""
    errors: list[str] = []
    limits = (("Xms", MAX_XMS), ("Xmx", MAX_XMX))
    for name, props in jobs:
        for key, limit in limits:
            value = props.get(key)
            if value is None or _VARIABLE_ONLY.fullmatch(value):
                continue
            if parse_mem_string(value) > parse_mem_string(limit):
                errors.append(
                    f"{name}: {key} value has exceeded the allowed limit (max {key} = {limit})"
                )
    return errors
