"""`curl`: an HTTP exchange written as a curl command that does the same request.

The command is meant to be pasted into a POSIX shell: every word is quoted with ``shlex.quote``
except the secrets, which stay shell variables in double quotes (``"session.id=$AZKABAN_SESSION"``,
``"password=$AZKABAN_PASSWORD"``). The session id itself is shown only when asked (``--reveal``,
as an ``export`` line before the command); the password never is, since the client never kept it.

How each part is sent matches :mod:`azshell.client.transport`:
- GET: the parameters in the query string (``--get --data-urlencode``), the session as the
  cookie (``-b "azkaban.browser.session.id=$AZKABAN_SESSION"``), never in the URL;
- any other method: a form body (``-X POST --data-urlencode``) and ``X-Requested-With``;
- an upload: multipart fields (``--form-string``) and the zip (``--form 'file=@x.zip;...'``);
- TLS: ``-k`` when verification is off, ``--cacert FILE`` with a CA bundle.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

SESSION_VAR = "AZKABAN_SESSION"
SESSION_COOKIE = "azkaban.browser.session.id"
PASSWORD_VAR = "AZKABAN_PASSWORD"
ZIP_TYPE = "application/zip"
_REQUESTED_WITH = "X-Requested-With"


@dataclass
class CurlCommand:
    """The command (one option per line, ``\\``-continued) and what to do before running it."""

    command: str
    notes: list[str] = field(default_factory=list)  # comment lines, "# ..."
    export: str | None = None  # ``export AZKABAN_SESSION=...`` with --reveal

    def text(self) -> str:
        """Everything as it is printed: notes, the export line, then the command."""
        head = [*self.notes, *([self.export] if self.export else [])]
        return "\n".join([*head, self.command])


def _secret_word(name: str, variable: str, urlencoded: bool) -> str:
    """``"session.id=$AZKABAN_SESSION"``: double quotes, so the shell puts the value in."""
    shown = quote(name, safe="") if urlencoded else name
    return f'"{shown}=${variable}"'


def _param_word(name: str, value: str, urlencoded: bool) -> str:
    """One ``name=value`` word, the secrets as variables.

    For ``--data-urlencode`` the name is percent-encoded here (curl sends it as given and encodes
    only the value); that also keeps a name with ``@`` from being read as a file to send.
    """
    lower = name.lower()
    if lower == "session.id":
        return _secret_word(name, SESSION_VAR, urlencoded)
    if lower == "password":
        return _secret_word(name, PASSWORD_VAR, urlencoded)
    shown = quote(name, safe="") if urlencoded else name
    return shlex.quote(f"{shown}={value}")


def _file_word(path: str, part: str = "file") -> str:
    """``'file=@/tmp/demo.zip;type=application/zip'``, the path in curl's quotes if needed."""
    name = Path(path).name
    target = path
    if any(c in path for c in ';,"\\'):
        target = '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    spec = f"{part}=@{target}"
    if not name.lower().endswith(".zip"):  # the client names the part *.zip (protocol §5.2)
        spec += f";filename={name}.zip"
    return shlex.quote(f"{spec};type={ZIP_TYPE}")


def _connection_options(exchange: Any) -> list[str]:
    """TLS, method and the header azshell adds to every request that is not a GET."""
    options: list[str] = []
    verify = getattr(exchange, "verify", True)
    if verify is False:
        options.append("-k")
    elif isinstance(verify, str):
        options.append(f"--cacert {shlex.quote(verify)}")
    method = exchange.method.upper()
    if method != "GET":
        options.append(f"-X {shlex.quote(method)}")
    headers = getattr(exchange, "request_headers", {}) or {}
    requested_with = next((v for k, v in headers.items() if k.lower() == "x-requested-with"),
                          "XMLHttpRequest" if method != "GET" else None)
    if requested_with:
        options.append(f"-H {shlex.quote(f'{_REQUESTED_WITH}: {requested_with}')}")
    if getattr(exchange, "session_cookie", False):
        options.append(f'-b "{SESSION_COOKIE}=${SESSION_VAR}"')
    return options


def _data_options(exchange: Any) -> tuple[list[str], list[str]]:
    """The parameters as curl sends them, and notes about files that are gone."""
    if not exchange.files:
        get = ["--get"] if exchange.method.upper() == "GET" and exchange.params else []
        return get + [f"--data-urlencode {_param_word(k, v, True)}"
                      for k, v in exchange.params], []
    options = [f"--form-string {_param_word(k, v, False)}" for k, v in exchange.params]
    notes = []
    for path in exchange.files:
        options.append(f"--form {_file_word(path)}")
        if not Path(path).exists():
            notes.append(f"# {path} no longer exists (a zip made for the upload): zip the "
                         "project again and put its path here")
    return options, notes


def _secret_notes(exchange: Any, reveal: bool) -> tuple[list[str], str | None]:
    """What to set before running the command, and the export line of ``--reveal``."""
    names = {name.lower() for name, _ in exchange.params}
    notes: list[str] = []
    export = None
    if "password" in names:
        user = next((v for k, v in exchange.params if k.lower() == "username"), "the user")
        notes.append(f"# set {PASSWORD_VAR} to the password of {user} first")
    if "session.id" in names or getattr(exchange, "session_cookie", False):
        secret = exchange.reveal_session() if reveal else None
        if secret:
            export = f"export {SESSION_VAR}={shlex.quote(secret)}"
        else:
            notes.append(f"# set {SESSION_VAR} to your session id first "
                         "(`curl --reveal` prints it)")
    return notes, export


def _is_file(exchange: Any) -> bool:
    """Whether the answer was a file (a project zip being downloaded), not text."""
    headers = getattr(exchange, "response_headers", {}) or {}
    kind = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
    return bool(kind) and not kind.startswith(("text/", "application/json"))


def build(exchange: Any, *, reveal: bool = False) -> CurlCommand:
    """The curl command for ``exchange`` (an :class:`azshell.client.Exchange`)."""
    data, file_notes = _data_options(exchange)
    options = ["curl", *_connection_options(exchange), *data, shlex.quote(exchange.url)]
    notes, export = _secret_notes(exchange, reveal)
    notes += file_notes
    if exchange.status is None and exchange.error:
        notes.append(f"# azshell got no answer to this request: {exchange.error}")
    if _is_file(exchange):
        notes.append("# the answer is a file: add -o FILE to save it")
    return CurlCommand(" \\\n  ".join(options), notes, export)
