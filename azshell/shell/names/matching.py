"""Name matching for completion: prefix matches first (bisect), then a bounded fuzzy scan.

Kept apart from the NameBook so that it can be timed and tested on its own: with 10,000 project
names a keystroke must be answered in well under 50 ms, so prefix matches come from a sorted list
by binary search and the fuzzy pass looks at a bounded number of names and returns a bounded menu.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import islice

MENU_LIMIT = 100  # more entries than this in a completion menu help nobody
FUZZY_SCAN_LIMIT = 50_000  # names looked at by the fuzzy pass (a cap, not a typical size)
FUZZY_MIN_WORD = 2  # one letter matches almost everything fuzzily: prefixes only


class NameIndex:
    """An immutable, case-insensitively sorted view of names with their menu descriptions."""

    __slots__ = ("keys", "meta", "names")

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        pairs = dict(items)
        self.names: list[str] = sorted(pairs, key=lambda n: (n.lower(), n))
        self.keys: list[str] = [n.lower() for n in self.names]
        self.meta: dict[str, str] = pairs

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.meta

    def prefixed(self, word: str, limit: int = MENU_LIMIT) -> list[str]:
        """Names starting with ``word`` (any case), in order, at most ``limit``."""
        key = word.lower()
        out: list[str] = []
        i = bisect_left(self.keys, key)
        keys, names = self.keys, self.names
        while i < len(keys) and len(out) < limit and keys[i].startswith(key):
            out.append(names[i])
            i += 1
        return out

    def match(self, word: str, limit: int = MENU_LIMIT) -> list[str]:
        """Prefix matches first, then fuzzy ones (best first), at most ``limit`` in all.

        One letter is too little for fuzzy matching: it adds the names with a part (after
        ``_``, ``-`` or ``.``) starting with that letter instead.
        """
        found = self.prefixed(word, limit)
        if len(found) >= limit or not word:
            return found
        if len(word) < FUZZY_MIN_WORD:
            return found + part_starts(self.names, word, limit - len(found), set(found),
                                       self.keys)
        return found + fuzzy(self.names, word, limit - len(found), set(found), self.keys)


def part_starts(
    names: list[str], letter: str, limit: int, exclude: set[str], keys: list[str] | None = None
) -> list[str]:
    """Names in which a part after ``_``, ``-`` or ``.`` starts with ``letter``."""
    pattern = re.compile(r"[_.-]" + re.escape(letter.lower()))
    keys = keys if keys is not None else [n.lower() for n in names]
    out: list[str] = []
    for key, name in islice(zip(keys, names, strict=True), FUZZY_SCAN_LIMIT):
        if pattern.search(key) and name not in exclude:
            out.append(name)
            if len(out) >= limit:
                break
    return out


def fuzzy(
    names: list[str],
    word: str,
    limit: int = MENU_LIMIT,
    exclude: set[str] | None = None,
    keys: list[str] | None = None,
) -> list[str]:
    """Names containing the letters of ``word`` in order, tightest and earliest match first.

    ``keys`` are the names in lower case (a NameIndex has them ready). At most FUZZY_SCAN_LIMIT
    names are looked at, so the time per keystroke stays bounded.
    """
    if not word or limit <= 0:
        return []
    exclude = exclude or set()
    keys = keys if keys is not None else [n.lower() for n in names]
    pattern = re.compile(".*?".join(re.escape(c) for c in word.lower()))
    ranked: list[tuple[int, int, int, str]] = []
    search = pattern.search
    for key, name in islice(zip(keys, names, strict=True), FUZZY_SCAN_LIMIT):
        m = search(key)
        if m is not None and name not in exclude:
            ranked.append((_span(pattern, key, m), m.start(), len(name), name))
    ranked.sort()
    return [r[3] for r in ranked[:limit]]


def _span(pattern: re.Pattern[str], key: str, first: re.Match[str]) -> int:
    """The shortest span matching ``pattern`` in ``key`` (the leftmost one may be loose)."""
    best = first.end() - first.start()
    start = key.find(key[first.start()], first.start() + 1)
    while start >= 0 and best > 1:
        m = pattern.match(key, start)
        if m is None:
            break
        best = min(best, m.end() - m.start())
        start = key.find(key[first.start()], start + 1)
    return best
