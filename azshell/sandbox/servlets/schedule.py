"""``/schedule`` (§7) — being written; answers ``{ }`` for now."""

from __future__ import annotations

from azshell.sandbox.servlets.base import Servlet


class ScheduleServlet(Servlet):
    pass
