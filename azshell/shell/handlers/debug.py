"""call and curl: any Ajax call, and the last request as a curl command.

For when a command is missing or misbehaves, and for reporting a problem with a request anyone
can run again (see docs/debugging.md).
"""

from __future__ import annotations

from azshell.errors import ApiError, AzshellError, SessionError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply
from azshell.shell.run.dispatch import emit


def call(ctx: Context, inv: Invocation) -> Reply:
    """Prints the JSON answer when there is one, else the status and text as they came.

    A script must be able to trust the exit code, so an answer that is an error (the client's
    ``failure``) is still printed, then fails the command: exit 1, or 3 for a session that is
    gone. Session ids in the answer (a login's) are printed as ``<session>``. A redirect's
    ``azkaban.failure.message`` cookie is such an error; its success cookie is the message.
    """
    method = inv.values["method"] or "GET"
    path = inv.values["path"]
    if not path.startswith("/"):
        path = "/" + path
    result = ctx.client.call(method, path, dict(inv.values["params"]))
    shown = result.redacted(ctx.client.session_id)
    if shown.json is not None:
        reply = Reply(shown.json, raw=shown.text)
    else:
        data: dict = {"status": shown.status, "contentType": shown.content_type,
                      "text": shown.text}
        if shown.location:
            data["location"] = shown.location
        if shown.message:  # a redirect's success cookie is all some calls say (delete)
            data["message"] = shown.message
        reply = Reply(data, raw=shown.text)
    failure = result.failure
    if failure is None:
        return reply
    emit(ctx, inv.command, reply)
    message = f"call: {method} {path}: {failure}"
    if result.session_gone:
        raise SessionError(message)  # exit 3, as for every session that is gone
    raise ApiError(message, result.status, result.json)


def curl(ctx: Context, inv: Invocation) -> Reply:
    """The last request of this session as a curl command (the session id as a variable)."""
    from azshell.shell.debugging.curl import build

    # also a request of a client made for one command (`server`)
    exchange = ctx.session.last_exchange
    if exchange is None and ctx.session.connected is not None:
        exchange = ctx.client.last_exchange
    if exchange is None:
        raise AzshellError("curl: no request has been sent yet in this session")
    command = build(exchange, reveal=bool(inv.values["reveal"]))
    data = {"command": command.command, "notes": command.notes, "method": exchange.method,
            "url": exchange.url}
    if command.export:
        data["export"] = command.export
    text = command.text()
    return Reply(data, text=text, raw=text)
