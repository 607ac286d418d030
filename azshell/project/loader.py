"""Which loader reads a project (``FlowLoaderFactory``) and the public load functions."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from azshell.errors import LocalError, ProjectLoadError, ProjectValidationError

from .coverage import NoFlows, no_flows_reason
from .files import files_with_suffix, subdirectories
from .flow1 import load_flow1
from .flow2 import load_flow2
from .model import LoadedProject
from .packaging import extract_zip, is_zip_name

FLOW_VERSION_KEY = "azkaban-flow-version"


def _flow_version_ok(project_file: Path) -> None:
    """Read a ``.project`` file; raise Azkaban's exception unless it says exactly 2.0."""
    try:
        data = yaml.safe_load(project_file.read_bytes())
    except OSError:
        raise ProjectLoadError("Error reading project YAML file.") from None
    except yaml.YAMLError as exc:
        raise ProjectLoadError(str(exc).replace("\n", " ")) from None
    if data is not None and not isinstance(data, dict):
        raise ProjectLoadError(
            f"class {_java_class(data)} cannot be cast to class java.util.Map"
        )
    if data is None or FLOW_VERSION_KEY not in data:
        raise ProjectLoadError(
            "azkaban-flow-version is not specified in the project YAML file."
        )
    version = data[FLOW_VERSION_KEY]
    # SnakeYAML gives a Double for 2.0 and Azkaban compares it with Double 2.0: 2, "2.0" and
    # 2.1 are all refused.
    if not (type(version) is float and version == 2.0):
        raise ProjectLoadError("Invalid azkaban-flow-version in the project YAML file.")


def _java_class(value: object) -> str:
    names = {list: "java.util.ArrayList", str: "java.lang.String", int: "java.lang.Integer",
             float: "java.lang.Double", bool: "java.lang.Boolean"}
    return names.get(type(value), "java.lang.Object")


def uses_flow2(directory: Path) -> bool:
    """``FlowLoaderFactory``: the first directory (depth first) holding a ``*.project`` decides."""
    return _search_project_file(directory, set())


def _search_project_file(directory: Path, seen: set[str]) -> bool:
    project_files = files_with_suffix(directory, ".project")
    if len(project_files) > 1:
        raise ProjectLoadError(
            "Duplicate project YAML files found in the project directory. Only one is allowed."
        )
    if project_files:
        _flow_version_ok(project_files[0])
        return True
    return any(_search_project_file(sub, seen) for sub in subdirectories(directory, seen))


def load_directory(root: Path) -> LoadedProject:
    """Load an unpacked project the way Azkaban installs it (Flow 1.0 or 2.0).

    Raises :class:`ProjectLoadError` for what Azkaban raises as exceptions (bad ``.project``);
    loader errors are returned in ``LoadedProject.errors``.
    """
    root = Path(root)
    if not root.is_dir():
        raise LocalError(f"not a directory: {root}")
    if uses_flow2(root):
        return load_flow2(root)
    return load_flow1(root)


def read_project(path: Path) -> LoadedProject:
    """Load a project from a directory or a ``.zip`` (unpacked into a temporary directory)."""
    path = Path(path)
    if not path.exists():
        raise LocalError(f"no such file or directory: {path}")
    if path.is_dir():
        return load_directory(path)
    if not is_zip_name(path):
        raise LocalError(f"not a directory or a .zip file: {path}")
    scratch = Path(tempfile.mkdtemp(prefix="azshell-project-"))
    try:
        extract_zip(path, scratch)
        return load_directory(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def validate(path: Path, *, allow_empty: bool = False) -> LoadedProject:
    """Like :func:`read_project`; raises :class:`ProjectValidationError` if Azkaban would refuse,
    and :class:`~.coverage.NoFlows` for a project it would install with no flow, unless
    ``allow_empty`` (see coverage.py)."""
    try:
        loaded = read_project(path)
    except ProjectLoadError as exc:
        raise ProjectLoadError(f"{path}: {exc}") from None
    if loaded.errors:
        raise ProjectValidationError(loaded.errors, source=str(path))
    reason = None if allow_empty else no_flows_reason(Path(path), loaded)
    if reason:
        raise NoFlows(str(path), reason)
    return loaded
