"""Two transcripts compared entry by entry: where they differ, as (step, where, one, other).

``where`` is a path into the entry: ``status``, ``content_type``, ``set_cookie``,
``body.json.nodes[1].type``; a key one side lacks is reported at that key, and keys that are
the same but come in another order are reported at their object as ``<key order>``.
"""

from __future__ import annotations

from typing import Any

COMPARED = ("status", "content_type", "headers", "set_cookie", "body")
Difference = tuple[str, str, Any, Any]
ABSENT = "<absent>"


def differences(one: list[dict[str, Any]], other: list[dict[str, Any]]) -> list[Difference]:
    """Every difference between two transcripts' entries, matched by step name."""
    found: list[Difference] = []
    theirs = {entry["step"]: entry for entry in other}
    ours = {entry["step"] for entry in one}
    for entry in one:
        step = entry["step"]
        if step not in theirs:
            found.append((step, "<step>", "present", ABSENT))
            continue
        for key in COMPARED:
            _walk(found, step, key, entry.get(key, ABSENT), theirs[step].get(key, ABSENT))
    found += [(entry["step"], "<step>", ABSENT, "present") for entry in other
              if entry["step"] not in ours]
    return found


def _walk(found: list[Difference], step: str, where: str, a: Any, b: Any) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a:
            _walk(found, step, f"{where}.{key}", a[key], b.get(key, ABSENT))
        for key in b:
            if key not in a:
                found.append((step, f"{where}.{key}", ABSENT, b[key]))
        common_a = [k for k in a if k in b]
        common_b = [k for k in b if k in a]
        if common_a != common_b:
            found.append((step, f"{where}.<key order>", common_a, common_b))
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(found, step, f"{where}[{index}]", x, y)
        return
    if a != b or type(a) is not type(b):
        found.append((step, where, a, b))


def report(found: list[Difference]) -> str:
    """One line per difference, for a failing test's message."""
    return "\n".join(f"{step} | {where} | {a!r:.120} | {b!r:.120}" for step, where, a, b in found)
