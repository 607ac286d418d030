"""History: secret lines never reach the file, and the file is private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from azshell.shell.interactive.history import SecretFreeHistory, is_secret


@pytest.mark.parametrize("line", [
    "login", "login alice", "connect http://x:8081 bob", "CONNECT http://x",
    "call POST / action=login username=a password=b", "call /x passwd=1",
    "call /executor session.id=abc", "call /x session_id=abc", "call /x token=t",
    "set secret x", "call /x Password=B",
    "hunter2", "Tr0ub4dor&3 x", "azkaban",  # not a command: a password typed at the prompt
])
def test_secret_lines(line: str) -> None:
    assert is_secret(line)


@pytest.mark.parametrize("line", [
    "", "projects", "execute demo main", "flows login_jobs_project_is_fine_too", "logout",
    "help login", "quit", "# a comment",
])
def test_ordinary_lines(line: str) -> None:
    assert not is_secret(line)


def test_the_file_holds_no_secret_and_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "state" / "azshell" / "history"
    history = SecretFreeHistory(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for line in ("projects", "login", "call POST / password=hunter2", "flows demo"):
        history.append_string(line)
    text = path.read_text()
    assert "projects" in text
    assert "flows demo" in text
    assert "hunter2" not in text
    assert "login" not in text
    # in memory the whole session stays recallable
    assert list(history.get_strings()) == [
        "projects", "login", "call POST / password=hunter2", "flows demo"]
    assert list(SecretFreeHistory(path).load_history_strings())[::-1] == ["projects", "flows demo"]


def test_an_existing_open_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "history"
    path.write_text("")
    path.chmod(0o644)
    SecretFreeHistory(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
