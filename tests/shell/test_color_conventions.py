"""Colour follows the conventions: TERM=dumb and NO_COLOR turn it off, FORCE_COLOR and
CLICOLOR_FORCE turn it on, and `--color never` also leaves the input and the toolbar plain."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from azshell.shell.session.settings import env_layer, load

AZSHELL = str(Path(sys.executable).with_name("azshell"))
# an SGR sequence that sets a foreground or background colour (not bold, not reverse)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.mark.parametrize(("environ", "color"), [
    ({"TERM": "dumb"}, "off"),
    ({"FORCE_COLOR": "1"}, "on"),
    ({"CLICOLOR_FORCE": "1"}, "on"),
    ({"CLICOLOR_FORCE": "0"}, None),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "off"),
    ({"TERM": "dumb", "FORCE_COLOR": "1"}, "on"),
])
def test_the_environment_chooses_colour(environ: dict[str, str], color: str | None) -> None:
    assert env_layer(environ).get("color") == color


def test_an_option_beats_the_environment(tmp_path: Path) -> None:
    settings = load({"color": "never"}, {"FORCE_COLOR": "1"}, tmp_path / "none.toml")
    assert settings.color == "off"


def _batch(home: Path, url: str, **env: str) -> str:
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / "c"), "XDG_STATE_HOME": str(home / "s"),
               "XDG_CACHE_HOME": str(home / "k"), "AZSHELL_PASSWORD": "azkaban", **env}
    done = subprocess.run([AZSHELL, url, "--user", "azkaban", "-c", "whoami"],
                          capture_output=True, text=True, env=environ, check=True,
                          stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)
    return done.stdout


def test_force_color_colours_a_pipe(tmp_path: Path, sandbox: Any) -> None:
    assert not COLOUR.search(_batch(tmp_path, sandbox.url))
    assert COLOUR.search(_batch(tmp_path, sandbox.url, FORCE_COLOR="1"))
    assert COLOUR.search(_batch(tmp_path, sandbox.url, CLICOLOR_FORCE="1"))


def _typed_screen(home: Path, url: str, *args: str, **env: str) -> str:
    """What the terminal shows while `projects demo` is typed at the first prompt."""
    pexpect = pytest.importorskip("pexpect")
    from pty_harness import environment

    child = pexpect.spawn(AZSHELL, [url, "--user", "azkaban", *args],
                          env=environment(home, AZSHELL_PASSWORD="azkaban", **env),
                          dimensions=(40, 120), encoding="utf-8", timeout=15)
    try:
        child.expect(re.escape("azkaban@" + url.split("://", 1)[1]) + ">")
        child.send("projects --all")
        child.expect("--all")
        screen = child.before + child.after
        child.expect([pexpect.TIMEOUT], timeout=0.5)  # let the highlighting and toolbar draw
        return screen + child.before
    finally:
        child.terminate(force=True)


@pytest.mark.pty
def test_color_never_leaves_the_input_and_the_toolbar_plain(tmp_path: Path,
                                                            sandbox: Any) -> None:
    assert COLOUR.search(_typed_screen(tmp_path, sandbox.url))  # colour by default
    assert not COLOUR.search(_typed_screen(tmp_path, sandbox.url, "--color", "never"))
    assert not COLOUR.search(_typed_screen(tmp_path, sandbox.url, TERM="dumb"))
