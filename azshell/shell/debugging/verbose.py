"""`-v/--verbose` and `set verbose on`: one line on stderr for each HTTP exchange.

    → POST /executor ajax=executeFlow project=demo flow=main session.id=<session>  ← 200 78 B 3.1 ms

Every exchange the client makes passes through :func:`observer`: the ones a command asked for,
the login a renewal makes on its own, the second try of a read whose connection dropped, and the
ones that got no answer at all. The client has already hidden the session id and any password
(:mod:`azshell.client.redact`), so this module only decides how a line reads. The same observer
feeds the debug log (:mod:`azshell.shell.debugging.debuglog`), which is silent unless
``--debug`` started it.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from azshell.shell.debugging.wording import human_size, human_time, show_param
from azshell.shell.run.output import visible

CLEAR_LINE = "\r\x1b[K"

_UNICODE = {"out": "→", "in": "←", "fail": "✗", "more": "…"}
_ASCII = {"out": "->", "in": "<-", "fail": "x", "more": "..."}


def symbols(stream: Any) -> dict[str, str]:
    """Arrows when the stream can encode them, else plain ASCII (an old Windows console)."""
    encoding = getattr(stream, "encoding", None)
    if encoding is None:  # a text buffer (io.StringIO): it holds any character
        return _UNICODE
    try:
        "".join(_UNICODE.values()).encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return _ASCII
    return _UNICODE


def shown_path(exchange: Any) -> str:
    """The path as it went on the wire: behind a reverse proxy's prefix that is
    ``/azkaban/manager``, not the servlet's ``/manager``."""
    url = getattr(exchange, "url", "") or ""
    full = urlsplit(url).path if url else ""
    return full if full and full.endswith(exchange.path) else exchange.path


def request_part(exchange: Any, sym: dict[str, str] = _UNICODE) -> str:
    """``→ GET /manager ajax=fetchprojectflows project=demo cookie=<session>`` (a GET's
    session goes as its cookie; a POST's is ``session.id=<session>`` among its fields)."""
    words = [sym["out"], exchange.method, shown_path(exchange)]
    words += [show_param(name, value, sym["more"]) for name, value in exchange.params]
    if getattr(exchange, "session_cookie", False):
        words.append("cookie=<session>")
    words += [f"file=@{shlex.quote(path)}" for path in exchange.files]
    return " ".join(words)


def answer_part(exchange: Any, sym: dict[str, str] = _UNICODE) -> str:
    """``← 200 154 B 3.1 ms``, or ``✗ <why no answer> (2.0 s)`` when none came."""
    took = human_time(exchange.elapsed_s)
    if exchange.status is None:
        why = exchange.error or "no answer"
        again = "; sending it once more" if getattr(exchange, "repeat", False) else ""
        return f"{sym['fail']} {why}{again} ({took})"
    text = f"{sym['in']} {exchange.status} {human_size(exchange.size)} {took}"
    if getattr(exchange, "session_gone", False):
        text += " (the session is gone: logging in again)"
    return text


def format_exchange(exchange: Any, sym: dict[str, str] = _UNICODE) -> str:
    """The one verbose line of an exchange."""
    return f"{request_part(exchange, sym)}  {answer_part(exchange, sym)}"


def observer(ctx: Any) -> Callable[[Any], None]:
    """The client's observer for one shell session: records each exchange in the session,
    prints verbose lines when ``ctx.settings.verbose`` is on (read at each exchange: `set
    verbose` applies at once), and hands each exchange to the debug log."""
    from azshell.shell.debugging import debuglog

    def observe(exchange: Any) -> None:
        ctx.session.record(exchange)
        if ctx.settings.verbose:
            stream = ctx.out.stderr
            # on a terminal, first clear a live status line (`execute --wait`) drawn without
            # its newline: it is drawn again after each poll
            start = CLEAR_LINE if ctx.out.stderr_tty else ""
            line = ctx.out.hide(format_exchange(exchange, symbols(stream)))  # a typed password
            if ctx.out.stderr_tty:
                line = visible(line)  # a path or parameter cannot drive the terminal either
            stream.write(start + line + "\n")
            stream.flush()
        debuglog.exchange(exchange)

    return observe
