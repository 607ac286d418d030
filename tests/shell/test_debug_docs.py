"""The docs about scripts and debugging say what the code does, and the README links them."""

from __future__ import annotations

import re
from pathlib import Path

from azshell.client import Exchange
from azshell.shell.debugging.curl import build
from azshell.shell.debugging.verbose import format_exchange
from azshell.shell.line.commands import find

ROOT = Path(__file__).resolve().parents[2]
DEBUGGING = (ROOT / "docs" / "debugging.md").read_text(encoding="utf-8")
SCRIPTS = (ROOT / "docs" / "scripts.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_keeps_its_two_commands_first_and_links_the_docs() -> None:
    commands = re.findall(r"^    (\S.*)$", README, re.M)
    assert commands[:2] == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/azshell --sandbox",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && "
        ".venv/bin/python -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == commands[1]  # CI runs exactly the README's test command
    # absolute links: the README is also the package index's page, where relative ones break
    assert not re.findall(r"\]\((?!https?://|#)", README)
    base = re.escape("https://github.com/azkaban-shell/azkaban-shell/blob/main/")
    links = re.findall(rf"\]\({base}((?:docs|examples)/[^)#]*)", README)
    assert {"docs/operators.md", "docs/scripts.md", "docs/debugging.md",
            "docs/commands.md", "docs/shell.md"} <= set(links)
    for link in links:
        assert (ROOT / link).exists(), link


def test_the_verbose_lines_in_the_docs_look_like_the_real_ones() -> None:
    real = format_exchange(Exchange("GET", "http://h/index", "/index",
                                    [("ajax", "fetchuserprojects")], 200, 1126, 0.0019,
                                    session_cookie=True))
    assert real == ("→ GET /index ajax=fetchuserprojects cookie=<session>  "
                    "← 200 1.1 KiB 1.9 ms")
    assert real in DEBUGGING
    shape = re.compile(r"→ (GET|POST) /\S*( \S+=\S+)*  (← \d{3} [\d.]+ (B|KiB|MiB) [\d.]+ m?s"
                       r"( \(the session is gone: logging in again\))?|✗ .+ \([\d.]+ m?s\))")
    documented = [line.strip() for line in DEBUGGING.splitlines() if "→ " in line]
    assert len(documented) >= 5
    for line in documented:
        assert shape.fullmatch(line), line


def test_the_curl_example_in_the_docs_is_what_curl_prints() -> None:
    seen = Exchange("GET", "http://localhost:8081/manager", "/manager",
                    [("ajax", "fetchprojectflows"), ("project", "demo")], 200, 60, 0.002,
                    session_cookie=True)
    assert build(seen).text() in DEBUGGING


def test_every_debugging_aid_is_documented_in_both_guides() -> None:
    for text in (DEBUGGING, SCRIPTS):
        for word in ("set verbose on", "set timing on", "--debug", "curl --reveal",
                     "$AZKABAN_SESSION", "0600"):
            assert word in text, word
    assert find("curl") is not None
    assert "[debugging.md](debugging.md)" in SCRIPTS


def test_the_example_scripts_named_in_the_docs_exist() -> None:
    for name in re.findall(r"`([\w-]+\.(?:az|sh))", SCRIPTS):
        assert (ROOT / "examples" / "scripts" / name).exists(), name


def test_the_shell_guide_names_every_key_binding_and_setting() -> None:
    from azshell.shell.interactive.keys import shell_bindings
    from azshell.shell.line.commands import SETTINGS

    guide = (ROOT / "docs" / "shell.md").read_text(encoding="utf-8")
    names = {"f2": "F2", "c-i": "Tab", "c-@": "Ctrl-Space", "c-m": "Enter on a menu entry"}
    for binding in shell_bindings(lambda: None).bindings:
        key = binding.keys[0]
        key = getattr(key, "value", key)
        assert f"| {names[key]} |" in guide, key
    for setting in SETTINGS:
        assert setting in guide, setting

