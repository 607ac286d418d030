"""Keep secrets out of everything a person or a log file may see.

The session id is as good as a password for ten hours (protocol §2.2), so it is replaced in the
parameters handed to observers (``-v``, ``--debug``, ``curl``) and in any text that may end up in
an exception message. Passwords never leave the login request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SESSION_PLACEHOLDER = "<session>"
PASSWORD_PLACEHOLDER = "***"

# parameter name -> what is shown instead of its value
SECRET_PARAMS = {"session.id": SESSION_PLACEHOLDER, "password": PASSWORD_PLACEHOLDER}

# name=value in a query string or a command line: a value quoted after the "=", or a value inside
# quotes that opened before the name, is hidden up to its closing quote; a bare value up to a
# space, a quote, or an "&"/";" that starts the next name=value (a password may contain "&")
_SECRET_IN_TEXT = re.compile(
    r"""(?P<q>["'])?(?P<name>session\.id|password)="""
    r"""(?P<value>(?(q)[^"']*|(?:'[^']*'?|"[^"]*"?|(?:[^\s"'&;]|[&;](?!\s*[\w.\[\]]+=))+)))""",
    re.IGNORECASE)
# the login answer: {"status" : "success", "session.id" : "..."} (any id format, not only UUIDs)
_SECRET_IN_JSON = re.compile(r'("(session\.id|password)"\s*:\s*")([^"]*)(")', re.IGNORECASE)
# cookie attributes, whose values are not secret (everything else in a cookie header is)
_COOKIE_ATTRIBUTES = frozenset({"path", "domain", "expires", "max-age", "samesite", "secure",
                                "httponly", "version", "comment", "priority", "partitioned"})
_COOKIE_PAIR = re.compile(r"(^|[;,]\s*)([^=;,\s]+)=([^;,]*)")
_HIDDEN_HEADERS = {"authorization": PASSWORD_PLACEHOLDER,
                   "proxy-authorization": PASSWORD_PLACEHOLDER}
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                   re.IGNORECASE)


def redact_value(name: str, value: str) -> str:
    """The value of parameter ``name`` as it may be shown."""
    return SECRET_PARAMS.get(name.lower(), value)


def redact_params(params: Iterable[tuple[str, str]] | Mapping[str, str],
                  ) -> list[tuple[str, str]]:
    """A copy of ``params`` with the session id and any password hidden."""
    pairs = params.items() if isinstance(params, Mapping) else params
    return [(name, redact_value(name, value)) for name, value in pairs]


def redact_url(url: str) -> str:
    """``url`` with secret query parameters hidden (the rest of the URL unchanged)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = urlencode(redact_params(parse_qsl(parts.query, keep_blank_values=True)), safe="<>*")
    return urlunsplit(parts._replace(query=query))


def redact_text(text: str, session_id: str | None = None, password: str | None = None) -> str:
    """``text`` with the given secrets, any ``name=value`` secret and any UUID replaced.

    Used on anything from a third-party exception before it becomes part of a message: such
    texts often quote the request URL, query string included. Session ids are UUIDs (§2.2).
    """
    if session_id:
        text = text.replace(session_id, SESSION_PLACEHOLDER)
    if password:
        text = text.replace(password, PASSWORD_PLACEHOLDER)
    text = _SECRET_IN_TEXT.sub(
        lambda m: f"{m['q'] or ''}{m['name']}={redact_value(m['name'], '')}", text)
    text = _SECRET_IN_JSON.sub(
        lambda m: f"{m.group(1)}{redact_value(m.group(2), '')}{m.group(4)}", text)
    return _UUID.sub(SESSION_PLACEHOLDER, text)


def redact_answer(text: str, session_id: str | None = None) -> str:
    """An answer's text as it may be shown: the session id in use and any ``"session.id"`` or
    ``"password"`` value hidden (a login's answer carries the new id); nothing else touched."""
    if session_id:
        text = text.replace(session_id, SESSION_PLACEHOLDER)
    return _SECRET_IN_JSON.sub(
        lambda m: f"{m.group(1)}{redact_value(m.group(2), '')}{m.group(4)}", text)


def redact_json(data: object) -> object:
    """A copy of a JSON value with every ``session.id`` and ``password`` value hidden."""
    if isinstance(data, dict):
        return {key: redact_value(str(key), value) if isinstance(value, str)
                else redact_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [redact_json(item) for item in data]
    return data


def redact_cookies(value: str) -> str:
    """A ``Cookie`` or ``Set-Cookie`` header with every cookie's value hidden.

    Azkaban's login sets ``azkaban.browser.session.id=<session id>`` (protocol §2.1); other
    cookies are hidden too, since nothing says they are harmless. Attributes (``Path=/``) stay.
    """

    def hide(match: re.Match[str]) -> str:
        lead, name, _ = match.groups()
        if name.lower() in _COOKIE_ATTRIBUTES:
            return match.group(0)
        return f"{lead}{name}={SESSION_PLACEHOLDER}"

    return _COOKIE_PAIR.sub(hide, value)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of HTTP ``headers`` that may be logged: cookies and credentials hidden."""
    shown: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in ("cookie", "set-cookie"):
            shown[name] = redact_cookies(value)
        else:
            shown[name] = _HIDDEN_HEADERS.get(lower, value)
    return shown
