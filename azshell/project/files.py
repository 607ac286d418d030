"""Directory listing the way Azkaban's loaders see it (``SuffixFilter``, ``DirFilter``)."""

from __future__ import annotations

import os
from pathlib import Path


def is_hidden(path: Path) -> bool:
    """``File.isHidden()`` on Unix: the name starts with a dot."""
    return path.name.startswith(".")


def files_with_suffix(directory: Path, suffix: str) -> list[Path]:
    """Non-hidden regular files named ``<something><suffix>``, sorted by name."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return []
    return sorted(
        (p for p in entries
         if p.is_file() and not is_hidden(p) and len(p.name) > len(suffix)
         and p.name.endswith(suffix)),
        key=lambda p: p.name,
    )


def subdirectories(directory: Path, seen: set[str] | None = None) -> list[Path]:
    """Subdirectories (hidden ones included, as ``DirFilter`` does), sorted by name.

    ``seen`` holds real paths already walked, so a symlink loop cannot recurse forever.
    """
    try:
        entries = list(directory.iterdir())
    except OSError:
        return []
    result = []
    for p in sorted(entries, key=lambda p: p.name):
        if not p.is_dir():
            continue
        if seen is not None:
            real = os.path.realpath(p)
            if real in seen:
                continue
            seen.add(real)
        result.append(p)
    return result


def relative(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` with forward slashes (Azkaban's job/props source)."""
    return path.relative_to(root).as_posix()
