"""Fixtures of the shell tests: the installed azshell in a pseudo-terminal (pty_harness.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def pty_home(tmp_path: Path) -> Path:
    """The private HOME of the shells ``shell`` starts (XDG directories inside it)."""
    return tmp_path / "home"


@pytest.fixture
def shell(pty_home: Path) -> Iterator[Callable[..., Any]]:
    """``shell(url, user="azkaban", **env) -> pty_harness.Shell``, ended after the test.

    pexpect is imported here, not at the top, so the other shell tests run without it; a test
    that asks for this fixture is skipped when it is missing.
    """
    pytest.importorskip("pexpect")
    from pty_harness import shell_factory

    with shell_factory(pty_home) as start:
        yield start
