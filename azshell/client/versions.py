"""Which Azkaban release has which call, and the one error for a server that lacks one.

Read from the release tags of ``azkaban/azkaban`` (the first tag whose servlet dispatches on the
name; protocol §15). Older servers do not say "unknown call": ``/manager`` answers "Cannot
execute command <name>" (and an empty body for a missing project), ``/schedule`` and ``/index``
answer ``{ }``, and a servlet path that does not exist answers 404. ``/status``, the one place a
server states its version, came in 3.33.0 (it says ``"unknown"`` when its jar has no manifest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from azshell.errors import UnsupportedCall

Version = tuple[int, ...]

# call (ajax name, or a servlet path) -> the first release that has it
FIRST_RELEASE: dict[str, Version] = {
    "purge": (2, 7, 0),
    "getProjectId": (3, 1, 0),
    "fetchuserprojects": (3, 1, 0),
    "fetchallprojects": (3, 1, 0),
    "getProxyUsers": (3, 1, 0),
    "getGroupPermissions": (3, 1, 0),
    "scheduleCronFlow": (3, 2, 0),
    "/status": (3, 33, 0),
    "fetchSchedules": (3, 37, 0),
    "fetchRunningTriggers": (3, 42, 0),
    "/flowtriggerinstance": (3, 42, 0),
    "/flowtrigger": (3, 47, 0),
    "fetchTrigger": (3, 47, 0),
    "fetchTriggerInstances": (3, 47, 0),
    "isFlowLocked": (3, 72, 0),
    "setFlowLock": (3, 72, 0),
}
STATUS_RELEASE = FIRST_RELEASE["/status"]
_NUMBERS = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


def parse(text: str) -> Version | None:
    """``"3.90.0"`` → ``(3, 90, 0)``; None for ``"unknown"`` or a sandbox's own name."""
    match = _NUMBERS.match(text.strip())
    if not match:
        return None
    return tuple(int(part) for part in match.groups(default="0"))


def dotted(version: Version) -> str:
    return ".".join(str(part) for part in version)


@dataclass(frozen=True)
class ServerVersion:
    """What /status said: the version text (``""`` when the server has no /status) and the
    oldest release the server can be (3.33.0 for any server with a /status)."""

    text: str
    at_least: Version | None

    @property
    def exact(self) -> Version | None:
        return parse(self.text)

    def has(self, call: str) -> bool | None:
        """Whether the server has ``call``: True, False, or None when nobody can tell."""
        first = FIRST_RELEASE.get(call)
        if first is None:
            return True
        exact = self.exact
        if exact is not None:
            return exact >= first
        if self.at_least is not None and self.at_least >= first:
            return True
        return None

    def describe(self) -> str:
        if self.exact is not None:
            return f"Azkaban {self.text}"
        if self.at_least is not None:
            return f"this Azkaban (version {self.text or 'unknown'})"
        return "this Azkaban (no /status: older than 3.33.0)"


def of_status(version_text: str | None) -> ServerVersion:
    """The version a /status answer gives; ``None`` when the server has no /status."""
    if version_text is None:
        return ServerVersion("", None)
    return ServerVersion(version_text, parse(version_text) or STATUS_RELEASE)


def lacking(call: str, server: ServerVersion) -> UnsupportedCall:
    """``Azkaban 3.0.0 has no ajax=fetchSchedules (Azkaban 3.37.0 and later have it)``."""
    name = call if call.startswith("/") else f"ajax={call}"
    first = FIRST_RELEASE.get(call)
    since = f" (Azkaban {dotted(first)} and later have it)" if first else ""
    return UnsupportedCall(f"{server.describe()} has no {name}{since}")
