"""Session ids kept between runs, one per server and user, in a 0600 file.

So that the next `azshell` (interactive or a script) reuses the session without asking for the
password again. The file holds ids only, never passwords; it is replaced atomically, so two
scripts finishing at once leave one of their versions, never a torn file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from azshell.shell.session.paths import private_dir, sessions_file, write_private


def _key(url: str, user: str) -> str:
    return f"{user}@{url.rstrip('/')}"


def _saved_at(entry: object) -> int:
    """When an entry was saved; 0 for a hand-edited value that is not a number."""
    try:
        return int(entry.get("saved", 0) or 0) if isinstance(entry, dict) else 0
    except (TypeError, ValueError):
        return 0


class SessionStore:
    """A small JSON map ``user@url -> {"session_id", "saved"}``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or sessions_file()
        self._accounts: tuple[float, list[tuple[str, str]]] | None = None  # (mtime, accounts)

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, url: str, user: str) -> str | None:
        """The saved session id for this server and user, if any."""
        entry = self._read().get(_key(url, user))
        sid = entry.get("session_id") if isinstance(entry, dict) else None
        return sid if isinstance(sid, str) and sid else None

    def put(self, url: str, user: str, session_id: str) -> None:
        """Remember ``session_id`` (the file and its directory are private)."""
        data = self._read()
        data[_key(url, user)] = {"session_id": session_id, "saved": int(time.time())}
        private_dir(self.path.parent)
        write_private(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n")

    def forget(self, url: str, user: str) -> None:
        """Drop the saved session (after logout, or when the server refused it)."""
        data = self._read()
        if data.pop(_key(url, user), None) is not None:
            write_private(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n")

    def last_user(self, url: str) -> str | None:
        """The user most recently saved for ``url`` (the default when none is configured)."""
        prefix_free = url.rstrip("/")
        best: tuple[int, str] | None = None
        for key, entry in self._read().items():
            user, _, where = key.rpartition("@")
            if where == prefix_free and isinstance(entry, dict):
                saved = _saved_at(entry)
                if best is None or saved >= best[0]:
                    best = (saved, user)
        return best[1] if best else None

    def accounts(self) -> list[tuple[str, str]]:
        """``(url, user)`` of every saved session, the most recent first: what `connect` and
        `login` offer to complete."""
        stamp = self._stamp()
        if self._accounts is not None and stamp is not None and self._accounts[0] == stamp:
            return self._accounts[1]  # completion asks at each keystroke: read on change only
        rows = []
        for key, entry in self._read().items():
            user, _, url = key.rpartition("@")
            if user and url and isinstance(entry, dict):
                rows.append((_saved_at(entry), url, user))
        rows.sort(key=lambda row: -row[0])
        found = [(url, user) for _, url, user in rows]
        if stamp is not None:
            self._accounts = (stamp, found)
        return found

    def _stamp(self) -> float | None:
        """The file's modification time (None: no file, or a store without one)."""
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None


class MemoryStore(SessionStore):
    """The same interface, kept in memory: for the throw-away `--sandbox` server."""

    def __init__(self) -> None:
        self.data: dict[str, dict] = {}
        self._accounts = None

    def _stamp(self) -> float | None:
        return None  # nothing to read: never cached

    def _read(self) -> dict[str, dict]:
        return self.data

    def put(self, url: str, user: str, session_id: str) -> None:
        self.data[_key(url, user)] = {"session_id": session_id, "saved": int(time.time())}

    def forget(self, url: str, user: str) -> None:
        self.data.pop(_key(url, user), None)
