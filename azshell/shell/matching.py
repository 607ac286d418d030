"""Name matching for completion: prefix matches first (bisect), then a bounded fuzzy scan.

Kept apart from the NameBook so that it can be timed and tested on its own: with 10,000 project
names a keystroke must be answered in well under 50 ms, so prefix matches come from a sorted list
by binary search and the fuzzy pass looks at a bounded number of names and returns a bounded menu.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping

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
        """Prefix matches first, then fuzzy ones (best first), at most ``limit`` in all."""
        found = self.prefixed(word, limit)
        if len(found) >= limit or len(word) < FUZZY_MIN_WORD:
            return found
        return found + fuzzy(self.names, word, limit - len(found), exclude=set(found))


def _pattern(word: str) -> re.Pattern[str]:
    """``abc`` → ``a.*?b.*?c`` (case-insensitive), grouped so the span can be ranked."""
    return re.compile("(?=(" + ".*?".join(re.escape(c) for c in word) + "))", re.IGNORECASE)


def fuzzy(
    names: list[str], word: str, limit: int = MENU_LIMIT, exclude: set[str] | None = None
) -> list[str]:
    """Names containing the letters of ``word`` in order, tightest and earliest match first.

    Looks at no more than FUZZY_SCAN_LIMIT names, so the time per keystroke stays bounded.
    """
    if not word or limit <= 0:
        return []
    exclude = exclude or set()
    first = word[0].lower()
    pattern = _pattern(word)
    ranked: list[tuple[int, int, int, str]] = []
    for name in names[:FUZZY_SCAN_LIMIT]:
        if first not in name.lower() or name in exclude:
            continue
        best = min(
            ((len(m.group(1)), m.start()) for m in pattern.finditer(name)), default=None
        )
        if best is not None:
            ranked.append((best[0], best[1], len(name), name))
    ranked.sort()
    return [r[3] for r in ranked[:limit]]
