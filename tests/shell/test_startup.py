"""Start-up: the garbage collector is paused for the imports only, never left off."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from azshell.cli import main


def test_a_script_runs_with_the_collector_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from azshell.shell.handlers import shell as shell_handlers

    seen: list[bool] = []
    real = shell_handlers.set_

    def spy(ctx: Any, inv: Any) -> Any:
        seen.append(gc.isenabled())
        return real(ctx, inv)

    monkeypatch.setattr(shell_handlers, "set_", spy)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name))
    assert main(["http://127.0.0.1:1", "-c", "set"]) == 0
    assert seen == [True]  # turned on again before the first line ran
    assert gc.isenabled()
    assert '"output"' in capsys.readouterr().out


def test_started_turns_it_on_once() -> None:
    from azshell.shell import started

    gc.disable()
    try:
        started()
        assert gc.isenabled()
        started()  # a second call changes nothing
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
