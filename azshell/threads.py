"""Background threads that leave Ctrl-C and SIGTERM to the main thread.

The kernel may deliver a process-wide SIGINT to any thread that does not block it. Python's
handler then only sets a flag, and a main thread blocked in a read (stdin, a socket) sleeps on:
Ctrl-C seems ignored until the read ends, and then strikes wherever the program happens to be
(a script waiting for its next line exited -2 with a traceback instead of 130). A thread started
here is born with both signals blocked (a new thread inherits the mask of the one that starts
it, and so do the threads it starts), so the kernel interrupts the main thread.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

_KEPT_FOR_MAIN = {signal.SIGINT, signal.SIGTERM}


def start_daemon(target: Callable[[], object], name: str) -> threading.Thread:
    """Start ``target`` in a daemon thread that never receives SIGINT or SIGTERM."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # Windows: only the main thread runs Python's signal handlers anyway
        thread.start()
        return thread
    before = mask(signal.SIG_BLOCK, _KEPT_FOR_MAIN)
    try:
        thread.start()
    finally:
        mask(signal.SIG_SETMASK, before)  # a signal that came meanwhile is delivered now
    return thread
