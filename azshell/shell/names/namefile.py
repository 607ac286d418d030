"""The NameBook's cache file: one JSON array, one project per line, read a record at a time.

``[{"format": 2, "saved": ..., "executions": [...]},
  ["demo", "description", {"flow": "4 jobs"}, {"flow": ["job", ...]}],
  ...]``

A cache with 10,000 projects of 50 flows is 13 MB; one ``json.loads`` of it would hold the
interpreter for a sixth of a second while the user types. Decoding record by record lets the
prompt's thread run between records, and a broken tail loses only what follows it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

FORMAT = 2
_SPACE = re.compile(r"\s*")


def encode(header: dict[str, Any], records: Iterable[list[Any]]) -> str:
    """The file's text: the header, then one compact record per line."""
    lines = [json.dumps({"format": FORMAT, **header}, separators=(",", ":"))]
    lines += [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in records]
    return "[" + ",\n".join(lines) + "]\n"


def _skip(text: str, pos: int) -> int:
    """The position after the white space at ``pos``."""
    space = _SPACE.match(text, pos)
    return space.end() if space is not None else pos


def decode(text: str) -> Iterator[Any]:
    """The header, then each record; stops quietly at the first thing that is not right.

    Yields nothing at all when the header is missing or of another format.
    """
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if text[pos : pos + 1] != "[":
        return
    pos += 1
    first = True
    while True:
        pos = _skip(text, pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):  # RecursionError: nested without end
            return
        if first and not (isinstance(value, dict) and value.get("format") == FORMAT):
            return
        first = False
        yield value
        pos = _skip(text, pos)
        if text[pos : pos + 1] != ",":
            return
        pos += 1
