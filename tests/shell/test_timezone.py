"""--tz and `set tz`: the zone of every time the shell shows."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import AZSHELL, make_shell

from azshell.shell.run.render import when
from azshell.shell.session.timezone import apply_zone

MS = 1_700_000_000_000  # any instant: compared with its own UTC and Tokyo renderings


@pytest.fixture
def restore_zone() -> Iterator[None]:
    before = os.environ.get("TZ")
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_set_tz_changes_the_times_shown(client: Any, restore_zone: None) -> None:
    sh = make_shell(client)
    assert sh.json("set tz UTC") == {"tz": "UTC"}
    assert when(MS) == time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(MS / 1000))
    assert sh.json("set tz Asia/Tokyo") == {"tz": "Asia/Tokyo"}
    utc_hour = time.gmtime(MS / 1000).tm_hour
    assert int(when(MS)[11:13]) == (utc_hour + 9) % 24  # Tokyo: UTC+9, no summer time
    from azshell.shell.session import timezone

    sh.json("set tz local")
    assert os.environ.get("TZ") == timezone._STARTED_WITH  # back to what the process had


def test_an_unknown_zone_is_one_usage_error(client: Any, restore_zone: None) -> None:
    sh = make_shell(client)
    line = sh.fails("set tz Mars/Olympus", code=2)
    assert line.startswith("error: set tz: unknown time zone 'Mars/Olympus'")
    apply_zone("local")


def test_the_tz_option_and_its_check(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"], "AZSHELL_CONFIG": "/dev/null"}
    done = subprocess.run([AZSHELL, "--tz", "UTC", "-o", "json", "-c", "set"], check=False,
                          capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 0, done.stderr
    assert '"tz": "UTC"' in done.stdout
    done = subprocess.run([AZSHELL, "--tz", "Nowhere/City", "-c", "set"], check=False,
                          capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 2
    assert "unknown time zone 'Nowhere/City'" in done.stderr
