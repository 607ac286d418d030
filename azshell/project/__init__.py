"""Local Azkaban project files: the Flow 1.0 / 2.0 loaders and zip packaging.

One implementation of Azkaban's loader rules, used by the sandbox (to install uploads) and by
the client (to check a directory before sending it).
"""

from .coverage import NoFlows, unreached_warning
from .loader import load_directory, read_project, uses_flow2, validate
from .model import Flow, LoadedProject, Node
from .packaging import extract_zip, packaged, write_zip
from .properties import SubstitutionError, properties_load, resolve_props, substitute

__all__ = [
    "Flow",
    "LoadedProject",
    "NoFlows",
    "Node",
    "SubstitutionError",
    "extract_zip",
    "load_directory",
    "packaged",
    "properties_load",
    "read_project",
    "resolve_props",
    "substitute",
    "unreached_warning",
    "uses_flow2",
    "validate",
    "write_zip",
]
