"""set, help, history, exit: commands about the shell itself (no server needed)."""

from __future__ import annotations

from typing import Any

from azshell.errors import UsageError
from azshell.shell.line.commands import SETTINGS, find
from azshell.shell.line.parser import Invocation, suggest
from azshell.shell.run.context import Context, Reply

_ON = ("on", "true", "yes", "1")
_OFF = ("off", "false", "no", "0")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def current(ctx: Context) -> dict[str, str]:
    """The settings `set` can change, with their current values."""
    return {name: _shown(getattr(ctx.settings, name)) for name in SETTINGS}


def apply(ctx: Context, name: str, value: str) -> None:
    """Change one setting for the rest of the session (and the writer that depends on it)."""
    word = value.lower()
    if name == "query":
        from azshell.shell.session.settings import check_query

        ctx.settings.query = check_query(value, "set")
        return
    if name == "tz":
        from azshell.shell.session.timezone import apply_zone, check_zone

        zone = check_zone(value, "set tz")
        apply_zone(zone)
        ctx.settings.tz = zone
        return
    if name in ("output", "color"):
        if word == "always":
            word = "on"
        if word == "never":
            word = "off"
        if word not in SETTINGS[name]:
            choices = ", ".join(SETTINGS[name])
            raise UsageError(f"set: {name} must be one of {choices}, not {value!r}")
        setattr(ctx.settings, name, word)
        if name == "color":
            ctx.out.color_setting = word
        return
    if word in _ON:
        flag = True
    elif word in _OFF:
        flag = False
    else:
        raise UsageError(f"set: {name} must be on or off, not {value!r}")
    setattr(ctx.settings, name, flag)
    if name == "pager":
        ctx.out.pager = flag


def set_(ctx: Context, inv: Invocation) -> Reply:
    name, value = inv.values["name"], inv.values["value"]
    if name is None:
        settings = current(ctx)
        text = "\n".join(f"{k:8}  {v:6}  ({'|'.join(SETTINGS[k]) or 'JMESPath'})"
                         for k, v in settings.items())
        return Reply(settings, text=text)
    if value is not None:
        apply(ctx, name, value)
    shown = _shown(getattr(ctx.settings, name))
    return Reply({name: shown}, text=f"{name} = {shown}")


def help_(ctx: Context, inv: Invocation) -> Reply:
    """Wrapped to the terminal's width; ``help keys`` lists the keys of the shell."""
    from azshell.shell.line.docs import KEYS, command_data, command_help, keys_help, overview

    word = inv.values["command"]
    width = ctx.out.size()[0] if ctx.out.stdout_tty else None
    if word is None:
        from azshell.shell.line.commands import COMMANDS

        data = {"commands": [{"name": c.name, "usage": c.usage(), "summary": c.summary}
                             for c in COMMANDS]}
        return Reply(data, text=overview(width))
    if word.lower() == "keys":
        return Reply({"keys": [{"key": k, "help": h} for k, h in KEYS]}, text=keys_help(width))
    cmd = find(word) or find(word.lower())
    if cmd is None:
        raise UsageError(f"help: no command {word!r}{suggest(word)} ('help keys' lists the "
                         "keys)")
    return Reply(command_data(cmd), text=command_help(cmd, width))


HISTORY_SHOWN = 20


def history(ctx: Context, inv: Invocation) -> Reply:
    """The app's history when there is one, else the lines run in this session: the newest
    lines, numbered as ``!N`` recalls them (the screen ends on the newest)."""
    lines = list(ctx.history()) if ctx.history is not None else list(ctx.lines[:-1])
    count = len(lines) if inv.values.get("all") else inv.values.get("count") or HISTORY_SHOWN
    first = max(0, len(lines) - count)
    shown = list(enumerate(lines, 1))[first:]
    width = len(str(len(lines)))
    text = "\n".join(f"{i:>{width}}  {line}" for i, line in shown)
    data = {"history": [line for _, line in shown]}
    return Reply(data, text=text or "(no history yet)")


def clear(ctx: Context, inv: Invocation) -> None:
    """Home the cursor and erase the screen, on a terminal only (a script's output stays clean)."""
    if ctx.out.stdout_tty:
        ctx.out.stdout.write("\x1b[H\x1b[2J")
        ctx.out.stdout.flush()


def exit_(ctx: Context, inv: Invocation) -> None:
    """``exit N`` ends with status N; a plain ``exit`` leaves the choice to the caller (a
    script ends with its first failure)."""
    status = inv.values.get("status")
    if status is not None and status > 255:
        raise UsageError(f"exit: the status must be 0 to 255, not {status}")
    raise SystemExit(status)
