"""Java ``.properties`` files and Azkaban's ``${name}`` substitution.

``.job`` and ``.properties`` files are read by ``java.util.Properties.load`` in Azkaban, so their
syntax (comments, ``key value`` pairs, continuation lines, escapes) is Java's, not INI's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_WHITESPACE = " \t\f"
_SEPARATORS = "=:"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
# PropsUtils.VARIABLE_REPLACEMENT_PATTERN: names are letters, digits, '_' and '.'.
VARIABLE = re.compile(r"\$\{([a-zA-Z_.0-9]+)\}")


class PropertiesSyntaxError(ValueError):
    """A malformed ``\\uXXXX`` escape: Java throws (an exception, not a loader error)."""


class SubstitutionError(ValueError):
    """A ``${name}`` that cannot be resolved; the message is Azkaban's, for a job log."""


def _logical_lines(text: str) -> list[str]:
    """Join continuation lines the way ``Properties.LineReader`` does; drop comments and blanks."""
    lines: list[str] = []
    natural = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: str | None = None
    for raw in natural:
        stripped = raw.lstrip(_WHITESPACE)
        if current is None:
            if not stripped or stripped[0] in "#!":
                continue
            candidate = stripped
        else:
            candidate = current + stripped
        trailing = len(candidate) - len(candidate.rstrip("\\"))
        if trailing % 2 == 1:
            current = candidate[:-1]
        else:
            lines.append(candidate)
            current = None
    if current is not None and current:
        lines.append(current)
    return lines


def _split_key(line: str) -> tuple[str, str]:
    """Split a logical line at the first unescaped ``=``, ``:`` or whitespace."""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch in _SEPARATORS or ch in _WHITESPACE:
            break
        i += 1
    key = line[:i]
    j = i
    while j < n and line[j] in _WHITESPACE:
        j += 1
    if j < n and line[j] in _SEPARATORS:
        j += 1
        while j < n and line[j] in _WHITESPACE:
            j += 1
    return key, line[j:]


def _unescape(text: str) -> str:
    """Undo Java's escapes: ``\\t \\n \\r \\f``, ``\\uXXXX``; any other ``\\c`` is ``c``."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != "\\" or i + 1 >= n:
            if ch != "\\":
                out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "u":
            digits = text[i + 2 : i + 6]
            if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise PropertiesSyntaxError("Malformed \\uxxxx encoding.")
            out.append(chr(int(digits, 16)))
            i += 6
            continue
        out.append(_ESCAPES.get(nxt, nxt))
        i += 2
    return join_surrogates("".join(out))


_SURROGATE = re.compile("[\ud800-\udfff]")


def join_surrogates(text: str) -> str:
    """Escaped UTF-16 surrogate pairs (``\\uD83D\\uDE00``, as IDEs and native2ascii write an
    emoji) as the one character Java's String holds; a lone half becomes ``?``, which is what
    Java's UTF-8 encoder writes for it wherever the value goes (a command, a log)."""
    if not _SURROGATE.search(text):
        return text
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _SURROGATE.sub("?", joined)


def properties_load(text: str) -> dict[str, str]:
    """Parse Java properties text; later keys win, insertion order is the file's order."""
    result: dict[str, str] = {}
    for line in _logical_lines(text):
        key, value = _split_key(line)
        result[_unescape(key)] = _unescape(value)
    return result


def decode_properties_file(data: bytes) -> str:
    """ISO-8859-1, always: Azkaban's ``Props`` reads ``.job`` and ``.properties`` files with
    ``Properties.load(InputStream)``, so UTF-8 text arrives as its bytes, one character each
    (``é`` reads ``Ã©``); only ``\\uXXXX`` escapes carry other characters."""
    return data.decode("iso-8859-1")


def _resolve(value: str, params: Mapping[str, str], visiting: list[str], strict: bool) -> str:
    out: list[str] = []
    pos = 0
    for match in VARIABLE.finditer(value):
        out.append(value[pos : match.start()])
        pos = match.end()
        name = match.group(1)
        if name in visiting:
            if strict:
                raise SubstitutionError(
                    "Circular variable substitution found: "
                    f"[{'->'.join(visiting)}] -> [{name}]"
                )
            out.append(match.group(0))
            continue
        replacement = params.get(name)
        if replacement is None:
            if strict:
                chain = "->".join([*visiting, name])
                raise SubstitutionError(
                    f"Could not find variable substitution for variable(s) [{chain}]"
                )
            out.append(match.group(0))
            continue
        out.append(_resolve(replacement, params, [*visiting, name], strict))
    out.append(value[pos:])
    return "".join(out)


def substitute(value: str, params: Mapping[str, str], *, strict: bool = False) -> str:
    """Resolve ``${name}`` references in ``value`` recursively, as ``PropsUtils`` does.

    Azkaban fails the job on an unknown or circular name; ``strict=True`` does the same by raising
    :class:`SubstitutionError` with Azkaban's message. By default such references stay as written,
    which is what a preview (``show job``) wants. ``$(expr)`` JEXL expressions are not evaluated.
    """
    return _resolve(value, params, [], strict)


def resolve_props(props: Mapping[str, str]) -> dict[str, str]:
    """Resolve every value against the whole mapping (``PropsUtils.resolveProps``); strict."""
    resolved: dict[str, str] = {}
    for key, value in props.items():
        resolved[key] = _resolve(value if value is not None else "", props, [key], True)
    return resolved
