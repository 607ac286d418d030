"""login, logout, connect, whoami: who we are and on which server."""

from __future__ import annotations

from typing import Any

from azshell.errors import AzshellError, SessionError, UsageError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply
from azshell.shell.session.connection import connect as open_session


def _current_url(ctx: Context) -> str:
    current = ctx.session.connected
    url = current.url if current is not None else ctx.settings.url
    if not url:
        raise SessionError("no server yet: type 'connect URL' or start azshell with a URL")
    return url


def login(ctx: Context, inv: Invocation) -> dict:
    """Always asks the server for a new session (the password comes from the usual places)."""
    url = _current_url(ctx)
    current = ctx.session.connected
    user = inv.values["user"] or (current.user if current is not None else None)
    client = open_session(ctx, url, user, login=True)
    return {"ok": True, "url": client.url, "user": client.user, "session": "new"}


def logout(ctx: Context, inv: Invocation) -> dict:
    """Ends the session on the server and drops the saved id, so the next run asks again."""
    client = ctx.session.connected
    if client is None and ctx.settings.url:  # a script: the saved session is the one to end
        from azshell.shell.session.connection import saved_session_client

        client = saved_session_client(ctx)
    if client is None or not client.session_id:
        return {"ok": True, "loggedOut": False}
    try:
        client.logout()
    finally:
        ctx.session.log_out()
    return {"ok": True, "loggedOut": True, "url": client.url, "user": client.user}


_CONNECTION_KEYS = ("url", "user", "profile", "insecure", "ca_cert", "timeout",
                    "password_command")


def _connection_settings(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """The settings this ``connect`` asks for: a profile's, then ``-k``/``--ca-cert``."""
    values = inv.values
    chosen: dict[str, Any] = {}
    if values.get("profile"):
        from azshell.shell.session.settings import load

        loaded = load({"profile": values["profile"]}, config_path=ctx.settings.config_file)
        chosen = {key: getattr(loaded, key) for key in _CONNECTION_KEYS}
    if values.get("insecure") and values.get("ca_cert"):
        raise UsageError("connect: give either -k or --ca-cert, not both")
    if values.get("insecure"):
        chosen.update(insecure=True, ca_cert=None)
    if values.get("ca_cert"):
        from azshell.shell.session.connection import check_ca_file

        check_ca_file(values["ca_cert"])
        chosen.update(insecure=False, ca_cert=values["ca_cert"])
    return chosen


def connect(ctx: Context, inv: Invocation) -> dict:
    """Another server: reuses its saved session when there is one. ``-k``, ``--ca-cert`` and
    ``--profile`` change how to reach it without a restart (they stay for the session)."""
    chosen = _connection_settings(ctx, inv)
    url = inv.values["url"] or chosen.get("url")
    if not url:
        raise UsageError(f"connect: give a URL or --profile NAME {inv.command.error_usage()}")
    before = {key: getattr(ctx.settings, key) for key in chosen}
    for key, value in chosen.items():
        setattr(ctx.settings, key, value)
    try:
        client = open_session(ctx, url, inv.values["user"] or chosen.get("user"))
    except BaseException:
        for key, value in before.items():  # a failed connect leaves the settings as they were
            setattr(ctx.settings, key, value)
        raise
    reused = ctx.session.reused
    return {"ok": True, "url": client.url, "user": client.user,
            "session": "reused" if reused else "new"}


def whoami(ctx: Context, inv: Invocation) -> Reply:
    """Server version, user and session state; works before and without a session. A terminal
    reads it as a line or two; scripts get the JSON."""
    data = _whoami(ctx)
    if not data["url"]:
        return Reply(data, text="not connected: 'connect URL' or 'connect --profile NAME'")
    who = f"{data['user']} at {data['url']}" if data["user"] else str(data["url"])
    version = f" (server {data['serverVersion']})" if data["serverVersion"] else ""
    lines = [f"{who}{version}, session {data['session']}"]
    extras = [f"profile {data['profile']}" if data["profile"] else "",
              f"last execution {data['lastExecId']}" if data["lastExecId"] is not None else ""]
    if any(extras):
        lines.append("; ".join(e for e in extras if e))
    return Reply(data, text="\n".join(lines))


def _whoami(ctx: Context) -> dict:
    client = ctx.session.connected
    if client is None and ctx.settings.url:
        try:
            from azshell.shell.session.connection import ensure_session

            client = ensure_session(ctx)
        except SessionError:
            client = ctx.session.connected
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
