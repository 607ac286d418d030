"""Running a transcript entry's client call against a replay server: what the user would get.

The outcome is ``(exit code, message)`` as the shell would turn it into (``exitcodes``), so a
test can say "this real answer gives the user exit 1 and this one line".
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from azshell.client import AzkabanClient
from azshell.client.options import ExecuteOptions, SlaSetting
from azshell.errors import AzshellError
from azshell.shell.run.exitcodes import exit_code

from .runner import BOGUS_SESSION


def outcome(url: str, entry: dict[str, Any], tmp_path: Path) -> tuple[int, str, Any]:
    """``(exit code, error message or "", value returned)`` of the entry's client call."""
    spec = entry["client"]
    method = spec["method"]
    client = AzkabanClient(url, timeout=(5.0, 10.0))
    try:
        if entry["expect"] == "session":
            client.adopt_session("azkaban", BOGUS_SESSION)
        elif method != "login":
            client.login("azkaban", "azkaban")
        args = [_argument(arg, tmp_path) for arg in spec["args"]]
        options = dict(spec.get("options", {}))
        if method == "execute":
            args.append(ExecuteOptions(**options))
            options = {}
        value = getattr(client, method)(*args, **options)
    except AzshellError as err:
        return exit_code(err), str(err), None
    finally:
        client.close()
    return 0, "", value


def _argument(arg: Any, tmp_path: Path) -> Any:
    if arg == "<zip>":
        target = tmp_path / "project.zip"
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("a.job", "type=command\ncommand=echo a\n")
        return target
    if arg == "<dir>":
        return tmp_path
    if arg == "<settings>":
        return [SlaSetting(rule="SUCCESS", duration_minutes=90)]
    return arg


def problems(url: str, entries: list[dict[str, Any]], tmp_path: Path, server: Any,
             ) -> list[str]:
    """Each entry whose client call does not give what its ``expect`` says, as a line."""
    found = []
    for entry in entries:
        if "client" not in entry:
            continue
        server.focus = entry
        code, message, _ = outcome(url, entry, tmp_path)
        want = 0 if entry["expect"] == "ok" else entry.get("exit", 1)
        if code != want:
            found.append(f"{entry['step']}: exit {code} (want {want}) {message}")
        elif code and ("\n" in message or not message.strip()):
            found.append(f"{entry['step']}: not a one-line error: {message!r}")
    return found
