"""Fixtures of the client tests that use the scripted server (fakes.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import FakeServer, answer_flows


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    """A scripted server answering fetchprojectflows (flow ``f``) and anything else with an
    executeFlow success (exec id 7)."""
    with FakeServer(answer_flows) as server:
        yield server
