"""The sandbox: a local Azkaban-compatible web server, so that the shell can be tried (and tested)
without an Azkaban installation.

    with Sandbox() as sb:          # a free port on 127.0.0.1, served by a background thread
        print(sb.url)

State lives in memory; uploaded projects and job working directories live in a temporary
directory removed by :meth:`Sandbox.stop`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from azshell.sandbox.auth import CsrfTokens, SessionStore, User, UserStore
from azshell.threads import start_daemon

log = logging.getLogger("azshell.sandbox")

__all__ = ["Sandbox", "User"]


class Sandbox:
    """An in-process Azkaban-compatible HTTP server on ``host:port`` (0 = any free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, session_ttl: float = 36000.0,
                 job_timeout: float = 300.0, users: Iterable[User] | None = None,
                 *, max_connections: int = 250, max_executions: int = 2000,
                 fire_schedules: bool = True, schedule_scan: float = 1.0) -> None:
        """``max_connections``: requests served at once, like Jetty's thread pool (more wait
        in the listen queue); ``max_executions``: finished executions kept in memory;
        ``fire_schedules``: schedules start their flows when their time comes, looked at every
        ``schedule_scan`` seconds (off: they are kept and listed only, for tests that must not
        depend on the clock)."""
        from azshell.sandbox.app import SandboxApp
        from azshell.sandbox.http import SandboxHTTPServer
        from azshell.sandbox.runner.engine import Engine
        from azshell.sandbox.servlets.base import Context
        from azshell.sandbox.state import SandboxState

        self._tmp = Path(tempfile.mkdtemp(prefix="azshell-sandbox-"))
        self.users = UserStore(users)
        self.sessions = SessionStore(ttl=session_ttl)
        self.state = SandboxState(self._tmp)
        self.engine = Engine(self._tmp, job_timeout=job_timeout, max_finished=max_executions)
        self.context = Context(state=self.state, users=self.users, sessions=self.sessions,
                               csrf=CsrfTokens(), engine=self.engine, workdir=self._tmp)
        try:
            self._server = SandboxHTTPServer((host, port), SandboxApp(self.context),
                                             max_connections=max_connections)
        except OSError:
            self._cleanup()
            raise
        self.host = host
        self.port: int = self._server.server_address[1]
        # its request and job threads descend from this one, so none takes the shell's Ctrl-C
        self._thread = start_daemon(lambda: self._server.serve_forever(poll_interval=0.2),
                                    f"azshell-sandbox-{self.port}")
        from azshell.sandbox.scheduler import ScheduleFirer

        self.schedules = ScheduleFirer(self.state, self.engine, schedule_scan)
        if fire_schedules:
            self.schedules.start()
        self._stopped = False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def workdir(self) -> Path:
        return self._tmp

    def holdings(self) -> tuple[int, int]:
        """``(active projects, unfinished executions)``: what stopping the sandbox loses."""
        return len(self.state.active_projects()), self.engine.unfinished_count()

    def expire_sessions(self) -> None:
        """Forget every session at once, as if they had all timed out."""
        self.sessions.expire_all()

    def stop(self) -> None:
        """Stop serving, cut open connections, kill running jobs and remove the temp dir."""
        if self._stopped:
            return
        self._stopped = True
        self.schedules.stop()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(5)
        if self.engine is not None:
            try:
                self.engine.shutdown()
            except Exception:  # the engine's own bug must not keep the temp dir around
                log.exception("engine shutdown failed")
        self._cleanup()

    def _cleanup(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

