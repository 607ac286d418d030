"""Command history on disk that never holds a secret, in a file only its owner can read.

A line is kept out of the file when its command is marked ``secret`` in the table (``login``,
``connect``), when it contains something that looks like a credential, or when its first word
is no command at all: that is most often a password typed at the wrong prompt (after a question
that never came), and a typo is not worth keeping. Such lines stay recallable in memory for the
rest of the session: the user typed them here, a moment ago.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from prompt_toolkit.history import FileHistory

from azshell.shell.line.commands import find
from azshell.shell.line.parser import split
from azshell.shell.line.secretwords import holds

SECRET_WORDS = re.compile(r"password|passwd|token|secret|session[._-]?id", re.IGNORECASE)


def is_secret(line: str, secrets: Iterable[str] = ()) -> bool:
    """Whether ``line`` might carry a secret and must not be written to the history file."""
    if SECRET_WORDS.search(line) or holds(line, secrets):
        return True
    words = split(line)
    if not words:
        return False
    if words[0].startswith("#"):
        return False  # a comment
    command = find(words[0]) or find(words[0].lower())
    return command is None or command.secret


def private_file(path: Path) -> Path:
    """Create ``path`` as an empty 0600 file if needed (its directory 0700) and fix its mode."""
    from azshell.shell.session.paths import private_dir

    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    if (path.stat().st_mode & 0o777) != 0o600:
        path.chmod(0o600)
    return path


class SecretFreeHistory(FileHistory):
    """A FileHistory that skips secret lines when writing and keeps its file private.

    A line holding a password the shell knows (``secrets``: the one it logged in with, the one
    it last asked for, AZSHELL_PASSWORD) is not kept at all, not even in memory: it was typed
    by mistake, and the arrow keys must not bring it back on the screen.
    """

    def __init__(self, filename: str | os.PathLike[str],
                 secrets: Callable[[], Iterable[str]] = tuple) -> None:
        private_file(Path(filename))
        self.secrets = secrets
        super().__init__(filename)

    def append_string(self, string: str) -> None:
        if not holds(string, self.secrets()):
            super().append_string(string)

    def store_string(self, string: str) -> None:
        if not is_secret(string, self.secrets()):
            super().store_string(string)
