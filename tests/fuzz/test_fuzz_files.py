"""Property tests of every file reader: the sessions file, the names cache, the config file, a
script, the history file, and project directories and zips."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzing import (
    check_file_readers,
    check_project_files,
    file_bytes,
    project_files,
    scratch,
    toml_bytes,
)
from hypothesis import given

pytestmark = pytest.mark.fuzz


@given(file_bytes | toml_bytes)
def test_every_file_reader_takes_any_content(data: bytes) -> None:
    with scratch() as tmp:
        check_file_readers(data, Path(tmp))


@given(project_files)
def test_project_files_load_or_fail_in_one_line(files: dict[str, bytes]) -> None:
    with scratch() as tmp:
        check_project_files(files, Path(tmp))
