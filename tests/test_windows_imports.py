"""Without the POSIX-only modules (as on Windows) every module imports, the client and the shell
run against an in-process sandbox, and the sandbox says plainly that command jobs cannot run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

PROBE = r"""
import importlib, json, os, pkgutil, sys
for name in ("resource", "fcntl", "termios", "tty", "pty", "pwd", "grp", "readline", "crypt",
             "syslog", "nis", "spwd", "posix_ipc"):
    sys.modules[name] = None  # `import resource` now fails as it does on Windows
del os.killpg  # no process groups either
import azshell
failed = {}
for mod in pkgutil.walk_packages(azshell.__path__, "azshell."):
    if mod.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(mod.name)
    except Exception as err:
        failed[mod.name] = repr(err)
print(json.dumps(failed))
from azshell.cli import main
code = main(["--sandbox", "-c", "call /status",
             "-c", "upload demo " + sys.argv[1] + " --create",
             "-c", "execute demo finish --wait", "-c", "log 1 extract", "--keep-going",
             "-o", "json"])
main(["--sandbox", "-c", "whoami"])
print(json.dumps({"code": code}))
"""


def _documents(text: str) -> list[object]:
    decoder, docs, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        while text[at].isspace():
            at += 1
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)
    return docs


def test_the_client_shell_and_sandbox_run_without_posix_modules(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "flow1-etl"
    done = subprocess.run([sys.executable, "-c", PROBE, str(example)], capture_output=True,
                          text=True, timeout=120, check=False, cwd=tmp_path,
                          env={"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
                               "XDG_STATE_HOME": str(tmp_path / "s"),
                               "XDG_CACHE_HOME": str(tmp_path / "k"), "LANG": "C.UTF-8"})
    assert "Traceback" not in done.stderr, done.stderr
    docs = _documents(done.stdout)
    assert docs[0] == {}  # every module imported
    status = docs[1]
    assert status["isDatabaseUp"] is True
    assert isinstance(status["usedMemory"], int)
    assert docs[-1] == {"code": 1}  # the flow failed, plainly
    assert "command jobs only on a POSIX system" in done.stdout + done.stderr


class _Console:
    def __init__(self, answer: str) -> None:
        self.answer = answer

    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        return self.answer


def test_confirm_asks_on_the_console_where_there_is_no_dev_tty(monkeypatch: Any,
                                                               capsys: Any) -> None:
    from azshell.shell.session import terminal

    monkeypatch.setattr(terminal, "os", SimpleNamespace(name="nt"))  # as on Windows

    def no_dev_tty(*args: object, **kwargs: object) -> None:
        raise AssertionError("/dev/tty opened")

    monkeypatch.setattr(terminal, "open", no_dev_tty, raising=False)
    monkeypatch.setattr(sys, "stdin", _Console("yes\n"))
    assert terminal.confirm_tty("delete demo?") is True
    monkeypatch.setattr(sys, "stdin", _Console("\n"))
    assert terminal.confirm_tty("delete demo?") is False
    assert capsys.readouterr().err == "delete demo? [y/N] delete demo? [y/N] "
