"""Failures in transit as azshell errors, and whether a request may be sent again.

The one question that matters is whether the request may have reached the server. Refused
connections, unknown hosts, TLS failures and connect time-outs happen before anything is sent
(ConnectionFailed, RequestTimedOut). A connection lost or an answer that never came after
sending means the server may have acted: a state-changing call then gets OutcomeUnknown with a
hint on how to look, and only a read-only call may be repeated.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from azshell.client.answers import shorten
from azshell.client.redact import redact_text
from azshell.errors import (
    AzshellError,
    BadResponse,
    ConnectionFailed,
    OutcomeUnknown,
    RequestTimedOut,
)

if TYPE_CHECKING:
    from azshell.client.transport import Request

_ERRNO_TEXT = re.compile(r"\[Errno -?\d+\]\s*([^'\")]+)")
_SSL_TEXT = re.compile(r"\[SSL[^\]]*\]\s*([^(')\"]+)")


def classify(exc: BaseException, request: Request, base_url: str,  # noqa: PLR0917
             timeout: tuple[float, float], session_id: str | None,
             verify: bool | str = True) -> tuple[AzshellError, bool]:
    """The error for ``exc`` and whether the request may be repeated once (``verify``: how
    TLS was checked, for the hint of a TLS failure)."""
    where = base_url + request.path
    connect, read = timeout
    repeatable = False
    error: AzshellError
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        error = RequestTimedOut(f"could not connect to {base_url} within {connect:g} s")
    elif isinstance(exc, requests.exceptions.ReadTimeout):
        late = f"no answer from {where} within {read:g} s"
        error = unknown_outcome(request, late) if request.mutating else RequestTimedOut(late)
    elif isinstance(exc, requests.exceptions.SSLError):
        reason = _ssl_reason(exc, session_id)
        error = ConnectionFailed(f"TLS failure with {base_url}: {reason}"
                                 f"{tls_hint(reason, verify)}")
    elif isinstance(exc, requests.exceptions.ProxyError):
        error = ConnectionFailed(f"cannot reach {base_url} through the proxy: "
                                 f"{_reason(exc, session_id)}")
    elif isinstance(exc, requests.exceptions.ConnectionError) and nothing_sent(exc):
        error = ConnectionFailed(f"cannot connect to {base_url}: {_reason(exc, session_id)}")
    elif isinstance(exc, (requests.exceptions.ConnectionError,
                          requests.exceptions.ChunkedEncodingError)):
        lost = f"the connection to {where} was lost before the answer arrived"
        repeatable = not request.mutating
        error = unknown_outcome(request, lost) if request.mutating else ConnectionFailed(lost)
    elif isinstance(exc, requests.exceptions.InvalidSchema) and "SOCKS" in str(exc):
        error = ConnectionFailed("the proxy is a SOCKS proxy, which needs PySocks: "
                                 "pip install 'azkaban-shell[socks]'")
    elif isinstance(exc, requests.exceptions.ContentDecodingError):
        error = BadResponse(f"the answer from {where} could not be decoded")
    else:
        error = ConnectionFailed(f"request to {where} failed: {_reason(exc, session_id)}")
    return error, repeatable


def unknown_outcome(request: Request, what_happened: str) -> OutcomeUnknown:
    check = request.check or "look at the server"
    return OutcomeUnknown(f"the outcome of '{request.what}' is unknown: {what_happened}; "
                          f"{check} before trying again")


def interruption_note(request: Request) -> str:
    """What Ctrl-C in the middle of ``request`` means (``Exchange.error``): for a state
    change, that its outcome is unknown."""
    if request.mutating:
        check = f"; {request.check}" if request.check else ""
        return f"interrupted: the outcome of '{request.what}' is unknown{check}"
    return f"interrupted: {request.what}"


def nothing_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether the connection failed before the request left (refused, DNS, unreachable)."""
    reason: Any = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def _reason(exc: BaseException, session_id: str | None) -> str:
    """A short reason, without the URL and query string that urllib3 puts in its messages."""
    text = str(exc)
    match = _ERRNO_TEXT.search(text)
    if match:
        return match.group(1).strip().rstrip(".").lower()
    if "timed out" in text.lower():
        return "timed out"
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(inner, MaxRetryError) and inner.reason is not None:
        inner = inner.reason
    return shorten(redact_text(f"{type(inner).__name__}: {inner}", session_id), 160)


def tls_hint(reason: str, verify: bool | str) -> str:
    """What to do about a TLS failure: trust the server's CA, or check it is HTTPS at all."""
    low = reason.lower()
    if "certificate" in low and ("verify" in low or "self" in low or "issuer" in low):
        if isinstance(verify, str):
            return (f" (the CA bundle {verify} does not vouch for this server: give the CA that "
                    "signed its certificate with --ca-cert FILE, or -k to skip verification)")
        return (" (if you trust this server, give the CA that signed its certificate with "
                "--ca-cert FILE, or skip verification with -k)")
    if "hostname" in low or "ip address mismatch" in low:
        return (" (the certificate names another host: use the name it was made for, or -k "
                "to skip verification)")
    if "wrong version number" in low or "record layer" in low or "packet length" in low:
        return " (does this port speak HTTPS? try http:// instead)"
    return ""


def _ssl_reason(exc: BaseException, session_id: str | None) -> str:
    match = _SSL_TEXT.search(str(exc))
    if match:
        return redact_text(match.group(1).strip(), session_id)
    return "the TLS handshake failed"
