"""Command history on disk that never holds a secret, in a file only its owner can read.

A line is kept out of the file when its command is marked ``secret`` in the table (``login``,
``connect``), when it contains something that looks like a credential, or when its first word
is no command at all: that is most often a password typed at the wrong prompt (after a question
that never came), and a typo is not worth keeping. Such lines stay recallable in memory for the
rest of the session: the user typed them here, a moment ago.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from prompt_toolkit.auto_suggest import AutoSuggest, Suggestion
from prompt_toolkit.history import FileHistory
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput

from azshell.shell.line.secretwords import holds

SECRET_WORDS = re.compile(r"password|passwd|token|secret|session[._-]?id", re.IGNORECASE)


def is_secret(line: str, secrets: Iterable[str] = ()) -> bool:
    """Whether ``line`` might carry a secret and must not be written to the history file."""
    from azshell.shell.line.commands import find  # the table: after the first prompt
    from azshell.shell.line.parser import split

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


class Hidden(Processor):
    """Shows nothing of what is typed (a password): no text, no stars, the cursor still."""

    def apply_transformation(self, transformation_input: TransformationInput) -> Transformation:
        return Transformation([], source_to_display=lambda i: 0, display_to_source=lambda i: 0)


@functools.lru_cache(maxsize=4096)
def _project_of(line: str) -> str | None:
    """The PROJECT a history line names, if its command takes one (remembered: the same
    lines are looked at on every keystroke)."""
    from azshell.shell.line.parser import parse

    try:
        inv = parse(line)
    except Exception:  # an old line that no longer parses names nothing
        return None
    if inv is None or not any(a.kind == "project" for a in inv.command.args):
        return None
    value = inv.values.get("project")
    return value if isinstance(value, str) else None


SUGGEST_SKIP_LIMIT = 200  # lines about other servers' projects looked past before giving up


class ServerSuggest(AutoSuggest):
    """The newest history line that starts with what is typed, as prompt_toolkit's
    AutoSuggestFromHistory finds it, but never one about a project this server does not have:
    the history is shared by every server, the suggestion is not."""

    def __init__(self, book: Callable[[], Any]) -> None:
        self.book = book

    def get_suggestion(self, buffer: Any, document: Any) -> Suggestion | None:
        text = document.text.rsplit("\n", 1)[-1]
        if not text.strip():
            return None
        book = self.book()
        known = book is not None and bool(book.projects())
        passed = 0
        for string in reversed(list(buffer.history.get_strings())):
            for line in reversed(string.splitlines()):
                if not line.startswith(text) or line == text:
                    continue
                project = _project_of(line) if known else None
                if project is not None and not book.has_project(project):
                    passed += 1
                    if passed >= SUGGEST_SKIP_LIMIT:  # a keystroke must stay cheap
                        return None
                    continue
                return Suggestion(line[len(text):])
        return None
