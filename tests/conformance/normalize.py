"""One HTTP exchange as a transcript entry, with what changes from run to run masked.

What is kept is what a client may depend on: the status, the content type, Location and the
cookies, and the body with its key order (Jackson's order is part of the wire). What is masked
is what differs between two runs of the same scenario: session ids, epoch times and dates,
server paths and process figures, the run's project-name prefix, and ids. Ids keep their JSON
type (an int stays an int, a string a string) and become small numbers counted in order of first
appearance per kind (``exec``, ``project``, ``schedule``), so two servers that hand out different
ids still give equal transcripts, and a replayed answer still parses as the real one did.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from typing import Any

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
JAVA_OBJECT = re.compile(r"\b((?:[a-z]+\.)+[A-Z]\w*)@[0-9a-f]+\b")
JSESSION = re.compile(r"JSESSIONID=[0-9a-z]+")
DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
EPOCH_MS = 10**11  # numbers above this are epoch milliseconds (2001-03-03 onwards)
MASKED_TIME = 1700000000000
ID_KEYS = {"execid": "exec", "execId": "exec", "execIds": "exec", "projectId": "project",
           "scheduleId": "schedule", "scheduleid": "schedule", "triggerInstanceId": "trigger"}
# ids inside messages: (pattern with one group for the id, kind)
ID_TEXT = (
    (re.compile(r"(?<=exec id )(\d+)"), "exec"),
    (re.compile(r"(?<=[Ee]xecution )(\d+)"), "exec"),
    (re.compile(r"(?<=Cannot find execution ')(\d+)"), "exec"),
    (re.compile(r"(?<=doesn't exist in )(\d+)"), "exec"),
    (re.compile(r"(?<=[Ss]chedule )(\d+)"), "schedule"),
    (re.compile(r"(?<=[Ss]chedule with I[Dd] )(\d+)"), "schedule"),
    (re.compile(r"(?<=schedule with id )(\d+)"), "schedule"),
    (re.compile(r"(?<=Project )(\d+)(?= does)"), "project"),
    (re.compile(r"(?<=Project )(\d+)(?= doesn't)"), "project"),
)
# lists a server fills from a set whose order follows Java identity hash codes (Edge objects,
# Permission.Type enum values): their order changes from one server start to the next
SET_KEYS = {"dependencies", "dependents", "permission", "types"}
SET_TEXT = re.compile(r"(Permission for (?:user|group) \S+ set to )([A-Z,]+)")
MASKED_KEYS = {"installationPath": "<path>", "pid": "<pid>", "usedMemory": 0, "xmx": 0,
               "host": "<host>", "port": 0}
KEPT_HEADERS = ("Location", "Content-Disposition", "version", "projectId")
_PRE = re.compile(r"<pre>(.*?)</pre>", re.I | re.S)
_H2 = re.compile(r"<h2>(.*?)</h2>", re.I | re.S)


class Masker:
    """Masks one run's answers; ids are numbered as they are first seen."""

    def __init__(self, run_names: str, base_url: str) -> None:
        self.run_names = run_names
        self.base_url = base_url.rstrip("/")
        self.ids: dict[str, dict[str, int]] = {}

    def id_of(self, kind: str, raw: str) -> int:
        table = self.ids.setdefault(kind, {})
        return table.setdefault(raw, len(table) + 1)

    def value(self, key: str | None, value: Any) -> Any:  # noqa: PLR0911 - one case a line
        if isinstance(value, dict):
            return {k: self.value(k, v) for k, v in value.items()}
        if isinstance(value, list):
            if key in SET_KEYS and all(isinstance(v, str) for v in value):
                value = sorted(value)
            return [self.value(key, v) for v in value]
        if key in MASKED_KEYS and value is not None and not isinstance(value, (dict, list)):
            return MASKED_KEYS[key]
        if key in ID_KEYS and not isinstance(value, bool):
            return self._id(ID_KEYS[key], value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return MASKED_TIME if value >= EPOCH_MS else value
        if isinstance(value, str):
            return self.text(value)
        return value

    def _id(self, kind: str, value: Any) -> Any:
        text = str(value).strip()
        if not text.isdigit():
            return value if not isinstance(value, str) else self.text(value)
        number = self.id_of(kind, text)
        return number if isinstance(value, int) else str(number)

    def text(self, text: str) -> str:
        text = UUID.sub("<session>", text)
        text = JSESSION.sub("JSESSIONID=<jsession>", text)
        text = SET_TEXT.sub(lambda m: m.group(1) + ",".join(sorted(m.group(2).split(","))), text)
        text = JAVA_OBJECT.sub(r"\1@<hash>", text)
        text = DATE.sub("<date>", text)
        if self.base_url:
            text = text.replace(self.base_url, "<base>")
        text = text.replace(self.run_names, "<p>")
        for pattern, kind in ID_TEXT:
            text = pattern.sub(lambda m, kind=kind: str(self.id_of(kind, m.group(1))), text)
        return text

    def params(self, params: list[tuple[str, str]]) -> list[list[str]]:
        out = []
        for name, raw in params:
            if name in ("session.id", "password"):
                value = f"<{name}>"
            elif name in ID_KEYS and raw.isdigit():
                value = str(self.id_of(ID_KEYS[name], raw))
            else:
                value = self.text(raw)
            out.append([name, value])
        return out


def body_entry(masker: Masker, content_type: str, content: bytes) -> dict[str, Any]:
    """The body as data: JSON (kept in order, and whether Jackson pretty-printed it), an HTML
    page reduced to what a client reads of it, a zip's file names, or the text."""
    kind = content_type.lower()
    if "zip" in kind or "octet-stream" in kind:
        try:
            names = sorted(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            names = None
        return {"zip": names}
    text = content.decode("utf-8", "replace")
    stripped = text.strip()
    if not stripped:
        return {"empty": True}
    try:
        data = json.loads(stripped)
    except ValueError:
        data = None
    if data is not None or stripped == "null":
        return {"json": masker.value(None, data), "format": json_style(stripped)}
    if "<html" in stripped[:300].lower() or stripped.lower().startswith("<!doctype"):
        return {"html": html_summary(masker, text)}
    return {"text": masker.text(stripped)}


def json_style(text: str) -> str:
    """``pretty`` for Jackson's indented output (``"key" : value``, ``{ }``), ``pretty-gson``
    for Gson's (``"key": value``, 3.90.0's /status), else ``compact``."""
    stripped = text.strip()
    if '" : ' in stripped or stripped == "{ }":
        return "pretty"
    return "pretty-gson" if '":' in stripped and "\n" in stripped else "compact"


def html_summary(masker: Masker, text: str) -> dict[str, Any]:
    """What the client can read of a page: the login form's presence and an error reason."""
    summary: dict[str, Any] = {"login_form": '<form id="login-form"' in text}
    for name, pattern in (("pre", _PRE), ("h2", _H2)):
        match = pattern.search(text)
        if match:
            summary[name] = masker.text(" ".join(html.unescape(match.group(1)).split()))[:300]
    return summary


def cookies(masker: Masker, headers: list[str]) -> list[str]:
    """``Set-Cookie`` values, masked, in the order sent."""
    return [masker.text(value) for value in headers]


def dumps(transcript: dict[str, Any]) -> str:
    """The transcript file's text: one JSON document, stable for diffs."""
    return json.dumps(transcript, indent=1, ensure_ascii=False) + "\n"
