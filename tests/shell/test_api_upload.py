"""upload: the flows found and the validation errors shown before anything is sent, and the
progress bar of a large upload (bytes, speed, time left) on a terminal only."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, TTY, make_shell

from azshell.shell.run.progress import TransferBar, bar_line, hms, human_bytes

MIB = 1 << 20


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# -- the bar, without a server -----------------------------------------------------------------

@pytest.mark.parametrize(("count", "text"), [
    (0, "0 B"), (512, "512 B"), (1536, "1.5 KiB"), (5 * MIB + MIB // 2, "5.5 MiB"),
    (3 << 30, "3.0 GiB"),
])
def test_human_bytes(count: int, text: str) -> None:
    assert human_bytes(count) == text


@pytest.mark.parametrize(("seconds", "text"), [(7, "0:07"), (750, "12:30"), (3723, "1:02:03")])
def test_hms(seconds: float, text: str) -> None:
    assert hms(seconds) == text


def test_a_bar_says_bytes_percentage_speed_and_time_left() -> None:
    line = bar_line("uploading demo", 5 * MIB, 10 * MIB, 2.5 * MIB, 120)
    assert re.fullmatch(r"uploading demo \[█{15}░{15}\]  50%  5\.0 MiB of 10\.0 MiB  "
                        r"2\.5 MiB/s  0:02 left", line), line


@pytest.mark.parametrize("columns", [20, 40, 60, 80, 200])
def test_a_bar_always_fits_one_row(columns: int) -> None:
    line = bar_line("uploading a-rather-long-project-name.zip", 3 * MIB, 10 * MIB, 1.2 * MIB,
                    columns)
    assert len(line) <= max(columns - 1, 10)
    assert "30%" in line


def test_a_narrow_row_drops_the_time_left_then_the_label() -> None:
    wide = bar_line("uploading x.zip", MIB, 4 * MIB, MIB, 100)
    middle = bar_line("uploading x.zip", MIB, 4 * MIB, MIB, 68)
    narrow = bar_line("uploading x.zip", MIB, 4 * MIB, MIB, 52)
    assert "left" in wide
    assert "left" not in middle
    assert "uploading" in middle
    assert "uploading" not in narrow
    assert "[" in narrow


def test_speed_is_unknown_at_first() -> None:
    assert bar_line("up", 0, MIB, None, 80).endswith("0 B of 1.0 MiB  -- B/s")


def test_redraws_are_throttled_and_the_speed_measured() -> None:
    clock, stream = FakeClock(), io.StringIO()
    bar = TransferBar(stream, "uploading", lambda: 100, clock=clock)
    for step in range(1, 1001):  # 1000 reports within 0.1 s: one redraw
        bar(step * 1024, 10 * MIB)
    assert bar.redraws == 1
    for _ in range(20):  # then one MiB a second, reported every 0.25 s, for 5 s
        clock.now += 0.25
        bar(bar.sent + MIB // 4, 10 * MIB)
    assert bar.redraws == 21  # the speed is that of the last 3 s, not of the first burst
    assert "1.0 MiB/s" in stream.getvalue().rsplit("\r", 1)[1]


def test_the_end_of_the_upload_ends_the_line() -> None:
    clock, stream = FakeClock(), io.StringIO()
    bar = TransferBar(stream, "uploading x.zip", lambda: 100, clock=clock)
    bar(0, 4 * MIB)
    clock.now += 2
    bar(4 * MIB, 4 * MIB)
    assert stream.getvalue().endswith(
        "\ruploading x.zip: sent 4.0 MiB in 2.0 s (2.0 MiB/s); the server is installing it"
        "\x1b[K\n")
    bar(0, 4 * MIB)  # a second attempt's reports draw nothing more
    bar.abort()
    assert stream.getvalue().count("\n") == 1


def test_an_interrupted_upload_ends_the_line_once() -> None:
    stream = io.StringIO()
    bar = TransferBar(stream, "uploading", lambda: 80, clock=FakeClock())
    bar.abort()
    assert stream.getvalue() == ""  # nothing drawn, nothing to end
    bar(MIB, 4 * MIB)
    bar.abort()
    bar.abort()
    assert stream.getvalue().endswith("\x1b[K\n")
    assert stream.getvalue().count("\n") == 1


# -- upload against the sandbox ----------------------------------------------------------------

@pytest.fixture
def big_project(tmp_path: Path) -> Path:
    """flow1-etl plus 3 MiB of incompressible bytes (a bundled library, say)."""
    source = tmp_path / "big"
    source.mkdir()
    for item in (EXAMPLES / "flow1-etl").rglob("*"):
        if item.is_file():
            target = source / item.relative_to(EXAMPLES / "flow1-etl")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    (source / "lib").mkdir()
    (source / "lib" / "bundle.bin").write_bytes(os.urandom(3 * MIB))
    return source


def test_a_large_upload_on_a_terminal_shows_a_bar(client: Any, big_project: Path,
                                                  project_name: str) -> None:
    sh = make_shell(client, tty=True)
    code, out, err = sh(f"upload {project_name} {big_project} --create")
    assert code == 0, err
    first, rest = err.split("\n", 1)
    assert first == f"{big_project}: 2 flow(s): audit, finish"
    assert re.search(r"uploading big \[[█░]+\]\s+\d+%\s+[\d.]+ \w?i?B of 3\.0 MiB", rest)
    assert re.search(r"uploading big: sent 3\.0 MiB in [\d.]+ s \([\d.]+ \w?i?B/s\); the server "
                     r"is installing it\x1b\[K\n$", rest)
    assert rest.count("\r") < 40  # throttled: not one redraw per 8 KiB block
    assert out == (f"uploaded version 1 of project {project_name} (created it first): "
                   "2 flows (audit, finish)\n")


def test_a_small_upload_needs_no_bar(client: Any, project_name: str) -> None:
    sh = make_shell(client, tty=True)
    code, _, err = sh(f"upload {project_name} {EXAMPLES / 'flow1-etl'} --create")
    assert code == 0, err
    assert err == f"{EXAMPLES / 'flow1-etl'}: 2 flow(s): audit, finish\n"


def test_no_bar_in_a_script(client: Any, big_project: Path, project_name: str) -> None:
    sh = make_shell(client)
    code, out, err = sh(f"upload {project_name} {big_project} --create")
    assert code == 0
    assert err == ""
    assert '"flows": [\n    "audit",\n    "finish"\n  ]' in out


def test_a_bar_only_on_a_terminal_stderr(client: Any, big_project: Path,
                                         project_name: str) -> None:
    """stdout in a pipe (``upload ... | jq``) still gets the bar on the terminal's stderr."""
    sh = make_shell(client)
    sh.ctx.out.stderr = sh.err = TTY()
    sh.ctx.out.stderr_tty = True
    code, out, err = sh(f"upload {project_name} {big_project} --create")
    assert code == 0
    assert "uploading big: sent 3.0 MiB" in err
    assert out.startswith("{")


def test_validation_errors_are_shown_before_anything_is_sent(client: Any, tmp_path: Path,
                                                             project_name: str) -> None:
    source = tmp_path / "bad"
    source.mkdir()
    (source / "a.job").write_text("type=command\ncommand=echo a\ndependencies=ghost\n")
    sh = make_shell(client, tty=True)
    line = sh.fails(f"upload {project_name} {source} --create")
    assert line == f"error: project in {source} is invalid: a cannot find dependency ghost"
    assert sh.seen == []  # not even the --create
    assert project_name not in [p["projectName"] for p in client.projects()]
