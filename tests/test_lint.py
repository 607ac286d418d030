"""The lint the README's test command runs too: ruff over the tree, mypy over the typed layers
(the client, the shell, errors and cli: [tool.mypy] in pyproject.toml), and no ``Any`` at the
seams between them."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)


def test_ruff_is_clean() -> None:
    done = _tool("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    done = _tool("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_any_at_the_seams() -> None:
    """What the shell holds of the client and of its names is typed, and handlers get a client
    that is never None."""
    from azshell.shell.follow.follower import Follower
    from azshell.shell.follow.log import LogFollower
    from azshell.shell.run.context import Context
    from azshell.shell.session.state import Session

    seams = {name: Context.__annotations__[name] for name in ("names", "session")}
    seams |= {name: inspect.signature(getattr(Session, name).fget).return_annotation
              for name in ("connected", "store", "last_exchange")}
    seams["use"] = str(inspect.signature(Session.use))
    seams["adopt"] = str(inspect.signature(Session.adopt))
    seams["record"] = str(inspect.signature(Session.record))
    for name, annotation in seams.items():
        assert "Any" not in annotation, (name, annotation)
    assert seams["connected"] == "AzkabanClient | None"
    client = inspect.signature(Context.client.fget).return_annotation
    assert client == "AzkabanClient"  # not Optional
    for cls in (Follower, LogFollower):
        assert inspect.signature(cls).parameters["client"].annotation == "AzkabanClient"
