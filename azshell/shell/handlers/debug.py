"""call: any Ajax call, for when a command is missing or misbehaves."""

from __future__ import annotations

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
