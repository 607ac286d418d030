"""Java ``HashMap``/``HashSet`` iteration order, reproduced.

Azkaban keeps its loader errors in a ``HashSet`` and walks jobs through ``HashMap``s, so the
order of the lines in "Validator Directory Flow reports errors" (and which edge of a cycle is
reported) follows Java's hashing. Emulating it makes the sandbox print what a real server prints.
"""

from __future__ import annotations

from collections.abc import Iterable


def java_string_hash(text: str) -> int:
    """``String.hashCode()``: 31-polynomial over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    data = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def _spread(h: int) -> int:
    """``HashMap.hash()``: the high half folded into the low half."""
    return (h ^ (h >> 16)) & 0xFFFFFFFF


def _capacity(size: int) -> int:
    """Table size of a default ``HashMap`` after ``size`` insertions (load factor 0.75)."""
    cap = 16
    while size > cap * 3 // 4:
        cap *= 2
    return cap


def java_order(keys: Iterable[str], max_size: int | None = None) -> list[str]:
    """Distinct ``keys`` (given in insertion order) in the order a Java ``HashSet`` yields them.

    ``max_size`` is the largest size the map ever had, when entries were removed since (the table
    never shrinks). Buckets are walked in index order; a bucket keeps insertion order (resizes
    split buckets without reordering them). Tree bins (8+ colliding keys) are not emulated.
    """
    distinct = list(dict.fromkeys(keys))
    cap = _capacity(max(len(distinct), max_size or 0))
    indexed = [(_spread(java_string_hash(k)) & (cap - 1), i, k) for i, k in enumerate(distinct)]
    return [k for _, _, k in sorted(indexed)]
