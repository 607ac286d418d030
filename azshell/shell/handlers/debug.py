"""call and curl: any Ajax call, and the last request as a curl command.

For when a command is missing or misbehaves, and for reporting a problem with a request anyone
can run again (see docs/debugging.md).
"""

from __future__ import annotations

from azshell.errors import AzshellError
from azshell.shell.context import Context, Reply
from azshell.shell.parser import Invocation


def call(ctx: Context, inv: Invocation) -> Reply:
    """Prints the JSON answer when there is one, else the status and text as they came."""
    method = inv.values["method"] or "GET"
    path = inv.values["path"]
    if not path.startswith("/"):
        path = "/" + path
    params = dict(inv.values["params"])
    result = ctx.client.call(method, path, params)
    if result.json is not None:
        return Reply(result.json, raw=result.text)
    data = {"status": result.status, "content_type": result.content_type, "text": result.text}
    return Reply(data, raw=result.text)


def curl(ctx: Context, inv: Invocation) -> Reply:
    """The last request of this session as a curl command (the session id as a variable)."""
    from azshell.shell.curl import build

    exchange = ctx.client.last_exchange if ctx.client is not None else None
    if exchange is None:
        raise AzshellError("curl: no request has been sent yet in this session")
    command = build(exchange, reveal=bool(inv.values["reveal"]))
    data = {"command": command.command, "notes": command.notes, "method": exchange.method,
            "url": exchange.url}
    if command.export:
        data["export"] = command.export
    text = command.text()
    return Reply(data, text=text, raw=text)
