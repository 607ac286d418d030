"""Property tests of the pure layers: the line parser, run_line with no server, and the decoding
of answers. Any exception that is not an AzshellError is a traceback a user would see."""

from __future__ import annotations

import pytest
from fuzzing import answer_bodies, check_decoding, check_line, check_run_line_offline, lines
from fuzzing import statuses as status_codes
from hypothesis import given

pytestmark = pytest.mark.fuzz


@given(lines)
def test_the_parser_takes_any_line(line: str) -> None:
    check_line(line)


@given(lines)
def test_run_line_without_a_server_never_fails_inside(line: str) -> None:
    check_run_line_offline(line)


@given(status_codes, answer_bodies)
def test_any_answer_text_decodes_or_is_one_error(status: int, text: str) -> None:
    check_decoding(status, text)
