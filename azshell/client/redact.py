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

_SECRET_IN_TEXT = re.compile(r"(session\.id|password)=([^&\s;\"']+)", re.IGNORECASE)
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
    text = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}={redact_value(m.group(1), '')}", text)
    return _UUID.sub(SESSION_PLACEHOLDER, text)
