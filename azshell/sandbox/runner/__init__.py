"""The sandbox's executor: runs the flows the web side submits, as Azkaban's executor server does.

The web side (``azshell.sandbox.servlets.executor``) only talks to :class:`Engine`; the other
modules are the engine's own parts.
"""

from azshell.sandbox.runner.engine import Engine

__all__ = ["Engine"]
