"""One lint finding: where, how bad, what, and how to fix it (shared by lint and lint_yaml)."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
NOTE = "note"  # worth knowing, often meant: lint shows it, upload does not


@dataclass(frozen=True)
class Finding:
    """One problem: where, how bad, what, and how to fix it."""

    file: str
    line: int | None
    severity: str
    check: str
    message: str
    fix: str

    def where(self) -> str:
        """``a.job:3``, ``a.job`` or ``(project)``."""
        if not self.file:
            return "(project)"
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def did_you_mean(word: str, known: tuple[str, ...], otherwise: str) -> str:
    """A fix for a misspelt name: the close known one (``depends_on`` -> ``dependsOn``)."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if not close:
        lower = {k.lower().replace("_", ""): k for k in known}
        hit = lower.get(word.lower().replace("_", "").replace("-", ""))
        close = [hit] if hit else []
    return f"did you mean {close[0]!r}?" if close else otherwise
