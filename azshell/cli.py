"""The `azshell` command: choose the run mode before importing anything heavy."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m azshell``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["sandbox"]:
        from azshell.sandbox.cli import main as sandbox_main

        return sandbox_main(args[1:])
    if args[:1] in (["--version"], ["-V"]):
        from azshell import __version__

        print(f"azshell {__version__}")
        return 0
    print("usage: azshell sandbox [--host HOST] [--port PORT]", file=sys.stderr)
    return 2
