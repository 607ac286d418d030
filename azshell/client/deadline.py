"""A deadline for the whole answer, not for each read on the socket.

``requests`` applies its read timeout to every ``recv``: a server that sends its headers and
then one byte a second (or a proxy stuck half-way) keeps a call alive forever. A
:class:`Deadline` starts when the request has been sent — an upload's body included, so a
slow upload is never cut by it — and, when it passes, shuts the connection's socket down from
a watchdog thread: the blocked read returns, and the transport reports the call as not answered
in time. The connection classes below tell the deadline which socket to watch; the transport
mounts them with :func:`mount`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import connection, connectionpool, poolmanager

from azshell.threads import start_daemon

_CURRENT = threading.local()  # the deadline of the call this thread is making, if any


class Deadline:
    """``with Deadline(seconds) as deadline:`` around one request; ``expired`` tells if it cut.

    Once the block is left nothing is cut any more (a connection back in the pool is safe).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._done = False
        self._armed = False

    def __enter__(self) -> Deadline:
        _CURRENT.deadline = self
        return self

    def __exit__(self, *exc: object) -> None:
        _CURRENT.deadline = None
        self.stop()

    def arm(self, sock: socket.socket | None) -> None:
        """The request is sent: from now on the answer has ``seconds`` to arrive in full."""
        if sock is None or self._armed:
            return
        self._armed = True
        _WATCHDOG.watch(self, sock, time.monotonic() + self.seconds)

    def stop(self) -> None:
        """The answer is in (or abandoned): never cut after this."""
        with self._lock:
            self._done = True
        if self._armed:
            _WATCHDOG.forget(self)

    def _cut(self, sock: socket.socket) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            # socket.socket's own shutdown, also for a TLS socket: the reader blocked in recv
            # sees the end of the stream at once
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread cuts every deadline that passes (a thread per request cost more than
    the request itself on loopback). It sleeps until the earliest deadline; arming a later one,
    the usual case, does not even wake it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watched: dict[Deadline, tuple[float, socket.socket]] = {}
        self._wake_at = float("inf")  # when the thread will look next
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline, sock: socket.socket, when: float) -> None:
        with self._cond:
            self._watched[deadline] = (when, sock)
            if self._thread is None:
                self._thread = start_daemon(self._run, "azshell-deadline")
            elif when < self._wake_at:
                self._cond.notify()

    def forget(self, deadline: Deadline) -> None:
        with self._cond:
            self._watched.pop(deadline, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [(d, sock) for d, (when, sock) in self._watched.items() if when <= now]
                for deadline, _ in due:
                    del self._watched[deadline]
                later = [when for when, _ in self._watched.values()]
                self._wake_at = min(later) if later else float("inf")
                if not due:
                    self._cond.wait(None if not later else self._wake_at - now)
                    continue
            for deadline, sock in due:
                deadline._cut(sock)


_WATCHDOG = _Watchdog()


def _arm_current(sock: socket.socket | None) -> None:
    deadline: Deadline | None = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.arm(sock)


class _HTTPConnection(connection.HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _arm_current(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPSConnection(connection.HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _arm_current(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPPool(connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


def _watch(manager: Any) -> Any:
    # a SOCKS proxy manager brings pools of its own: left as it is (per-read limits only)
    if manager.pool_classes_by_scheme is poolmanager.pool_classes_by_scheme:
        manager.pool_classes_by_scheme = _POOLS
    return manager


class _Adapter(HTTPAdapter):
    """requests' adapter with connections that report when a request has been sent."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch(self.poolmanager)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        return _watch(super().proxy_manager_for(*args, **kwargs))


def mount(session: requests.Session) -> None:
    """Make ``session``'s connections able to honour a :class:`Deadline`."""
    adapter = _Adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
