"""Zip files in and out: Azkaban's unzip rules, and a reproducible zip of a project directory."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path

from azshell.errors import LocalError, ProjectLoadError

UNZIP_FAILED = "Error unzipping file."
# Directories and files that are never part of a project: VCS data, caches, editor junk.
EXCLUDED_DIRS = (".git", ".svn", ".hg", "__pycache__", ".idea", ".vscode")
EXCLUDED_FILES = ("*.pyc", ".DS_Store", "*~", "*.swp", "*.swo", ".*.swp")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def is_zip_name(path: Path) -> bool:
    """Azkaban accepts an upload only when its file name ends in ``.zip`` (any case)."""
    return path.name.lower().endswith(".zip")


def extract_zip(zip_path: Path, dest: Path) -> None:
    """Unpack ``zip_path`` into ``dest``; any problem is Azkaban's "Error unzipping file."

    That covers non-zip data, a 0-byte file, and entries that would land outside ``dest``
    (zip-slip: ``../x``, absolute names).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    base = os.path.realpath(dest)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                _extract_entry(archive, info, base)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError,
            EOFError, NotImplementedError):
        raise ProjectLoadError(UNZIP_FAILED) from None


def _extract_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, base: str) -> None:
    name = info.filename.replace("\\", "/")
    target = os.path.realpath(os.path.join(base, name))
    if name.startswith("/") or not (target == base or target.startswith(base + os.sep)):
        raise ProjectLoadError(UNZIP_FAILED)
    if name.endswith("/"):
        os.makedirs(target, exist_ok=True)
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with archive.open(info) as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out)
    mode = (info.external_attr >> 16) & 0o777
    if mode & 0o100:
        os.chmod(target, 0o755)


def _excluded(name: str, is_dir: bool) -> bool:
    if is_dir:
        return name in EXCLUDED_DIRS
    return any(fnmatch(name, pattern) for pattern in EXCLUDED_FILES)


def project_files(directory: Path) -> list[tuple[str, Path]]:
    """(archive name, file) pairs of a project directory, sorted, junk left out.

    Symbolic links to files are followed; links to directories are not (no loops).
    """
    result: list[tuple[str, Path]] = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(
            d for d in dirs
            if not _excluded(d, True) and not os.path.islink(os.path.join(current, d))
        )
        for name in sorted(files):
            path = Path(current, name)
            if _excluded(name, False) or not path.is_file():
                continue
            result.append((path.relative_to(directory).as_posix(), path))
    return sorted(result)


def write_zip(directory: Path, target: Path) -> int:
    """Zip ``directory``'s contents (not the folder itself) into ``target``; returns the count.

    Entries are sorted and carry a fixed time stamp, so the same files give the same bytes.
    """
    entries = project_files(directory)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for arcname, path in entries:
            info = zipfile.ZipInfo(arcname, date_time=_FIXED_TIME)
            executable = path.stat().st_mode & stat.S_IXUSR
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return len(entries)


@contextmanager
def packaged(path: Path) -> Iterator[Path]:
    """Yield a zip for ``path``: a ``.zip`` as is, a directory zipped into a temporary file.

    The temporary zip lives in its own temporary directory (never next to the user's files),
    is named after the directory, and is removed on exit.
    """
    path = Path(path)
    if not path.exists():
        raise LocalError(f"no such file or directory: {path}")
    if path.is_file():
        if not is_zip_name(path):
            raise LocalError(f"not a directory or a .zip file: {path}")
        if not zipfile.is_zipfile(path):
            raise LocalError(f"not a valid zip file: {path}")
        yield path
        return
    if not path.is_dir():
        raise LocalError(f"not a directory or a .zip file: {path}")
    name = path.resolve().name or "project"
    scratch = Path(tempfile.mkdtemp(prefix="azshell-zip-"))
    try:
        target = scratch / f"{name}.zip"
        try:
            write_zip(path, target)
        except OSError as exc:
            raise LocalError(f"cannot zip {path}: {exc.strerror or exc}") from None
        yield target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
