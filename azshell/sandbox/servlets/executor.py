"""``/executor`` (§6) — being written; answers ``{ }`` for now."""

from __future__ import annotations

from azshell.sandbox.servlets.base import Servlet


class ExecutorServlet(Servlet):
    pass
