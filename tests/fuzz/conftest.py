"""The fuzz suite's profile: enough examples to find the usual breakage in CI within a minute,
the same examples every run (derandomized: a CI run is repeatable and cannot fail by luck);
benchmarks/fuzz.py runs the same properties far longer, on random examples, and prints its
figures."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shell"))  # api_support

settings.register_profile(
    "ci", max_examples=int(os.environ.get("AZSHELL_FUZZ_EXAMPLES", "300")), deadline=None,
    database=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])
settings.load_profile("ci")


@pytest.fixture(scope="module")
def hostile() -> Iterator[object]:
    from fuzzing import HostileServer

    server = HostileServer()
    yield server
    server.close()
