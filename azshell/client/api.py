"""``AzkabanClient``: one object per server, one method per Ajax call.

The methods live in mixins by servlet (:mod:`projects`, :mod:`executions`, :mod:`schedules`,
:mod:`triggers`) plus :mod:`admin` (an operator's changes: flow locks, job overrides, proxy
users, purge);
sessions, ``call`` and ``server_status`` are in :mod:`base`, sending and failure rules in
:mod:`transport`, reading answers in :mod:`answers`.
"""

from __future__ import annotations

from azshell.client.admin import AdminCalls
from azshell.client.executions import ExecutionCalls
from azshell.client.projects import ProjectCalls
from azshell.client.schedules import ScheduleCalls
from azshell.client.triggers import TriggerCalls


class AzkabanClient(ProjectCalls, ExecutionCalls, ScheduleCalls, AdminCalls, TriggerCalls):
    """A client of one Azkaban web server.

    ``AzkabanClient(url, verify=True, timeout=(connect, read), observer=None,
    max_answer=64 MiB)``: ``verify`` is a bool or a CA bundle path; ``observer`` receives an
    :class:`Exchange` after every HTTP exchange; an answer over ``max_answer`` bytes is not read.
    Every failure is an :mod:`azshell.errors` exception with a one-line message.
    """
