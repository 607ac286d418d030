"""A hostile loopback server answering with every shape an answer can take (garbage, nested
JSON, huge, gzip, cut short, reset, echoing the request): the client raises one AzshellError or
returns data, sends a state change once, and never repeats a secret; the shell prints one line
and never shows a control character raw on a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fuzzing import (
    READS,
    SHELL_LINES,
    WRITES,
    Shape,
    Upload,
    check_client_answer,
    check_sandbox_body,
    check_shell_answer,
    scratch,
    shapes,
    uploads,
)
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.fuzz

CALLS = sorted(READS) + sorted(WRITES) + ["download", "login"]


@given(shapes, st.sampled_from(CALLS))
def test_the_client_survives_any_answer(hostile: Any, shape: Shape, call: str) -> None:
    with scratch() as tmp:
        check_client_answer(hostile, shape, call, Path(tmp))


@given(shapes, st.sampled_from(SHELL_LINES), st.booleans())
def test_the_shell_survives_any_answer(hostile: Any, shape: Shape, line: str, tty: bool,
                                       ) -> None:
    check_shell_answer(hostile, shape, line, tty)


@pytest.fixture(scope="module")
def body_sandbox() -> Any:
    from azshell.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


@given(uploads)
def test_the_sandbox_survives_any_multipart_body(body_sandbox: Any, upload: Upload) -> None:
    check_sandbox_body(body_sandbox, upload)
