"""login, logout, connect, whoami: who we are and on which server."""

from __future__ import annotations

from azshell.errors import AzshellError, SessionError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context
from azshell.shell.session.connection import connect as open_session
from azshell.shell.session.connection import forget_session


def _current_url(ctx: Context) -> str:
    url = ctx.connected.url if ctx.connected is not None else ctx.settings.url
    if not url:
        raise SessionError("no server yet: type 'connect URL' or start azshell with a URL")
    return url


def login(ctx: Context, inv: Invocation) -> dict:
    """Always asks the server for a new session (the password comes from the usual places)."""
    url = _current_url(ctx)
    user = inv.values["user"] or (ctx.connected.user if ctx.connected is not None else None)
    client = open_session(ctx, url, user, login=True)
    return {"ok": True, "url": client.url, "user": client.user, "session": "new"}


def logout(ctx: Context, inv: Invocation) -> dict:
    """Ends the session on the server and drops the saved id, so the next run asks again."""
    client = ctx.connected
    if client is None and ctx.settings.url:  # a script: the saved session is the one to end
        from azshell.shell.session.connection import saved_session_client

        client = saved_session_client(ctx)
    if client is None or not client.session_id:
        return {"ok": True, "loggedOut": False}
    try:
        client.logout()
    finally:
        forget_session(ctx)
    ctx.password = None
    return {"ok": True, "loggedOut": True, "url": client.url, "user": client.user}


def connect(ctx: Context, inv: Invocation) -> dict:
    """Another server: reuses its saved session when there is one."""
    client = open_session(ctx, inv.values["url"], inv.values["user"])
    reused = ctx.session_reused
    return {"ok": True, "url": client.url, "user": client.user,
            "session": "reused" if reused else "new"}


def whoami(ctx: Context, inv: Invocation) -> dict:
    """Server version, user and session state; works before and without a session."""
    client = ctx.connected
    if client is None and ctx.settings.url:
        try:
            from azshell.shell.session.connection import ensure_session

            client = ensure_session(ctx)
        except SessionError:
            client = ctx.connected
    if client is None:
        return {"url": ctx.settings.url, "user": ctx.settings.user, "session": "none",
                "serverVersion": None, "profile": ctx.settings.profile, "lastExecId": None}
    version = None
    try:
        version = client.server_status().get("version")
    except AzshellError:
        version = None
    state = "none"
    if client.session_id:
        state = "valid" if client.session_valid() else "expired"
    return {"url": client.url, "user": client.user, "session": state,
            "serverVersion": version, "profile": ctx.settings.profile,
            "lastExecId": ctx.last_execid}
