"""Session ids kept between runs, one per server and user, in a 0600 file.

So that the next `azshell` (interactive or a script) reuses the session without asking for the
password again. The file holds ids only, never passwords; it is replaced atomically, and every
read-modify-write of it holds a lock (paths.locked), so six scripts logging in at once keep all
six sessions, not the last writer's.

A file that is not what azshell wrote (truncated, binary, another JSON type, nested without end,
huge) is moved aside with one warning and the store starts afresh; one that cannot be read or
replaced at all (a directory, mode 000) costs the saved sessions, with one warning, never a
command.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from azshell.shell.session.paths import (
    FileTooLarge,
    locked,
    private_dir,
    read_bounded,
    sessions_file,
    set_aside,
    write_private,
)

MAX_FILE = 16 * 1024 * 1024  # a session is ~100 bytes: 16 MiB is 150,000 of them


def _key(url: str, user: str) -> str:
    return f"{user}@{url.rstrip('/')}"


def _saved_at(entry: object) -> int:
    """When an entry was saved; 0 for a hand-edited value that is not a number."""
    try:
        return int(entry.get("saved", 0) or 0) if isinstance(entry, dict) else 0
    except (TypeError, ValueError):
        return 0


def _decode(text: str) -> tuple[dict[str, dict], str | None]:
    """The file's map, or why it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}, "not JSON"
    except RecursionError:
        return {}, "nested too deeply"
    if not isinstance(data, dict):
        return {}, f"a JSON {type(data).__name__}, not an object"
    return data, None


class SessionStore:
    """A small JSON map ``user@url -> {"session_id", "saved"}``."""

    def __init__(self, path: Path | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.path = path or sessions_file()
        self.warn = warn  # one line for the user (the shell's stderr); None: silent
        self._warned: set[str] = set()
        self._accounts: tuple[float, list[tuple[str, str]]] | None = None  # (mtime, accounts)

    def _say(self, message: str) -> None:
        if self.warn is not None and message not in self._warned:
            self._warned.add(message)
            self.warn(f"warning: {message}")

    def _read(self) -> dict[str, dict]:
        """The map in the file; {} when there is none or it is broken (then moved aside)."""
        return self._load()[0]

    def _load(self) -> tuple[dict[str, dict], bool]:
        """(the map, whether the file may be replaced: False when it could not be read)."""
        try:
            text = read_bounded(self.path, MAX_FILE)
        except FileNotFoundError:
            return {}, True
        except OSError as err:
            self._say(f"cannot read the sessions file {self.path}: {err.strerror or err}; "
                      "saved sessions are not used")
            return {}, False
        except (UnicodeDecodeError, FileTooLarge) as err:
            return self._broken("not UTF-8 text" if isinstance(err, UnicodeDecodeError)
                                else str(err))
        if not text.strip():
            return {}, True
        data, problem = _decode(text)
        return (data, True) if problem is None else self._broken(problem)

    def _broken(self, why: str) -> tuple[dict[str, dict], bool]:
        moved = set_aside(self.path)
        where = f"moved to {moved.name}" if moved else "left as it is"
        self._say(f"the sessions file {self.path} is broken ({why}); {where}, starting afresh")
        return {}, moved is not None

    def get(self, url: str, user: str) -> str | None:
        """The saved session id for this server and user, if any (a blank one is none)."""
        entry = self._read().get(_key(url, user))
        sid = entry.get("session_id") if isinstance(entry, dict) else None
        return sid.strip() if isinstance(sid, str) and sid.strip() else None

    def put(self, url: str, user: str, session_id: str) -> None:
        """Remember ``session_id`` (the file and its directory are private)."""
        def save(data: dict[str, dict]) -> bool:
            data[_key(url, user)] = {"session_id": session_id, "saved": int(time.time())}
            return True

        self._change(save)

    def forget(self, url: str, user: str) -> None:
        """Drop the saved session (after logout, or when the server refused it)."""
        self._change(lambda data: data.pop(_key(url, user), None) is not None)

    def _change(self, change: Callable[[dict[str, dict]], bool]) -> None:
        """Read, change and replace the file under its lock; a file that cannot be written
        costs the saved session (one warning), not the command that logged in."""
        if not self._load()[1]:
            return  # unreadable: replacing it would drop what it holds (already warned)
        try:
            private_dir(self.path.parent)
            with locked(self.path):
                data, writable = self._load()
                if writable and change(data):
                    write_private(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n")
        except OSError as err:
            self._say(f"cannot save sessions in {self.path}: {err.strerror or err}")

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
        self.warn = None
        self._warned = set()

    def _stamp(self) -> float | None:
        return None  # nothing to read: never cached

    def _read(self) -> dict[str, dict]:
        return self.data

    def put(self, url: str, user: str, session_id: str) -> None:
        self.data[_key(url, user)] = {"session_id": session_id, "saved": int(time.time())}

    def forget(self, url: str, user: str) -> None:
        self.data.pop(_key(url, user), None)
