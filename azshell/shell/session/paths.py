"""Where azshell keeps its files, and with which permissions.

Config, state (sessions, history) and cache (names) follow the platform's conventions through
platformdirs. Every directory azshell creates is 0700 and every file 0600: a session id is as good
as a password for as long as it lives.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

APP = "azshell"


def config_dir() -> Path:
    """The user's configuration directory (e.g. ~/.config/azshell)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP, appauthor=False))


def state_dir() -> Path:
    """Where sessions and history live (e.g. ~/.local/state/azshell)."""
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """Where names learnt from servers are cached (e.g. ~/.cache/azshell)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP, appauthor=False))


def config_file() -> Path:
    """The user's config file; ``AZSHELL_CONFIG`` names another one."""
    override = os.environ.get("AZSHELL_CONFIG")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def sessions_file() -> Path:
    return state_dir() / "sessions.json"


def history_file() -> Path:
    return state_dir() / "history"


def server_key(url: str) -> str:
    """A file-name-safe, readable and unique name for one server URL."""
    clean = re.sub(r"[^A-Za-z0-9.-]+", "_", re.sub(r"^\w+://", "", url.rstrip("/")))[:60]
    digest = hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:8]
    return f"{clean}-{digest}"


def names_file(url: str) -> Path:
    """The NameBook cache of one server."""
    return cache_dir() / "names" / f"{server_key(url)}.json"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700; returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if (path.stat().st_mode & 0o777) != 0o700:
        path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically to a 0600 file in a 0700 directory."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
