"""Helpers for the project-loader tests: write small project trees into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from azshell.project import LoadedProject, load_directory


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create ``files`` (relative path -> text) under ``root``; return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root

@pytest.fixture
def tree(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write a project tree into a fresh directory under tmp_path."""
    counter = iter(range(1000))

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path / f"p{next(counter)}", files)

    return make

@pytest.fixture
def load(tree: Callable[[dict[str, str]], Path]) -> Callable[[dict[str, str]], LoadedProject]:
    """Write a tree and load it."""

    def run(files: dict[str, str]) -> LoadedProject:
        return load_directory(tree(files))

    return run
