"""server: the web server's ``/status`` answer (protocol §8.1), which needs no login.

It is the first thing to look at in an incident (is the server up, which version, are its
executors active, is it short of memory), so it works without a session and before one.
"""

from __future__ import annotations

from typing import Any

from azshell.errors import SessionError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply


def _client(ctx: Context) -> tuple[Any, bool]:
    """The session's client, else a client without a session (``/status`` needs no login)."""
    if ctx.session.connected is not None:
        return ctx.session.connected, False
    if not ctx.settings.url:
        raise SessionError("no server yet: type 'connect URL' or start azshell with a URL")
    from azshell.shell.session.connection import new_client

    url = ctx.settings.url if "://" in ctx.settings.url else f"http://{ctx.settings.url}"
    return new_client(ctx, url), True


def server(ctx: Context, inv: Invocation) -> Reply:
    client, temporary = _client(ctx)
    try:
        status = client.server_status()
    finally:
        if temporary:
            client.close()
    data = {"url": client.url, **status}
    return Reply(data, text=status_text(data))


def size(count: Any) -> str:
    """Bytes as ``117.7 MiB``."""
    if not isinstance(count, (int, float)) or count < 0:
        return "?"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def _memory(data: dict[str, Any]) -> str:
    used, most = data.get("usedMemory"), data.get("xmx")
    if isinstance(used, (int, float)) and isinstance(most, (int, float)) and most > 0:
        return f"{size(used)} used of {size(most)} ({used * 100 / most:.0f}%)"
    return f"{size(used)} used"


def _executors(data: dict[str, Any]) -> list[str]:
    found = data.get("executorStatusMap")
    if not isinstance(found, dict) or not found:
        return ["executors  none listed"]
    items = [e for e in found.values() if isinstance(e, dict)]
    active = sum(1 for e in items if e.get("isActive"))
    lines = [f"executors  {active} active of {len(items)}"]
    for e in sorted(items, key=lambda e: str(e.get("id"))):
        state = "active" if e.get("isActive") else "INACTIVE"
        lines.append(f"  {e.get('id')}: {e.get('host')}:{e.get('port')} {state}")
    return lines


def status_text(data: dict[str, Any]) -> str:
    """The status as a person reads it on a terminal."""
    up = data.get("isDatabaseUp")
    database = "up" if up is True else "DOWN" if up is False else "?"
    lines = [
        f"server     {data.get('url')}",
        f"version    {data.get('version', '?')}",
        f"pid        {data.get('pid', '?')}",
        f"memory     {_memory(data)}",
        f"database   {database}",
        *_executors(data),
    ]
    return "\n".join(lines)
