"""``/status``: the no-login health check (protocol §8.1), GET only."""

from __future__ import annotations

import os
import sys

from azshell import __version__
from azshell.sandbox.http import Response
from azshell.sandbox.jackson import Ordered
from azshell.sandbox.servlets.base import Context, write_json


def _used_memory() -> int:
    """Resident memory in bytes (the JVM reports used heap; this is the closest honest figure)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):  # no /proc, or no sysconf
        pass
    try:
        import resource  # POSIX only: the sandbox must start on Windows too
    except ImportError:
        return 0  # unknown there; the field stays a number as clients expect
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage * (1 if sys.platform == "darwin" else 1024)


def status_response(ctx: Context) -> Response:
    import azshell

    return write_json(Ordered({
        "version": f"azshell-sandbox-{__version__}",
        "pid": str(os.getpid()),
        "installationPath": os.path.dirname(azshell.__file__),
        "usedMemory": _used_memory(),
        "xmx": 2147483648,
        "isDatabaseUp": True,
        "executorStatusMap": {
            "1": Ordered({"id": 1, "host": "localhost", "port": 12321, "isActive": True}),
        },
    }))
