"""The Azkaban Ajax API client: HTTP, sessions and errors, no terminal code.

    client = AzkabanClient("http://localhost:8081")
    client.login("azkaban", "azkaban")
    execid = client.execute("demo", "main", ExecuteOptions(params={"day": "monday"}))
"""

from azshell.client.api import AzkabanClient
from azshell.client.base import CallResult
from azshell.client.executions import LogChunk
from azshell.client.options import ExecuteOptions, SlaSetting, parse_duration
from azshell.client.transport import Exchange

__all__ = [
    "AzkabanClient",
    "CallResult",
    "Exchange",
    "ExecuteOptions",
    "LogChunk",
    "SlaSetting",
    "parse_duration",
]
