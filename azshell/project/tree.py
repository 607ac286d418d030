"""A project as the files Azkaban reads: a directory, or a zip unpacked the way Azkaban does.

``plan``, ``diff``, ``lint`` and ``upload --if-changed`` compare projects by these files (their
bytes and executable bit), never by zip bytes, which change with time stamps and compression.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from azshell.errors import LocalError

from .packaging import extract_zip, is_zip_name, project_files


@dataclass(frozen=True)
class FileContent:
    """One project file: its bytes and whether it is executable (a script run as ``./x``)."""

    data: bytes
    executable: bool


@contextmanager
def project_tree(path: Path) -> Iterator[Path]:
    """Yield a directory holding the project: ``path`` itself, or a zip unpacked in a
    temporary directory (removed on exit)."""
    path = Path(path)
    if path.is_dir():
        yield path
        return
    if not path.is_file():
        raise LocalError(f"no such file or directory: {path}")
    if not is_zip_name(path):
        raise LocalError(f"not a directory or a .zip file: {path}")
    scratch = Path(tempfile.mkdtemp(prefix="azshell-tree-"))
    try:
        extract_zip(path, scratch)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def read_contents(root: Path) -> dict[str, FileContent]:
    """Archive name -> content of every file an upload of ``root`` sends (junk left out)."""
    contents = {}
    for name, file in project_files(root):
        try:
            contents[name] = FileContent(file.read_bytes(),
                                         bool(file.stat().st_mode & stat.S_IXUSR))
        except OSError as exc:
            raise LocalError(f"cannot read {file}: {exc.strerror or exc}") from None
    return contents


def same_contents(a: dict[str, FileContent], b: dict[str, FileContent]) -> bool:
    """Equal file sets with equal bytes and executable bits."""
    return a == b
