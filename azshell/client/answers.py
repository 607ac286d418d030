"""Turning what an Azkaban server answered into data or into one readable exception.

Azkaban reports nearly every failure with HTTP 200 and a key in the body, and it has several
conventions for it (protocol §1.4, §12b, §14): an ``error`` key (a string, occasionally an
object), ``status: "error"`` with a ``message``, the ``resume`` key of resumeFlow, JSON bodies on
4xx/5xx upload answers, Jetty HTML error pages for missing parameters, plain-text login errors.
All of that is decided here, by pure functions on (status, content type, text), so that each rule
is unit-tested on the literal bodies the protocol reference quotes.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from azshell.errors import (
    ApiError,
    BadResponse,
    NotFound,
    PermissionDenied,
    ServerError,
)

LOGIN_FORM_MARKER = '<form id="login-form"'
MULTIPART_LOGIN_ERROR = "Login error. Need username and password"
INVALID_SESSION_MESSAGE = "Invalid Session. Need to re-login"

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_PRE = re.compile(r"<pre>(.*?)</pre>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_JAVA_EXCEPTION_PREFIX = re.compile(r"^(?:[a-z]+\.)+[A-Za-z]*(?:Exception|Error):\s*")
_MAX_REASON = 200

# Message fragments that say which kind of "no" the server meant (§3, §5-§7 error strings).
_PERMISSION_MARKERS = ("permission denied", "does not have", "doesn't have", "no permission",
                       "is not an admin", "only admins")
_NOT_FOUND_MARKERS = ("doesn't exist", "does not exist", "not found", "cannot be found",
                      "cannot find", "isn't found", "was already removed")


MAX_DEPTH = 200  # Azkaban's deepest answer (a flow graph) nests 2 levels per embedded flow


class TooDeep(ValueError):
    """JSON nested deeper than any Azkaban answer: refused before Python's recursion gives up
    somewhere later (rendering, redaction) with a RecursionError."""


def load_json(text: str) -> Any:
    """``json.loads`` that refuses nesting beyond MAX_DEPTH with TooDeep (a ValueError)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep") from None
    if text.count("[") + text.count("{") > MAX_DEPTH and depth(data) > MAX_DEPTH:
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep")
    return data


def depth(data: Any) -> int:
    """How deeply containers nest in ``data`` (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if not isinstance(value, (dict, list)):
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest


def parse_json(text: str) -> Any:
    """The JSON value of ``text``, or ``None`` when it is not JSON (or nested too deeply)."""
    try:
        return load_json(text)
    except ValueError:
        return None


def is_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or "<html" in head


def is_session_gone(text: str) -> bool:
    """Whether the answer says "no (valid) session": the server provably did nothing (§2.5)."""
    stripped = text.strip()
    if stripped.startswith(MULTIPART_LOGIN_ERROR):
        return True
    if LOGIN_FORM_MARKER in text:
        return True
    if not stripped.startswith("{"):
        return False
    data = parse_json(stripped)
    if not isinstance(data, dict):
        return False
    if data.get("error") == "session":
        return True
    return data.get("status") == "error" and (
        data.get("action") == "login" or data.get("message") == INVALID_SESSION_MESSAGE)


def clean_message(text: str) -> str:
    """A server message as one readable line: ``<br>`` become separators, tags go away.

    ``"Installation Failed.<br>Error unzipping file."`` → ``"Installation Failed. Error unzipping
    file."``; a validator report's lines are joined with ``"; "``.
    """
    parts = [html.unescape(_TAG.sub("", part)).strip() for part in _BR.split(text)]
    line = ""
    for part in (" ".join(p.split()) for p in parts):
        if not part:
            continue
        if not line:
            line = part
        elif line.endswith((".", ":", "!", "?", ";")):
            line = f"{line} {part}"
        else:
            line = f"{line}; {part}"
    return line


def html_reason(text: str) -> str | None:
    """The short reason of a Jetty error page, e.g. ``Missing required parameter 'x'.``."""
    for pattern in (_PRE, _TITLE):
        match = pattern.search(text)
        if not match:
            continue
        lines = match.group(1).strip().splitlines()
        reason = clean_message(lines[0]) if lines else ""
        reason = re.sub(r"^Error \d{3}\s*", "", reason)
        reason = _JAVA_EXCEPTION_PREFIX.sub("", reason)
        if reason and not reason.startswith("Azkaban Web Client"):
            return shorten(reason)
    return None


def shorten(text: str, limit: int = _MAX_REASON) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_message(data: Any) -> str | None:
    """The error a JSON answer carries, under any of Azkaban's conventions, or ``None``.

    ``error`` wins over ``status`` (a missing cron expression yields both an error and
    ``status: success``, §7.1). An ``error`` object (a serialized Java exception, §7.3) is
    reduced to its message.
    """
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        inner = error.get("message") or error.get("localizedMessage")
        return clean_message(str(inner)) if inner else shorten(json.dumps(error))
    if error not in (None, ""):
        return clean_message(str(error))
    if data.get("status") == "error":
        message = data.get("message")
        return clean_message(str(message)) if message else "the server reported an error"
    return None


_NO_EXECUTION = re.compile(r"Cannot find execution '(\d+)'")


def _missing_execution(message: str) -> str | None:
    """/executor's ``Cannot find execution '<id>'`` (§6) in plain words, else None."""
    found = _NO_EXECUTION.fullmatch(message.strip())
    return f"there is no execution {found.group(1)} on this server" if found else None


def classify(message: str, status: int | None = None, body: Any = None) -> ApiError:
    """The ApiError subclass that fits ``message``: NotFound, PermissionDenied or plain."""
    lowered = message.lower()
    if any(marker in lowered for marker in _PERMISSION_MARKERS):
        return PermissionDenied(message, status, body)
    missing = _missing_execution(message)
    if missing is not None:
        return NotFound(missing, status, body)
    if any(marker in lowered for marker in _NOT_FOUND_MARKERS):
        return NotFound(message, status, body)
    return ApiError(message, status, body)


def decode(status: int, text: str, what: str) -> Any:
    """The JSON value of an answer that must be JSON; a readable exception otherwise.

    ``what`` names the call for messages ("fetchflowgraph", "upload").
    """
    if not text.strip():
        if status >= 500:
            raise ServerError(f"server error (HTTP {status}) on {what}, with an empty answer",
                              status)
        raise BadResponse(f"the server gave an empty answer to {what} (HTTP {status})", status)
    try:
        data = load_json(text)
    except TooDeep as err:
        raise BadResponse(f"the answer to {what} is not an Azkaban answer: JSON {err}",
                          status) from None
    except ValueError:
        data = None
    if data is not None or text.strip() == "null":
        return data
    if is_html(text):
        reason = html_reason(text)
        suffix = f": {reason}" if reason else ""
        if status >= 400:
            raise ServerError(f"server error (HTTP {status}) on {what}{suffix}", status)
        raise BadResponse(f"the server answered {what} with an HTML page{suffix}", status)
    first = shorten(text.strip().splitlines()[0], 100)
    if status >= 400:
        raise ServerError(f"server error (HTTP {status}) on {what}: {first}", status)
    raise BadResponse(f"the answer to {what} is not JSON: {first}", status)


def checked(status: int, text: str, what: str) -> dict[str, Any]:
    """A JSON object answer with every error convention turned into an exception."""
    data = decode(status, text, what)
    if not isinstance(data, dict):
        raise BadResponse(f"the answer to {what} is not a JSON object: {shorten(text, 100)}",
                          status)
    message = error_message(data)
    if message:
        raise classify(message, status, data)
    if status >= 400:
        raise ServerError(f"server error (HTTP {status}) on {what}", status)
    return data


def upload_error(status: int, message: str, body: Any) -> ApiError:
    """Upload failures are classified by status (§5.2): 410 missing, 403 locked, 400/500 other.

    The message alone would mislead: a validator line like "a cannot find dependency b" is not
    a missing project.
    """
    if status == 410:
        return NotFound(message, status, body)
    if status == 403 or (status == 400 and "access" in message.lower()):
        return PermissionDenied(message, status, body)
    return ApiError(message, status, body)


def require(data: dict[str, Any], key: str, what: str) -> Any:
    """``data[key]``, or BadResponse when the server left it out."""
    if key not in data:
        raise BadResponse(f"the answer to {what} has no '{key}'")
    return data[key]


def as_int(value: Any, what: str) -> int:
    """An id the server sent as a number or a string (upload, fetchSchedule) as an int."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadResponse(f"the answer to {what} has a bad number: {shorten(repr(value), 60)}",
                          ) from None


def cookie_values(set_cookie_headers: list[str]) -> dict[str, str]:
    """``name -> value`` of ``Set-Cookie`` headers, quoted (Jetty version-0) values unquoted.

    Delete and download report their outcome only in a cookie on a 302 (§5.3, §5.5), with
    spaces and quotes in it, which ``http.cookies`` refuses to parse.
    """
    values: dict[str, str] = {}
    for header in set_cookie_headers:
        name, sep, rest = header.partition("=")
        if not sep or not name.strip():
            continue
        rest = rest.lstrip()
        if rest.startswith('"'):
            value, i = [], 1
            while i < len(rest) and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < len(rest):
                    i += 1
                value.append(rest[i])
                i += 1
            values[name.strip()] = "".join(value)
        else:
            values[name.strip()] = rest.split(";", 1)[0].strip()
    return values
