"""The Azkaban Ajax API client: HTTP, sessions and errors, no terminal code.

    client = AzkabanClient("http://localhost:8081")
    client.login("azkaban", "azkaban")
    execid = client.execute("demo", "main", ExecuteOptions(params={"day": "monday"}))

The names below are imported on first use (PEP 562): ``azshell.client.execution_model`` or
``azshell.client.redact`` must not pull in ``requests``, which the shell imports only once it
talks to a server (start-up speed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azshell.client.api import AzkabanClient
    from azshell.client.base import CallResult
    from azshell.client.execution_model import Change, Execution
    from azshell.client.executions import LogChunk
    from azshell.client.options import ExecuteOptions, SlaSetting, parse_duration
    from azshell.client.transport import Exchange

_WHERE = {
    "AzkabanClient": "azshell.client.api",
    "CallResult": "azshell.client.base",
    "Change": "azshell.client.execution_model",
    "Exchange": "azshell.client.transport",
    "ExecuteOptions": "azshell.client.options",
    "Execution": "azshell.client.execution_model",
    "LogChunk": "azshell.client.executions",
    "SlaSetting": "azshell.client.options",
    "parse_duration": "azshell.client.options",
}

__all__ = [
    "AzkabanClient",
    "CallResult",
    "Change",
    "Exchange",
    "ExecuteOptions",
    "Execution",
    "LogChunk",
    "SlaSetting",
    "parse_duration",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'azshell.client' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
