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
import time
from collections.abc import Iterator
from pathlib import Path

APP = "azshell"
LOCK_WAIT = 10.0  # seconds to wait for another azshell's lock before going on without it


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
    """Create ``path`` (and its missing parents) 0700 and make ``path`` itself 0700; returns it.

    ``mkdir(parents=True)`` would create the parents with the umask's mode (``~/.cache/azshell``
    0755, or 0777 under umask 000): every directory made here is made one at a time instead.
    """
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        if (folder.stat().st_mode & 0o777) != 0o700:
            folder.chmod(0o700)
    if (path.stat().st_mode & 0o777) != 0o700:
        path.chmod(0o700)
    return path


class FileTooLarge(ValueError):
    """A local file larger than azshell would ever write there (a wrong file, or junk)."""


def read_bounded(path: Path, limit: int) -> str:
    """The UTF-8 text of ``path``, refusing one over ``limit`` bytes before reading it all.

    OSError (missing, a directory, unreadable), UnicodeDecodeError and FileTooLarge say why not.
    """
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"larger than {limit // (1024 * 1024)} MiB")
    return data.decode("utf-8")


def set_aside(path: Path) -> Path | None:
    """Move a broken file out of the way (``NAME.broken-STAMP``) so the next write starts
    afresh; returns where it went, or None when it could not be moved."""
    target = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, target)
    except OSError:
        return None
    return target


@contextlib.contextmanager
def locked(path: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold an exclusive lock around a read-modify-write of ``path``.

    fcntl's ``flock`` on the file's directory where there is one (no lock file left behind,
    released by the kernel if azshell dies); elsewhere a lock file ``PATH.lock`` created
    exclusively, a stale one (older than ``wait``) taken over. After ``wait`` seconds without
    the lock the block runs anyway: a lost update is better than a shell that hangs.
    """
    private_dir(path.parent)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.005)
            yield
        finally:
            os.close(fd)  # closing releases the lock
        return
    yield from _lock_file(path.with_name(f"{path.name}.lock"), wait)  # pragma: no cover


def _lock_file(lock: Path, wait: float) -> Iterator[None]:  # pragma: no cover - Windows
    deadline = time.monotonic() + wait
    mine = False
    while not mine:
        try:
            os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            mine = True
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - lock.stat().st_mtime > wait:
                    lock.unlink()
                    continue
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
    try:
        yield
    finally:
        if mine:
            with contextlib.suppress(OSError):
                lock.unlink()


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
