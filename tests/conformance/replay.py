"""A loopback server that answers with recorded transcript entries.

``Replay(entries)`` is a :class:`fakes.FakeServer` whose handler finds, for each request, the
entry to play: the ``focus`` entry when the request is the same call (method, path and the
names that choose the servlet's action: ``ajax``, ``action``, ``delete``, ``download``,
``purge``, ``logout``), else the first successful entry of that call (a login, the
``getProjectId`` a client sends before ``fetchSchedule``). The body is written back the way it
was recorded: JSON pretty (Jackson's ``"key" : value``) or compact, an HTML page with the parts
the transcript kept, a zip with the recorded names, plain text, or nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from fakes import FakeServer, Reply, Seen

ACTION_NAMES = ("ajax", "action", "delete", "download", "purge", "logout")
LOGIN_PAGE = ('<!DOCTYPE html><html><head><title>Azkaban Web Client</title></head><body>'
              '<form id="login-form" method="POST" action=""></form></body></html>')


def call_key(method: str, path: str, params: list[tuple[str, str]] | dict[str, str]) -> tuple:
    pairs = params.items() if isinstance(params, dict) else params
    chosen = {name: value if name in ("ajax", "action") else "" for name, value in pairs
              if name in ACTION_NAMES}
    return method, path or "/", tuple(sorted(chosen.items()))


def entry_key(entry: dict[str, Any]) -> tuple:
    request = entry["request"]
    params = [tuple(pair) for pair in request["params"]]
    return call_key(request["method"], request["path"], params)


def jackson(data: Any) -> str:
    """JSON as Jackson's default pretty printer writes it (near enough for a client)."""
    if data == {}:
        return "{ }"
    return json.dumps(data, indent=2, ensure_ascii=False).replace('": ', '" : ')


def body_bytes(body: dict[str, Any]) -> bytes:  # noqa: PLR0911 - one kind a line
    if "json" in body:
        data = body["json"]
        if body.get("format") == "compact":
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return jackson(data).encode()
    if "zip" in body:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in body["zip"] or []:
                archive.writestr(name, "")
        return buffer.getvalue()
    if "html" in body:
        page = body["html"]
        if page.get("login_form"):
            return LOGIN_PAGE.encode()
        inner = f"<h2>{page['h2']}</h2>" if page.get("h2") else ""
        inner += f"<pre>{page['pre']}</pre>" if page.get("pre") else ""
        return f"<html><head><title>Error</title></head><body>{inner}</body></html>".encode()
    if "text" in body:
        return str(body["text"]).encode()
    return b""


def reply_of(entry: dict[str, Any]) -> Reply:
    headers = [(name, value) for name, value in entry.get("headers", {}).items()]
    headers += [("Set-Cookie", value) for value in entry.get("set_cookie", [])]
    return Reply(status=entry["status"], body=body_bytes(entry["body"]),
                 content_type=entry.get("content_type") or None, headers=headers)


class Replay(FakeServer):
    """``with Replay(entries) as server: server.focus = entry; ...``."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.focus: dict[str, Any] | None = None
        super().__init__(self._answer, login=False)

    def _answer(self, seen: Seen) -> Reply:
        params = seen.query + seen.form + _multipart_fields(seen)
        key = call_key(seen.method, seen.path, params)
        if self.focus is not None and entry_key(self.focus) == key:
            return reply_of(self.focus)
        for entry in self.entries:
            if entry["expect"] == "ok" and entry_key(entry) == key:
                return reply_of(entry)
        return Reply(404, body=f"no recorded answer for {key}", content_type="text/plain")


def _multipart_fields(seen: Seen) -> list[tuple[str, str]]:
    """The small text fields of a multipart upload (``ajax``, ``project``)."""
    kind = seen.headers.get("content-type", "")
    if "multipart" not in kind or "boundary=" not in kind:
        return []
    boundary = kind.split("boundary=", 1)[1].strip('"').encode()
    fields = []
    for part in seen.body.split(b"--" + boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        if b"filename=" in head or b'name="' not in head:
            continue
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        fields.append((name, value.rstrip(b"\r\n").decode("utf-8", "replace")))
    return fields
