"""Telling a password typed by mistake from a command, without prompt_toolkit (scripts use it).

The history, the debug log and the error line all ask the same two questions: does this line
hold a password the shell knows, and does this unknown word look like one?
"""

from __future__ import annotations

from collections.abc import Iterable


def looks_like_secret(word: str) -> bool:
    """A word shaped like a password: long, no spaces, three kinds of characters of four.

    Such a word typed where a command belongs is not echoed in full nor logged (issue 9).
    """
    if len(word) < 8 or any(c.isspace() for c in word):
        return False
    kinds = (any(c.islower() for c in word), any(c.isupper() for c in word),
             any(c.isdigit() for c in word), any(not c.isalnum() for c in word))
    return sum(kinds) >= 3


def holds(line: str, secrets: Iterable[str]) -> bool:
    """Whether ``line`` contains one of ``secrets`` (the passwords the shell knows)."""
    return any(secret and secret in line for secret in secrets)
