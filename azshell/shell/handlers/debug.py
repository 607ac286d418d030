"""call and curl: any Ajax call, and the last request as a curl command.

For when a command is missing or misbehaves, and for reporting a problem with a request anyone
can run again (see docs/debugging.md).
"""

from __future__ import annotations

import re
from typing import Any

from azshell.client import answers
from azshell.client.redact import SESSION_PLACEHOLDER
from azshell.errors import ApiError, AzshellError, SessionError
from azshell.shell.context import Context, Reply, emit
from azshell.shell.parser import Invocation

_SESSION_IN_JSON = re.compile(r'("session\.id"\s*:\s*")([^"]*)(")', re.IGNORECASE)


def call(ctx: Context, inv: Invocation) -> Reply:
    """Prints the JSON answer when there is one, else the status and text as they came.

    A script must be able to trust the exit code, so an answer that is an error (HTTP 4xx/5xx,
    or one of Azkaban's error conventions in the JSON) is still printed, then fails the command
    (exit 1). Session ids in the answer (a login's) are printed as ``<session>``.
    """
    method = inv.values["method"] or "GET"
    path = inv.values["path"]
    if not path.startswith("/"):
        path = "/" + path
    params = dict(inv.values["params"])
    result = ctx.client.call(method, path, params)
    text = _hide_sessions(result.text, ctx.client.session_id, SESSION_PLACEHOLDER)
    if result.json is not None:
        reply = Reply(_hide_session_values(result.json, SESSION_PLACEHOLDER), raw=text)
    else:
        data = {"status": result.status, "content_type": result.content_type, "text": text}
        reply = Reply(data, raw=text)
    failure = _failure(result)
    if failure is None:
        return reply
    emit(ctx, inv.command, reply)
    message = f"call: {method} {path}: {failure}"
    if answers.is_session_gone(result.text):
        raise SessionError(message)  # exit 3, as for every session that is gone
    raise ApiError(message, result.status, result.json)


def _failure(result: Any) -> str | None:
    """Why the answer counts as a failure (answers.py's conventions), or None."""
    status = f"HTTP {result.status}"
    if answers.is_session_gone(result.text):
        return f"the server answered that there is no valid session ({status})"
    message = answers.error_message(result.json)
    if message:
        message = answers.shorten(message)
        return f"{message} ({status})" if result.status >= 400 else message
    if result.status >= 400:
        reason = answers.html_reason(result.text) if answers.is_html(result.text) else None
        return f"{status}: {reason}" if reason else status
    return None


def _hide_session_values(data: Any, placeholder: str) -> Any:
    """A copy of a JSON value with every ``session.id`` value replaced."""
    if isinstance(data, dict):
        return {key: placeholder if str(key).lower() == "session.id" and isinstance(value, str)
                else _hide_session_values(value, placeholder) for key, value in data.items()}
    if isinstance(data, list):
        return [_hide_session_values(item, placeholder) for item in data]
    return data


def _hide_sessions(text: str, session_id: str | None, placeholder: str) -> str:
    if session_id:
        text = text.replace(session_id, placeholder)
    return _SESSION_IN_JSON.sub(lambda m: f"{m.group(1)}{placeholder}{m.group(3)}", text)


def curl(ctx: Context, inv: Invocation) -> Reply:
    """The last request of this session as a curl command (the session id as a variable)."""
    from azshell.shell.curl import build

    exchange = ctx.last_exchange  # also a request of a client made for one command (`server`)
    if exchange is None and ctx.client is not None:
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
