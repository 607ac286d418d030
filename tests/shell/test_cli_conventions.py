"""The `azshell` command line as a pip user meets it: --help, commands after the options,
completion scripts for bash, zsh and fish, the man page, and nothing of it paid for at start-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from azshell.cli import build_parser, split_command
from azshell.manpage import manpage
from azshell.shell.interactive.toolbar import prompt_text, server_label
from azshell.shell.line.commands import COMMANDS

AZSHELL = str(Path(sys.executable).with_name("azshell"))
ROOT = Path(__file__).resolve().parents[2]


def run(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8", **env,
    }
    return subprocess.run([AZSHELL, *args], capture_output=True, text=True, env=environ,
                          stdin=subprocess.DEVNULL, timeout=60, start_new_session=True,
                          check=False)


def test_help_lists_every_command(tmp_path: Path) -> None:
    done = run(tmp_path, "--help")
    assert done.returncode == 0
    listed = done.stdout.split("commands (", 1)[1]
    for cmd in COMMANDS:
        assert f"\n  {cmd.name} " in listed, cmd.name


def test_sandbox_help_speaks_like_the_main_parser(tmp_path: Path) -> None:
    main_help = run(tmp_path, "--help").stdout
    sandbox_help = run(tmp_path, "sandbox", "--help").stdout
    assert "-h, --help            Show this help and exit." in main_help
    assert "-h, --help            Show this help and exit." in sandbox_help
    assert "show this help message" not in sandbox_help
    assert "examples:" in sandbox_help
    assert "exit codes:" in sandbox_help
    from azshell.sandbox.cli import _parser

    for parser in (build_parser(), _parser()):  # litecli's rule: each help ends with a period
        for action in parser._actions:
            if action.help and action.help != "==SUPPRESS==":
                assert action.help.endswith("."), action.help


def test_a_command_stands_where_the_url_would(tmp_path: Path, sandbox: Any) -> None:
    env = {"AZSHELL_URL": sandbox.url, "AZSHELL_USER": "azkaban", "AZSHELL_PASSWORD": "azkaban"}
    done = run(tmp_path, "whoami", **env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"] == sandbox.url
    # options after the command are the command's: `help` gets `execute`, -o is azshell's
    done = run(tmp_path, "-o", "json", "help", "execute", **env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["command"] == "execute"
    # after a URL too
    done = run(tmp_path, sandbox.url, "--user", "azkaban", "whoami",
               AZSHELL_PASSWORD="azkaban")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["user"] == "azkaban"


def test_a_word_that_is_neither_command_nor_url_is_a_usage_error(tmp_path: Path) -> None:
    done = run(tmp_path, "projcts")
    assert done.returncode == 2
    assert done.stderr.strip() == ("azshell: error: 'projcts' is neither a command nor a server "
                                   "URL (give http://HOST:PORT) (did you mean 'projects'?)")
    assert done.stdout == ""


def test_split_command_skips_option_values() -> None:
    parser = build_parser()
    assert split_command(parser, ["-p", "projects", "flows", "demo"]) == (
        ["-p", "projects"], ["flows", "demo"])
    assert split_command(parser, ["-uazkaban", "-k", "http://h:1", "log", "-f"]) == (
        ["-uazkaban", "-k", "http://h:1"], ["log", "-f"])
    assert split_command(parser, ["--output=json", "localhost:8081"]) == (
        ["--output=json", "localhost:8081"], [])


def test_a_url_without_scheme_shows_its_port_once() -> None:
    assert server_label("localhost:8081") == "localhost:8081"
    assert server_label("https://h:8443/azkaban/") == "https://h:8443/azkaban"

    class Ctx:
        class session:  # a stand-in for the Session: not connected
            connected = None

        class settings:  # a stand-in for Settings
            url, user = "localhost:8081", "azkaban"

    assert prompt_text(Ctx()) == "azkaban@localhost:8081> "


def _bash_complete(script: str, words: list[str], path: str) -> list[str]:
    """What bash's completion function offers for ``words`` (the last one being typed)."""
    words_text = " ".join(f"'{w}'" for w in words)
    program = (f"{script}\nCOMP_WORDS=({words_text}); COMP_CWORD={len(words) - 1}\n"
               "_azshell; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True,
                          env={"PATH": path, "HOME": os.environ.get("HOME", "/")}, check=True)
    return done.stdout.split()


def test_bash_completion_offers_options_profiles_and_commands(tmp_path: Path) -> None:
    config = tmp_path / "config" / "azshell"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[profiles.prod]\nurl = "https://p:8443"\n'
                                        '[profiles.qa]\nurl = "http://q:8081"\n')
    script = run(tmp_path, "--completion", "bash").stdout
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    program_env = f"export XDG_CONFIG_HOME={tmp_path / 'config'}\n"
    assert _bash_complete(script, ["azshell", "--out"], path) == ["--output"]
    assert _bash_complete(script, ["azshell", "-o", "y"], path) == ["yaml"]
    assert _bash_complete(program_env + script, ["azshell", "--profile", ""], path) == [
        "local", "prod", "qa"]  # local: the packaged default config's
    assert _bash_complete(script, ["azshell", "-c", "exec"], path) == ["execute", "executions"]
    assert "sandbox" in _bash_complete(script, ["azshell", "s"], path)


def test_list_profiles_is_quiet_about_a_broken_config(tmp_path: Path) -> None:
    config = tmp_path / "config" / "azshell"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[profiles.prod\n")
    done = run(tmp_path, "--list-profiles")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_the_zsh_script_parses(tmp_path: Path) -> None:
    script = tmp_path / "_azshell"
    script.write_text(run(tmp_path, "--completion", "zsh").stdout)
    done = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    text = script.read_text()
    for flag in ("--profile", "--output", "--query", "--completion"):
        assert flag in text


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_offers_options_and_commands(tmp_path: Path) -> None:
    script = tmp_path / "azshell.fish"
    script.write_text(run(tmp_path, "--completion", "fish").stdout)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["fish", "--no-config", "-c",
         f"source {script}; complete -C 'azshell --outp'; complete -C 'azshell -c execu'"],
        capture_output=True, text=True, env={"PATH": path, "HOME": str(tmp_path)}, check=True)
    offered = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert offered == ["--output", "execute", "executions"]


def test_the_man_page_is_generated_from_the_table(tmp_path: Path) -> None:
    committed = (ROOT / "docs" / "azshell.1").read_text(encoding="utf-8")
    assert committed == manpage(), (
        "docs/azshell.1 is out of date: run `python -m azshell.manpage > docs/azshell.1`")
    assert run(tmp_path, "--man").stdout == committed
    for cmd in COMMANDS:
        assert f"\\fB{cmd.name.replace('-', chr(92) + '-')}" in committed, cmd.name
    for flag in ("\\-\\-query", "\\-\\-completion", "\\-\\-truststore"):
        assert flag in committed


def test_version_pays_for_none_of_it() -> None:
    probe = ("import sys; from azshell.cli import main; main(['--version']); "
             "print(' '.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    loaded = set(done.stdout.split()[2:])
    for heavy in ("azshell.completion", "azshell.manpage", "azshell.shell.line.commands",
                  "jmespath", "requests", "prompt_toolkit", "yaml"):
        assert heavy not in loaded, heavy


def test_the_command_line_and_the_config_file_offer_the_same_outputs() -> None:
    """Two lists (the option parser stays light for --version): they must not drift apart."""
    from azshell.options import OUTPUTS
    from azshell.shell.session import settings

    assert OUTPUTS == settings.OUTPUTS
