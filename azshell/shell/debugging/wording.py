"""How the parts of an exchange are written: sizes, times, parameters. The -v lines
(verbose.py) and the --debug log (debuglog.py) both use them; neither imports the other for it."""

from __future__ import annotations

import shlex

from azshell.client.redact import PASSWORD_PLACEHOLDER, SESSION_PLACEHOLDER

MAX_VALUE = 60  # characters of one parameter's value shown before "…"

_PLACEHOLDERS = (SESSION_PLACEHOLDER, PASSWORD_PLACEHOLDER)  # shown as they are, unquoted


def human_size(size: int) -> str:
    """``154 B``, ``1.2 KiB``, ``3.4 MiB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def human_time(seconds: float) -> str:
    """``0.8 ms``, ``31 ms``, ``1.25 s``: enough digits to compare, never more."""
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def show_param(name: str, value: str, more: str = "…") -> str:
    """``name=value``, the value quoted like a shell word and cut when it is long."""
    if value in _PLACEHOLDERS:
        return f"{name}={value}"
    cut = more if len(value) > MAX_VALUE else ""
    value = value[:MAX_VALUE]
    return f"{name}={shlex.quote(value) if value else ''}{cut}"
